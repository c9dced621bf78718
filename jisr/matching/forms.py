from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisr.lib.forms import limit_choices
from jisr.matching.models import (
    ApplicationStatus,
    Language,
    LanguageLevel,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Profile,
    Qualification,
    SkillLevel,
)
from jisr.places.models import Governorate
from jisr.skills.models import Occupation, Skill

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProfileFactsForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Profile
        fields = [
            "visibility", "available_return", "available_assignment", "assignment_months",
            "available_remote", "available_mentoring", "willing_to_relocate",
            "preferred_governorates", "experience_years", "experience",
        ]  # fmt: skip
        widgets = {
            "visibility": forms.RadioSelect,
            "preferred_governorates": forms.CheckboxSelectMultiple,
            "experience": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "preferred_governorates", Governorate.objects.order_by("name_en"))


class OccupationPickForm(forms.Form):
    occupation = forms.ModelChoiceField(
        label=_("Occupation"), queryset=Occupation.objects.all(), widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Job title as you say it"), max_length=200, required=False)
    years = forms.IntegerField(label=_("Years"), min_value=0, max_value=70, required=False)


class SkillPickForm(forms.Form):
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), widget=forms.RadioSelect
    )
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.INTERMEDIATE
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    level = forms.TypedChoiceField(label=_("Level"), choices=LanguageLevel.choices, coerce=int)


class QualificationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Qualification
        fields = ["level", "field", "institution", "country", "year", "recognition"]


class OpportunityForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    occupation = forms.ModelChoiceField(
        label=_("Occupation"),
        queryset=Occupation.objects.all(),
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind", "title", "description", "occupation", "governorate", "remote", "starts_on",
            "ends_on", "apply_by", "capacity",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "starts_on": DATE,
            "ends_on": DATE,
            "apply_by": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "governorate", Governorate.objects.order_by("name_en"))
        selected = self.data.get("occupation") or (self.instance.occupation_id or "")
        # The occupation is chosen among suggestions; only the chosen one is rendered.
        offered = Occupation.objects.all()
        if not self.is_bound:
            offered = offered.filter(pk=selected or 0)
        limit_choices(self, "occupation", offered)


class OpportunityPublishForm(forms.Form):
    """Which button posted a new opportunity: "Publish" (open) or "Save as draft"."""

    status = forms.ChoiceField(
        choices=[(OpportunityStatus.DRAFT, ""), (OpportunityStatus.OPEN, "")], required=False
    )


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *OpportunityKind.choices], required=False
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.order_by("name_en"), required=False
    )


class OpportunitySkillForm(forms.Form):
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), widget=forms.RadioSelect
    )
    essential = forms.BooleanField(label=_("Essential"), required=False, initial=True)


class OpportunitySkillRemoveForm(forms.Form):
    skill = forms.IntegerField()


class ProfileItemRemoveForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, k) for k in ("occupation", "skill", "language", "qualification")]
    )
    item = forms.IntegerField()


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=OpportunityStatus.choices)


class ApplyForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (ApplicationStatus.APPLIED, _("Apply")),
            (ApplicationStatus.INTERESTED, _("Show interest")),
        ],
        widget=forms.RadioSelect,
        initial=ApplicationStatus.APPLIED,
    )
    share_contact = forms.BooleanField(
        label=_("Let the organisation see my phone number and e-mail"), required=False
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Next step"),
        choices=[
            (s.value, s.label)
            for s in (
                ApplicationStatus.SHORTLISTED,
                ApplicationStatus.CONTACTED,
                ApplicationStatus.HIRED,
                ApplicationStatus.TRAINED,
                ApplicationStatus.ASSIGNMENT_DONE,
                ApplicationStatus.NOT_SELECTED,
            )
        ],
    )
    message = forms.CharField(
        label=_("Message to the person (sent with “contacted”)"), max_length=500, required=False
    )


class InviteForm(forms.Form):
    message = forms.CharField(label=_("Message"), max_length=2000, required=False)
