"""API of cases, needs and referrals, so that a ministry's own system can send and receive
referrals. Versions guard against overwriting: send the `version` you read.

Operations return model instances; ninja reads them through the declared response schema (it
does not look at the return annotation), so the annotations say what is really returned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.cases import proposals, selectors, services
from jisr.cases.models import (
    Case,
    Flag,
    FollowUp,
    Milestone,
    Need,
    NeedPriority,
    NeedStatus,
    Outcome,
    Plan,
    Referral,
    ReferralStatus,
)
from jisr.lib.errors import JisrError
from jisr.lib.pagination import RecordId
from jisr.registry import selectors as registry_selectors

router = Router(tags=["cases and referrals"])


class NeedOut(Schema):
    id: int
    category: str
    priority: int
    status: NeedStatus
    note: str

    @staticmethod
    def resolve_category(need: Need) -> str:
        return str(need.category.code)


class CaseOut(Schema):
    id: int
    person_id: int
    organisation_id: int
    caseworker_id: int | None
    status: str
    opened_at: dt.datetime
    version: int
    needs: list[NeedOut]

    @staticmethod
    def resolve_needs(case: Case) -> list[Need]:
        # Read with the case (`selectors.case_list_with_needs`, `case_with_needs`).
        return list(case.needs.all())


class CaseIn(Schema):
    person_id: int


class NeedIn(Schema):
    category: str = Field(description="Service category code, e.g. legal-documentation")
    priority: NeedPriority = NeedPriority.MEDIUM
    note: str = Field("", max_length=500)
    version: int | None = Field(None, description="The case's version you read")


class ProposalOut(Schema):
    service_id: int
    service_uuid: str
    service: str
    organisation: str
    score: float
    reasons: list[str]


class ReferralIn(Schema):
    service_id: int
    version: int | None = None
    shared_fields: list[str] | None = Field(
        None, description="Of: full_name, sex, birth_year, phone, governorate, district"
    )


class ReferralOut(Schema):
    id: int
    need_id: int
    category: str
    service_id: int
    from_organisation_id: int
    to_organisation_id: int
    status: ReferralStatus
    reason: str
    outcome: str
    outcome_note: str
    due_on: dt.date
    version: int
    person: dict[str, Any] = Field(description="Only the fields shared with the service")

    @staticmethod
    def resolve_category(referral: Referral) -> str:
        return referral.need.category.code

    @staticmethod
    def resolve_person(referral: Referral) -> dict[str, object]:
        return selectors.referral_shared_fields(referral=referral)


class MoveIn(Schema):
    status: ReferralStatus
    reason: str = Field("", max_length=500)
    outcome: Outcome | None = None
    note: str = Field("", max_length=500)
    version: int | None = None


class CaseChange(Schema):
    status: str | None = None
    reason: str = Field("", max_length=300)
    version: int | None = None


class TransferIn(Schema):
    organisation_id: int
    version: int | None = None


class MilestoneOut(Schema):
    id: int
    months: int
    due_on: dt.date
    needs: list[int]
    followed_up: bool

    @staticmethod
    def resolve_needs(milestone: Milestone) -> list[int]:
        return [need.pk for need in milestone.needs.all()]

    @staticmethod
    def resolve_followed_up(milestone: Milestone) -> bool:
        return bool(milestone.follow_ups.all())


class PlanOut(Schema):
    return_date: dt.date
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(plan: Plan) -> list[Milestone]:
        return list(plan.milestones.all())


class PlanIn(Schema):
    return_date: dt.date
    version: int | None = None


class FollowUpIn(Schema):
    milestone_id: int | None = None
    channel: str = Field(description="in_person or phone")
    answers: dict[str, Any] = Field(description="By question key: yes/no, 1 to 5, or yes/no/unsure")


class FollowUpOut(Schema):
    id: int
    milestone_id: int | None
    channel: str
    answers: dict[str, Any]
    scores: dict[str, float]
    at: dt.datetime


class FlagOut(Schema):
    id: int
    case_id: int
    kind: str
    subject: str
    detail: dict[str, Any]
    suggested_action: str
    raised_at: dt.datetime

    @staticmethod
    def resolve_kind(flag: Flag) -> str:
        return str(flag.rule.kind)

    @staticmethod
    def resolve_suggested_action(flag: Flag) -> str:
        return str(flag.rule.action)


@router.get("/cases", response=list[CaseOut], auth=allowed(Perm.CASE_VIEW))
def case_list(request: AuthedRequest, person_id: RecordId | None = None) -> list[Case]:
    found = selectors.case_list_with_needs(fetched_by=request.user, person_id=person_id)
    return audit_reads(actor=request.user, records=found[:200], context="api.cases")


@router.post("/cases", response={201: CaseOut}, auth=allowed(Perm.CASE_MANAGE))
def case_open(request: AuthedRequest, payload: CaseIn) -> Status[Case]:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=payload.person_id)
    case = services.case_open(by=request.user, person=person)
    return Status(201, selectors.case_with_needs(case=case))


@router.get("/cases/{case_id}", response=CaseOut, auth=allowed(Perm.CASE_VIEW))
def case_get(request: AuthedRequest, case_id: int) -> Case:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    return selectors.case_with_needs(case=case)


@router.post("/cases/{case_id}/needs", response={201: NeedOut}, auth=allowed(Perm.CASE_MANAGE))
def need_add(request: AuthedRequest, case_id: int, payload: NeedIn) -> Status[Need]:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    category = selectors.need_category_get(code=payload.category)
    if category is None:
        raise JisrError(
            "invalid",
            _("Some fields need correcting."),
            status=422,
            fields={"category": [_("Unknown category.")]},
        )
    need = services.need_add(
        by=request.user,
        case=case,
        category=category,
        priority=payload.priority,
        note=payload.note,
        version=payload.version,
    )
    return Status(201, need)


@router.get(
    "/cases/{case_id}/needs/{need_id}/proposals",
    response=list[ProposalOut],
    auth=allowed(Perm.CASE_VIEW),
)
def need_proposals(request: AuthedRequest, case_id: int, need_id: int) -> list[dict[str, Any]]:
    """The services that fit the need, best first, with the reasons."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    need = selectors.need_get(case=case, need_id=need_id)
    return [
        {
            "service_id": p.service.pk,
            "service_uuid": str(p.service.uuid),
            "service": p.service.name,
            "organisation": p.service.organisation.name,
            "score": p.score,
            "reasons": p.reasons,
        }
        for p in proposals.proposals_for(person=case.person, category=need.category)
    ]


