"""API of registers, linkage runs, the review of pairs, the golden record, data-sharing
agreements and cross-references, so that a ministry's own system can send its register and
read what the agreements allow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from jisr.accounts.access import not_found
from jisr.accounts.apiauth import allowed
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.lib.errors import JisrError
from jisr.linkage import imports, selectors, services
from jisr.linkage.engine import evidence
from jisr.linkage.models import (
    LinkageRun,
    Register,
    RegisterUpload,
    SharingAgreement,
)

router = Router(tags=["registers and linkage"])


class RegisterOut(Schema):
    id: int
    name: str
    kind: str
    organisation_id: int
    imported_at: dt.datetime | None
    mapping: dict[str, str]


class RegisterIn(Schema):
    name: str = Field(max_length=200)
    kind: str = Field(
        description="returnees, pre_arrival, unemployed, documents, social_protection or other"
    )


class UploadOut(Schema):
    id: int
    register_id: int
    filename: str
    headers: list[str]
    rows: int
    proposed_mapping: dict[str, str]


class MappingIn(Schema):
    mapping: dict[str, str] = Field(
        description="Standard field (source_id, full_name, first_name, ...) → column header"
    )


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class CheckOut(Schema):
    ready: int
    errors: list[RowErrorOut]


class RunIn(Schema):
    left: int = Field(description="A register of your organisation")
    right: int | None = Field(
        None, description="Another register you reach; empty: duplicates within `left`"
    )
    retrain: bool = Field(False, description="Train a new version of the pair's model")


class RunOut(Schema):
    id: int
    left_id: int
    right_id: int | None
    status: str
    threshold: float
    review_from: float
    counts: dict[str, Any]
    accuracy: dict[str, Any]
    model_version: int | None
    error: str

    @staticmethod
    def resolve_model_version(run: LinkageRun) -> int | None:
        return run.model.version if run.model else None


class RecordOut(Schema):
    id: int
    register_name: str
    register_id: int
    organisation: str
    withdrawn: bool
    fields: dict[str, str]
    person_id: int | None


class EvidenceOut(Schema):
    field: str
    level: str
    weight: float
    missing: bool


class PairOut(Schema):
    id: int
    probability: float | None = Field(
        description="As the fields your organisation sees on both records make it"
    )
    band: str
    left: RecordOut
    right: RecordOut
    evidence: list[EvidenceOut]


class DecisionIn(Schema):
    same_person: bool
    note: str = Field("", max_length=500)


class DecisionOut(Schema):
    id: int
    same_person: bool
    decided_at: dt.datetime


class LinkOut(Schema):
    left: int
    right: int
    probability: float | None
    confirmed_by: str
    decided_at: dt.datetime | None


class GoldenRecordOut(Schema):
    records: list[RecordOut]
    links: list[LinkOut]


class AgreementIn(Schema):
    register_id: int
    recipient: int
    fields: list[str]
    purpose: str = Field(max_length=300)
    valid_until: dt.date
    referral_follow_up: bool = Field(
        False, description="Jisr's registry only: the recipient may filter on open referrals"
    )


class AgreementOut(Schema):
    id: int
    register_id: int
    recipient_id: int
    fields: list[str]
    purpose: str
    referral_follow_up: bool
    valid_from: dt.date
    valid_until: dt.date
    ended_at: dt.datetime | None


class CrossReferenceRow(Schema):
    cluster: int
    base: RecordOut
    other: RecordOut


class CrossReferenceOut(Schema):
    base_fields: list[str]
    other_fields: list[str]
    rows: list[CrossReferenceRow]


def _own_register(request: HttpRequest, register_id: int) -> Register:
    register = selectors.own_registers(request.user).filter(pk=register_id).first()
    if register is None:
        raise not_found()
    return register


def _upload(request: HttpRequest, upload_id: int) -> RegisterUpload:
    return selectors.upload_get(request.user, upload_id)


@router.get("/linkage/registers", response=list[RegisterOut], auth=allowed(Perm.REGISTER_MANAGE))
def register_list(request: HttpRequest) -> QuerySet[Register]:
    return selectors.reachable_registers(request.user)


@router.post("/linkage/registers", response={201: RegisterOut}, auth=allowed(Perm.REGISTER_MANAGE))
def register_create(request: HttpRequest, payload: RegisterIn) -> Any:
    return Status(
        201, services.create_register(by=request.user, name=payload.name, kind=payload.kind)
    )


@router.get(
    "/linkage/registers/{register_id}/records",
    response=list[RecordOut],
    auth=allowed(Perm.REGISTER_MANAGE),
)
def record_list(
    request: HttpRequest, register_id: int, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The register's records by record number, `limit` (at most 1,000) from `offset`."""
    register = _own_register(request, register_id)
    records = selectors.records_of(request.user, register)
    window = records.order_by("source_id")[
        max(offset, 0) : max(offset, 0) + max(1, min(limit, 1000))
    ]
    shown = audit_reads(
        actor=request.user, records=window, context=f"api.linkage.records:{register.pk}"
    )
    return [selectors.record_view(request.user, r, selectors.ALL_FIELDS, own=True) for r in shown]


