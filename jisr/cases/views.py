"""Pages of cases, needs, proposals, referrals, plans and early warning.

Each page reads through `selectors` and each action is its own URL: its form checks the input,
a service makes the change, and the case's page shows what came of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from jisr.accounts.decorators import AuthedRequest, permission, self_service
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.cases import forms, selectors, services
from jisr.cases.followup import QUESTIONS
from jisr.cases.letter import referral_letter as letter_pdf
from jisr.cases.models import (
    Case,
    CaseStatus,
    FollowUpChannel,
    NeedPriority,
    Outcome,
    ReferralStatus,
)
from jisr.lib.errors import JisrError
from jisr.lib.pagination import CappedPaginator
from jisr.registry import selectors as registry_selectors
from jisr.registry.models import Purpose


def _carry_out(
    request: AuthedRequest,
    form: django_forms.Form,
    action: Callable[[dict[str, Any]], str | None],
) -> None:
    """Run `action` on the form's cleaned data; what it says on success, or the form's or the
    service's errors, are shown on the next page."""
    if not form.is_valid():
        for errors in form.errors.as_data().values():
            for error in errors:
                for message in error.messages:
                    messages.error(request, message)
        return
    try:
        done = action(form.cleaned_data)
    except JisrError as error:
        messages.error(request, str(error.message))
        return
    if done:
        messages.success(request, done)


def _to_case(case: Case) -> HttpResponse:
    return redirect("cases:case_detail", case_id=case.pk)


@permission(Perm.CASE_VIEW)
def case_list(request: AuthedRequest) -> HttpResponse:
    found = selectors.case_list_with_persons(fetched_by=request.user)
    page = CappedPaginator(found, 50).get_page(request.GET.get("page"))
    audit_reads(actor=request.user, records=page.object_list, context="cases.case_list")
    return render(request, "cases/case_list.html", {"page": page})


@permission(Perm.CASE_MANAGE)
@require_POST
def case_open(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    try:
        case = services.case_open(by=request.user, person=person)
    except JisrError as error:
        messages.error(request, str(error.message))
        existing = selectors.case_open_of(fetched_by=request.user, person=person)
        if existing is not None:
            return _to_case(existing)
        return redirect("registry:person_detail", person_id=person.pk)
    messages.success(request, _("The case is open. Record the person's needs."))
    return _to_case(case)


def _plan_context(case: Case) -> dict[str, Any]:
    return {
        "plan": selectors.plan_get(case=case),
        "questions": QUESTIONS,
        "follow_ups": selectors.follow_up_list(case=case),
        "flags": selectors.flag_list_of_case(case=case),
        "suggested_return": selectors.case_suggested_return(case=case),
    }


@permission(Perm.CASE_VIEW)
@require_safe
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "rows": selectors.need_list_with_proposals(case=case),
            "categories": selectors.need_category_list(),
            "priorities": NeedPriority.choices,
            "referral_consent": registry_selectors.has_consent(case.person, Purpose.REFERRAL),
            "today": timezone.localdate(),
            "next_statuses": [
                (s.value, s.label) for s in services.CASE_TRANSITIONS[CaseStatus(case.status)]
            ],
            "organisations": selectors.transfer_organisation_list(case=case),
            **_plan_context(case),
        },
    )