@router.post(
    "/cases/{case_id}/needs/{need_id}/referrals",
    response={201: ReferralOut},
    auth=allowed(Perm.CASE_MANAGE),
)
def referral_send(
    request: AuthedRequest, case_id: int, need_id: int, payload: ReferralIn
) -> Status[Referral]:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    need = selectors.need_get(case=case, need_id=need_id)
    service = selectors.service_get(service_id=payload.service_id)
    referral = services.referral_send(
        by=request.user,
        need=need,
        service=service,
        version=payload.version,
        shared_fields=payload.shared_fields,
    )
    return Status(201, referral)


@router.get("/referrals/received", response=list[ReferralOut], auth=allowed(Perm.REFERRAL_RESPOND))
def referrals_received(request: AuthedRequest, status: str = "") -> list[Referral]:
    """Referrals sent to the caller's organisation: only the shared fields of each person."""
    found = selectors.referral_inbox(fetched_by=request.user, status=status, with_person=True)
    return audit_reads(
        actor=request.user,
        records=found[:500],
        context="api.referrals_received",
        person=lambda referral: referral.need.case.person_id,
    )


@router.get("/referrals/{referral_id}", response=ReferralOut, auth=allowed(Perm.REFERRAL_RESPOND))
def referral_get(request: AuthedRequest, referral_id: int) -> Referral:
    return selectors.referral_get(fetched_by=request.user, referral_id=referral_id)


