"""Demo cases at every stage: needs from the case forms, referrals answered or not, plans with
follow-ups (some missed, some falling), and the early-warning flags they raise. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jisr.accounts.models import User
from jisr.cases import proposals, services
from jisr.cases.models import Case, Referral
from jisr.catalogue.mapping import shows_need
from jisr.catalogue.models import ServiceCategory
from jisr.registry.models import (
    CaseAnswers,
    Person,
    PersonType,
    Purpose,
    RecordStatus,
    Relationship,
)
from jisr.registry.selectors import has_consent

DECLINE_REASONS = [
    "لا توجد مقاعد في الدورة الحالية",
    "الخدمة لا تشمل هذه المنطقة حاليًا",
    "الشخص لم يحضر الموعد",
]


def _receiver(referral: Referral) -> User | None:
    return (
        User.objects.filter(
            organisation=referral.to_organisation,
            role_grants__role__in=["provider_staff", "caseworker"],
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def build_cases(*, rng: random.Random) -> int:
    if Case.objects.exists():
        return 0
    categories = [c for c in ServiceCategory.objects.exclude(parent=None) if c.needs]
    heads = (
        Person.objects.filter(
            status=RecordStatus.ACTIVE, relationship=Relationship.HEAD, country="IQ"
        )
        .exclude(registered_by=None)
        .select_related("registered_by", "governorate")
        .order_by("pk")
    )
    made = 0
    today = timezone.localdate()
    for person in heads:
        if rng.random() > 0.7 or not has_consent(person, Purpose.REFERRAL):
            continue
        caseworker = person.registered_by
        assert caseworker is not None
        case = services.case_open(by=caseworker, person=person)
        answers = (
            CaseAnswers.objects.filter(person=person).values_list("answers", flat=True).first()
            or {}
        )
        wanted = [c for c in categories if shows_need(answers, c.needs)] or rng.sample(
            categories, 2
        )
        for category in rng.sample(wanted, min(3, len(wanted))):
            need = services.need_add(
                by=caseworker, case=case, category=category, priority=rng.choice([1, 2, 2, 3])
            )
            offered = proposals.proposals_for(person=person, category=category, limit=1)
            if not offered or rng.random() < 0.25:
                continue
            referral = services.referral_send(by=caseworker, need=need, service=offered[0].service)
            _answer(referral, rng, today)
        if person.person_type in (PersonType.RETURNEE, PersonType.IDP_RETURNEE):
            returned = today - dt.timedelta(days=rng.randint(20, 900))
            plan = services.plan_create(by=caseworker, case=case, return_date=returned)
            previous = None
            for milestone in plan.milestones.filter(due_on__lt=today):
                if rng.random() < 0.2:
                    continue  # missed: early warning will see it
                answers_now = _answers(rng, worse_than=previous)
                services.follow_up_record(
                    by=caseworker,
                    case=case,
                    milestone=milestone,
                    channel="phone",
                    answers=answers_now,
                )
                previous = answers_now
        made += 1
    services.flags_scan(by=None)  # the platform, as the daily command
    return made


def _answer(referral: Referral, rng: random.Random, today: dt.date) -> None:
    receiver = _receiver(referral)
    roll = rng.random()
    if receiver is None or roll < 0.25:
        if roll < 0.12:  # not answered, and late
            Referral.objects.filter(pk=referral.pk).update(
                due_on=today - dt.timedelta(days=rng.randint(1, 20))
            )
        return
    if roll < 0.4:
        services.referral_move(
            by=receiver, referral=referral, status="declined", reason=rng.choice(DECLINE_REASONS)
        )
        return
    services.referral_move(by=receiver, referral=referral, status="accepted")
    if roll < 0.6:
        return
    services.referral_move(by=receiver, referral=referral, status="in_progress")
    if roll < 0.75:
        return
    services.referral_move(
        by=receiver,
        referral=referral,
        status="completed",
        outcome=rng.choice(["met", "met", "partly", "not_met"]),
    )


def _answers(rng: random.Random, worse_than: dict[str, object] | None) -> dict[str, object]:
    falling = worse_than is not None and rng.random() < 0.2

    def scale() -> int:
        return rng.randint(1, 2) if falling else rng.randint(2, 5)

    return {
        "working": "no" if falling else rng.choice(["yes", "no"]),
        "income_covers_needs": scale(),
        "has_housing": rng.choice(["yes", "yes", "no"]),
        "feels_accepted": scale(),
        "wellbeing": scale(),
        "feels_safe": scale(),
        "intends_to_migrate": "yes"
        if falling and rng.random() < 0.5
        else rng.choice(["no", "no", "unsure"]),
    }
