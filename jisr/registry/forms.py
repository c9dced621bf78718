"""The registry's page input: every value a page sends is read through one of these forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from jisr.accounts.forms import PhoneField
from jisr.accounts.models import Organisation
from jisr.lib import reference
from jisr.lib.forms import ColumnMappingForm, limit_choices
from jisr.lib.phones import normalise_phone
from jisr.lib.reference import ReferenceChoiceField
from jisr.places.models import District, Governorate
from jisr.registry.caseform.questions import (
    CHOICE,
    DATE,
    INTEGER,
    MULTI,
    YES_NO,
    Question,
    Section,
)
from jisr.registry.imports.columns import TARGETS
from jisr.registry.models import (
    CategoryRule,
    ConsentChannel,
    ConsentStatus,
    Person,
    PersonShare,
    PersonType,
    Purpose,
    Relationship,
)

NAME_FIELDS = ["first_name", "father_name", "grandfather_name", "family_name", "mother_name"]


def limit_places(form: forms.BaseForm) -> None:
    """Governorates in a stable order, districts with their governorate loaded."""
    limit_choices(form, "governorate", Governorate.objects.order_by("name_en"))
    limit_choices(form, "district", District.objects.select_related("governorate"))


class PhoneFields(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    """A record's two phone fields, written any usual way and stored in E.164 (or empty)."""

    phone = PhoneField(
        label=_("Mobile phone"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    phone_2 = PhoneField(
        label=_("Other phone"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )

    def clean_phone(self) -> str:
        return self.cleaned_data.get("phone") or ""

    def clean_phone_2(self) -> str:
        return self.cleaned_data.get("phone_2") or ""


class PersonForm(PhoneFields):
    class Meta:
        model = Person
        fields = [
            *NAME_FIELDS, "latin_name", "aliases", "sex", "birth_date", "birth_year",
            "phone", "phone_2", "email", "national_id", "person_type", "country", "city",
            "governorate", "district",
        ]  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "latin_name": forms.TextInput(attrs={"dir": "ltr"}),
            "national_id": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_places(self)
        for name in NAME_FIELDS:
            self.fields[name].widget.attrs["dir"] = "auto"


def _consent_field(purpose: Purpose) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=purpose.label,
        choices=[(ConsentStatus.GIVEN.value, _("Yes")), (ConsentStatus.REFUSED.value, _("No"))],
        widget=forms.RadioSelect,
        initial=ConsentStatus.REFUSED.value if purpose != Purpose.REGISTRATION else None,
    )


class RegistrationForm(PersonForm):
    """The case form for a new person, with the consent questions asked at registration."""

    relationship = forms.ChoiceField(
        label=_("Relationship to the head of household"),
        choices=[c for c in Relationship.choices if c[0] != Relationship.HEAD],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=[c for c in ConsentChannel.choices if c[0] != ConsentChannel.ONLINE],
    )
    different_person = forms.BooleanField(
        label=_("I have checked the possible matches: this is a different person."), required=False
    )

    def __init__(self, *args: Any, household_member: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose in Purpose:
            self.fields[f"consent_{purpose.value}"] = _consent_field(purpose)
        if not household_member:
            del self.fields["relationship"]
        else:
            self.fields["relationship"].required = True

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{p.value}"] for p in Purpose]

    def consents(self) -> dict[Purpose, ConsentStatus]:
        return {p: ConsentStatus(self.cleaned_data[f"consent_{p.value}"]) for p in Purpose}

    def person_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in PersonForm.Meta.fields}
        if "relationship" in self.fields:
            data["relationship"] = self.cleaned_data["relationship"]
        return data


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    status = forms.ChoiceField(label=_("Decision"), choices=ConsentStatus.choices)
    channel = forms.ChoiceField(
        label=_("How"), choices=[c for c in ConsentChannel.choices if c[0] != ConsentChannel.ONLINE]
    )


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, phone or ID number"), required=False)
    governorate = ReferenceChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.order_by("name_en"), required=False
    )
    person_type = forms.ChoiceField(
        label=_("Situation"), choices=[("", _("Any")), *PersonType.choices], required=False
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = reference.rows(CategoryRule.objects.filter(is_active=True))
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("Any")),
            *[(r.key, r.label) for r in rules],
        ]


def _answer_field(question: Question) -> forms.Field:
    label, required = str(question.label), False  # forms are built per request, in its language
    if question.kind == INTEGER:
        return forms.IntegerField(
            label=label, required=required, min_value=question.minimum, max_value=question.maximum
        )
    if question.kind == DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if question.kind == YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=required,
            empty_value=None,
            choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        )
    if question.kind == CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), *[(c.value, c.label) for c in question.choices]],
        )
    if question.kind == MULTI:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            widget=forms.CheckboxSelectMultiple,
            choices=[(c.value, c.label) for c in question.choices],
        )
    return forms.CharField(label=label, required=required, max_length=500)


def _initial(question: Question, value: Any) -> Any:
    if question.kind == YES_NO and value is not None:
        return "yes" if value else "no"
    return value