@router.post(
    "/referrals/{referral_id}/status", response=ReferralOut, auth=allowed(Perm.REFERRAL_RESPOND)
)
def referral_move(request: AuthedRequest, referral_id: int, payload: MoveIn) -> Referral:
    """Accept, decline (with a reason), start, complete (with the outcome) or cancel."""
    referral = selectors.referral_get(fetched_by=request.user, referral_id=referral_id)
    return services.referral_move(
        by=request.user,
        referral=referral,
        status=payload.status,
        reason=payload.reason,
        outcome=payload.outcome or "",
        note=payload.note,
        version=payload.version,
    )


@router.patch("/cases/{case_id}", response=CaseOut, auth=allowed(Perm.CASE_MANAGE))
def case_change(request: AuthedRequest, case_id: int, payload: CaseChange) -> Case:
    """Move the case on (active, on hold, closed with a reason)."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    if payload.status is None:
        raise JisrError(
            "invalid",
            _("Some fields need correcting."),
            status=422,
            fields={"status": [_("This is required.")]},
        )
    changed = services.case_set_status(
        by=request.user,
        case=case,
        status=payload.status,
        reason=payload.reason,
        version=payload.version,
    )
    return selectors.case_with_needs(case=changed)


@router.post("/cases/{case_id}/transfer", response=CaseOut, auth=allowed(Perm.CASE_MANAGE))
def case_transfer(request: AuthedRequest, case_id: int, payload: TransferIn) -> Case:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    organisation = selectors.organisation_get_active(organisation_id=payload.organisation_id)
    moved = services.case_transfer(
        by=request.user, case=case, organisation=organisation, version=payload.version
    )
    return selectors.case_with_needs(case=moved)


@router.get("/cases/{case_id}/plan", response=PlanOut, auth=allowed(Perm.CASE_VIEW))
def plan_get(request: AuthedRequest, case_id: int) -> Plan:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    plan = selectors.plan_get(case=case)
    if plan is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return plan


@router.post("/cases/{case_id}/plan", response={201: PlanOut}, auth=allowed(Perm.CASE_MANAGE))
def plan_create(request: AuthedRequest, case_id: int, payload: PlanIn) -> Status[Plan]:
    """The reintegration plan: milestones counted from the date of return."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    services.plan_create(
        by=request.user, case=case, return_date=payload.return_date, version=payload.version
    )
    plan = selectors.plan_get(case=case)
    assert plan is not None  # just made, in this transaction
    return Status(201, plan)


@router.get("/cases/{case_id}/follow-ups", response=list[FollowUpOut], auth=allowed(Perm.CASE_VIEW))
def follow_ups(request: AuthedRequest, case_id: int) -> list[FollowUp]:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    return list(selectors.follow_up_list(case=case))


@router.post(
    "/cases/{case_id}/follow-ups", response={201: FollowUpOut}, auth=allowed(Perm.CASE_MANAGE)
)
def follow_up_record(request: AuthedRequest, case_id: int, payload: FollowUpIn) -> Status[FollowUp]:
    """A follow-up survey with typed answers; the scores per dimension come back."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    milestone = None
    if payload.milestone_id is not None:
        milestone = selectors.milestone_get(case=case, milestone_id=payload.milestone_id)
    record = services.follow_up_record(
        by=request.user,
        case=case,
        milestone=milestone,
        channel=payload.channel,
        answers=payload.answers,
    )
    return Status(201, record)


@router.get("/warnings", response=list[FlagOut], auth=allowed(Perm.CASE_VIEW))
def warnings_list(request: AuthedRequest) -> list[Flag]:
    """The open early-warning flags of the cases the caller reaches."""
    return audit_reads(
        actor=request.user,
        records=selectors.flag_list(fetched_by=request.user)[:1000],
        context="api.warnings",
        person=lambda flag: flag.case.person_id,
    )
