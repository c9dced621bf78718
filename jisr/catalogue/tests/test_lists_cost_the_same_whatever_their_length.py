"""Every list page and list endpoint of the catalogue (the directory, a provider's services, the
review queue, the stakeholder map, the API's lists and HSDS's) costs the same number of queries
with a few rows as with many."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Role, Scope
from jisr.catalogue.models import Location
from jisr.catalogue.services import change_approve, service_propose
from jisr.conftest import client_for, make_user
from jisr.places.models import Governorate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pruning(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rate limiter prunes its counters on about one hit in 200, by chance: a query
    # that has nothing to do with the list.
    monkeypatch.setattr("jisr.core.ratelimit.PRUNE_EVERY", 10**12)


def _services(people: dict[str, User], count: int, *, start: int) -> None:
    """`count` services of charlie's NGO at a location of their own, half of them published,
    and as many of a ministry's branch under its parent, published."""
    charlie, admin = people["charlie"], people["admin"]
    assert charlie.organisation is not None
    baghdad = Governorate.objects.get(code="IQ-BG")
    ministry = Organisation.objects.create(kind=OrganisationKind.MINISTRY, name_ar=f"وزارة {start}")
    branch = Organisation.objects.create(
        kind=OrganisationKind.GOVERNMENT_OFFICE, name_ar=f"فرع {start}", parent=ministry
    )
    branch_office = Location.objects.create(
        organisation=branch, name_ar=f"دائرة {start}", governorate=baghdad
    )
    for number in range(start, start + count):
        office = Location.objects.create(
            organisation=charlie.organisation, name_ar=f"مكتب {number}", governorate=baghdad
        )
        data = {
            "name_ar": f"خدمة {number}",
            "categories": ["legal-aid", "legal-documentation"],
            "areas": ["IQ-BG", "IQ-BA"],
            "locations": [str(office.uuid)],
            "languages": ["ar"],
        }
        change = service_propose(by=charlie, data=data)
        if number % 2:
            change_approve(by=admin, change=change)
        theirs = {**data, "locations": [str(branch_office.uuid)]}
        change_approve(by=admin, change=service_propose(by=_provider(branch, number), data=theirs))


def _provider(organisation: Organisation, number: int) -> User:
    found = User.objects.filter(organisation=organisation).first()
    return found or make_user(
        f"provider{number}@example.org", organisation, {Role.PROVIDER_STAFF: Scope.ORGANISATION}
    )


def _queries(client: Client, url: str) -> int:
    client.get(url)  # caches warmed (session, content types, translations)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


LISTS = [
    (None, "/services/"),
    (None, "/services/?q=خدمة&category=legal&age=30"),
    ("charlie", "/catalogue/"),
    ("admin", "/catalogue/review/"),
    ("carol", "/catalogue/map/"),
    ("carol", "/catalogue/map/?level=category"),
    (None, "/api/v1/services"),
    ("charlie", "/api/v1/catalogue/services"),
    ("admin", "/api/v1/catalogue/changes"),
    (None, "/api/hsds/services"),
    (None, "/api/hsds/services?full=true"),
    (None, "/api/hsds/organizations"),
    (None, "/api/hsds/organizations?full=true"),
    (None, "/api/hsds/service_at_locations"),
    (None, "/api/hsds/taxonomy_terms"),
    (None, "/api/hsds/taxonomies"),
]


def test_every_list_costs_the_same_with_a_few_rows_as_with_many(people: dict[str, Any]) -> None:
    clients = {who: client_for(people[who] if who else None) for who, _url in LISTS}
    _services(people, 2, start=0)
    few = {url: _queries(clients[who], url) for who, url in LISTS}
    _services(people, 6, start=10)
    many = {url: _queries(clients[who], url) for who, url in LISTS}
    assert many == few
