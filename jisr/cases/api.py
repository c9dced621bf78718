"""API of cases, needs and referrals, so that a ministry's own system can send and receive
referrals. Versions guard against overwriting: send the `version` you read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm
from jisr.api import allowed
from jisr.audit.models import Action
from jisr.audit.services import audit_reads, audit_record
from jisr.cases import proposals, selectors, services
from jisr.cases.models import Case, NeedPriority, NeedStatus, Outcome, Referral, ReferralStatus
from jisr.catalogue.models import Service, ServiceCategory
from jisr.lib.errors import JisrError
from jisr.registry import selectors as registry_selectors

router = Router(tags=["cases and referrals"])


class NeedOut(Schema):
    id: int
    category: str
    priority: int
    status: NeedStatus
    note: str

    @staticmethod
    def resolve_category(need: Any) -> str:
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
    def resolve_needs(case: Case) -> list[Any]:
        return list(case.needs.select_related("category"))


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
    def resolve_person(referral: Referral) -> dict[str, Any]:
        person = referral.need.case.person
        return {
            name: selectors.SHAREABLE[name](person)
            for name in referral.shared_fields
            if name in selectors.SHAREABLE
        }


class MoveIn(Schema):
    status: ReferralStatus
    reason: str = Field("", max_length=500)
    outcome: Outcome | None = None
    note: str = Field("", max_length=500)
    version: int | None = None


@router.get("/cases", response=list[CaseOut], auth=allowed(Perm.CASE_VIEW))
def case_list(request: HttpRequest, person_id: int | None = None) -> Any:
    found = selectors.cases_in_scope(request.user)
    if person_id is not None:
        found = found.filter(person_id=person_id)
    return audit_reads(actor=request.user, records=found[:200], context="api.cases")


@router.post("/cases", response={201: CaseOut}, auth=allowed(Perm.CASE_MANAGE))
def case_open(request: AuthedRequest, payload: CaseIn) -> Any:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=payload.person_id)
    return Status(201, services.case_open(by=request.user, person=person))


@router.get("/cases/{case_id}", response=CaseOut, auth=allowed(Perm.CASE_VIEW))
def case_get(request: HttpRequest, case_id: int) -> Any:
    return selectors.case_get(fetched_by=request.user, case_id=case_id)


@router.post("/cases/{case_id}/needs", response={201: NeedOut}, auth=allowed(Perm.CASE_MANAGE))
def need_add(request: HttpRequest, case_id: int, payload: NeedIn) -> Any:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    category = ServiceCategory.objects.filter(code=payload.category).first()
    if category is None:
        raise JisrError(
            "invalid",
            _("Some fields need correcting."),
            status=422,
            fields={"category": [_("Unknown category.")]},
        )
    need = services.need_add(
        by=request.user, case=case, category=category, priority=payload.priority,
        note=payload.note, version=payload.version,
    )  # fmt: skip
    return Status(201, need)


@router.get(
    "/cases/{case_id}/needs/{need_id}/proposals",
    response=list[ProposalOut],
    auth=allowed(Perm.CASE_VIEW),
)
def need_proposals(request: HttpRequest, case_id: int, need_id: int) -> Any:
    """The services that fit the need, best first, with the reasons."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    need = case.needs.filter(pk=need_id).select_related("category").first()
    if need is None:
        raise JisrError("not_found", _("Not found."), status=404)
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
def referral_send(request: HttpRequest, case_id: int, need_id: int, payload: ReferralIn) -> Any:
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    need = case.needs.filter(pk=need_id).first()
    service = Service.objects.filter(pk=payload.service_id).first()
    if need is None or service is None:
        raise JisrError("not_found", _("Not found."), status=404)
    referral = services.referral_send(
        by=request.user, need=need, service=service, version=payload.version,
        shared_fields=payload.shared_fields,
    )  # fmt: skip
    return Status(201, referral)


@router.get("/referrals/received", response=list[ReferralOut], auth=allowed(Perm.REFERRAL_RESPOND))
def referrals_received(request: HttpRequest, status: str = "") -> Any:
    """Referrals sent to the caller's organisation: only the shared fields of each person."""
    found = selectors.referrals_received(request.user).select_related(
        "need__category", "need__case__person"
    )
    if status:
        found = found.filter(status=status)
    return audit_reads(
        actor=request.user, records=found[:500], context="api.referrals_received",
        person=lambda referral: referral.need.case.person_id,
    )  # fmt: skip


@router.get("/referrals/{referral_id}", response=ReferralOut, auth=allowed(Perm.REFERRAL_RESPOND))
def referral_get(request: HttpRequest, referral_id: int) -> Any:
    return _visible(request, referral_id)


