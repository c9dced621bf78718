"""Pages of cases, needs, proposals and referrals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jisr.accounts.decorators import AuthedRequest, permission, self_service
from jisr.accounts.models import Organisation
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_reads, audit_record
from jisr.cases import proposals, selectors, services
from jisr.cases.models import (
    REFERRAL_TRANSITIONS,
    CaseStatus,
    NeedPriority,
    NeedStatus,
    Outcome,
    ReferralStatus,
)
from jisr.catalogue.models import Service, ServiceCategory
from jisr.lib.errors import JisrError
from jisr.lib.pagination import CappedPaginator
from jisr.registry import selectors as registry_selectors
from jisr.registry.models import CaseAnswers, Purpose


def _int(text: Any) -> int:
    """A number from a form, or 0 (no record has it) when there is none."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


@permission(Perm.CASE_VIEW)
def case_list(request: AuthedRequest) -> HttpResponse:
    found = selectors.cases_in_scope(request.user).select_related("person", "caseworker")
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
        existing = (
            selectors.cases_in_scope(request.user)
            .filter(person=person)
            .exclude(status="closed")
            .first()
        )
        if existing is not None:
            return redirect("cases:case_detail", case_id=existing.pk)
        return redirect("registry:person_detail", person_id=person.pk)
    messages.success(request, _("The case is open. Record the person's needs."))
    return redirect("cases:case_detail", case_id=case.pk)


@permission(Perm.CASE_VIEW)
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    if request.method == "POST":
        if not request.user.can(Perm.CASE_MANAGE):
            raise JisrError("forbidden", _("You do not have permission to do this."), status=403)
        try:
            _case_action(request, case)
        except JisrError as error:
            messages.error(request, str(error.message))
        return redirect("cases:case_detail", case_id=case.pk)
    needs = list(
        case.needs.select_related("category").prefetch_related("referrals__service__organisation")
    )
    waiting = [n.category for n in needs if n.status == NeedStatus.IDENTIFIED]
    offered = proposals.proposals_for_needs(person=case.person, categories=waiting)
    rows = [
        (need, offered.get(need.category_id, []) if need.status == NeedStatus.IDENTIFIED else [])
        for need in needs
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "rows": rows,
            "categories": ServiceCategory.objects.exclude(parent=None).select_related("parent"),
            "priorities": NeedPriority.choices,
            "need_statuses": NeedStatus.choices,
            "referral_consent": registry_selectors.has_consent(case.person, Purpose.REFERRAL),
            "today": timezone.localdate(),
            "next_statuses": [
                (s.value, s.label) for s in services.CASE_TRANSITIONS[CaseStatus(case.status)]
            ],
            "organisations": Organisation.objects.filter(is_active=True)
            .exclude(pk=case.organisation_id)
            .order_by("name_ar"),
            **_plan_context(case),
        },
    )


def _case_action(request: AuthedRequest, case: Any) -> None:
    action = request.POST.get("action")
    version = _int(request.POST.get("version")) or None
    if action == "need":
        category = ServiceCategory.objects.filter(code=request.POST.get("category", "")).first()
        if category is None:
            raise JisrError("invalid", _("Choose the kind of help needed."), status=422)
        priority = _int(request.POST.get("priority")) or NeedPriority.MEDIUM
        if priority not in NeedPriority.values:
            priority = NeedPriority.MEDIUM
        services.need_add(
            by=request.user,
            case=case,
            category=category,
            priority=priority,
            note=request.POST.get("note", ""),
            version=version,
        )
        messages.success(request, _("The need has been recorded."))
    elif action == "refer":
        need = case.needs.filter(pk=_int(request.POST.get("need"))).first()
        service = Service.objects.filter(pk=_int(request.POST.get("service"))).first()
        if need is None or service is None:
            raise JisrError("not_found", _("Not found."), status=404)
        referral = services.referral_send(
            by=request.user, need=need, service=service, version=version
        )
        messages.success(
            request,
            _("Referred to %(organisation)s.") % {"organisation": referral.to_organisation.name},
        )
    elif action == "status":
        services.case_set_status(
            by=request.user, case=case, status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""), version=version,
        )  # fmt: skip
        messages.success(request, _("Recorded."))
    elif action == "transfer":
        organisation = Organisation.objects.filter(
            pk=_int(request.POST.get("organisation")), is_active=True
        ).first()
        if organisation is None:
            raise JisrError("not_found", _("Not found."), status=404)
        services.case_transfer(
            by=request.user, case=case, organisation=organisation, version=version
        )
        messages.success(
            request,
            _("The case has been transferred to %(organisation)s.")
            % {"organisation": organisation.name},
        )
    elif action == "refer_all":
        # Each waiting need to the service proposed first, in one step.
        waiting = list(case.needs.filter(status=NeedStatus.IDENTIFIED).select_related("category"))
        offered = proposals.proposals_for_needs(
            person=case.person, categories=[n.category for n in waiting]
        )
        choices = {
            n.pk: offered[n.category_id][0].service for n in waiting if offered.get(n.category_id)
        }
        if not choices:
            raise JisrError("invalid", _("No need waits for a referral."), status=409)
        sent = services.refer_all(by=request.user, case=case, choices=choices, version=version)
        messages.success(
            request,
            ngettext("%(count)s referral sent.", "%(count)s referrals sent.", len(sent))
            % {"count": len(sent)},
        )
    elif action == "need_status":
        need = case.needs.filter(pk=_int(request.POST.get("need"))).first()
        if need is None:
            raise JisrError("not_found", _("Not found."), status=404)
        services.need_set_status(
            by=request.user, need=need, status=request.POST.get("status", ""), version=version
        )
    else:
        raise JisrError("invalid", _("Some fields need correcting."), status=400)


