"""Authorised reads of the linkage app.

A register is its organisation's: the organisation and its branches see all of it. Another
organisation sees a register only under a data-sharing agreement in force, and then only the
fields the agreement names; no role's record scope reaches past that, not even "all records"
(registers of other institutions are theirs, shared by agreement, decision 0014).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisr.accounts.access import not_found, require
from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_reads, audit_record
from jisr.cases.models import OPEN_REFERRAL, Referral
from jisr.lib.errors import JisrError
from jisr.linkage.engine import evidence
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairDecision,
    Register,
    RegisterRecord,
    RegisterUpload,
    SharingAgreement,
)

ALL_FIELDS = SharingAgreement.FIELDS


class RecordView(TypedDict):
    """A record as one reader may see it (`record_view`)."""

    id: int
    register_name: str
    register_id: int
    organisation: str
    withdrawn: bool
    fields: dict[str, str]
    person_id: int | None


def _organisation_ids(user: User) -> set[int]:
    return user.organisation.descendant_ids() if user.organisation else set()


def _recipient_ids(user: User) -> set[int]:
    """The user's organisation and those above it: what a ministry is given, its branches see."""
    return _upwards(user.organisation)


def _upwards(organisation: Organisation | None) -> set[int]:
    ids: set[int] = set()
    while organisation is not None and organisation.pk not in ids:
        ids.add(organisation.pk)
        organisation = organisation.parent
    return ids


# The persons of Jisr's registry consented to "sharing with another ministry": its mirror goes
# to ministries and their offices only. `Organisation.is_government` also counts Iraqi
# institutions (hospitals, universities) and the platform operator, which that wording does not.
REGISTRY_RECIPIENT_KINDS = frozenset(
    {OrganisationKind.MINISTRY, OrganisationKind.GOVERNMENT_OFFICE}
)


def may_receive(*, register: Register, organisation: Organisation) -> bool:
    return (
        register.kind != Register.Kind.JISR_REGISTRY
        or organisation.kind in REGISTRY_RECIPIENT_KINDS
    )


def agreement_list_in_force(*, on: dt.date | None = None) -> QuerySet[SharingAgreement]:
    """Agreements in force today; one sharing the registry with an organisation that may not
    receive it (made before the rule, or its kind changed since) gives nothing."""
    day = on or timezone.localdate()
    return SharingAgreement.objects.filter(
        ended_at__isnull=True, valid_from__lte=day, valid_until__gte=day
    ).exclude(
        Q(register__kind=Register.Kind.JISR_REGISTRY)
        & ~Q(recipient__kind__in=REGISTRY_RECIPIENT_KINDS)
    )


def register_list_own(*, fetched_by: User) -> QuerySet[Register]:
    """The registers of the user's organisation and its branches."""
    return Register.objects.filter(organisation_id__in=_organisation_ids(fetched_by))


def register_is_own(*, fetched_by: User, register: Register) -> bool:
    return register.organisation_id in _organisation_ids(fetched_by)


def register_require_own(*, fetched_by: User, register: Register) -> None:
    """Refuse (not found) a register that is not the user's organisation's to manage."""
    require(fetched_by, Perm.REGISTER_MANAGE)
    if not register_is_own(fetched_by=fetched_by, register=register):
        raise not_found()


def register_get_own(*, fetched_by: User, register_id: int) -> Register:
    """One of the user's organisation's registers (what one may do with it, services say)."""
    found = register_list_own(fetched_by=fetched_by).filter(pk=register_id).first()
    if found is None:
        raise not_found()
    return found


def upload_get(*, fetched_by: User, upload_id: int, rows: bool = True) -> RegisterUpload:
    """An uploaded file, to whoever uploaded it only: it holds records not yet imported.
    Without `rows`, the file's cells are not read (its progress, asked for every few seconds)."""
    require(fetched_by, Perm.REGISTER_MANAGE)
    uploads = RegisterUpload.objects.select_related("register__organisation").filter(
        pk=upload_id, created_by_id=fetched_by.pk
    )
    found = (uploads if rows else uploads.defer("rows", "headers")).first()
    if found is None:
        raise not_found()
    return found


