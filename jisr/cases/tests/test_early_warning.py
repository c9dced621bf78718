"""Every early-warning rule raises a flag while its cause lasts and resolves it when it is gone;
plans and follow-ups."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jisr.cases import services, warnings
from jisr.cases.models import Flag, Need, Referral, WarningKind, WarningRule
from jisr.conftest import client_for
from jisr.lib.errors import JisrError
from jisr.registry.services import case_answers_save

pytestmark = pytest.mark.django_db


def _open(kind: str) -> list[str]:
    return sorted(
        Flag.objects.filter(rule__kind=kind, resolved_at__isnull=True).values_list(
            "subject", flat=True
        )
    )


def test_referral_overdue_flags_until_answered(people, world):
    referral = services.referral_send(
        by=people["alice"], need=world["need"], service=world["training"]
    )
    late = referral.due_on + dt.timedelta(days=1)
    warnings.scan(today=referral.due_on)
    assert _open(WarningKind.REFERRAL_OVERDUE) == []
    warnings.scan(today=late)
    assert _open(WarningKind.REFERRAL_OVERDUE) == [f"referral:{referral.pk}"]
    warnings.scan(today=late)
    assert Flag.objects.filter(rule__kind=WarningKind.REFERRAL_OVERDUE).count() == 1  # not twice
    services.referral_move(by=world["trainer"], referral=referral, status="accepted")
    warnings.scan(today=late)
    assert _open(WarningKind.REFERRAL_OVERDUE) == []


def test_declined_with_no_alternative_flags_until_referred_again(people, world):
    referral = services.referral_send(
        by=people["alice"], need=world["need"], service=world["training"]
    )
    services.referral_move(
        by=world["trainer"], referral=referral, status="declined", reason="ممتلئ"
    )
    warnings.scan()
    assert _open(WarningKind.DECLINED_NO_ALTERNATIVE) == [f"need:{world['need'].pk}"]
    flag = Flag.objects.get(rule__kind=WarningKind.DECLINED_NO_ALTERNATIVE)
    assert flag.rule.action  # a suggested action, in words
    services.referral_send(by=people["alice"], need=world["need"], service=world["far"])
    warnings.scan()
    assert _open(WarningKind.DECLINED_NO_ALTERNATIVE) == []


def test_a_need_unmet_for_too_long_flags(people, world):
    need = world["need"]
    warnings.scan()
    assert _open(WarningKind.NEED_UNMET) == []
    Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    warnings.scan()
    assert _open(WarningKind.NEED_UNMET) == [f"need:{need.pk}"]
    services.need_set_status(by=people["alice"], need=need, status="met")
    warnings.scan()
    assert _open(WarningKind.NEED_UNMET) == []


def test_a_missed_follow_up_flags_until_recorded(people, world):
    case = world["case"]
    plan = services.plan_create(
        by=people["alice"], case=case, return_date=timezone.localdate() - dt.timedelta(days=60)
    )
    assert [m.months for m in plan.milestones.all()] == [1, 6, 24, 60]
    first = plan.milestones.get(months=1)
    assert list(first.needs.all()) == [world["need"]]
    warnings.scan()
    assert _open(WarningKind.FOLLOW_UP_MISSED) == [f"milestone:{first.pk}"]
    services.follow_up_record(
        by=people["alice"],
        case=case,
        milestone=first,
        channel="phone",
        answers={"working": "yes", "wellbeing": 4},
    )
    warnings.scan()
    assert _open(WarningKind.FOLLOW_UP_MISSED) == []


def test_a_fall_in_score_and_an_intention_to_migrate_flag(people, world):
    case = world["case"]
    good = {
        "working": "yes",
        "income_covers_needs": 5,
        "has_housing": "yes",
        "feels_accepted": 5,
        "wellbeing": 5,
        "feels_safe": 5,
    }
    services.follow_up_record(by=people["alice"], case=case, channel="phone", answers=good)
    warnings.scan()
    assert _open(WarningKind.SCORE_DROP) == []
    worse = {**good, "working": "no", "income_covers_needs": 1, "intends_to_migrate": "yes"}
    record = services.follow_up_record(
        by=people["alice"], case=case, channel="phone", answers=worse
    )
    assert record.scores["economic"] == 0.0
    warnings.scan()
    assert _open(WarningKind.SCORE_DROP) == [f"case:{case.pk}"]
    assert _open(WarningKind.MIGRATION_INTENTION) == [f"case:{case.pk}"]
    services.follow_up_record(
        by=people["alice"], case=case, channel="phone", answers={**good, "intends_to_migrate": "no"}
    )
    warnings.scan()
    assert _open(WarningKind.SCORE_DROP) == []
    assert _open(WarningKind.MIGRATION_INTENTION) == []


def test_an_inactive_rule_raises_nothing_and_bad_answers_are_refused(people, world):
    WarningRule.objects.filter(kind=WarningKind.NEED_UNMET).update(is_active=False, threshold=0)
    Need.objects.filter(pk=world["need"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )
    warnings.scan()
    assert _open(WarningKind.NEED_UNMET) == []
    with pytest.raises(JisrError) as error:
        services.follow_up_record(
            by=people["alice"],
            case=world["case"],
            channel="phone",
            answers={"wellbeing": 9, "nope": 1},
        )
    assert set(error.value.fields) == {"wellbeing", "nope"}
    with pytest.raises(JisrError):
        services.follow_up_record(
            by=people["alice"], case=world["case"], channel="online", answers={"wellbeing": 3}
        )


def test_the_daily_command_expires_and_scans(people, world):

    referral = services.referral_send(
        by=people["alice"], need=world["need"], service=world["training"]
    )

    Referral.objects.filter(pk=referral.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    out = StringIO()
    call_command("cases_daily", stdout=out)
    assert "1 referrals expired" in out.getvalue()
    referral.refresh_from_db()
    assert referral.status == "expired"


def test_the_api_makes_plans_records_follow_ups_and_lists_warnings(people, world):

    def call(method, url, body=None):
        return client_for(people["alice"]).generic(
            method, url, data=json.dumps(body or {}), content_type="application/json"
        )

    case = world["case"]
    returned = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    plan = call("POST", f"/api/v1/cases/{case.pk}/plan", {"return_date": returned})
    assert plan.status_code == 201, plan.json()
    first = plan.json()["milestones"][0]
    assert (first["months"], first["followed_up"]) == (1, False)
    bad = call(
        "POST",
        f"/api/v1/cases/{case.pk}/follow-ups",
        {"channel": "phone", "answers": {"wellbeing": 7}},
    )
    assert bad.status_code == 422
    assert "wellbeing" in bad.json()["error"]["fields"]
    done = call(
        "POST",
        f"/api/v1/cases/{case.pk}/follow-ups",
        {
            "milestone_id": first["id"],
            "channel": "phone",
            "answers": {"working": "yes", "wellbeing": 5},
        },
    )
    assert done.json()["scores"]["overall"] == 1.0
    warnings.scan()
    listed = call("GET", "/api/v1/warnings").json()
    assert all(flag["suggested_action"] for flag in listed)
    stale = call("PATCH", f"/api/v1/cases/{case.pk}", {"status": "on_hold", "version": 1})
    assert stale.status_code == 409
    moved = call("PATCH", f"/api/v1/cases/{case.pk}", {"status": "on_hold"})
    assert moved.json()["status"] == "on_hold"


def test_administrators_tune_the_rules(people, world):

    rule = WarningRule.objects.get(kind=WarningKind.NEED_UNMET)
    admin = client_for(people["admin"])
    assert admin.get("/cases/warnings/rules/").status_code == 200
    admin.post(
        "/cases/warnings/rules/",
        {
            "rule": rule.pk,
            "threshold": "0",
            "is_active": "on",
            "action_ar": "اتصل",
            "action_ckb": "",
            "action_en": "Call",
        },
    )
    rule.refresh_from_db()
    assert (rule.threshold, rule.action_en) == (0, "Call")
    admin.post("/cases/warnings/rules/", {"rule": rule.pk, "threshold": "5", "action_ar": ""})
    rule.refresh_from_db()
    assert rule.threshold == 0  # refused: no Arabic action; nothing half-written
    assert client_for(people["alice"]).get("/cases/warnings/rules/").status_code == 403


def test_a_returnee_without_a_plan_a_month_after_return_flags(people, world):

    case = world["case"]
    case_answers_save(
        by=people["alice"],
        person=world["person"],
        answers={"return_date": (timezone.localdate() - dt.timedelta(days=45)).isoformat()},
    )
    warnings.scan()
    assert _open(WarningKind.PLAN_MISSING) == [f"case:{case.pk}"]
    services.plan_create(
        by=people["alice"], case=case, return_date=timezone.localdate() - dt.timedelta(days=45)
    )
    warnings.scan()
    assert _open(WarningKind.PLAN_MISSING) == []
