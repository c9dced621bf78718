"""Early warning: rules that find setbacks in reintegration, and the flags they raise.

`scan()` runs each active rule as one query over all cases, raises a flag for each new subject
(a referral, a need, a milestone, a case) and resolves the open flags whose cause is gone, so a
flag lasts exactly as long as its cause. `jisr cases-daily` runs it once a day; a supervisor of
all records can run it on demand from the worklist (`services.flags_scan`, which checks who runs
it and audits the run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
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
)

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


def _found(rule: WarningRule, today: dt.date) -> Iterable[tuple[int, str, dict[str, Any]]]:
    """(case id, subject, detail) for each setback the rule sees now."""
    kind = rule.kind
    if kind == WarningKind.REFERRAL_OVERDUE:
        overdue = (
            Referral.objects.filter(status=ReferralStatus.SENT, due_on__lt=today)
            .filter(
                Q(need__case__status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD])
            )
            .values_list("need__case_id", "pk", "due_on", "to_organisation__name_ar")
        )
        return (
            (c, f"referral:{r}", {"due_on": str(d), "organisation": o})
            for c, r, d, o in overdue.iterator()
        )
    if kind == WarningKind.DECLINED_NO_ALTERNATIVE:
        open_referral = Referral.objects.filter(need=OuterRef("pk"), status__in=OPEN_REFERRAL)
        declined = Referral.objects.filter(need=OuterRef("pk"), status=ReferralStatus.DECLINED)
        declined_needs = (
            Need.objects.filter(Exists(declined), ~Exists(open_referral))
            .exclude(status__in=[NeedStatus.MET, NeedStatus.DECLINED])
            .filter(case__status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD])
            .values_list("case_id", "pk", "category__code")
        )
        return ((c, f"need:{n}", {"category": code}) for c, n, code in declined_needs.iterator())
    if kind == WarningKind.NEED_UNMET:
        since = timezone.now() - dt.timedelta(days=rule.threshold)
        unmet = (
            Need.objects.filter(
                status__in=[NeedStatus.IDENTIFIED, NeedStatus.UNMET], created_at__lt=since
            )
            .filter(case__status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD])
            .values_list("case_id", "pk", "category__code", "created_at")
        )
        return (
            (c, f"need:{n}", {"category": code, "since": str(at.date())})
            for c, n, code, at in unmet.iterator()
        )
    if kind == WarningKind.FOLLOW_UP_MISSED:
        late = today - dt.timedelta(days=rule.threshold)
        done = FollowUp.objects.filter(milestone=OuterRef("pk"))
        missed = (
            Milestone.objects.filter(due_on__lt=late)
            .filter(~Exists(done))
            .filter(plan__case__status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD])
            .values_list("plan__case_id", "pk", "months", "due_on")
        )
        return (
            (c, f"milestone:{m}", {"months": months, "due_on": str(due)})
            for c, m, months, due in missed.iterator()
        )
    if kind == WarningKind.PLAN_MISSING:
        # A returnee whose case form gives a return date more than `threshold` days ago.
        returned_before = today - dt.timedelta(days=rule.threshold)
        no_plan = (
            Case.objects.filter(
                plan__isnull=True, person__case_answers__return_date__lt=returned_before
            )
            .filter(status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.ON_HOLD])
            .values_list("pk", "person__case_answers__return_date")
        )
        return ((c, f"case:{c}", {"returned": str(r)}) for c, r in no_plan.iterator())
    if kind in (WarningKind.SCORE_DROP, WarningKind.MIGRATION_INTENTION):
        return _from_follow_ups(rule)
    return []


def _from_follow_ups(rule: WarningRule) -> Iterable[tuple[int, str, dict[str, Any]]]:
    """The latest two follow-ups of each open case that has them."""
    cases = (
        Case.objects.filter(_open_cases())
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


@transaction.atomic
def scan(*, today: dt.date | None = None) -> dict[str, int]:
    """Raise flags for new setbacks and resolve those whose cause is gone, over every case.
    Called through `services.flags_scan` (which checks who runs it and audits the run)."""
    today = today or timezone.localdate()
    raised = resolved = 0
    now = timezone.now()
    for rule in WarningRule.objects.all():
        found = {
            subject: (case_id, detail)
            for case_id, subject, detail in (_found(rule, today) if rule.is_active else [])
        }
        open_flags = dict(
            Flag.objects.filter(rule=rule, resolved_at__isnull=True).values_list("subject", "pk")
        )
        gone = [pk for subject, pk in open_flags.items() if subject not in found]
        resolved += Flag.objects.filter(pk__in=gone).update(resolved_at=now)
        new = [
            Flag(case_id=case_id, rule=rule, subject=subject, detail=detail)
            for subject, (case_id, detail) in found.items()
            if subject not in open_flags
        ]
        Flag.objects.bulk_create(new, batch_size=2000)
        raised += len(new)
    return {"raised": raised, "resolved": resolved}
