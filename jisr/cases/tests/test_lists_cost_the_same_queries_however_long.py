"""Every list page and list endpoint of cases costs the same number of queries with a few rows
as with many: a list that reads a related row per row (N+1) fails here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisr.accounts.models import User
from jisr.cases import selectors, services
from jisr.cases.models import Flag, WarningKind, WarningRule
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for, register_person

pytestmark = pytest.mark.django_db

CATEGORIES = ["legal-aid", "health-primary", "social-housing", "legal-documentation"]


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session may set it up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _add_cases(people: dict[str, User], world: dict[str, Any], count: int) -> None:
    """More cases, each with a need referred to the training centre and an open flag."""
    alice = people["alice"]
    rule = WarningRule.objects.get(kind=WarningKind.NEED_UNMET)
    for _ in range(count):
        person = register_person(alice, first_name="سجاد")
        case = services.case_open(by=alice, person=person)
        need = services.need_add(by=alice, case=case, category=world["need"].category)
        services.referral_send(by=alice, need=need, service=world["training"])
        Flag.objects.create(case=case, rule=rule, subject=f"need:{need.pk}")
    services.follow_up_record(
        by=alice, case=world["case"], channel="phone", answers={"working": "yes"}
    )


def _add_needs(people: dict[str, User], world: dict[str, Any], codes: list[str]) -> None:
    """More needs of one case, each referred to a service of its own organisation."""
    alice, case = people["alice"], world["case"]
    for code in codes:
        category = ServiceCategory.objects.get(code=code)
        need = services.need_add(by=alice, case=case, category=category)
        service = Service.objects.create(
            organisation=world["far"].organisation, name_ar=f"خدمة {code}", published=True
        )
        service.categories.set([category])
        services.referral_send(by=alice, need=need, service=service)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("alice", "/cases/"),
        ("alice", "/cases/warnings/"),
        ("trainer", "/cases/referrals/"),
        ("trainer", "/cases/notifications/"),
        ("alice", "/api/v1/cases"),
        ("alice", "/api/v1/warnings"),
        ("trainer", "/api/v1/referrals/received"),
        ("alice", "/api/v1/cases/{case}/follow-ups"),
    ],
)
def test_a_list_of_cases_referrals_flags_or_notifications(people, world, persona, url):
    client = client_for(world["trainer"] if persona == "trainer" else people[persona])
    url = url.format(case=world["case"].pk)
    _add_cases(people, world, 2)
    few = _queries(client, url)
    _add_cases(people, world, 6)
    assert _queries(client, url) == few


@pytest.mark.parametrize(
    "url",
    [
        "/cases/{case}/",
        "/api/v1/cases/{case}",
        "/api/v1/cases/{case}/plan",
    ],
)
def test_a_case_with_its_needs_referrals_and_plan(people, world, url):
    alice = client_for(people["alice"])
    case = world["case"]
    url = url.format(case=case.pk)
    _add_needs(people, world, CATEGORIES[:1])
    services.plan_create(
        by=people["alice"], case=case, return_date=timezone.localdate() - dt.timedelta(days=60)
    )
    few = _queries(alice, url)
    _add_needs(people, world, CATEGORIES[1:])
    for milestone in case.plan.milestones.all():
        milestone.needs.set(case.needs.all())
    services.follow_up_record(
        by=people["alice"],
        case=case,
        channel="phone",
        milestone=case.plan.milestones.first(),
        answers={"working": "yes"},
    )
    assert _queries(alice, url) == few


def test_the_persons_own_plan_with_their_needs_and_what_was_shared(people, world):
    person = world["person"]
    person.account = people["person"]
    person.save()
    client = client_for(people["person"])
    case = world["case"]
    _add_needs(people, world, CATEGORIES[:1])
    services.plan_create(by=people["alice"], case=case, return_date=timezone.localdate())
    few = _queries(client, "/cases/my-plan/")
    _add_needs(people, world, CATEGORIES[1:])
    assert _queries(client, "/cases/my-plan/") == few


def test_the_services_proposed_for_a_need(people, world):
    alice = client_for(people["alice"])
    case, need = world["case"], world["need"]
    url = f"/api/v1/cases/{case.pk}/needs/{need.pk}/proposals"
    few = _queries(alice, url)
    for number in range(3):
        service = Service.objects.create(
            organisation=world["far"].organisation, name_ar=f"تدريب {number}", published=True
        )
        service.categories.set([need.category])
    assert _queries(alice, url) == few


def test_the_case_list_reaches_its_persons_by_a_join_not_a_subquery(people):
    # With `person IN (SELECT ...) OR organisation IN (...)`, PostgreSQL read every person for
    # every case: a caseworker's list of a million cases took minutes (issue 14's load test).
    sql = str(selectors.case_list_with_persons(fetched_by=people["alice"]).query).upper()
    assert "IN (SELECT" not in sql
    assert "JOIN" in sql
