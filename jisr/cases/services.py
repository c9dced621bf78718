"""Opening cases, recording needs, sending and moving referrals, plans and follow-ups, the
early-warning scan and its rules.

Every change of a case (its needs and referrals included) names the version of the case the
caseworker saw; if someone else changed it since, the change is refused with a clear message
rather than silently overwriting theirs. Each function runs in one transaction with its audit
entry.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.cases import followup, notifications, proposals, selectors, warnings
from jisr.cases.models import (
    OPEN_REFERRAL,
    REFERRAL_TRANSITIONS,
    Case,
    CaseStatus,
    FollowUp,
    FollowUpChannel,
    Milestone,
    Need,
    NeedPriority,
    NeedStatus,
    Notification,
    Outcome,
    Plan,
    Referral,
    ReferralEvent,
    ReferralStatus,
    WarningRule,
)
from jisr.catalogue.models import Service, ServiceCategory, ServiceStatus
from jisr.lib.errors import JisrError
from jisr.lib.validation import invalid
from jisr.registry.models import Person, Purpose
from jisr.registry.selectors import has_consent, persons_in_scope
from jisr.registry.services import person_share

ANSWER_WITHIN_DAYS = 7

CASE_TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.ACTIVE, CaseStatus.ON_HOLD, CaseStatus.CLOSED},
    CaseStatus.ACTIVE: {CaseStatus.ON_HOLD, CaseStatus.CLOSED},
    CaseStatus.ON_HOLD: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}


def _case_conflict() -> JisrError:
    return JisrError(
        "conflict",
        _(
            "Someone else changed this case since you opened it. Reload the page to see their "
            "changes, then try again."
        ),
        status=409,
    )


def _bump(case: Case, version: int | None) -> None:
    """Take the next version of the case, or refuse if it is not the one the user saw."""
    query = Case.objects.filter(pk=case.pk)
    if version is not None:
        query = query.filter(version=version)
    if query.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise _case_conflict()
    case.refresh_from_db(fields=["version", "updated_at"])


def _check_case(by: User, case: Case) -> None:
    require(by, Perm.CASE_MANAGE)
    if not selectors.case_list(fetched_by=by).filter(pk=case.pk).exists():
        raise forbidden()
    if case.status == CaseStatus.CLOSED:
        raise JisrError("closed", _("This case is closed."), status=409)


@transaction.atomic
def case_open(*, by: User, person: Person) -> Case:
    require(by, Perm.CASE_MANAGE)
    if not persons_in_scope(fetched_by=by, shared=False).filter(pk=person.pk).exists():
        raise forbidden()
    if Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).exists():
        raise JisrError("exists", _("This person already has an open case."), status=409)
    if by.organisation is None:
        raise forbidden()
    case = Case.objects.create(person=person, organisation=by.organisation, caseworker=by)
    audit_record(actor=by, action=Action.CREATE, target=case, changes={"person": person.pk})
    return case


@transaction.atomic
def need_add(
    *,
    by: User,
    case: Case,
    category: ServiceCategory,
    priority: int = NeedPriority.MEDIUM,
    note: str = "",
    version: int | None = None,
) -> Need:
    _check_case(by, case)
    _bump(case, version)
    need = Need.objects.create(case=case, category=category, priority=priority, note=note[:500])
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=need,
        changes={"case": case.pk, "category": category.code},
    )
    return need


@transaction.atomic
def need_set_status(*, by: User, need: Need, status: str, version: int | None = None) -> Need:
    _check_case(by, need.case)
    if status not in NeedStatus.values:
        raise invalid({"status": [str(_("Not one of the choices."))]})
    _bump(need.case, version)
    before, need.status = need.status, status
    need.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action=Action.UPDATE, target=need, changes={"status": [before, status]})
    return need


@transaction.atomic
def referral_send(
    *,
    by: User,
    need: Need,
    service: Service,
    version: int | None = None,
    shared_fields: list[str] | None = None,
) -> Referral:
    """Refer a need to a service: only with the person's consent to referral, sharing the
    minimum the service needs, which the person's record then shows."""
    case = need.case
    _check_case(by, case)
    person = case.person
    if not has_consent(person, Purpose.REFERRAL):
        raise JisrError(
            "no_consent",
            _(
                "The person has not consented to being referred to services. Ask them first and "
                "record their decision."
            ),
            status=409,
        )
    if not (service.published and service.status == ServiceStatus.ACTIVE):
        raise JisrError("unavailable", _("This service is not taking referrals now."), status=409)
    if need.referrals.filter(service=service, status__in=OPEN_REFERRAL).exists():
        raise JisrError("exists", _("This need is already referred to this service."), status=409)
    fields = shared_fields if shared_fields is not None else list(selectors.MINIMUM_SHARED)
    if set(fields) - set(selectors.SHAREABLE) or "full_name" not in fields:
        raise invalid({"shared_fields": [str(_("Share the name and only the fields listed."))]})
    _bump(case, version)
    referral = Referral.objects.create(
        need=need,
        service=service,
        from_organisation=case.organisation,
        to_organisation=service.organisation,
        sent_by=by,
        due_on=timezone.localdate() + timedelta(days=ANSWER_WITHIN_DAYS),
        shared_fields=fields,
    )
    ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.SENT, by=by)
    need.status = NeedStatus.REFERRED
    need.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=referral,
        changes={"to": service.organisation.name, "service": str(service.uuid)},
    )
    notifications.referral_sent(referral)
    # The person's record shows what was shared, with whom.
    audit_record(
        actor=by,
        action=Action.EXPORT,
        target=person,
        changes={
            "referral": referral.pk,
            "shared_with": service.organisation.name,
            "fields": fields,
        },
    )
    return referral


