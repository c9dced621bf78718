from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import (
    API_KEY_PERMISSIONS,
    PERMISSION_LABELS,
    ROLE_MAX_SCOPE,
    STAFF_ROLES,
    Perm,
    Role,
    Scope,
    Sensitivity,
)
from jisr.accounts.services import password_link_request, user_password_set
from jisr.core.ratelimit import client_key
from jisr.lib.forms import limit_choices
from jisr.lib.phones import normalise_phone
from jisr.places.models import Governorate


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail or mobile phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "dir": "ltr"}),
    )
    error_messages = {
        "invalid_login": _("That e-mail or phone and password do not match an account."),
        "inactive": _("This account is not active."),
    }


class PasswordLinkForm(PasswordResetForm):
    """Sends the link through Jisr's own mailer (in the user's language, on the task queue),
    within the limits on messages to one address (`services.password_link_request`)."""

    def save(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        password_link_request(
            email=self.cleaned_data["email"], client=client_key(request) if request else ""
        )


class _PasswordSavedByService:
    """A new password is saved by `services.user_password_set`, with its audit entry."""

    cleaned_data: dict[str, Any]

    def set_password_and_save(
        self,
        user: User,
        password_field_name: str = "password1",  # noqa: S107  (the field's name)
        commit: bool = True,
    ) -> User:
        user_password_set(user=user, password=self.cleaned_data[password_field_name])
        return user


class PasswordSetForm(_PasswordSavedByService, auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """A password chosen with an e-mailed link (an invitation or a reset)."""


class PasswordChangeForm(_PasswordSavedByService, auth_forms.PasswordChangeForm):
    """A signed-in user's new password, with the old one."""


class NextForm(forms.Form):
    """Where to go once done: a path on this site, checked before it is followed."""

    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class TokenForm(NextForm):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your app.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class EnrolmentCodeForm(NextForm):
    code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return normalise_phone(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a valid phone number, for example +964 770 123 4567.")
            ) from None


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    website = forms.URLField(
        label=_("website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )

    class Meta:
        model = Organisation
        fields = [
            "name_ar", "name_ckb", "name_en", "acronym", "kind", "parent", "governorate",
            "country", "email", "phone", "website", "is_active", "verified",
        ]  # fmt: skip
        widgets = {"email": forms.EmailInput(attrs={"dir": "ltr"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "parent", Organisation.objects.order_by("name_ar"))
        limit_choices(self, "governorate", Governorate.objects.order_by("name_en"))
        self.fields["name_ar"].widget.attrs["dir"] = "rtl"
        self.fields["name_ckb"].widget.attrs["dir"] = "rtl"
        self.fields["name_en"].widget.attrs["dir"] = "ltr"


def _scope_choices(role: Role, own_scope: Scope) -> list[tuple[str, str]]:
    allowed = [s for s in Scope if s <= ROLE_MAX_SCOPE[role] and s <= own_scope]
    return [("", str(_("Not held")))] + [(str(s.value), str(s.label)) for s in allowed]


class UserForm(forms.Form):
    """A staff account and its roles; one field per staff role says the scope it is held with."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    phone = PhoneField(
        label=_("Mobile phone"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        manager_scope: Scope,
        instance: User | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            initial = {
                "full_name": instance.full_name,
                "email": instance.email,
                "phone": instance.phone,
                "organisation": instance.organisation,
                "language": instance.language,
                "is_active": instance.is_active,
                **{f"role_{r.value}": str(s.value) for r, s in instance.roles.items()},
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.instance = instance
        limit_choices(self, "organisation", organisations)
        for role in Role:
            if role in STAFF_ROLES:
                self.fields[f"role_{role.value}"] = forms.TypedChoiceField(
                    label=role.label,
                    choices=_scope_choices(role, manager_scope),
                    required=False,
                    coerce=lambda v: Scope(int(v)),
                    empty_value=None,
                )
        if instance is None:
            self.fields["password"] = forms.CharField(
                label=_("First password"),
                required=False,
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text=_("Leave empty to e-mail the person a link to choose their own."),
            )

    def role_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("role_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an e-mail address or a mobile phone number."))
        if password := data.get("password"):
            try:
                validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    def roles(self) -> dict[Role, Scope]:
        return {
            Role(name.removeprefix("role_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("role_") and value is not None
        }


class ApiKeyForm(forms.Form):
    """A new API key: what the system may do, within what the maker holds."""

    name = forms.CharField(
        label=_("System that will use the key"),
        max_length=100,
        help_text=_("For example: the Ministry of Labour's jobseekers system."),
    )
    permissions = forms.MultipleChoiceField(
        label=_("What the key may do"), widget=forms.CheckboxSelectMultiple
    )
    scope = forms.TypedChoiceField(label=_("Records it reaches"), coerce=int)
    clearance = forms.TypedChoiceField(label=_("Fields it may see"), coerce=int)
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most a year from today. Rotate the key before it expires."),
    )

    def __init__(self, *args: Any, maker: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = [perm for perm in Perm if perm in API_KEY_PERMISSIONS and maker.can(perm)]
        permissions = cast(forms.ChoiceField, self.fields["permissions"])
        permissions.choices = [(perm.value, PERMISSION_LABELS[perm]) for perm in held]
        widest = max((maker.scope_for(perm) or Scope.OWN for perm in held), default=Scope.OWN)
        scope = cast(forms.ChoiceField, self.fields["scope"])
        scope.choices = [(s.value, s.label) for s in Scope if s <= widest]
        clearance = cast(forms.ChoiceField, self.fields["clearance"])
        clearance.choices = [(s.value, s.label) for s in Sensitivity if s <= maker.clearance]
        self.initial.setdefault(
            "scope", Scope.ORGANISATION if widest >= Scope.ORGANISATION else widest
        )
        self.initial.setdefault("clearance", Sensitivity.INTERNAL)
        self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=90))


class ApiKeyRotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("Hours the old key keeps working"),
        min_value=0,
        max_value=24 * 7,
        initial=24,
        help_text=_("Time for the system to switch to the new key; 0 stops the old key now."),
    )