def record_list(
    *, fetched_by: User, register: Register, in_force: bool = False
) -> QuerySet[RegisterRecord]:
    """The records of one of the user's organisation's registers (none of another's)."""
    register_require_own(fetched_by=fetched_by, register=register)
    found = RegisterRecord.objects.filter(register=register).select_related(
        "register__organisation"
    )
    return found.filter(withdrawn_at__isnull=True) if in_force else found


@dataclass(frozen=True)
class RecordCounts:
    in_force: int
    withdrawn: int


def record_counts(*, fetched_by: User, register: Register) -> RecordCounts:
    """How many records of one of the user's organisation's registers are in force, and how
    many withdrawn."""
    records = record_list(fetched_by=fetched_by, register=register)
    return RecordCounts(
        in_force=records.filter(withdrawn_at__isnull=True).count(),
        withdrawn=records.filter(withdrawn_at__isnull=False).count(),
    )


def agreement_list(*, fetched_by: User) -> QuerySet[SharingAgreement]:
    """Agreements on the user's organisation's registers and those that share one with it."""
    return SharingAgreement.objects.filter(
        register__in=register_list(fetched_by=fetched_by).values("pk")
    )


def agreement_list_of_register(
    *, fetched_by: User, register: Register
) -> QuerySet[SharingAgreement]:
    """The agreements on one of the user's organisation's registers, with their recipients."""
    register_require_own(fetched_by=fetched_by, register=register)
    return register.agreements.select_related("recipient")


def agreement_get_own(*, fetched_by: User, agreement_id: int) -> SharingAgreement:
    """An agreement on one of the user's organisation's registers."""
    found = (
        SharingAgreement.objects.filter(
            pk=agreement_id, register__in=register_list_own(fetched_by=fetched_by).values("pk")
        )
        .select_related("register")
        .first()
    )
    if found is None:
        raise not_found()
    return found


def recipient_list(*, fetched_by: User, register: Register | None = None) -> QuerySet[Organisation]:
    """Organisations a register can be shared with: active ones other than the user's own;
    for Jisr's registry, ministries and government offices only."""
    found = Organisation.objects.filter(is_active=True).exclude(
        pk__in=_organisation_ids(fetched_by)
    )
    if register is not None and register.kind == Register.Kind.JISR_REGISTRY:
        found = found.filter(kind__in=REGISTRY_RECIPIENT_KINDS)
    return found


def register_list(*, fetched_by: User) -> QuerySet[Register]:
    """Own registers, and those shared with the user's organisation by an agreement in force."""
    shared = (
        agreement_list_in_force()
        .filter(recipient_id__in=_recipient_ids(fetched_by))
        .values("register_id")
    )
    return Register.objects.filter(
        Q(organisation_id__in=_organisation_ids(fetched_by)) | Q(pk__in=shared)
    )


def register_get(*, fetched_by: User, register_id: int) -> Register:
    """A register the user reaches: its organisation's, or one shared with it."""
    found = (
        register_list(fetched_by=fetched_by)
        .select_related("organisation")
        .filter(pk=register_id)
        .first()
    )
    if found is None:
        raise not_found()
    return found


def fields_seen(*, fetched_by: User, register: Register) -> tuple[str, ...]:
    """The fields of `register`'s records the user sees: all of its own; of a shared one, what
    the agreements in force name."""
    return fields_seen_by(organisation=fetched_by.organisation, register=register)


def fields_seen_by(*, organisation: Organisation | None, register: Register) -> tuple[str, ...]:
    """What the staff of `organisation` see of `register`'s records: all of its own registers'
    and its branches'; of another's, what the agreements in force with it (or an organisation
    above it) name; nothing otherwise."""
    if organisation is None:
        return ()
    if register.organisation_id in organisation.descendant_ids():
        return ALL_FIELDS
    names: set[str] = set()
    for fields in (
        agreement_list_in_force()
        .filter(register=register, recipient_id__in=_upwards(organisation))
        .values_list("fields", flat=True)
    ):
        names.update(fields)
    return tuple(f for f in ALL_FIELDS if f in names)


