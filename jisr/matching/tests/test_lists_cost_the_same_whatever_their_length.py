"""Every list page and list endpoint of matching and skills (opportunities, candidates,
applications, a person's matches and applications, the skills map, a profile's parts, the
taxonomy's suggestions) costs the same number of queries with a few rows as with many."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import User
from jisr.conftest import client_for, register_person
from jisr.matching.index import indexes
from jisr.matching.models import Opportunity
from jisr.matching.services import (
    application_express,
    profile_language_set,
    profile_qualification_add,
)
from jisr.matching.tests.factories import build_profile, post
from jisr.places.models import Governorate
from jisr.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pruning(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rate limiter prunes its counters on about one hit in 200, by chance: a query that has
    # nothing to do with the list.
    monkeypatch.setattr("jisr.core.ratelimit.PRUNE_EVERY", 10**12)


def _rows(
    people: dict[str, User], taxonomy: dict[str, Any], count: int, *, own: Person
) -> Opportunity:
    """`count` more candidates who apply to the employer's first opportunity, `count` more
    opportunities that fit the person, and more parts on the person's own profile."""
    bob, employer = people["bob"], people["employer"]
    skills = [taxonomy[name] for name in ("cad", "site", "concrete", "budget")]
    basra = Governorate.objects.get(code="IQ-BA")
    first = Opportunity.objects.filter(organisation=employer.organisation).order_by("pk").first()
    for number in range(count):
        opportunity = post(
            employer,
            title=f"مهندس {number}",
            occupation=taxonomy["civil"],
            governorate=basra,
            languages=[("en", 2), ("ar", 3)],
        )
        first = first or opportunity
        person = register_person(bob, first_name=f"مرشح{number}")
        build_profile(
            bob,
            person,
            occupation=taxonomy["civil"],
            skills={skill: 2 for skill in skills},
            languages={"en": 3},
            preferred_governorates=[basra],
        )
        application_express(
            by=bob, person=person, opportunity=first, status="applied", share_contact=True
        )
        application_express(by=bob, person=own, opportunity=opportunity, status="interested")
        profile_qualification_add(
            by=bob, person=own, level="bachelor", field=f"field {number}", country="IQ"
        )
    profile_language_set(by=bob, person=own, language=["ar", "en", "ckb"][count % 3], level=3)
    assert first is not None
    return first


def _queries(client: Client, url: str) -> int:
    # The matching index is built afresh, so that what changed since it was built (one query
    # more, whatever the rows) does not count; caches are warmed (session, translations).
    indexes.forget()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_list_costs_the_same_with_a_few_rows_as_with_many(
    people: dict[str, Any], orgs: dict[str, Any], taxonomy: dict[str, Any], basra_person: Person
) -> None:
    orgs["company"].verified = True
    orgs["company"].save()
    basra_person.account = people["person"]
    basra_person.save()
    build_profile(people["bob"], basra_person, occupation=taxonomy["civil"])
    opportunity = _rows(people, taxonomy, 2, own=basra_person)
    person = basra_person.pk
    lists = [
        ("employer", "/matching/opportunities/"),
        ("employer", "/matching/opportunities/?mine=1"),
        ("employer", f"/matching/opportunities/{opportunity.pk}/candidates/"),
        ("employer", f"/matching/opportunities/{opportunity.pk}/applications/"),
        ("person", "/matching/my-opportunities/"),
        ("person", "/matching/my-profile/"),
        ("carol", f"/matching/persons/{person}/opportunities/"),
        ("carol", f"/matching/persons/{person}/profile/"),
        ("analyst", "/matching/map/"),
        ("employer", "/api/v1/opportunities"),
        ("employer", "/api/v1/opportunities?mine=true"),
        ("employer", f"/api/v1/opportunities/{opportunity.pk}/candidates"),
        ("employer", f"/api/v1/opportunities/{opportunity.pk}/applications"),
        ("person", "/api/v1/me/opportunities"),
        ("person", "/api/v1/me/applications"),
        ("person", "/api/v1/me/profile"),
        ("carol", f"/api/v1/persons/{person}/opportunities"),
        ("carol", f"/api/v1/persons/{person}/profile"),
        ("analyst", "/api/v1/skills-map"),
        ("analyst", "/api/v1/skills-map?digits=2&where=abroad"),
    ]
    clients = {who: client_for(people[who]) for who, _url in lists}
    few = {url: _queries(clients[who], url) for who, url in lists}
    _rows(people, taxonomy, 6, own=basra_person)
    many = {url: _queries(clients[who], url) for who, url in lists}
    assert many == few


def test_the_taxonomys_suggestions_cost_the_same_however_many_they_are(
    people: dict[str, Any], taxonomy: dict[str, Any]
) -> None:
    client = client_for(people["person"])
    for kind, text in (("occupations", "engineer"), ("skills", "construction site budget")):
        few = _queries(client, f"/api/v1/skills/{kind}/suggest?q={text}&top=1")
        many = _queries(client, f"/api/v1/skills/{kind}/suggest?q={text}&top=8")
        assert many == few, kind