@permission(Perm.CASE_MANAGE)
@require_POST
def need_add(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def add(data: dict[str, Any]) -> str:
        services.need_add(
            by=request.user,
            case=case,
            category=data["category"],
            priority=data["priority"],
            note=data["note"],
            version=data["version"],
        )
        return _("The need has been recorded.")

    _carry_out(request, forms.NeedForm(request.POST), add)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def need_set_status(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def change(data: dict[str, Any]) -> None:
        services.need_set_status(
            by=request.user, need=data["need"], status=data["status"], version=data["version"]
        )

    _carry_out(request, forms.NeedStatusForm(request.POST, case=case), change)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def referral_send(request: AuthedRequest, case_id: int) -> HttpResponse:
    """One need to one of the services proposed for it."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def send(data: dict[str, Any]) -> str:
        referral = services.referral_send(
            by=request.user, need=data["need"], service=data["service"], version=data["version"]
        )
        return _("Referred to %(organisation)s.") % {"organisation": referral.to_organisation.name}

    _carry_out(request, forms.ReferForm(request.POST, case=case), send)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def case_refer_waiting_needs(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Every need that waits for a referral, to the service proposed first for it."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def refer(data: dict[str, Any]) -> str:
        sent = services.case_refer_waiting_needs(
            by=request.user, case=case, version=data["version"]
        )
        return ngettext("%(count)s referral sent.", "%(count)s referrals sent.", len(sent)) % {
            "count": len(sent)
        }

    _carry_out(request, forms.VersionForm(request.POST), refer)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def case_set_status(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def change(data: dict[str, Any]) -> str:
        services.case_set_status(
            by=request.user,
            case=case,
            status=data["status"],
            reason=data["reason"],
            version=data["version"],
        )
        return _("Recorded.")

    _carry_out(request, forms.CaseStatusForm(request.POST), change)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def case_transfer(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def transfer(data: dict[str, Any]) -> str:
        organisation = data["organisation"]
        services.case_transfer(
            by=request.user, case=case, organisation=organisation, version=data["version"]
        )
        return _("The case has been transferred to %(organisation)s.") % {
            "organisation": organisation.name
        }

    _carry_out(request, forms.TransferForm(request.POST), transfer)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def case_plan(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Make the case's reintegration plan."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)

    def make(data: dict[str, Any]) -> str:
        services.plan_create(
            by=request.user, case=case, return_date=data["return_date"], version=data["version"]
        )
        return _("The plan is made: its follow-ups are due at each milestone.")

    _carry_out(request, forms.PlanForm(request.POST), make)
    return _to_case(case)


@permission(Perm.CASE_MANAGE)
@require_POST
def follow_up_record(request: AuthedRequest, case_id: int) -> HttpResponse:
    """A follow-up by the caseworker, in person or by phone."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    form = forms.FollowUpForm(request.POST, case=case)

    def record(data: dict[str, Any]) -> str:
        services.follow_up_record(
            by=request.user,
            case=case,
            milestone=data["milestone"],
            channel=data["channel"],
            answers=form.answers(),
        )
        return _("The follow-up has been recorded.")

    _carry_out(request, form, record)
    return _to_case(case)


@permission(Perm.REFERRAL_RESPOND)
def inbox(request: AuthedRequest) -> HttpResponse:
    form = forms.InboxFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    found = selectors.referral_inbox(fetched_by=request.user, status=status)
    page = CappedPaginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/inbox.html",
        {"page": page, "status": status, "statuses": ReferralStatus.choices},
    )


@permission(Perm.REFERRAL_RESPOND)
def referral_detail(request: AuthedRequest, referral_id: int) -> HttpResponse:
    """A referral, and the next steps the user's side may take."""
    referral = selectors.referral_get(fetched_by=request.user, referral_id=referral_id)
    if request.method == "POST":

        def move(data: dict[str, Any]) -> str:
            services.referral_move(
                by=request.user,
                referral=referral,
                status=data["status"],
                reason=data["reason"],
                outcome=data["outcome"],
                note=data["note"],
                version=data["version"],
            )
            return _("Recorded.")

        _carry_out(request, forms.ReferralMoveForm(request.POST), move)
        return redirect("cases:referral_detail", referral_id=referral.pk)
    sides = selectors.referral_sides(fetched_by=request.user, referral=referral)
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "shared": selectors.referral_shared_view(referral=referral),
            "is_sender": "sender" in sides,
            "steps": selectors.referral_steps(fetched_by=request.user, referral=referral),
            "outcomes": Outcome.choices,
            "events": selectors.referral_event_list(referral=referral),
        },
    )