def run_compared_fields(*, run: LinkageRun) -> dict[int, tuple[str, ...]]:
    """Per register of a run, the fields of its records the run may compare: of the other
    register, those the starter's organisation sees; of the starter's own, where the other
    register's owner reaches it (and so reads the run's pairs too), those that owner sees. A
    link, a band or a probability then tells no reader of the pairs anything of a field the
    agreements do not show it: a recipient uploading guesses (one record per guess of a
    mother's name) learns nothing from which of them links."""
    if run.right is None:
        return {run.left_id: ALL_FIELDS}  # duplicates within one's own register
    return {
        run.left.pk: fields_seen_by(organisation=run.right.organisation, register=run.left)
        or ALL_FIELDS,
        run.right.pk: fields_seen_by(organisation=run.started_by.organisation, register=run.right),
    }


FieldsOf = Callable[[Register], tuple[str, ...]]


def fields_seen_lookup(*, fetched_by: User) -> FieldsOf:
    """`fields_seen` for one reader, worked out once per register (lists of pairs)."""
    known: dict[int, tuple[str, ...]] = {}

    def fields_of(register: Register) -> tuple[str, ...]:
        if register.pk not in known:
            known[register.pk] = fields_seen(fetched_by=fetched_by, register=register)
        return known[register.pk]

    return fields_of


def pair_model_settings(pair: CandidatePair) -> dict[str, Any] | None:
    """The saved model of the run that found `pair`: its comparisons' levels name the evidence."""
    model = pair.run.model
    return model.settings if model is not None else None


def pair_evidence(
    *, pair: CandidatePair, fields_of: FieldsOf
) -> tuple[dict[str, list[float]], float | None]:
    """The comparisons of `pair` the reader sees the fields of on both records, and the match
    probability as those alone make it (the model's prior and their weights): the stored one
    where nothing that weighed is withheld. A pair found before an agreement narrowed, or by the
    other side's run, so shows nothing of a field the reader may not see."""
    model = pair.run.model
    compared = model.fields if model is not None else {}
    given = evidence.shown(
        pair.evidence,
        left=(compared.get(str(pair.left.register_id), ALL_FIELDS), fields_of(pair.left.register)),
        right=(
            compared.get(str(pair.right.register_id), ALL_FIELDS),
            fields_of(pair.right.register),
        ),
    )
    if all(value[1] == 0 for name, value in pair.evidence.items() if name not in given):
        return given, pair.probability
    prior = model.settings.get("probability_two_random_records_match") if model else None
    return given, evidence.probability(given, float(prior)) if prior else None


def record_view(
    *,
    fetched_by: User,
    record: RegisterRecord,
    fields: tuple[str, ...] | None = None,
    own: bool | None = None,
) -> RecordView:
    """A record as the user may see it: the allowed fields, the register and its organisation,
    and the Jisr person it mirrors when the register is the user's organisation's. Callers
    showing many records pass `fields` and `own`, worked out once per register."""
    if own is None:
        own = register_is_own(fetched_by=fetched_by, register=record.register)
    allowed = (
        fields_seen(fetched_by=fetched_by, register=record.register) if fields is None else fields
    )
    if record.withdrawn_at is not None and (
        not own or record.register.kind == Register.Kind.JISR_REGISTRY
    ):
        # A withdrawn record is no recipient's; a withdrawn mirror record is nobody's (the
        # person's consent is gone, and the owner reads the person in the registry itself).
        allowed = ()
    return {
        "id": record.pk,
        "register_name": record.register.display_name,
        "register_id": record.register_id,
        "organisation": str(record.register.organisation),
        "withdrawn": record.withdrawn_at is not None,
        "fields": {f: getattr(record, f) for f in allowed},
        "person_id": record.person_id if own else None,
    }


def run_list(*, fetched_by: User) -> QuerySet[LinkageRun]:
    """Runs over a register of the user's organisation, the latest first."""
    require(fetched_by, Perm.REGISTER_MANAGE)
    own = _organisation_ids(fetched_by)
    return LinkageRun.objects.filter(
        Q(left__organisation_id__in=own) | Q(right__organisation_id__in=own)
    ).select_related("left__organisation", "right__organisation", "started_by", "model")


def run_get(*, fetched_by: User, run_id: int) -> LinkageRun:
    found = run_list(fetched_by=fetched_by).filter(pk=run_id).first()
    if found is None:
        raise not_found()
    return found