@transaction.atomic
def referrals_send(
    *, by: User, case: Case, choices: dict[int, Service], version: int | None = None
) -> list[Referral]:
    """Confirm several proposals at once: each need (by id) to its chosen service, all or none."""
    _check_case(by, case)
    _bump(case, version)
    sent = []
    for need_id, service in choices.items():
        need = case.needs.filter(pk=need_id).first()
        if need is None:
            raise JisrError("not_found", _("Not found."), status=404)
        sent.append(referral_send(by=by, need=need, service=service))
    return sent


@transaction.atomic
def case_refer_waiting_needs(*, by: User, case: Case, version: int | None = None) -> list[Referral]:
    """Each need of the case that waits for a referral, to the service proposed first for it,
    in one step: all or none. A need with no proposal waits on."""
    _check_case(by, case)
    waiting = selectors.need_list_waiting(case=case)
    offered = proposals.proposals_for_needs(
        person=case.person, categories=[need.category for need in waiting]
    )
    choices = {
        need.pk: offered[need.category_id][0].service
        for need in waiting
        if offered.get(need.category_id)
    }
    if not choices:
        raise JisrError("invalid", _("No need waits for a referral."), status=409)
    return referrals_send(by=by, case=case, choices=choices, version=version)


@transaction.atomic
def referral_move(
    *,
    by: User | None,
    referral: Referral,
    status: str,
    reason: str = "",
    outcome: str = "",
    note: str = "",
    version: int | None = None,
) -> Referral:
    """One step of the referral's state machine, by the side allowed to take it (`by` is None
    for the platform, which lets an unanswered referral expire)."""
    referral = Referral.objects.select_for_update().select_related("need__case").get(pk=referral.pk)
    allowed = REFERRAL_TRANSITIONS.get(referral.status, {})
    if status not in allowed:
        raise JisrError(
            "illegal_transition",
            _("A referral that is %(now)s cannot become %(next)s.")
            % {
                "now": ReferralStatus(referral.status).label,
                "next": ReferralStatus(status).label if status in ReferralStatus.values else status,
            },
            status=409,
        )
    side = allowed[status]
    if side == "platform" and by is not None:
        raise forbidden()
    if side != "platform" and side not in selectors.referral_sides(
        fetched_by=by, referral=referral
    ):
        raise forbidden()
    if status == ReferralStatus.DECLINED and not reason.strip():
        raise invalid({"reason": [str(_("Say why, so that the caseworker can refer elsewhere."))]})
    if status == ReferralStatus.COMPLETED and outcome not in Outcome.values:
        raise invalid({"outcome": [str(_("Record the outcome."))]})
    if version is not None and version != referral.version:
        raise JisrError(
            "conflict",
            _("This referral was changed by someone else. Reload and try again."),
            status=409,
        )
    before = referral.status
    referral.status = status
    referral.version += 1
    if reason:
        referral.reason = reason.strip()[:500]
    if outcome:
        referral.outcome, referral.outcome_note = outcome, note.strip()[:500]
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, from_status=before, to_status=status, by=by, note=(reason or note)[:500]
    )
    _sync_need(referral)
    notifications.referral_moved(referral, by)
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=referral,
        changes={"status": [before, status], "reason": reason, "outcome": outcome},
    )
    return referral