@router.post(
    "/linkage/registers/{register_id}/uploads",
    response={201: UploadOut},
    auth=allowed(Perm.REGISTER_MANAGE),
)
def upload_create(request: HttpRequest, register_id: int, file: File[UploadedFile]) -> Any:
    register = _own_register(request, register_id)  # the file within JISR_UPLOAD_MAX_BYTES
    kept = services.upload(
        by=request.user, register=register, content=file.read(), filename=file.name or ""
    )
    return Status(201, {
        "id": kept.pk, "register_id": register.pk, "filename": kept.filename, "headers": kept.headers,
        "rows": len(kept.rows), "proposed_mapping": imports.upload_proposed_mapping(upload=kept),
    })  # fmt: skip


@router.post(
    "/linkage/uploads/{upload_id}/check", response=CheckOut, auth=allowed(Perm.REGISTER_MANAGE)
)
def upload_check(request: HttpRequest, upload_id: int, payload: MappingIn) -> dict[str, Any]:
    kept = _upload(request, upload_id)
    checked = imports.upload_check(upload=kept, mapping=payload.mapping)
    return {"ready": len(checked.ready), "errors": [e.__dict__ for e in checked.errors]}


@router.post(
    "/linkage/uploads/{upload_id}/import",
    response=dict[str, int],
    auth=allowed(Perm.REGISTER_MANAGE),
)
def upload_import(request: HttpRequest, upload_id: int, payload: MappingIn) -> dict[str, int]:
    kept = _upload(request, upload_id)
    checked = imports.upload_check(upload=kept, mapping=payload.mapping)
    if checked.errors:
        raise JisrError(
            "invalid_rows", _("%(count)s problems in the file; nothing was imported.") % {"count": len(checked.errors)},
            status=422, fields={f"row {e.row}: {e.column}": [e.reason] for e in checked.errors[:200]},
        )  # fmt: skip
    return services.run_import(by=request.user, register_upload=kept, mapping=payload.mapping)


@router.post("/linkage/runs", response={201: RunOut}, auth=allowed(Perm.REGISTER_MANAGE))
def run_create(request: HttpRequest, payload: RunIn) -> Any:
    left = _own_register(request, payload.left)
    right = selectors.register_get(request.user, payload.right) if payload.right else None
    run = services.start_run(by=request.user, left=left, right=right, retrain=payload.retrain)
    return Status(201, selectors.runs_in_reach(request.user).get(pk=run.pk))


@router.get("/linkage/runs/{run_id}", response=RunOut, auth=allowed(Perm.REGISTER_MANAGE))
def run_get(request: HttpRequest, run_id: int) -> LinkageRun:
    run = selectors.runs_in_reach(request.user).filter(pk=run_id).first()
    if run is None:
        raise not_found()
    return run