def _visible(request: HttpRequest, referral_id: int) -> Referral:
    referral = (
        (selectors.referrals_received(request.user) | selectors.referrals_sent(request.user))
        .select_related("need__category", "need__case__person")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise JisrError("not_found", _("Not found."), status=404)
    audit_record(
        actor=request.user, action=Action.VIEW, target=referral,
        persons=[referral.need.case.person_id],
    )  # fmt: skip
    return referral


@router.post(
    "/referrals/{referral_id}/status", response=ReferralOut, auth=allowed(Perm.REFERRAL_RESPOND)
)
def referral_move(request: HttpRequest, referral_id: int, payload: MoveIn) -> Any:
    """Accept, decline (with a reason), start, complete (with the outcome) or cancel."""
    referral = _visible(request, referral_id)
    return services.referral_move(
        by=request.user, referral=referral, status=payload.status, reason=payload.reason,
        outcome=payload.outcome or "", note=payload.note, version=payload.version,
    )  # fmt: skip


class CaseChange(Schema):
    status: str | None = None
    reason: str = Field("", max_length=300)
    version: int | None = None


class TransferIn(Schema):
    organisation_id: int
    version: int | None = None


@router.patch("/cases/{case_id}", response=CaseOut, auth=allowed(Perm.CASE_MANAGE))
def case_change(request: HttpRequest, case_id: int, payload: CaseChange) -> Any:
    """Move the case on (active, on hold, closed with a reason)."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    if payload.status is None:
        raise JisrError(
            "invalid",
            _("Some fields need correcting."),
            status=422,
            fields={"status": [_("This is required.")]},
        )
    return services.case_set_status(
        by=request.user,
        case=case,
        status=payload.status,
        reason=payload.reason,
        version=payload.version,
    )


@router.post("/cases/{case_id}/transfer", response=CaseOut, auth=allowed(Perm.CASE_MANAGE))
def case_transfer(request: HttpRequest, case_id: int, payload: TransferIn) -> Any:
    from jisr.accounts.models import Organisation

    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    organisation = Organisation.objects.filter(pk=payload.organisation_id, is_active=True).first()
    if organisation is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return services.case_transfer(
        by=request.user, case=case, organisation=organisation, version=payload.version
    )


class MilestoneOut(Schema):
    id: int
    months: int
    due_on: dt.date
    needs: list[int]
    followed_up: bool

    @staticmethod
    def resolve_needs(milestone: Any) -> list[int]:
        return [need.pk for need in milestone.needs.all()]

    @staticmethod
    def resolve_followed_up(milestone: Any) -> bool:
        return bool(milestone.follow_ups.exists())


class PlanOut(Schema):
    return_date: dt.date
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(plan: Any) -> list[Any]:
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
    def resolve_kind(flag: Any) -> str:
        return str(flag.rule.kind)

    @staticmethod
    def resolve_suggested_action(flag: Any) -> str:
        return str(flag.rule.action)


@router.get("/cases/{case_id}/plan", response=PlanOut, auth=allowed(Perm.CASE_VIEW))
def plan_get(request: HttpRequest, case_id: int) -> Any:
    from jisr.cases.models import Plan

    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return plan


@router.post("/cases/{case_id}/plan", response={201: PlanOut}, auth=allowed(Perm.CASE_MANAGE))
def plan_create(request: HttpRequest, case_id: int, payload: PlanIn) -> Any:
    """The reintegration plan: milestones counted from the date of return."""
    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    return Status(
        201,
        services.plan_create(
            by=request.user, case=case, return_date=payload.return_date, version=payload.version
        ),
    )


@router.get("/cases/{case_id}/follow-ups", response=list[FollowUpOut], auth=allowed(Perm.CASE_VIEW))
def follow_ups(request: HttpRequest, case_id: int) -> Any:
    return list(selectors.case_get(fetched_by=request.user, case_id=case_id).follow_ups.all())


@router.post(
    "/cases/{case_id}/follow-ups", response={201: FollowUpOut}, auth=allowed(Perm.CASE_MANAGE)
)
def follow_up_record(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Any:
    """A follow-up survey with typed answers; the scores per dimension come back."""
    from jisr.cases.models import Milestone

    case = selectors.case_get(fetched_by=request.user, case_id=case_id)
    milestone = None
    if payload.milestone_id is not None:
        milestone = Milestone.objects.filter(pk=payload.milestone_id, plan__case=case).first()
        if milestone is None:
            raise JisrError("not_found", _("Not found."), status=404)
    record = services.follow_up_record(
        by=request.user,
        case=case,
        milestone=milestone,
        channel=payload.channel,
        answers=payload.answers,
    )
    return Status(201, record)


@router.get("/warnings", response=list[FlagOut], auth=allowed(Perm.CASE_VIEW))
def warnings_list(request: HttpRequest) -> Any:
    """The open early-warning flags of the cases the caller reaches."""
    from jisr.cases.models import Flag

    return audit_reads(
        actor=request.user,
        records=Flag.objects.filter(
            resolved_at__isnull=True, case__in=selectors.cases_in_scope(request.user)
        ).select_related("rule", "case")[:1000],
        context="api.warnings",
        person=lambda flag: flag.case.person_id,
    )
