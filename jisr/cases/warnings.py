"""Early warning: rules that find setbacks in reintegration, and the flags they raise.

`scan()` raises a flag for each new subject a rule finds (a referral, a need, a milestone, a
case) and resolves the open flags whose cause is gone, so a flag lasts exactly as long as its
cause. `jisr cases-daily` runs it once a day; a supervisor of all records can run it on demand
from the worklist (`services.flags_scan`, which checks who runs it and audits the run).

A scan is incremental (decision 0038): the open flags of a rule are what it found at its last
scan, so a scan looks again only at
- the cases whose inputs changed since (database triggers write them to `WarningTouch`,
  whatever changed the rows), and
- what time alone made late since (a referral's due date, a need's age, a milestone's due date,
  a date of return, passed between the last scan and this one): indexed range queries.
Time only ever adds setbacks, never removes one, so nothing else can have changed. A rule is
scanned whole (as `scan(full=True)` scans every rule) the first time, when its threshold
changed, and when the day or the time is before its last scan's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from jisr.cases.models import (
    OPEN_REFERRAL,
    Case,
    CaseStatus,
    Flag,
    FollowUp,
    Milestone,
    Need,
    NeedStatus,
    Referral,
    ReferralStatus,
    WarningKind,
    WarningRule,
    WarningTouch,
)

CHUNK = 2000  # case ids per query when looking again at the cases that changed
Found = Iterable[tuple[int, str, dict[str, Any]]]

# (kind, threshold, suggested action in Arabic, Central Kurdish, English)
DEFAULT_RULES = [
    (
        WarningKind.REFERRAL_OVERDUE,
        0,
        "اتصل بالجهة المستقبِلة أو أحِل إلى خدمة أخرى.",
        "پەیوەندی بە لایەنی وەرگرەوە بکە یان بۆ خزمەتگوزارییەکی تر ئاراستە بکە.",
        "Call the receiving organisation, or refer to another service.",
    ),
    (
        WarningKind.DECLINED_NO_ALTERNATIVE,
        0,
        "أحِل الاحتياج إلى خدمة أخرى من المقترحات.",
        "پێداویستییەکە بۆ خزمەتگوزارییەکی تر لە پێشنیارەکان ئاراستە بکە.",
        "Refer the need to another of the proposed services.",
    ),
    (
        WarningKind.NEED_UNMET,
        30,
        "راجع الاحتياج مع الشخص وابحث عن خدمة أو سجّل سبب عدم تلبيته.",
        "پێداویستییەکە لەگەڵ کەسەکە پێدابچۆرەوە و خزمەتگوزارییەک بدۆزەرەوە.",
        "Review the need with the person: find a service, or record why it cannot be met.",
    ),
    (
        WarningKind.FOLLOW_UP_MISSED,
        14,
        "اتصل بالشخص وسجّل المتابعة.",
        "پەیوەندی بە کەسەکەوە بکە و بەدواداچوونەکە تۆمار بکە.",
        "Call the person and record the follow-up.",
    ),
    (
        WarningKind.SCORE_DROP,
        15,
        "قابل الشخص لمعرفة ما تغيّر، وحدّث الاحتياجات.",
        "کەسەکە ببینە بۆ زانینی ئەوەی گۆڕاوە، و پێداویستییەکان نوێ بکەرەوە.",
        "Meet the person to learn what changed, and update the needs.",
    ),
    (
        WarningKind.PLAN_MISSING,
        30,
        "أعدّ خطة إعادة الإدماج مع الشخص.",
        "پلانی تێکەڵبوونەوە لەگەڵ کەسەکە ئامادە بکە.",
        "Make the reintegration plan with the person.",
    ),
    (
        WarningKind.MIGRATION_INTENTION,
        0,
        "ناقش خطط الشخص واقترح دعمًا اقتصاديًا واجتماعيًا.",
        "باسی پلانەکانی کەسەکە بکە و پاڵپشتیی ئابووری و کۆمەڵایەتی پێشنیار بکە.",
        "Talk through the person's plans and offer economic and social support.",
    ),
]


def load_default_rules(rule_model: type[WarningRule] = WarningRule) -> None:
    """The default rules, where none of their kind exists (the migration passes its model)."""
    for kind, threshold, ar, ckb, en in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            kind=kind,
            defaults={"threshold": threshold, "action_ar": ar, "action_ckb": ckb, "action_en": en},
        )


def _open_cases() -> Q:
    return ~Q(status=CaseStatus.CLOSED)


OPEN_STATUSES = [CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD]


@dataclass(frozen=True)
class Look:
    """Where a rule looks: every case (`cases` None), or the cases listed; and, with `since`,
    only at what time made late after the last scan (its day and its time)."""

    today: dt.date
    now: dt.datetime
    cases: list[int] | None = None
    since: tuple[dt.date, dt.datetime] | None = None

    def of(self, path: str) -> Q:
        """The cases looked at, `path` leading from the rows queried to the case id."""
        return Q() if self.cases is None else Q(**{f"{path}__in": self.cases})

    def late(self, field: str, bound: dt.date | dt.datetime, previous: Any) -> Q:
        """`field` before `bound`; with `since`, only what was not before `previous` then."""
        found = Q(**{f"{field}__lt": bound})
        return found if self.since is None else found & Q(**{f"{field}__gte": previous})


def _found(rule: WarningRule, look: Look) -> Found:
    """(case id, subject, detail) for each setback the rule sees now, where `look` says."""
    kind, today = rule.kind, look.today
    last_day, last_time = look.since or (today, look.now)
    days = dt.timedelta(days=rule.threshold)
    if kind == WarningKind.REFERRAL_OVERDUE:
        overdue = (
            Referral.objects.filter(
                look.late("due_on", today, last_day), status=ReferralStatus.SENT
            )
            .filter(look.of("need__case_id"), need__case__status__in=OPEN_STATUSES)
            .values_list("need__case_id", "pk", "due_on", "to_organisation__name_ar")
        )
        return (
            (c, f"referral:{r}", {"due_on": str(d), "organisation": o})
            for c, r, d, o in overdue.iterator()
        )
    if kind == WarningKind.DECLINED_NO_ALTERNATIVE:
        if look.since is not None:
            return []  # time changes nothing here
        open_referral = Referral.objects.filter(need=OuterRef("pk"), status__in=OPEN_REFERRAL)
        declined = Referral.objects.filter(need=OuterRef("pk"), status=ReferralStatus.DECLINED)
        declined_needs = (
            Need.objects.filter(Exists(declined), ~Exists(open_referral))
            .exclude(status__in=[NeedStatus.MET, NeedStatus.DECLINED])
            .filter(look.of("case_id"), case__status__in=OPEN_STATUSES)
            .values_list("case_id", "pk", "category__code")
        )
        return ((c, f"need:{n}", {"category": code}) for c, n, code in declined_needs.iterator())
    if kind == WarningKind.NEED_UNMET:
        unmet = (
            Need.objects.filter(
                look.late("created_at", look.now - days, last_time - days),
                status__in=[NeedStatus.IDENTIFIED, NeedStatus.UNMET],
            )
            .filter(look.of("case_id"), case__status__in=OPEN_STATUSES)
            .values_list("case_id", "pk", "category__code", "created_at")
        )
        return (
            (c, f"need:{n}", {"category": code, "since": str(at.date())})
            for c, n, code, at in unmet.iterator()
        )
    if kind == WarningKind.FOLLOW_UP_MISSED:
        done = FollowUp.objects.filter(milestone=OuterRef("pk"))
        missed = (
            Milestone.objects.filter(look.late("due_on", today - days, last_day - days))
            .filter(~Exists(done))
            .filter(look.of("plan__case_id"), plan__case__status__in=OPEN_STATUSES)
            .values_list("plan__case_id", "pk", "months", "due_on")
        )
        return (
            (c, f"milestone:{m}", {"months": months, "due_on": str(due)})
            for c, m, months, due in missed.iterator()
        )
    if kind == WarningKind.PLAN_MISSING:
        # A returnee whose case form gives a return date more than `threshold` days ago.
        no_plan = (
            Case.objects.filter(
                look.late("person__case_answers__return_date", today - days, last_day - days),
                plan__isnull=True,
            )
            .filter(look.of("pk"), status__in=OPEN_STATUSES)
            .values_list("pk", "person__case_answers__return_date")
        )
        return ((c, f"case:{c}", {"returned": str(r)}) for c, r in no_plan.iterator())
    if kind in (WarningKind.SCORE_DROP, WarningKind.MIGRATION_INTENTION):
        return [] if look.since is not None else _from_follow_ups(rule, look)
    return []


def _from_follow_ups(rule: WarningRule, look: Look) -> Found:
    """The latest two follow-ups of each open case that has them."""
    cases = (
        Case.objects.filter(_open_cases(), look.of("pk"))
        .annotate(n=Count("follow_ups"))
        .filter(n__gte=1 if rule.kind == WarningKind.MIGRATION_INTENTION else 2)
        .values_list("pk", flat=True)
    )
    latest: dict[int, list[FollowUp]] = {}
    for follow_up in (
        FollowUp.objects.filter(case__in=cases).order_by("case_id", "-at", "-pk").iterator()
    ):
        kept = latest.setdefault(follow_up.case_id, [])
        if len(kept) < 2:
            kept.append(follow_up)
    for case_id, (last, *earlier) in latest.items():
        if rule.kind == WarningKind.MIGRATION_INTENTION:
            if last.answers.get("intends_to_migrate") == "yes":
                yield case_id, f"case:{case_id}", {"follow_up": last.pk}
        elif earlier:
            before, now = earlier[0].scores.get("overall"), last.scores.get("overall")
            if before is not None and now is not None and (before - now) * 100 >= rule.threshold:
                yield case_id, f"case:{case_id}", {"from": before, "to": now}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _touched() -> list[int]:
    """Take the cases whose inputs changed since the last scan (a row read here is gone for
    the next scan, unless this scan's transaction rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {WarningTouch._meta.db_table} RETURNING case_id")  # noqa: S608
        return sorted({case_id for (case_id,) in cursor.fetchall()})


def _scan_whole(rule: WarningRule, look: Look, now: dt.datetime) -> tuple[int, int]:
    found = {subject: (case_id, detail) for case_id, subject, detail in _found(rule, look)}
    open_flags = dict(
        Flag.objects.filter(rule=rule, resolved_at__isnull=True).values_list("subject", "pk")
    )
    gone = [pk for subject, pk in open_flags.items() if subject not in found]
    resolved = Flag.objects.filter(pk__in=gone).update(resolved_at=now)
    new = [
        Flag(case_id=case_id, rule=rule, subject=subject, detail=detail)
        for subject, (case_id, detail) in found.items()
        if subject not in open_flags
    ]
    Flag.objects.bulk_create(new, batch_size=2000)
    return len(new), resolved


def _scan_changes(
    rule: WarningRule, look: Look, touched: list[int], now: dt.datetime
) -> tuple[int, int]:
    """The rule over the cases that changed, and over what time made late since its last scan
    (`look.since`); the open flags of the other cases stand."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    resolved = 0
    open_flags = Flag.objects.filter(rule=rule, resolved_at__isnull=True)
    for cases in _chunks(touched):
        here = {
            subject: (case_id, detail)
            for case_id, subject, detail in _found(rule, Look(look.today, look.now, cases=cases))
        }
        gone = [
            pk
            for subject, pk in open_flags.filter(case_id__in=cases).values_list("subject", "pk")
            if subject not in here
        ]
        resolved += Flag.objects.filter(pk__in=gone).update(resolved_at=now)
        found.update(here)
    for case_id, subject, detail in _found(rule, look):
        found.setdefault(subject, (case_id, detail))
    subjects = list(found)
    already: set[str] = set()
    for start in range(0, len(subjects), CHUNK):
        already.update(
            open_flags.filter(subject__in=subjects[start : start + CHUNK]).values_list(
                "subject", flat=True
            )
        )
    new = [
        Flag(case_id=case_id, rule=rule, subject=subject, detail=detail)
        for subject, (case_id, detail) in found.items()
        if subject not in already
    ]
    Flag.objects.bulk_create(new, batch_size=2000)
    return len(new), resolved


@transaction.atomic
def scan(*, today: dt.date | None = None, full: bool = False) -> dict[str, int]:
    """Raise flags for new setbacks and resolve those whose cause is gone: over what changed
    since the last scan, or with `full` over every case (the result is the same).
    Called through `services.flags_scan` (which checks who runs it and audits the run)."""
    today = today or timezone.localdate()
    now = timezone.now()
    touched = _touched()
    raised = resolved = 0
    for rule in WarningRule.objects.select_for_update():
        if not rule.is_active:
            resolved += Flag.objects.filter(rule=rule, resolved_at__isnull=True).update(
                resolved_at=now
            )
            rule.scanned_on = rule.scanned_at = rule.scanned_threshold = None
        else:
            last_on, last_at = rule.scanned_on, rule.scanned_at
            if (
                full
                or last_on is None
                or last_at is None
                or rule.scanned_threshold != rule.threshold
                or today < last_on
                or now < last_at
            ):
                counts = _scan_whole(rule, Look(today, now), now)
            else:
                since = (last_on, last_at)
                counts = _scan_changes(rule, Look(today, now, since=since), touched, now)
            raised, resolved = raised + counts[0], resolved + counts[1]
            rule.scanned_on, rule.scanned_at, rule.scanned_threshold = today, now, rule.threshold
        rule.save(update_fields=["scanned_on", "scanned_at", "scanned_threshold"])
    return {"raised": raised, "resolved": resolved}
