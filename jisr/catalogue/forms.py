from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jisr.catalogue.models import (
    DocumentType,
    EligibleSex,
    Location,
    ServiceCategory,
    ServiceStatus,
)
from jisr.lib import reference
from jisr.lib.forms import limit_choices
from jisr.lib.reference import ReferenceChoiceField
from jisr.matching.models import Language
from jisr.places.models import District, Governorate
from jisr.registry.models import CategoryRule, PersonType, Sex

CHECKS = forms.CheckboxSelectMultiple


class ServiceForm(forms.Form):
    name_ar = forms.CharField(label=_("name in Arabic"), max_length=200, required=False)
    name_ckb = forms.CharField(label=_("name in Central Kurdish"), max_length=200, required=False)
    name_en = forms.CharField(label=_("name in English"), max_length=200, required=False)
    categories = forms.MultipleChoiceField(label=_("categories"), widget=CHECKS)
    description_ar = forms.CharField(
        label=_("description in Arabic"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_ckb = forms.CharField(
        label=_("description in Central Kurdish"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("description in English"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    how_to_access_ar = forms.CharField(
        label=_("how to access it, in Arabic"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    how_to_access_ckb = forms.CharField(
        label=_("how to access it, in Central Kurdish"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    how_to_access_en = forms.CharField(
        label=_("how to access it, in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    status = forms.ChoiceField(
        label=_("status"), choices=ServiceStatus.choices, initial=ServiceStatus.ACTIVE
    )
    areas = forms.MultipleChoiceField(
        label=_("governorates served"),
        required=False,
        widget=CHECKS,
        help_text=_("Leave empty for the whole of Iraq."),
    )
    remote = forms.BooleanField(label=_("also by phone or online"), required=False)
    locations = forms.MultipleChoiceField(
        label=_("where it is offered"), required=False, widget=CHECKS
    )
    opening_hours = forms.CharField(
        label=_("opening hours"),
        max_length=200,
        required=False,
        help_text=_("For example: Sunday to Thursday, 8:00 to 14:00."),
    )
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    email = forms.EmailField(
        label=_("e-mail"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    url = forms.URLField(
        label=_("website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    free = forms.BooleanField(label=_("free of charge"), required=False, initial=True)
    fees = forms.CharField(label=_("fees, if any"), max_length=300, required=False)
    minimum_age = forms.IntegerField(
        label=_("minimum age"), min_value=0, max_value=120, required=False
    )
    maximum_age = forms.IntegerField(
        label=_("maximum age"), min_value=0, max_value=120, required=False
    )
    sex = forms.ChoiceField(label=_("for"), choices=EligibleSex.choices, required=False)
    person_types = forms.MultipleChoiceField(
        label=_("situations"),
        choices=PersonType.choices,
        required=False,
        widget=CHECKS,
        help_text=_("Leave empty for everyone."),
    )
    eligible_categories = forms.MultipleChoiceField(
        label=_("registry categories"),
        required=False,
        widget=CHECKS,
        help_text=_("Leave empty for everyone."),
    )
    eligibility_note = forms.CharField(label=_("other conditions"), max_length=500, required=False)
    required_documents = forms.MultipleChoiceField(
        label=_("documents to bring"), choices=DocumentType.choices, required=False, widget=CHECKS
    )
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"), choices=Language.choices, required=False, widget=CHECKS
    )
    capacity_per_month = forms.IntegerField(
        label=_("persons served per month"), min_value=0, required=False
    )
    wait_days = forms.IntegerField(
        label=_("usual waiting time (days)"), min_value=0, max_value=3650, required=False
    )

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name_ar", "description_ar", "how_to_access_ar"):
            self.fields[name].widget.attrs["dir"] = "rtl"
        self._choices(
            "categories",
            [
                (c.code, f"{c.parent.name} · {c.name}" if c.parent else c.name)
                for c in ServiceCategory.objects.select_related("parent").exclude(parent=None)
            ],
        )
        self._choices("areas", [(g.code, g.name) for g in Governorate.objects.order_by("name_en")])
        self._choices(
            "locations", [(str(x.uuid), f"{x.name} · {x.governorate.name}") for x in locations]
        )
        self._choices(
            "eligible_categories",
            [(r.key, r.label) for r in CategoryRule.objects.filter(is_active=True)],
        )

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sex"] = data.get("sex") or ""
        for name in ("name_ar", "name_ckb", "name_en"):
            data[name] = data[name].strip()
        return data


class LocationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Location
        fields = [
            "name_ar",
            "name_ckb",
            "name_en",
            "address",
            "governorate",
            "district",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "governorate", Governorate.objects.order_by("name_en"))
        limit_choices(self, "district", District.objects.select_related("governorate"))


class DistrictField(ReferenceChoiceField):
    def label_from_instance(self, obj: District) -> str:
        return f"{obj.governorate.name} · {obj.name}"


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Kind of help"), required=False)
    governorate = ReferenceChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.order_by("name_en"), required=False
    )
    district = DistrictField(
        label=_("District"),
        queryset=District.objects.select_related("governorate").order_by(
            "governorate__name_en", "name_en"
        ),
        required=False,
    )
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Any")), *Sex.choices], required=False)
    person_type = forms.ChoiceField(
        label=_("Situation"), choices=[("", _("Any")), *PersonType.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any")), *Language.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("Any")))]
        domains = ServiceCategory.objects.filter(parent=None).prefetch_related("children")
        for domain in reference.rows(domains):
            choices.append((domain.code, domain.name))
            choices.extend((c.code, f"— {c.name}") for c in domain.children.all())
        cast(forms.ChoiceField, self.fields["category"]).choices = choices


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("What to correct"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class HsdsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS documents (a ZIP of JSON files)"),
        help_text=_(
            "Open Referral HSDS 3.0 documents: services, organisations and lists of them, in any "
            "folder of the ZIP."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish the imported services at once, as reviewed by me"),
        help_text=_("Otherwise they wait in the review queue."),
        required=False,
    )