def _referrals_visible(user: Any) -> Any:
    return selectors.referrals_received(user) | selectors.referrals_sent(user)


def _referral_for(user: Any, referral_id: int) -> Any:
    """A referral the user's organisation received, or sent from a case the user reaches."""
    referral = (
        _referrals_visible(user)
        .select_related(
            "service",
            "from_organisation",
            "to_organisation",
            "need__category",
            "need__case__person",
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise JisrError("not_found", _("Not found."), status=404)
    # Every page and letter of a referral shows the person's shared details.
    audit_record(
        actor=user, action=Action.VIEW, target=referral, persons=[referral.need.case.person_id]
    )
    return referral


@permission(Perm.REFERRAL_RESPOND)
def inbox(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = selectors.referrals_received(request.user).select_related(
        "service", "from_organisation", "need__category"
    )
    if status in ReferralStatus.values:
        found = found.filter(status=status)
    page = CappedPaginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/inbox.html",
        {"page": page, "status": status, "statuses": ReferralStatus.choices},
    )


@permission(Perm.REFERRAL_RESPOND)
def referral_detail(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_for(request.user, referral_id)
    sides = services.sides_of(request.user, referral)
    if request.method == "POST":
        try:
            services.referral_move(
                by=request.user, referral=referral, status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""), outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""), version=_int(request.POST.get("version")) or None,
            )  # fmt: skip
        except JisrError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Recorded."))
        return redirect("cases:referral_detail", referral_id=referral.pk)
    steps = [
        (ReferralStatus(target), side)
        for target, side in REFERRAL_TRANSITIONS.get(referral.status, {}).items()
        if side in sides
    ]
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "shared": selectors.shared_view(referral),
            "is_sender": "sender" in sides,
            "steps": steps,
            "outcomes": Outcome.choices,
            "events": referral.events.select_related("by"),
        },
    )


def _follow_up_answers(request: AuthedRequest) -> dict[str, Any]:
    from jisr.cases.followup import QUESTIONS

    return {q.key: request.POST.get(q.key, "") for q in QUESTIONS}


def _plan_context(case: Any) -> dict[str, Any]:
    from jisr.cases.followup import QUESTIONS
    from jisr.cases.models import Plan

    plan = (
        Plan.objects.filter(case=case)
        .prefetch_related("milestones__needs__category", "milestones__follow_ups")
        .first()
    )
    return {
        "plan": plan,
        "questions": QUESTIONS,
        "follow_ups": case.follow_ups.all(),
        "flags": case.flags.filter(resolved_at__isnull=True).select_related("rule"),
        "suggested_return": CaseAnswers.objects.filter(person=case.person)
        .values_list("return_date", flat=True)
        .first(),
    }


