"""API of registers, linkage runs, the review of pairs, the golden record, data-sharing
agreements and cross-references, so that a ministry's own system can send its register and
read what the agreements allow. Operations return models, querysets or the selectors' typed
dictionaries, which ninja reads through the `response` schema."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from jisr.accounts.access import not_found
from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.lib.errors import JisrError
from jisr.lib.pagination import Offset
from jisr.linkage import imports, selectors, services
from jisr.linkage.engine import evidence
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairDecision,
    Register,
    RegisterUpload,
    SharingAgreement,
)
from jisr.linkage.selectors import RecordView

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


class UploadSummary(TypedDict):
    id: int
    register_id: int
    filename: str
    headers: list[str]
    rows: int
    proposed_mapping: dict[str, str]


class CheckSummary(TypedDict):
    ready: int
    errors: list[dict[str, Any]]


class PairSeen(TypedDict):
    id: int
    probability: float | None
    band: str
    left: RecordView
    right: RecordView
    evidence: list[dict[str, Any]]


class GoldenRecord(TypedDict):
    records: list[RecordView]
    links: list[dict[str, Any]]


class CrossReferenceSeen(TypedDict):
    base_fields: list[str]
    other_fields: list[str]
    rows: list[selectors.CrossReferenceRow]


@router.get("/linkage/registers", response=list[RegisterOut], auth=allowed(Perm.REGISTER_MANAGE))
def register_list(request: AuthedRequest) -> QuerySet[Register]:
    return selectors.register_list(fetched_by=request.user)


@router.post("/linkage/registers", response={201: RegisterOut}, auth=allowed(Perm.REGISTER_MANAGE))
def register_create(request: AuthedRequest, payload: RegisterIn) -> Status[Register]:
    register = services.register_create(by=request.user, name=payload.name, kind=payload.kind)
    return Status(201, register)


@router.get(
    "/linkage/registers/{register_id}/records",
    response=list[RecordOut],
    auth=allowed(Perm.REGISTER_MANAGE),
)
def record_list(
    request: AuthedRequest,
    register_id: int,
    limit: int = 100,
    offset: Offset = 0,
) -> list[RecordView]:
    """The register's records by record number, `limit` (at most 1,000) from `offset`."""
    register = selectors.register_get_own(fetched_by=request.user, register_id=register_id)
    records = selectors.record_list(fetched_by=request.user, register=register)
    start = max(offset, 0)
    window = records.order_by("source_id")[start : start + max(1, min(limit, 1000))]
    shown = audit_reads(
        actor=request.user, records=window, context=f"api.linkage.records:{register.pk}"
    )
    return [
        selectors.record_view(
            fetched_by=request.user, record=r, fields=selectors.ALL_FIELDS, own=True
        )
        for r in shown
    ]


@router.post(
    "/linkage/registers/{register_id}/uploads",
    response={201: UploadOut},
    auth=allowed(Perm.REGISTER_MANAGE),
)
def upload_create(
    request: AuthedRequest, register_id: int, file: File[UploadedFile]
) -> Status[UploadSummary]:
    register = selectors.register_get_own(fetched_by=request.user, register_id=register_id)
    # The file is within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py).
    kept = services.upload_create(
        by=request.user, register=register, content=file.read(), filename=file.name or ""
    )
    summary: UploadSummary = {
        "id": kept.pk,
        "register_id": register.pk,
        "filename": kept.filename,
        "headers": kept.headers,
        "rows": len(kept.rows),
        "proposed_mapping": imports.upload_proposed_mapping(upload=kept),
    }
    return Status(201, summary)


@router.post(
    "/linkage/uploads/{upload_id}/check", response=CheckOut, auth=allowed(Perm.REGISTER_MANAGE)
)
def upload_check(request: AuthedRequest, upload_id: int, payload: MappingIn) -> CheckSummary:
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id)
    checked = imports.upload_check(upload=kept, mapping=payload.mapping)
    return {"ready": len(checked.ready), "errors": [e.__dict__ for e in checked.errors]}


@router.post(
    "/linkage/uploads/{upload_id}/import",
    response=dict[str, int],
    auth=allowed(Perm.REGISTER_MANAGE),
)
def upload_import(request: AuthedRequest, upload_id: int, payload: MappingIn) -> dict[str, int]:
    """Start the import (the worker imports it, decision 0034): the upload's id, its records
    (`total`) and how many are written (`done`); once imported, its counts too (created,
    updated, unchanged, withdrawn). Asking again reports how far it is."""
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id)
    if kept.status != RegisterUpload.Status.UPLOADED:
        return _upload_progress(kept)
    checked = imports.upload_check(upload=kept, mapping=payload.mapping)
    if checked.errors:
        raise JisrError(
            "invalid_rows",
            _("%(count)s problems in the file; nothing was imported.")
            % {"count": len(checked.errors)},
            status=422,
            fields={f"row {e.row}: {e.column}": [e.reason] for e in checked.errors[:200]},
        )
    started = services.upload_start(by=request.user, upload=kept, mapping=payload.mapping)
    return _upload_progress(started)


def _upload_progress(upload: RegisterUpload) -> dict[str, int]:
    return {"id": upload.pk, "total": upload.total, "done": upload.done, **upload.counts}