def pair_list(*, fetched_by: User) -> QuerySet[CandidatePair]:
    """Pairs with one record in a register of the user's organisation and the other in a
    register it reaches (its own, or shared with it), both records in force."""
    own = _organisation_ids(fetched_by)
    reachable = register_list(fetched_by=fetched_by).values("pk")
    return (
        CandidatePair.objects.filter(
            (Q(left__register__organisation_id__in=own) & Q(right__register__in=reachable))
            | (Q(right__register__organisation_id__in=own) & Q(left__register__in=reachable))
        )
        .filter(left__withdrawn_at__isnull=True, right__withdrawn_at__isnull=True)
        .select_related(
            "left__register__organisation", "right__register__organisation", "run__model"
        )
    )


def pair_list_to_review(*, fetched_by: User) -> QuerySet[CandidatePair]:
    """The uncertain pairs nobody has decided yet, the most likely first."""
    require(fetched_by, Perm.LINKAGE_REVIEW)
    decided = PairDecision.objects.filter(
        Q(left=OuterRef("left"), right=OuterRef("right"))
        | Q(left=OuterRef("right"), right=OuterRef("left"))
    )
    return (
        pair_list(fetched_by=fetched_by)
        .filter(band=CandidatePair.Band.REVIEW)
        .exclude(Exists(decided))
        .order_by("-probability", "pk")
    )


def pair_get(*, fetched_by: User, pair_id: int) -> CandidatePair:
    require(fetched_by, Perm.LINKAGE_REVIEW)
    found = pair_list(fetched_by=fetched_by).filter(pk=pair_id).first()
    if found is None:
        raise not_found()
    return found


@dataclass(frozen=True)
class PairView:
    left: RecordView
    right: RecordView
    evidence: dict[str, list[float]]  # the comparisons the reader may see
    probability: float | None  # as those comparisons make it


def pair_view(*, fetched_by: User, pair: CandidatePair) -> PairView:
    """Both records of a pair, its evidence and its probability as the reviewer may see them;
    the reading is audited."""
    audit_record(
        actor=fetched_by,
        action=Action.VIEW,
        target=pair,
        changes={"records": [pair.left_id, pair.right_id]},
        persons=_persons_of(pair),
    )
    fields_of = fields_seen_lookup(fetched_by=fetched_by)
    found, probability = pair_evidence(pair=pair, fields_of=fields_of)
    return PairView(
        record_view(fetched_by=fetched_by, record=pair.left, fields=fields_of(pair.left.register)),
        record_view(
            fetched_by=fetched_by, record=pair.right, fields=fields_of(pair.right.register)
        ),
        found,
        probability,
    )


def _persons_of(pair: CandidatePair) -> list[int]:
    """The Jisr persons a pair shows (a record of Jisr's registry is one)."""
    return [p for p in (pair.left.person_id, pair.right.person_id) if p is not None]


def pair_review_rows(
    *,
    fetched_by: User,
    pairs: Iterable[CandidatePair],
    with_evidence: bool = False,
    context: str = "linkage.review",
) -> list[PairView]:
    """A page of pairs to review: each record's fields and the probability as the reviewer may
    see them, and the evidence they may see if asked (the page's list shows none). The reading
    is audited, one entry for the list."""
    shown = audit_reads(actor=fetched_by, records=pairs, context=context, person=_persons_of)
    fields_of = fields_seen_lookup(fetched_by=fetched_by)
    own = _organisation_ids(fetched_by)

    def side(record: RegisterRecord) -> RecordView:
        return record_view(
            fetched_by=fetched_by,
            record=record,
            fields=fields_of(record.register),
            own=record.register.organisation_id in own,
        )

    rows = []
    for pair in shown:
        given, probability = pair_evidence(pair=pair, fields_of=fields_of)
        rows.append(
            PairView(side(pair.left), side(pair.right), given if with_evidence else {}, probability)
        )
    return rows


def pair_decision_latest(*, pair: CandidatePair) -> PairDecision | None:
    """The latest decision on the pair's two records, whichever way round it was made."""
    left_id, right_id = pair.left_id, pair.right_id
    return (
        PairDecision.objects.filter(
            Q(left_id=left_id, right_id=right_id) | Q(left_id=right_id, right_id=left_id)
        )
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )


def record_get(*, fetched_by: User, record_id: int) -> RegisterRecord:
    """A record of a register the user reaches: any of its own registers' records, only those
    in force of a register shared with it."""
    require(fetched_by, Perm.CROSS_REFERENCE_VIEW)
    found = (
        RegisterRecord.objects.filter(
            pk=record_id, register__in=register_list(fetched_by=fetched_by).values("pk")
        )
        .filter(
            Q(withdrawn_at__isnull=True)
            | Q(register__organisation_id__in=_organisation_ids(fetched_by))
        )
        .select_related("register__organisation")
        .first()
    )
    if found is None:
        raise not_found()
    return found


@dataclass(frozen=True)
class Link:
    left: int
    right: int
    probability: float | None
    confirmed_by: str
    decided_at: dt.datetime | None


def golden_record_get(
    *, fetched_by: User, record: RegisterRecord
) -> tuple[list[RecordView], list[Link]]:
    """The records in force the user reaches that are one person with `record`, and the links
    between them (match probability, and who confirmed it, or "automatic")."""
    reachable = register_list(fetched_by=fetched_by).values("pk")
    if record.cluster is None:
        members = [record]
    else:
        members = list(
            RegisterRecord.objects.filter(cluster=record.cluster, register__in=reachable)
            .filter(Q(withdrawn_at__isnull=True) | Q(pk=record.pk))
            .select_related("register__organisation")
            .order_by("register_id", "source_id")
        )
    audit_record(
        actor=fetched_by,
        action=Action.VIEW,
        target=record,
        changes={"cluster": record.cluster},
        persons=[m.person_id for m in members if m.person_id is not None],
    )
    ids = [m.pk for m in members]
    mine = fetched_by.organisation_id
    fields_of = fields_seen_lookup(fetched_by=fetched_by)
    # The probability each link shows is the one the reader's fields make (`pair_evidence`).
    seen: dict[tuple[int, int], float | None] = {}
    links: dict[tuple[int, int], Link] = {}
    for pair in CandidatePair.objects.filter(left_id__in=ids, right_id__in=ids).select_related(
        "run__model", "left__register", "right__register"
    ):
        key = (pair.left_id, pair.right_id)
        seen[key] = pair_evidence(pair=pair, fields_of=fields_of)[1]
        if pair.band == CandidatePair.Band.LINK:
            links[key] = Link(key[0], key[1], seen[key], "", None)
    for decision in (
        PairDecision.objects.filter(left_id__in=ids, right_id__in=ids)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    ):
        key = (decision.left_id, decision.right_id)
        if decision.same_person:
            # Once a later run has no such pair, the probability the reviewer was shown is
            # still theirs to see, nobody else's.
            kept = decision.probability if decision.decided_by.organisation_id == mine else None
            links[key] = Link(
                key[0], key[1], seen.get(key, kept), str(decision.decided_by), decision.decided_at
            )
        else:
            links.pop(key, None)
    own_ids = _organisation_ids(fetched_by)
    shown = [
        record_view(
            fetched_by=fetched_by,
            record=m,
            fields=fields_of(m.register),
            own=m.register.organisation_id in own_ids,
        )
        for m in members
    ]
    return shown, list(links.values())


def _referral_registries(fetched_by: User, base: Register, other: Register) -> set[int]:
    """The registers among `base` and `other` whose persons' open referrals the user may ask
    about: Jisr's registry of the user's organisation, or one shared with it under an agreement
    that names referral follow-up. None of them: the question is refused."""
    registries = {r for r in (base, other) if r.kind == Register.Kind.JISR_REGISTRY}
    if not registries:
        raise JisrError(
            "invalid",
            _(
                "Only persons of Jisr's registry have referrals: "
                "choose it as one of the two registers."
            ),
            fields={
                "without_open_referral": [_("Choose Jisr's registry as one of the two registers.")]
            },
        )
    own = _organisation_ids(fetched_by)
    followed = set(
        agreement_list_in_force()
        .filter(
            register__in=registries,
            recipient_id__in=_recipient_ids(fetched_by),
            referral_follow_up=True,
        )
        .values_list("register_id", flat=True)
    )
    allowed = {r.pk for r in registries if r.organisation_id in own or r.pk in followed}
    if not allowed:
        raise JisrError(
            "forbidden",
            _(
                "The agreement under which you see Jisr's registry "
                "does not include referral follow-up."
            ),
            status=403,
            fields={
                "without_open_referral": [
                    _("Your organisation's agreement does not allow this filter.")
                ]
            },
        )
    return allowed


