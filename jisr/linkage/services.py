"""Writes of the linkage app: registers and their imports, Jisr's registry as a register, linkage
runs, reviewers' decisions, the data-sharing agreements and the export of a cross-reference.
Each is one transaction, audited; background work is enqueued once it commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisr.accounts.access import forbidden, not_found, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action, AuditEntry
from jisr.audit.services import audit_record
from jisr.core.tasks import enqueue_on_commit, queue_require
from jisr.lib.errors import JisrError
from jisr.lib.spreadsheets import UnreadableFile, read_table
from jisr.linkage import reports, selectors, uploading
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.mirror import mirror_records_erase, registry_mirror_refresh
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairDecision,
    Register,
    RegisterRecord,
    RegisterUpload,
    SharingAgreement,
)
from jisr.linkage.tasks import recluster_task, run_linkage_task
from jisr.registry.models import ConsentEvent, ConsentStatus, Purpose

# Importing an upload's records: started from its page and run by the worker, chunk by chunk,
# or run here (`upload_import`, for scripts and tests); see `uploading` and decision 0034.
upload_start = uploading.upload_start
upload_resume = uploading.upload_resume
upload_import = uploading.upload_import


def _golden_record_after_commit() -> None:
    """Records were erased: the golden record is recomputed in the background once the change
    commits (every register's clusters; too long for the request that withdrew a consent)."""
    enqueue_on_commit(recluster_task)


@transaction.atomic
def register_create(*, by: User, name: str, kind: str) -> Register:
    require(by, Perm.REGISTER_MANAGE)
    if by.organisation is None:
        raise forbidden()
    name = name.strip()
    if kind not in Register.Kind.values or kind == Register.Kind.JISR_REGISTRY:
        raise JisrError(
            "invalid",
            _("Choose what the register records."),
            fields={"kind": [_("Not one of the choices.")]},
        )
    if not name:
        raise JisrError(
            "invalid", _("Give the register a name."), fields={"name": [_("This is required.")]}
        )
    if Register.objects.filter(organisation=by.organisation, name=name).exists():
        raise JisrError(
            "conflict",
            _("Your organisation already has a register of that name."),
            status=409,
            fields={"name": [_("Choose another name.")]},
        )
    register = Register.objects.create(
        organisation=by.organisation, name=name, kind=kind, created_by=by
    )
    audit_record(
        actor=by, action=Action.CREATE, target=register, changes={"name": name, "kind": kind}
    )
    return register


@transaction.atomic
def upload_create(*, by: User, register: Register, content: bytes, filename: str) -> RegisterUpload:
    """Keep a spreadsheet for checking (up to JISR_REGISTER_UPLOAD_MAX_ROWS records; a national
    register goes through `jisr import-register`); the register's saved mapping, else a guess,
    is proposed."""
    selectors.register_require_own(fetched_by=by, register=register)
    try:
        headers, rows = read_table(
            content, filename, max_rows=settings.JISR_REGISTER_UPLOAD_MAX_ROWS
        )
    except UnreadableFile as error:
        raise error.as_error() from None
    if not headers or not rows:
        raise JisrError(
            "unreadable",
            _("The file has no rows under its column names."),
            status=422,
            fields={"file": [_("Choose a file with a header row and at least one record.")]},
        )
    return RegisterUpload.objects.create(
        register=register, created_by=by, filename=filename[:200], headers=headers, rows=rows
    )


def mirror_follow_consent(
    sender: object, *, event: ConsentEvent, by: User | None, **_kwargs: Any
) -> None:
    """A person's consent to sharing (or to being registered at all) ends: their records in every
    organisation's mirror of the Jisr registry are withdrawn and erased in the same transaction,
    so no recipient reads them from this moment (connected in `apps.py`)."""
    if event.status == ConsentStatus.GIVEN or event.purpose not in (
        Purpose.SHARING,
        Purpose.REGISTRATION,
    ):
        return
    records = list(
        RegisterRecord.objects.filter(
            person_id=event.person_id, register__kind=Register.Kind.JISR_REGISTRY
        )
    )
    mirror_records_erase(record_ids=[r.pk for r in records])
    if records:
        _golden_record_after_commit()
    for record in records:
        audit_record(
            actor=by,
            action=Action.UPDATE,
            target=record,
            changes={"withdrawn": f"consent.{event.purpose}", "erased": True},
        )


def mirror_follow_consents(
    sender: object, *, events: list[ConsentEvent], by: User | None, **_kwargs: Any
) -> None:
    """`mirror_follow_consent` for many decisions at once (an import records thousands): one
    query finds whether any of their persons has records in a mirror; only then is each
    decision followed as on its own."""
    ending = [
        event
        for event in events
        if event.status != ConsentStatus.GIVEN
        and event.purpose in (Purpose.SHARING, Purpose.REGISTRATION)
    ]
    if not ending:
        return
    mirrored = RegisterRecord.objects.filter(
        person_id__in={event.person_id for event in ending},
        register__kind=Register.Kind.JISR_REGISTRY,
    )
    if not mirrored.exists():
        return
    for event in ending:
        mirror_follow_consent(sender, event=event, by=by)


@transaction.atomic
def registry_register_refresh(*, by: User) -> Register:
    """The register that lets the persons the user's organisation registered in Jisr (those who
    consent to sharing) be linked with other registers and shared by agreement."""
    require(by, Perm.REGISTER_MANAGE)
    require(by, Perm.PERSON_VIEW)
    if by.organisation is None:
        raise forbidden()
    register, erased = registry_mirror_refresh(organisation=by.organisation)
    if erased:
        _golden_record_after_commit()
    audit_record(actor=by, action=Action.UPDATE, target=register, changes={"refreshed": True})
    return register


@transaction.atomic
def run_start(
    *, by: User, left: Register, right: Register | None, retrain: bool = False
) -> LinkageRun:
    """Queue a run: `left` must be the user's organisation's; `right` its own or shared with it.
    The pair's latest model is reused unless `retrain` asks for a new version."""
    require(by, Perm.REGISTER_MANAGE)
    selectors.register_require_own(fetched_by=by, register=left)
    if right is not None:
        if right == left:
            right = None
        elif not selectors.register_list(fetched_by=by).filter(pk=right.pk).exists():
            raise not_found()
    if right is None and left.kind == Register.Kind.JISR_REGISTRY:
        raise JisrError(
            "invalid", _("Jisr's registry is checked for duplicates when persons are registered.")
        )
    queue_require()  # told now, and nothing kept, when the worker's queue is down
    run = LinkageRun.objects.create(left=left, right=right, started_by=by, retrain=retrain)
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=run,
        changes={"left": left.pk, "right": right.pk if right else None, "retrain": retrain},
    )
    enqueue_on_commit(run_linkage_task, run.pk)
    return run