@permission(Perm.REFERRAL_RESPOND)
def referral_letter(request: AuthedRequest, referral_id: int) -> HttpResponse:
    """The printable referral letter, in the person's language (or the one asked for)."""
    referral = selectors.referral_get(fetched_by=request.user, referral_id=referral_id)
    form = forms.LetterForm(request.GET)
    language = form.cleaned_data["language"] if form.is_valid() else ""
    response = HttpResponse(letter_pdf(referral, language or None), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="jisr-referral-{referral.pk}.pdf"'
    return response


@permission(Perm.CASE_VIEW)
def worklist(request: AuthedRequest) -> HttpResponse:
    """The supervisor's list of setbacks in the cases they reach, each with what to do."""
    flags = selectors.flag_worklist(fetched_by=request.user)
    page = CappedPaginator(flags, 100).get_page(request.GET.get("page"))
    audit_reads(
        actor=request.user,
        records=page.object_list,
        context="cases.worklist",
        person=lambda flag: flag.case.person_id,
    )
    return render(
        request,
        "cases/worklist.html",
        {"page": page, "may_scan": selectors.flags_scan_allowed(user=request.user)},
    )


@permission(Perm.CASE_VIEW)
@require_POST
def warnings_scan(request: AuthedRequest) -> HttpResponse:
    """Run the early-warning rules now, over every case: a supervisor of all records only
    (`services.flags_scan` refuses anyone else)."""
    result = services.flags_scan(by=request.user)
    messages.success(
        request,
        _("Checked: %(raised)s new, %(resolved)s resolved.")
        % {"raised": result["raised"], "resolved": result["resolved"]},
    )
    return redirect("cases:worklist")


@permission(Perm.CATEGORY_MANAGE)
def warning_rules(request: AuthedRequest) -> HttpResponse:
    """Administrators tune the early-warning rules: on or off, thresholds, suggested actions."""
    if request.method == "POST":

        def save(data: dict[str, Any]) -> str:
            services.warning_rule_update(
                by=request.user,
                rule=data["rule"],
                threshold=data["threshold"],
                is_active=data["is_active"],
                action_ar=data["action_ar"],
                action_ckb=data["action_ckb"],
                action_en=data["action_en"],
            )
            return _("Saved. The next check uses it.")

        _carry_out(request, forms.WarningRuleForm(request.POST), save)
        return redirect("cases:warning_rules")
    rules = selectors.warning_rule_list(fetched_by=request.user)
    return render(request, "cases/warning_rules.html", {"rules": rules})


@self_service
def my_plan(request: AuthedRequest) -> HttpResponse:
    """The person's own plan, and their follow-up online."""
    person, case = selectors.case_of_own(fetched_by=request.user)
    if request.method == "POST" and case is not None:
        own_case = case
        form = forms.FollowUpForm(request.POST, case=own_case, own=True)

        def record(data: dict[str, Any]) -> str:
            services.follow_up_record(
                by=request.user,
                case=own_case,
                milestone=data["milestone"],
                channel=FollowUpChannel.ONLINE,
                answers=form.answers(),
            )
            return _("Thank you. Your answers have been recorded.")

        _carry_out(request, form, record)
        return redirect("cases:my_plan")
    context: dict[str, Any] = {"case": case, "today": timezone.localdate()}
    if case is not None:
        context.update(_plan_context(case))
        context["needs"] = selectors.need_list(case=case)
        context["shared"] = selectors.referral_list_shared(person=person)
    return render(request, "cases/my_plan.html", context)


@self_service
def my_notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(by=request.user)
        return redirect("cases:notifications")
    mine = selectors.notification_list(fetched_by=request.user)
    return render(
        request,
        "cases/notifications.html",
        {"page": CappedPaginator(mine, 50).get_page(request.GET.get("page"))},
    )