class CrossReferenceRow(TypedDict):
    cluster: int
    base: RecordView
    other: RecordView


@dataclass(frozen=True)
class CrossReference:
    base: Register
    other: Register
    without_open_referral: bool
    rows: list[CrossReferenceRow]
    base_fields: tuple[str, ...]
    other_fields: tuple[str, ...]
    # The Jisr person each shown record of Jisr's registry is, for their access log.
    persons: dict[int, int] = field(default_factory=dict)


def cross_reference_get(
    *, fetched_by: User, base: Register, other: Register, without_open_referral: bool
) -> CrossReference:
    """Records of `base` that are the same person as a record of `other` (both registers
    reached by the user), optionally only persons of Jisr's registry with no open referral; the
    fields each side shows are what the user may see of it."""
    require(fetched_by, Perm.CROSS_REFERENCE_VIEW)
    reachable = set(register_list(fetched_by=fetched_by).values_list("pk", flat=True))
    if base.pk not in reachable or other.pk not in reachable:
        raise not_found()
    registries = _referral_registries(fetched_by, base, other) if without_open_referral else set()
    base_fields = fields_seen(fetched_by=fetched_by, register=base)
    other_fields = fields_seen(fetched_by=fetched_by, register=other)
    own_ids = _organisation_ids(fetched_by)
    base_own, other_own = base.organisation_id in own_ids, other.organisation_id in own_ids
    other_records: dict[int, list[RegisterRecord]] = {}
    for record in RegisterRecord.objects.filter(
        register=other, withdrawn_at__isnull=True, cluster__isnull=False
    ).select_related("register__organisation"):
        other_records.setdefault(record.cluster or 0, []).append(record)
    clusters = list(other_records)
    members = (
        RegisterRecord.objects.filter(cluster__in=clusters, withdrawn_at__isnull=True)
        if len(clusters) < 5000
        else RegisterRecord.objects.filter(cluster__isnull=False, withdrawn_at__isnull=True)
    )
    persons_by_cluster: dict[int, set[int]] = {}
    base_by_cluster: dict[int, list[RegisterRecord]] = {}
    for record in members.select_related("register__organisation"):
        if record.cluster not in other_records:
            continue
        if record.person_id and record.register_id in registries:
            persons_by_cluster.setdefault(record.cluster or 0, set()).add(record.person_id)
        if record.register_id == base.pk:
            base_by_cluster.setdefault(record.cluster or 0, []).append(record)
    referred: set[int] = set()
    if without_open_referral:
        person_ids = {p for ids in persons_by_cluster.values() for p in ids}
        referred = set(
            Referral.objects.filter(
                need__case__person_id__in=person_ids, status__in=OPEN_REFERRAL
            ).values_list("need__case__person_id", flat=True)
        )
    rows: list[CrossReferenceRow] = []
    shown_persons: dict[int, int] = {}
    for cluster, base_records in sorted(base_by_cluster.items()):
        persons = persons_by_cluster.get(cluster, set())
        if without_open_referral and (not persons or persons & referred):
            continue
        for base_record in base_records:
            for other_record in other_records[cluster]:
                if other_record.pk == base_record.pk:
                    continue
                rows.append(
                    {
                        "cluster": cluster,
                        "base": record_view(
                            fetched_by=fetched_by,
                            record=base_record,
                            fields=base_fields,
                            own=base_own,
                        ),
                        "other": record_view(
                            fetched_by=fetched_by,
                            record=other_record,
                            fields=other_fields,
                            own=other_own,
                        ),
                    }
                )
                shown_persons.update(
                    (r.pk, r.person_id) for r in (base_record, other_record) if r.person_id
                )
    audit_record(
        actor=fetched_by,
        action=Action.VIEW,
        object_type="linkage.cross_reference",
        object_id=f"{base.pk}:{other.pk}",
        changes={"rows": len(rows), "without_open_referral": without_open_referral},
        persons=shown_persons.values(),
    )
    return CrossReference(
        base, other, without_open_referral, rows, base_fields, other_fields, shown_persons
    )
