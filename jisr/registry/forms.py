from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisr.accounts.forms import PhoneField
from jisr.places.models import District, Governorate
from jisr.registry.models import (
    ConsentChannel,
    ConsentStatus,
    Person,
    PersonType,
    Purpose,
    Relationship,
)

NAME_FIELDS = ["first_name", "father_name", "grandfather_name", "family_name", "mother_name"]


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    phone = PhoneField(
        label=_("Mobile phone"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    phone_2 = PhoneField(
        label=_("Other phone"), required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )

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
        self.fields["governorate"].queryset = Governorate.objects.order_by("name_en")  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.select_related("governorate")  # type: ignore[attr-defined]
        for name in NAME_FIELDS:
            self.fields[name].widget.attrs["dir"] = "auto"

    def clean_phone(self) -> str:
        return self.cleaned_data.get("phone") or ""

    def clean_phone_2(self) -> str:
        return self.cleaned_data.get("phone_2") or ""


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
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.order_by("name_en"), required=False
    )
    person_type = forms.ChoiceField(
        label=_("Situation"), choices=[("", _("Any")), *PersonType.choices], required=False
    )