@router.post("/linkage/runs", response={201: RunOut}, auth=allowed(Perm.REGISTER_MANAGE))
def run_create(request: AuthedRequest, payload: RunIn) -> Status[LinkageRun]:
    left = selectors.register_get_own(fetched_by=request.user, register_id=payload.left)
    right = (
        selectors.register_get(fetched_by=request.user, register_id=payload.right)
        if payload.right
        else None
    )
    run = services.run_start(by=request.user, left=left, right=right, retrain=payload.retrain)
    return Status(201, selectors.run_get(fetched_by=request.user, run_id=run.pk))


@router.get("/linkage/runs/{run_id}", response=RunOut, auth=allowed(Perm.REGISTER_MANAGE))
def run_get(request: AuthedRequest, run_id: int) -> LinkageRun:
    return selectors.run_get(fetched_by=request.user, run_id=run_id)


def _pair_seen(pair: CandidatePair, seen: selectors.PairView) -> PairSeen:
    described = [
        {**e, "level": str(e["level"])}
        for e in evidence.described(seen.evidence, selectors.pair_model_settings(pair))
    ]
    return {
        "id": pair.pk,
        "probability": seen.probability,
        "band": pair.band,
        "left": seen.left,
        "right": seen.right,
        "evidence": described,
    }


@router.get("/linkage/review", response=list[PairOut], auth=allowed(Perm.LINKAGE_REVIEW))
def review_queue(request: AuthedRequest, limit: int = 20) -> list[PairSeen]:
    pairs = list(selectors.pair_list_to_review(fetched_by=request.user)[: max(1, min(limit, 100))])
    seen = selectors.pair_review_rows(
        fetched_by=request.user, pairs=pairs, with_evidence=True, context="api.linkage.review"
    )
    return [_pair_seen(pair, view) for pair, view in zip(pairs, seen, strict=True)]


@router.get("/linkage/pairs/{pair_id}", response=PairOut, auth=allowed(Perm.LINKAGE_REVIEW))
def pair_get(request: AuthedRequest, pair_id: int) -> PairSeen:
    pair = selectors.pair_get(fetched_by=request.user, pair_id=pair_id)
    return _pair_seen(pair, selectors.pair_view(fetched_by=request.user, pair=pair))


@router.post(
    "/linkage/pairs/{pair_id}/decision",
    response={201: DecisionOut},
    auth=allowed(Perm.LINKAGE_REVIEW),
)
def pair_decide(request: AuthedRequest, pair_id: int, payload: DecisionIn) -> Status[PairDecision]:
    pair = selectors.pair_get(fetched_by=request.user, pair_id=pair_id)
    decision = services.pair_decide(
        by=request.user, pair=pair, same_person=payload.same_person, note=payload.note
    )
    return Status(201, decision)


@router.get(
    "/linkage/records/{record_id}",
    response=GoldenRecordOut,
    auth=allowed(Perm.CROSS_REFERENCE_VIEW),
)
def golden_record(request: AuthedRequest, record_id: int) -> GoldenRecord:
    record = selectors.record_get(fetched_by=request.user, record_id=record_id)
    members, links = selectors.golden_record_get(fetched_by=request.user, record=record)
    return {"records": members, "links": [link.__dict__ for link in links]}


@router.get("/linkage/agreements", response=list[AgreementOut], auth=allowed(Perm.REGISTER_MANAGE))
def agreement_list(request: AuthedRequest) -> QuerySet[SharingAgreement]:
    """Agreements on your organisation's registers, and those that share a register with it."""
    return selectors.agreement_list(fetched_by=request.user)


@router.post(
    "/linkage/agreements", response={201: AgreementOut}, auth=allowed(Perm.AGREEMENT_MANAGE)
)
def agreement_create(request: AuthedRequest, payload: AgreementIn) -> Status[SharingAgreement]:
    register = selectors.register_get_own(fetched_by=request.user, register_id=payload.register_id)
    recipient = (
        selectors.recipient_list(fetched_by=request.user).filter(pk=payload.recipient).first()
    )
    if recipient is None:
        raise not_found()
    agreement = services.agreement_create(
        by=request.user,
        register=register,
        recipient=recipient,
        fields=payload.fields,
        purpose=payload.purpose,
        valid_until=payload.valid_until,
        referral_follow_up=payload.referral_follow_up,
    )
    return Status(201, agreement)


@router.post(
    "/linkage/agreements/{agreement_id}/end",
    response=AgreementOut,
    auth=allowed(Perm.AGREEMENT_MANAGE),
)
def agreement_end(request: AuthedRequest, agreement_id: int) -> SharingAgreement:
    agreement = selectors.agreement_get_own(fetched_by=request.user, agreement_id=agreement_id)
    services.agreement_end(by=request.user, agreement=agreement)
    return agreement


@router.get(
    "/linkage/cross-reference", response=CrossReferenceOut, auth=allowed(Perm.CROSS_REFERENCE_VIEW)
)
def cross_reference(
    request: AuthedRequest, base: int, other: int, without_open_referral: bool = False
) -> CrossReferenceSeen:
    report = selectors.cross_reference_get(
        fetched_by=request.user,
        base=selectors.register_get(fetched_by=request.user, register_id=base),
        other=selectors.register_get(fetched_by=request.user, register_id=other),
        without_open_referral=without_open_referral,
    )
    return {
        "base_fields": list(report.base_fields),
        "other_fields": list(report.other_fields),
        "rows": report.rows,
    }