def _sync_need(referral: Referral) -> None:
    need = referral.need
    if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        need.status = NeedStatus.IN_PROGRESS
    elif referral.status == ReferralStatus.COMPLETED:
        need.status = NeedStatus.MET if referral.outcome == Outcome.MET else NeedStatus.UNMET
    elif not need.referrals.filter(status__in=OPEN_REFERRAL).exists():
        need.status = NeedStatus.IDENTIFIED  # declined, cancelled or expired: to refer again
    need.save(update_fields=["status", "updated_at"])


def referrals_expire(*, today: dt.date | None = None) -> int:
    """Referrals not answered by their due date expire: the platform's step, run daily by
    `jisr cases-daily`."""
    today = today or timezone.localdate()
    count = 0
    for referral in Referral.objects.filter(status=ReferralStatus.SENT, due_on__lt=today):
        referral_move(
            by=None,
            referral=referral,
            status=ReferralStatus.EXPIRED,
            note="no answer by the due date",
        )
        count += 1
    return count


def _months_later(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return start.replace(
        year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
    )


@transaction.atomic
def plan_create(*, by: User, case: Case, return_date: dt.date, version: int | None = None) -> Plan:
    """The reintegration plan: milestones at 1, 6, 24 and 60 months after return (settings:
    JISR_PLAN_MILESTONES), each to address the case's open needs and to be followed up."""
    _check_case(by, case)
    if Plan.objects.filter(case=case).exists():
        raise JisrError("exists", _("This case already has a plan."), status=409)
    if return_date > timezone.localdate():
        raise invalid({"return_date": [str(_("The date of return is in the future."))]})
    _bump(case, version)
    plan = Plan.objects.create(case=case, return_date=return_date, created_by=by)
    open_needs = list(case.needs.exclude(status__in=[NeedStatus.MET, NeedStatus.DECLINED]))
    for months in settings.JISR_PLAN_MILESTONES:
        milestone = Milestone.objects.create(
            plan=plan, months=months, due_on=_months_later(return_date, months)
        )
        milestone.needs.set(open_needs)
    audit_record(
        actor=by, action=Action.CREATE, target=plan, changes={"return_date": str(return_date)}
    )
    return plan


@transaction.atomic
def follow_up_record(
    *,
    by: User,
    case: Case,
    answers: Mapping[str, Any],
    channel: str,
    milestone: Milestone | None = None,
) -> FollowUp:
    """A follow-up, by the caseworker (in person or by phone) or by the person online."""
    own = by.is_authenticated and case.person.account_id == by.pk
    if not own:
        _check_case(by, case)
    if channel not in FollowUpChannel.values or (own != (channel == FollowUpChannel.ONLINE)):
        raise invalid({"channel": [str(_("Not one of the choices."))]})
    if milestone is not None and milestone.plan.case_id != case.pk:
        raise invalid({"milestone": [str(_("Not one of the choices."))]})
    clean = followup.clean(answers)
    if not clean:
        raise invalid({"answers": [str(_("Answer at least one question."))]})
    record = FollowUp.objects.create(
        case=case,
        milestone=milestone,
        channel=channel,
        answers=clean,
        scores=followup.scores(clean),
        recorded_by=by,
    )
    audit_record(actor=by, action=Action.CREATE, target=record, changes={"scores": record.scores})
    return record


@transaction.atomic
def case_set_status(
    *, by: User, case: Case, status: str, reason: str = "", version: int | None = None
) -> Case:
    _check_case(by, case)
    current = CaseStatus(case.status)
    if status not in CASE_TRANSITIONS[current]:
        raise invalid({"status": [str(_("Not one of the choices."))]})
    if status == CaseStatus.CLOSED and not reason.strip():
        raise invalid({"reason": [str(_("Say why the case is closed."))]})
    _bump(case, version)
    case.status = status
    if status == CaseStatus.CLOSED:
        case.closed_reason = reason.strip()[:300]
        for referral in Referral.objects.filter(need__case=case, status__in=OPEN_REFERRAL):
            referral_move(
                by=by,
                referral=referral,
                status=ReferralStatus.CANCELLED,
                reason=str(_("The case was closed.")),
            )
    case.save(update_fields=["status", "closed_reason"])
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=case,
        changes={"status": [current, status], "reason": reason},
    )
    return case