def _pair_out(request: HttpRequest, pair: Any) -> dict[str, Any]:
    seen = selectors.pair_view(request.user, pair)
    described = [{**e, "level": str(e["level"])} for e in evidence.described(seen.evidence)]
    return {
        "id": pair.pk,
        "probability": seen.probability,
        "band": pair.band,
        "left": seen.left,
        "right": seen.right,
        "evidence": described,
    }


@router.get("/linkage/review", response=list[PairOut], auth=allowed(Perm.LINKAGE_REVIEW))
def review_queue(request: HttpRequest, limit: int = 20) -> list[dict[str, Any]]:
    return [
        _pair_out(request, pair)
        for pair in selectors.pairs_for_review(request.user)[: max(1, min(limit, 100))]
    ]


@router.get("/linkage/pairs/{pair_id}", response=PairOut, auth=allowed(Perm.LINKAGE_REVIEW))
def pair_get(request: HttpRequest, pair_id: int) -> dict[str, Any]:
    return _pair_out(request, selectors.pair_get(request.user, pair_id))


@router.post(
    "/linkage/pairs/{pair_id}/decision",
    response={201: DecisionOut},
    auth=allowed(Perm.LINKAGE_REVIEW),
)
def pair_decide(request: HttpRequest, pair_id: int, payload: DecisionIn) -> Any:
    pair = selectors.pair_get(request.user, pair_id)
    return Status(
        201,
        services.decide_pair(
            by=request.user, pair=pair, same_person=payload.same_person, note=payload.note
        ),
    )


@router.get(
    "/linkage/records/{record_id}",
    response=GoldenRecordOut,
    auth=allowed(Perm.CROSS_REFERENCE_VIEW),
)
def golden_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    record = selectors.record_get(request.user, record_id)
    members, links = selectors.golden_record(request.user, record)
    return {"records": members, "links": [link.__dict__ for link in links]}


@router.get("/linkage/agreements", response=list[AgreementOut], auth=allowed(Perm.REGISTER_MANAGE))
def agreement_list(request: HttpRequest) -> QuerySet[SharingAgreement]:
    """Agreements on your organisation's registers, and those that share a register with it."""
    return selectors.agreements_in_reach(request.user)


@router.post(
    "/linkage/agreements", response={201: AgreementOut}, auth=allowed(Perm.AGREEMENT_MANAGE)
)
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Any:
    register = selectors.own_registers(request.user).filter(pk=payload.register_id).first()
    recipient = selectors.recipients(request.user).filter(pk=payload.recipient).first()
    if register is None or recipient is None:
        raise not_found()
    return Status(201, services.create_agreement(
        by=request.user, register=register, recipient=recipient, fields=payload.fields,
        purpose=payload.purpose, valid_until=payload.valid_until,
        referral_follow_up=payload.referral_follow_up,
    ))  # fmt: skip


@router.post(
    "/linkage/agreements/{agreement_id}/end",
    response=AgreementOut,
    auth=allowed(Perm.AGREEMENT_MANAGE),
)
def agreement_end(request: HttpRequest, agreement_id: int) -> SharingAgreement:
    agreement = selectors.own_agreement_get(request.user, agreement_id)
    services.end_agreement(by=request.user, agreement=agreement)
    return agreement


@router.get(
    "/linkage/cross-reference", response=CrossReferenceOut, auth=allowed(Perm.CROSS_REFERENCE_VIEW)
)
def cross_reference(
    request: HttpRequest, base: int, other: int, without_open_referral: bool = False
) -> dict[str, Any]:
    report = selectors.cross_reference(
        request.user, selectors.register_get(request.user, base), selectors.register_get(request.user, other),
        without_open_referral=without_open_referral,
    )  # fmt: skip
    return {
        "base_fields": list(report.base_fields),
        "other_fields": list(report.other_fields),
        "rows": report.rows,
    }