class CaseAnswersForm(forms.Form):
    """The case form's questions of the sections the user may record, grouped by section."""

    def __init__(
        self, *args: Any, sections: list[Section], answers: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            for question in section.questions:
                self.fields[question.key] = _answer_field(question)
                self.initial[question.key] = _initial(question, answers.get(question.key))

    def grouped(self) -> list[tuple[Section, list[forms.BoundField]]]:
        return [(s, [self[q.key] for q in s.questions]) for s in self.sections]

    def answers(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items()}


class CategoryRuleForm(forms.Form):
    label_ar = forms.CharField(label=_("Name in Arabic"), max_length=200)
    label_ckb = forms.CharField(label=_("Name in Central Kurdish"), max_length=200)
    label_en = forms.CharField(label=_("Name in English"), max_length=200)
    conditions = forms.JSONField(
        label=_("Conditions"),
        help_text=_(
            'Conditions that must all hold, e.g. [{"fact": "age", "op": "gte", "value": 60}].'
        ),
        widget=forms.Textarea(attrs={"dir": "ltr", "rows": 8}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000)


class SelfRegistrationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    """The questions a person answers about themself; caseworkers add the rest later."""

    contact = forms.CharField(
        label=_("Mobile phone or e-mail"),
        max_length=254,
        help_text=_("We send a code to it, to confirm it is yours. It is also how you sign in."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Person
        fields = [
            *NAME_FIELDS, "sex", "birth_date", "birth_year", "person_type", "country", "city",
            "governorate", "district",
        ]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, submitting: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        limit_places(self)
        for purpose in Purpose:
            self.fields[f"consent_{purpose.value}"] = _consent_field(purpose)
        if not submitting:  # a draft keeps whatever is filled in
            for name, field in self.fields.items():
                field.required = name == "contact"

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{p.value}"] for p in Purpose]

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            validate_email(contact)
            return str(contact).lower()
        try:
            return normalise_phone(contact)
        except ValueError:
            raise forms.ValidationError(_("Enter a mobile number or an e-mail address.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.submitting:
            return data
        if data.get(f"consent_{Purpose.REGISTRATION.value}") != ConsentStatus.GIVEN:
            self.add_error(
                f"consent_{Purpose.REGISTRATION.value}",
                _("Registration needs your consent. Without it, nothing is kept."),
            )
        password = data.get("password1") or ""
        if not password:
            self.add_error("password1", _("Choose a password."))
        elif password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        else:
            try:
                validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def _post_clean(self) -> None:
        if self.submitting:
            super()._post_clean()  # type: ignore[misc]  # ModelForm's hook, missing from the stubs

    def serialisable(self) -> dict[str, Any]:
        """The answers as JSON for the draft, without the password."""
        data: dict[str, Any] = {}
        for name in self.Meta.fields:
            value: Any = self.cleaned_data.get(name)
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is not None and not isinstance(value, (str, int)):
                value = str(value)
            data[name] = value
        data["consents"] = {
            p.value: self.cleaned_data.get(f"consent_{p.value}") or ConsentStatus.REFUSED.value
            for p in Purpose
        }
        return data


def initial_from_draft(data: dict[str, Any]) -> dict[str, Any]:
    initial = {k: v for k, v in data.items() if k != "consents"}
    for purpose, status in (data.get("consents") or {}).items():
        initial[f"consent_{purpose}"] = status
    return initial


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The six-digit code we sent you"),
        regex=r"^\s*[0-9٠-٩]{6}\s*$",
        error_messages={"invalid": _("Enter the six digits of the code.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )

    def clean_code(self) -> str:
        return (
            str(self.cleaned_data["code"])
            .strip()
            .translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        )


class OwnRecordForm(PhoneFields):
    class Meta:
        model = Person
        fields = [
            *NAME_FIELDS, "latin_name", "aliases", "phone", "phone_2", "email", "country", "city",
            "governorate", "district",
        ]  # fmt: skip
        widgets = {
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "latin_name": forms.TextInput(attrs={"dir": "ltr"}),
        }


class HouseholdMemberForm(forms.Form):
    """`?member_of=` on the registration page: the person whose household the new one joins."""

    member_of = forms.IntegerField(required=False, min_value=1)


class ShareForm(forms.Form):
    """Another active organisation to share a person's record with."""

    organisation = forms.ModelChoiceField(
        label=_("Share with"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Organisation.objects.filter(is_active=True).exclude(pk=person.organisation_id)
        limit_choices(self, "organisation", others)


class UnshareForm(forms.Form):
    """Which of the record's shares ends (its "Stop sharing" button)."""

    share = forms.ModelChoiceField(queryset=PersonShare.objects.none())


class OwnConsentForm(forms.Form):
    """A person's own decision about one purpose, from the buttons of their record."""

    purpose = forms.ChoiceField(choices=Purpose.choices)
    status = forms.ChoiceField(choices=ConsentStatus.choices)


class DraftTokenForm(forms.Form):
    """The token of a self-registration draft, from its link or the form that carries it."""

    draft = forms.CharField(required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("The first row holds the column names. At most 20,000 rows."),
    )


class MappingForm(ColumnMappingForm):
    paper_consent = forms.BooleanField(
        label=_(
            "Every person in this file signed the consent to be registered on a paper form, "
            "kept by my organisation."
        ),
        required=False,
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, headers=headers, targets=TARGETS, **kwargs)
