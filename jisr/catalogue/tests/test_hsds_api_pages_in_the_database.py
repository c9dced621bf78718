"""The public HSDS API at /api/hsds/ pages in the database: a page costs one count and the
page's rows (with their related rows in a bounded number of queries), whatever the number of
services; one anonymous `?per_page=1` once built the document of every published service.
Query parameters it cannot read answer 400 in the one JSON error shape, translated."""

from __future__ import annotations

import pytest
from django.test import Client

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.catalogue.hsds import export
from jisr.catalogue.hsds.taxonomies import CATEGORIES, derived_id
from jisr.catalogue.models import Location, Service, ServiceAtLocation, ServiceCategory
from jisr.places.models import Governorate

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/hsds/services",
    "/api/hsds/services?full=true",
    "/api/hsds/organizations",
    "/api/hsds/organizations?full=true",
    "/api/hsds/service_at_locations",
    "/api/hsds/taxonomy_terms",
    "/api/hsds/taxonomies",
]


@pytest.fixture(autouse=True)
def _no_pruning(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rate limiter prunes its counters on about one hit in 200, by chance.
    monkeypatch.setattr("jisr.core.ratelimit.PRUNE_EVERY", 10**12)


def _catalogue(count: int) -> list[Service]:
    """`count` published services, each of its own organisation, at a location of it."""
    baghdad = Governorate.objects.get(code="IQ-BG")
    legal = ServiceCategory.objects.filter(code__in=["legal-aid", "legal-documentation"])
    made = []
    for number in range(count):
        organisation = Organisation.objects.create(
            kind=OrganisationKind.NGO, name_en=f"NGO {number}"
        )
        place = Location.objects.create(
            organisation=organisation, name_ar="مكتب", governorate=baghdad
        )
        service = Service.objects.create(
            organisation=organisation, name_en=f"Legal aid {number}", published=True,
            languages=["ar"], minimum_age=number % 60,
        )  # fmt: skip
        service.categories.set(legal)
        service.areas.set([baghdad])
        ServiceAtLocation.objects.create(service=service, location=place)
        made.append(service)
    Service.objects.create(organisation=organisation, name_en="Hidden", published=False)
    return made


@pytest.mark.parametrize("url", LISTS)
def test_a_list_page_costs_a_bounded_number_of_queries(url, django_assert_max_num_queries):
    _catalogue(40)
    client = Client()
    client.get(url)  # caches warmed (content types, translations)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"per_page": "30"})
    assert response.status_code == 200
    assert len(response.json()["contents"]) == min(30, response.json()["total_items"])


def test_a_page_of_one_among_many_services_builds_one_document(monkeypatch):
    made = _catalogue(30)
    built: list[str] = []
    document = export.service_document

    def counted(service: Service) -> dict[str, object]:
        built.append(str(service.uuid))
        return document(service)

    monkeypatch.setattr(export, "service_document", counted)
    client = Client()
    for full in ("false", "true"):
        built.clear()
        page = client.get("/api/hsds/services", {"per_page": "1", "page": "3", "full": full}).json()
        assert (page["total_items"], page["total_pages"], page["page_number"]) == (30, 30, 3)
        wanted = sorted(str(s.uuid) for s in made)[2]
        assert [item["id"] for item in page["contents"]] == built == [wanted]


def test_pages_follow_one_another_and_filters_apply_in_the_database():
    made = _catalogue(7)
    client = Client()
    seen = []
    for number in (1, 2, 3):
        page = client.get("/api/hsds/services", {"per_page": "3", "page": str(number)}).json()
        assert (page["first_page"], page["last_page"]) == (number == 1, number == 3)
        seen += [item["id"] for item in page["contents"]]
    assert seen == sorted(str(s.uuid) for s in made)
    beyond = client.get("/api/hsds/services", {"page": str(10**30)}).json()
    assert (beyond["total_items"], beyond["contents"], beyond["empty"]) == (7, [], True)
    term = derived_id("term", CATEGORIES, "legal-aid")
    by_term = client.get("/api/hsds/services", {"taxonomy_term_id": term}).json()
    assert by_term["total_items"] == 7  # once each, though under two categories
    other = derived_id("term", CATEGORIES, "health")
    assert client.get("/api/hsds/services", {"taxonomy_term_id": other}).json()["total_items"] == 0
    found = client.get("/api/hsds/organizations", {"search": "ngo 3", "full": "true"}).json()
    assert [o["name"] for o in found["contents"]] == ["NGO 3"]
    assert [s["id"] for s in found["contents"][0]["services"]] == [str(made[3].uuid)]
    links = client.get("/api/hsds/service_at_locations", {"per_page": "2"}).json()
    assert (links["total_items"], len(links["contents"])) == (7, 2)


BAD = [
    ("services", "modified_after", "2024-02-30T00:00:00"),
    ("services", "modified_after", "2024-02-29T25:00:00"),
    ("services", "modified_after", "2024-02-29T10:00:00+24:00"),
    ("services", "modified_after", "0000-01-01T00:00:00"),
    ("services", "modified_after", "yesterday"),
    ("service_at_locations", "modified_after", "2023-02-29T00:00:00"),
    ("services", "organization_id", "x" * 500),
    ("service_at_locations", "organization_id", "not-a-uuid"),
    ("services", "page", "x"),
    ("services", "page", "9" * 5000),
    ("organizations", "per_page", "1.5"),
    ("taxonomy_terms", "page", ""),
    ("taxonomies", "per_page", "ten"),
]


@pytest.mark.parametrize(("endpoint", "name", "value"), BAD)
def test_a_parameter_that_cannot_be_read_answers_400_in_the_users_language(endpoint, name, value):
    response = Client().get(f"/api/hsds/{endpoint}", {name: value}, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == ("invalid", {})
    assert any("\u0600" <= c <= "\u06ff" for c in error["message"])  # in Arabic


def test_parameters_it_can_read_are_taken_as_meant():
    _catalogue(2)
    client = Client()
    for params in (
        {"modified_after": "2024-02-29T00:00:00"},
        {"modified_after": "2024-02-29T00:00:00+03:00"},
        {"modified_after": "2024-02-29 00:00"},
        {"page": "-4", "per_page": "100000"},
        {"per_page": "٢"},  # Arabic-Indic digits are digits
        {"search": "%_\\'"},
    ):
        assert client.get("/api/hsds/services", params).status_code == 200, params
    assert client.get("/api/hsds/services", {"per_page": "٢"}).json()["size"] == 2
    later = client.get("/api/hsds/services", {"modified_after": "9999-12-31T00:00:00"}).json()
    assert later["total_items"] == 0