@transaction.atomic
def pair_decide(
    *, by: User, pair: CandidatePair, same_person: bool, note: str = ""
) -> PairDecision:
    """A reviewer's decision; kept for good, the latest on a pair counts, and re-runs never
    change it. The golden record follows at once."""
    require(by, Perm.LINKAGE_REVIEW)
    if not selectors.pair_list(fetched_by=by).filter(pk=pair.pk).exists():
        raise not_found()
    # The probability the reviewer was shown: the one their organisation's fields make.
    fields_of = selectors.fields_seen_lookup(fetched_by=by)
    probability = selectors.pair_evidence(pair=pair, fields_of=fields_of)[1]
    decision = PairDecision(
        left=pair.left,
        right=pair.right,
        same_person=same_person,
        note=note.strip(),
        decided_by=by,
        probability=probability,
    )
    decision.full_clean()
    decision.save()
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=pair,
        changes={"same_person": same_person, "probability": probability},
    )
    clusters_recompute()
    return decision


@transaction.atomic
def agreement_create(
    *,
    by: User,
    register: Register,
    recipient: Organisation,
    fields: list[str],
    purpose: str,
    valid_until: dt.date,
    referral_follow_up: bool = False,
) -> SharingAgreement:
    """The owner of a register lets another organisation see some of its fields; for Jisr's
    registry, only a ministry or a government office, and, if it says so, for referral
    follow-up (who has no open referral in Jisr)."""
    require(by, Perm.AGREEMENT_MANAGE)
    selectors.register_require_own(fetched_by=by, register=register)
    problems: dict[str, list[str]] = {}
    if recipient.pk in (by.organisation.descendant_ids() if by.organisation else set()):
        problems["recipient"] = [_("Your own organisation already sees its registers.")]
    elif not selectors.may_receive(register=register, organisation=recipient):
        problems["recipient"] = [
            _(
                "The persons in Jisr's registry consented to sharing with another ministry: "
                "choose a ministry or a government office."
            )
        ]
    if referral_follow_up and register.kind != Register.Kind.JISR_REGISTRY:
        problems["referral_follow_up"] = [_("Only Jisr's registry has referrals to follow up.")]
    unknown = [f for f in fields if f not in SharingAgreement.FIELDS]
    if unknown or not fields:
        problems["shared_fields"] = [_("Choose at least one field from the list.")]
    if not purpose.strip():
        problems["purpose"] = [_("This is required.")]
    if valid_until < timezone.localdate():
        problems["valid_until"] = [_("The date has passed.")]
    if problems:
        raise JisrError("invalid", _("Please correct the errors below."), fields=problems)
    agreement = SharingAgreement(
        register=register,
        recipient=recipient,
        fields=[f for f in SharingAgreement.FIELDS if f in fields],
        purpose=purpose.strip(),
        valid_until=valid_until,
        created_by=by,
        referral_follow_up=referral_follow_up,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=agreement,
        changes={
            "register": register.pk,
            "recipient": recipient.pk,
            "fields": agreement.fields,
            "referral_follow_up": referral_follow_up,
        },
    )
    return agreement


@transaction.atomic
def agreement_end(*, by: User, agreement: SharingAgreement) -> None:
    require(by, Perm.AGREEMENT_MANAGE)
    selectors.register_require_own(fetched_by=by, register=agreement.register)
    if agreement.ended_at is None:
        agreement.ended_at = timezone.now()
        agreement.save(update_fields=["ended_at"])
        audit_record(actor=by, action=Action.DEACTIVATE, target=agreement)


@transaction.atomic
def cross_reference_export(*, by: User, report: selectors.CrossReference) -> reports.Table:
    """The report as a table for a file, with one audit entry per exported record, on both
    sides, written in one statement."""
    filters = {
        "base": report.base.pk,
        "other": report.other.pk,
        "without_open_referral": report.without_open_referral,
    }
    exported = []
    for row in report.rows:
        for record in (row["base"], row["other"]):
            label = f"{record['register_name']}:{record['fields'].get('source_id', '')}"
            person = report.persons.get(record["id"])
            exported.append(
                AuditEntry(
                    actor=by,
                    organisation=by.organisation,
                    action=Action.EXPORT,
                    object_type="linkage.registerrecord",
                    object_id=str(record["id"]),
                    object_label=label[:200],
                    changes={"filters": filters},
                    person_ids=[person] if person is not None else [],
                )
            )
    AuditEntry.objects.bulk_create(exported)
    return reports.table(report)
