"""The incremental early-warning scan finds exactly what a full scan finds (decision 0038).

Random changes to cases, needs, referrals, plans, milestones, follow-ups and case-form answers,
made the ways the project makes them (services, bulk updates that bypass the models, deletes),
with the days moving on; after each incremental scan, a full scan changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from jisr.cases import warnings
from jisr.cases.models import (
    Case,
    CaseStatus,
    Flag,
    FollowUp,
    Milestone,
    Need,
    NeedStatus,
    Plan,
    Referral,
    ReferralStatus,
    WarningKind,
    WarningRule,
    WarningTouch,
)
from jisr.catalogue.models import ServiceCategory
from jisr.conftest import register_person
from jisr.registry.models import CaseAnswers

pytestmark = pytest.mark.django_db

STATUSES = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED,
            ReferralStatus.COMPLETED, ReferralStatus.CANCELLED]  # fmt: skip


def _open_flags() -> set[tuple[int, str, int]]:
    return set(
        Flag.objects.filter(resolved_at__isnull=True).values_list("rule_id", "subject", "case_id")
    )


def _expected(today: dt.date) -> set[tuple[int, str, int]]:
    """What every active rule finds over every case, computed without the scan's state."""
    look = warnings.Look(today, timezone.now())
    return {
        (rule.pk, subject, case_id)
        for rule in WarningRule.objects.filter(is_active=True)
        for case_id, subject, _detail in warnings._found(rule, look)
    }


class World:
    def __init__(self, rng: random.Random, people: dict[str, Any], world: dict[str, Any]):
        self.rng, self.by, self.service = rng, people["alice"], world["training"]
        self.categories = list(ServiceCategory.objects.exclude(parent=None)[:5])
        self.cases: list[Case] = [world["case"]]
        for i in range(7):
            person = register_person(self.by, first_name=f"شخص{i}")
            self.cases.append(
                Case.objects.create(person=person, organisation=self.by.organisation, caseworker=self.by)
            )  # fmt: skip

    def day(self, today: dt.date, spread: int = 60) -> dt.date:
        return today - dt.timedelta(days=self.rng.randint(-10, spread))

    def change(self, today: dt.date) -> None:
        rng = self.rng
        case = rng.choice(self.cases)
        needs = list(Need.objects.filter(case=case))
        referrals = list(Referral.objects.filter(need__case=case))
        what = rng.randrange(12)
        if what == 0 or not needs:
            Need.objects.create(
                case=case, category=rng.choice(self.categories),
                status=rng.choice([NeedStatus.IDENTIFIED, NeedStatus.UNMET, NeedStatus.MET]),
                created_at=timezone.now() - dt.timedelta(days=rng.randint(0, 60)),
            )  # fmt: skip
        elif what == 1:
            Referral.objects.create(
                need=rng.choice(needs), service=self.service, from_organisation=self.by.organisation,
                to_organisation=self.service.organisation, sent_by=self.by,
                status=rng.choice(STATUSES), due_on=self.day(today, 20),
            )  # fmt: skip
        elif what == 2 and referrals:  # a bulk update: no model method, no signal
            Referral.objects.filter(pk=rng.choice(referrals).pk).update(
                status=rng.choice(STATUSES), due_on=self.day(today, 20)
            )
        elif what == 3:
            Need.objects.filter(pk=rng.choice(needs).pk).update(
                status=rng.choice(list(NeedStatus)),
                created_at=timezone.now() - dt.timedelta(days=rng.randint(0, 60)),
            )
        elif what == 4:
            Case.objects.filter(pk=case.pk).update(
                status=rng.choice([CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.CLOSED])
            )
        elif what == 5 and not Plan.objects.filter(case=case).exists():
            plan = Plan.objects.create(case=case, return_date=self.day(today), created_by=self.by)
            for months in (1, 6):
                Milestone.objects.create(
                    plan=plan, months=months, due_on=plan.return_date + dt.timedelta(days=30 * months)
                )  # fmt: skip
        elif what == 6:
            milestones = list(Milestone.objects.filter(plan__case=case))
            overall = round(rng.random(), 2)
            FollowUp.objects.create(
                case=case, milestone=rng.choice([None, *milestones]), channel="phone",
                answers={"intends_to_migrate": rng.choice(["yes", "no"])},
                scores={"overall": overall}, recorded_by=self.by,
                at=timezone.now() - dt.timedelta(days=rng.randint(0, 30)),
            )  # fmt: skip
        elif what == 7:
            follow_ups = list(FollowUp.objects.filter(case=case))
            if follow_ups:
                rng.choice(follow_ups).delete()
        elif what == 8:
            CaseAnswers.objects.update_or_create(
                person=case.person,
                defaults={"form_version": "1", "return_date": self.day(today)},
            )
        elif what == 9:
            Plan.objects.filter(case=case).delete()
        elif what == 10:
            Milestone.objects.filter(plan__case=case).update(due_on=self.day(today))
        elif what == 11 and referrals:
            # A referral moved to another need of another case.
            Referral.objects.filter(pk=rng.choice(referrals).pk).update(
                need=rng.choice(list(Need.objects.all()))
            )


@pytest.mark.parametrize("seed", range(6))
def test_an_incremental_scan_finds_what_a_full_scan_finds(people, world, seed):
    rng = random.Random(seed)  # noqa: S311  (repeatable, not secret)
    built = World(rng, people, world)
    today = timezone.localdate()
    for _ in range(40):
        built.change(today)
    warnings.scan(today=today)  # the first scan of each rule is whole
    assert _open_flags() == _expected(today)
    for _round in range(12):
        for _ in range(rng.randint(0, 6)):
            built.change(today)
        if rng.random() < 0.15:  # an administrator tunes a rule: that rule is scanned whole
            rule = rng.choice(list(WarningRule.objects.all()))
            rule.threshold = rng.choice([0, 7, 14, 30])
            rule.is_active = rng.random() < 0.8
            rule.save()
        today += dt.timedelta(days=rng.choice([0, 0, 1, 3, 10, 40]))
        warnings.scan(today=today)
        assert _open_flags() == _expected(today)
        assert not WarningTouch.objects.exists()  # the scan took every change
        before = _open_flags()
        assert warnings.scan(today=today, full=True) == {"raised": 0, "resolved": 0}
        assert _open_flags() == before


def test_a_scan_with_nothing_new_reads_no_case(people, world, django_assert_max_num_queries):
    today = timezone.localdate()
    Need.objects.filter(pk=world["need"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    assert warnings.scan(today=today)["raised"] == 1
    # Two queries a rule at most (what time made late; its state), whatever the cases.
    with django_assert_max_num_queries(2 + 2 * WarningRule.objects.count()):
        assert warnings.scan(today=today) == {"raised": 0, "resolved": 0}


def test_the_daily_command_can_scan_every_case(people, world):
    Need.objects.filter(pk=world["need"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    out = StringIO()
    call_command("cases_daily", "--full", stdout=out)
    assert "1 raised" in out.getvalue()
    flag = Flag.objects.get(rule__kind=WarningKind.NEED_UNMET)
    assert json.dumps(flag.detail)  # the detail a full scan writes
