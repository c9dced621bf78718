"""The forms of the case pages: each input read, typed and checked here, so that a view never
reads `request.POST` by hand and bad input is a form error (never a 0 or a silent default).

The pages draw their own markup; these forms check what comes back. A choice of a record (a
need, a service, a milestone) is among those the case offers, or the form says "Not found."
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisr.cases import selectors
from jisr.cases.followup import QUESTIONS, SCALE, YES_NO_UNSURE
from jisr.cases.models import (
    Case,
    CaseStatus,
    FollowUpChannel,
    Milestone,
    Need,
    NeedPriority,
    NeedStatus,
    Outcome,
    ReferralStatus,
    WarningRule,
)
from jisr.catalogue.models import Service
from jisr.lib.forms import limit_choices

NOT_FOUND = {"required": _("Not found."), "invalid_choice": _("Not found.")}


class VersionForm(forms.Form):
    """The version of the case (or referral) the user saw, so that a change made on a stale
    page is refused rather than applied over someone else's."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class NeedForm(VersionForm):
    category = forms.ModelChoiceField(
        queryset=selectors.need_category_list(),
        to_field_name="code",
        error_messages={
            "required": _("Choose the kind of help needed."),
            "invalid_choice": _("Choose the kind of help needed."),
        },
    )
    priority = forms.TypedChoiceField(choices=NeedPriority.choices, coerce=int, required=False)
    note = forms.CharField(max_length=500, required=False)

    def clean_priority(self) -> int:
        priority = self.cleaned_data["priority"]
        return NeedPriority.MEDIUM if priority == "" else int(priority)


class _OfCaseForm(VersionForm):
    """A form whose choices are among one case's needs."""

    need: forms.ModelChoiceField[Need] = forms.ModelChoiceField(
        queryset=None, error_messages=NOT_FOUND
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "need", case.needs.all())


class ReferForm(_OfCaseForm):
    """One need to one of the services proposed for it."""

    service = forms.ModelChoiceField(queryset=Service.objects.all(), error_messages=NOT_FOUND)


class NeedStatusForm(_OfCaseForm):
    status = forms.ChoiceField(choices=NeedStatus.choices)


class CaseStatusForm(VersionForm):
    status = forms.ChoiceField(choices=CaseStatus.choices)
    reason = forms.CharField(max_length=300, required=False)


class TransferForm(VersionForm):
    # The page offers every active organisation but the case's own; the service refuses its
    # own with a reason.
    organisation = forms.ModelChoiceField(
        queryset=selectors.organisation_list_active(), error_messages=NOT_FOUND
    )


class PlanForm(VersionForm):
    return_date = forms.DateField(
        error_messages={
            "required": _("Enter the date of return."),
            "invalid": _("Enter the date of return."),
        }
    )


def _answer_choices(kind: str) -> list[tuple[str, str]]:
    if kind == SCALE:
        return [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]
    unsure = [("unsure", "unsure")] if kind == YES_NO_UNSURE else []
    return [("", "—"), ("yes", "yes"), ("no", "no"), *unsure]


class FollowUpForm(forms.Form):
    """A follow-up: by the caseworker (in person or by phone), or by the person online (`own`),
    at one of the plan's milestones or none; each question answered or left out."""

    milestone: forms.ModelChoiceField[Milestone] = forms.ModelChoiceField(
        queryset=None, required=False
    )
    channel = forms.ChoiceField(
        choices=[
            (FollowUpChannel.PHONE, FollowUpChannel.PHONE.label),
            (FollowUpChannel.IN_PERSON, FollowUpChannel.IN_PERSON.label),
        ]
    )

    def __init__(self, *args: Any, case: Case, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "milestone", selectors.milestone_list(case=case))
        if own:
            del self.fields["channel"]
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                choices=_answer_choices(question.kind), required=False
            )

    def answers(self) -> dict[str, str]:
        return {question.key: self.cleaned_data[question.key] for question in QUESTIONS}


class ReferralMoveForm(VersionForm):
    """One step of a referral: declined and cancelled with a reason, completed with an
    outcome."""

    status = forms.ChoiceField(choices=ReferralStatus.choices)
    reason = forms.CharField(max_length=500, required=False)
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False)
    note = forms.CharField(max_length=500, required=False)


class WarningRuleForm(forms.Form):
    rule = forms.ModelChoiceField(queryset=WarningRule.objects.all(), error_messages=NOT_FOUND)
    threshold = forms.IntegerField(min_value=0, max_value=3650)
    is_active = forms.BooleanField(required=False)
    action_ar = forms.CharField(max_length=300, required=False)
    action_ckb = forms.CharField(max_length=300, required=False)
    action_en = forms.CharField(max_length=300, required=False)


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "—"), *ReferralStatus.choices], required=False)


class LetterForm(forms.Form):
    """The language of a referral letter; the person's own when none (or another) is asked."""

    language = forms.ChoiceField(
        choices=[("ar", "ar"), ("ckb", "ckb"), ("en", "en")], required=False
    )