@permission(Perm.CASE_MANAGE)
@require_POST
def case_plan(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Create the plan, or record a follow-up."""
    import datetime as dt

    from jisr.cases.models import Milestone

    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    try:
        if request.POST.get("action") == "plan":
            try:
                returned = dt.date.fromisoformat(request.POST.get("return_date", ""))
            except ValueError:
                raise JisrError("invalid", _("Enter the date of return."), status=422) from None
            services.plan_create(
                by=request.user,
                case=case,
                return_date=returned,
                version=_int(request.POST.get("version")) or None,
            )
            messages.success(
                request, _("The plan is made: its follow-ups are due at each milestone.")
            )
        else:
            milestone = Milestone.objects.filter(
                pk=_int(request.POST.get("milestone")), plan__case=case
            ).first()
            services.follow_up_record(
                by=request.user, case=case, milestone=milestone,
                channel=request.POST.get("channel", ""), answers=_follow_up_answers(request),
            )  # fmt: skip
            messages.success(request, _("The follow-up has been recorded."))
    except JisrError as error:
        messages.error(request, str(error.message))
    return redirect("cases:case_detail", case_id=case.pk)


@permission(Perm.CASE_VIEW)
def worklist(request: AuthedRequest) -> HttpResponse:
    """The supervisor's list of setbacks in the cases they reach, each with what to do."""
    from jisr.cases import warnings
    from jisr.cases.models import Flag

    if request.method == "POST":
        result = warnings.scan()
        messages.success(
            request,
            _("Checked: %(raised)s new, %(resolved)s resolved.")
            % {k: v for k, v in result.items()},
        )
        return redirect("cases:worklist")
    flags = (
        Flag.objects.filter(
            resolved_at__isnull=True, case__in=selectors.cases_in_scope(request.user)
        )
        .select_related("rule", "case__person")
        .order_by("rule__kind", "-raised_at")
    )
    page = CappedPaginator(flags, 100).get_page(request.GET.get("page"))
    audit_reads(
        actor=request.user, records=page.object_list, context="cases.worklist",
        person=lambda flag: flag.case.person_id,
    )  # fmt: skip
    return render(request, "cases/worklist.html", {"page": page})


@self_service
def my_plan(request: AuthedRequest) -> HttpResponse:
    """The person's own plan, and their follow-up online."""
    from jisr.cases.models import Case, CaseStatus, FollowUpChannel, Milestone

    person = registry_selectors.own_person_get(fetched_by=request.user)
    case = Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).first()
    if request.method == "POST" and case is not None:
        milestone = Milestone.objects.filter(
            pk=_int(request.POST.get("milestone")), plan__case=case
        ).first()
        try:
            services.follow_up_record(
                by=request.user, case=case, milestone=milestone, channel=FollowUpChannel.ONLINE,
                answers=_follow_up_answers(request),
            )  # fmt: skip
        except JisrError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Thank you. Your answers have been recorded."))
        return redirect("cases:my_plan")
    context: dict[str, Any] = {"case": case, "today": timezone.localdate()}
    if case is not None:
        context.update(_plan_context(case))
        context["needs"] = case.needs.select_related("category")
        context["shared"] = selectors.shared_with(person)
    return render(request, "cases/my_plan.html", context)


@permission(Perm.REFERRAL_RESPOND)
def referral_letter(request: AuthedRequest, referral_id: int) -> HttpResponse:
    """The printable referral letter, in the person's language (or the one asked for)."""
    from jisr.cases.letter import referral_letter as letter

    referral = _referral_for(request.user, referral_id)
    language = request.GET.get("language")
    body = letter(referral, language if language in ("ar", "ckb", "en") else None)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="jisr-referral-{referral.pk}.pdf"'
    return response


@self_service
def my_notifications(request: AuthedRequest) -> HttpResponse:
    from jisr.cases.models import Notification

    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("cases:notifications")
    return render(
        request,
        "cases/notifications.html",
        {"page": CappedPaginator(mine, 50).get_page(request.GET.get("page"))},
    )


@permission(Perm.CATEGORY_MANAGE)
def warning_rules(request: AuthedRequest) -> HttpResponse:
    """Administrators tune the early-warning rules: on or off, thresholds, suggested actions."""
    from jisr.cases.models import WarningRule

    if request.method == "POST":
        rule = WarningRule.objects.filter(pk=_int(request.POST.get("rule"))).first()
        if rule is None:
            raise JisrError("not_found", _("Not found."), status=404)
        try:
            services.warning_rule_update(
                by=request.user, rule=rule, threshold=_int(request.POST.get("threshold")),
                is_active=request.POST.get("is_active") == "on",
                action_ar=request.POST.get("action_ar", "").strip()[:300],
                action_ckb=request.POST.get("action_ckb", "").strip()[:300],
                action_en=request.POST.get("action_en", "").strip()[:300],
            )  # fmt: skip
        except JisrError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Saved. The next check uses it."))
        return redirect("cases:warning_rules")
    return render(request, "cases/warning_rules.html", {"rules": WarningRule.objects.all()})