@transaction.atomic
def case_transfer(
    *, by: User, case: Case, organisation: Organisation, version: int | None = None
) -> Case:
    """Hand the case to another organisation: only with the person's consent to sharing their
    record; the record is shared with it, and the person's record shows it."""
    _check_case(by, case)
    if organisation.pk == case.organisation_id or not organisation.is_active:
        raise invalid({"organisation": [str(_("Choose another organisation."))]})
    if not has_consent(case.person, Purpose.SHARING):
        raise JisrError(
            "no_consent",
            _(
                "The person has not consented to their record being shared with another "
                "organisation."
            ),
            status=409,
        )
    _bump(case, version)
    before = case.organisation
    if not case.person.shares.filter(organisation=organisation, ended_at=None).exists():
        person_share(by=by, person=case.person, organisation=organisation)
    case.organisation, case.caseworker = organisation, None
    case.save(update_fields=["organisation", "caseworker"])
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=case,
        changes={
            "organisation": [before.name, organisation.name],
            "shared": "the person's record",
        },
    )
    return case


@transaction.atomic
def warning_rule_update(
    *,
    by: User,
    rule: WarningRule,
    threshold: int | None = None,
    is_active: bool | None = None,
    action_ar: str | None = None,
    action_ckb: str | None = None,
    action_en: str | None = None,
) -> WarningRule:
    """An administrator tunes an early-warning rule (what is not given stays); the next scan
    uses it."""
    require(by, Perm.CATEGORY_MANAGE)
    given = {
        "threshold": threshold,
        "is_active": is_active,
        "action_ar": action_ar,
        "action_ckb": action_ckb,
        "action_en": action_en,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    before = {name: getattr(rule, name) for name in fields}
    for name, value in fields.items():
        setattr(rule, name, value)
    if not rule.action_ar.strip():
        raise invalid({"action_ar": [str(_("Give the suggested action in Arabic."))]})
    if rule.threshold > 3650:
        raise invalid({"threshold": [str(_("At most 3650."))]})
    rule.save()
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=rule,
        changes={k: [before[k], v] for k, v in fields.items() if before[k] != v},
    )
    return rule


@transaction.atomic
def flags_scan(
    *, by: User | None, today: dt.date | None = None, full: bool = False
) -> dict[str, int]:
    """Run the early-warning rules (`warnings.scan`: over what changed since the last scan, or
    with `full` over every case): by a supervisor of all records, or by the platform (`by`
    None: `jisr cases-daily`). The run is audited."""
    if by is not None and not selectors.flags_scan_allowed(user=by):
        raise forbidden()
    result = warnings.scan(today=today, full=full)
    audit_record(
        actor=by,
        action=Action.UPDATE,
        object_type="cases.warningrule",
        changes={"scan": result},
    )
    return result


@transaction.atomic
def notifications_mark_read(*, by: User) -> int:
    """Mark the user's own unread notifications read; how many there were. (Not audited: the
    notifications are the user's own, and reading them changes nobody's data.)"""
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())
