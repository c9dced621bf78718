"""Every list of the registry, page or API, costs the same number of queries for a few rows or
many: related records are loaded with the list, never row by row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.conftest import client_for, person_search_url, register_person
from jisr.registry.models import CategoryRule, ConsentChannel, ConsentStatus, Purpose
from jisr.registry.services import case_answers_save, consent_record, person_share
from jisr.registry.tests.factories import registration_data


def queries(client: Client, url: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def same_for_few_and_many(
    client: Client, url: str, add: Callable[[int], Any], few: int = 2, many: int = 12, **extra: Any
) -> tuple[int, int]:
    for number in range(few):
        add(number)
    client.get(url, **extra)  # the process reads its reference lists once (decision 0046)
    before = queries(client, url, **extra)
    for number in range(few, many):
        add(number)
    return before, queries(client, url, **extra)


def test_the_persons_list_page_and_its_rows(people):
    alice = people["alice"]
    client = client_for(alice)

    def add(number: int) -> None:
        person = register_person(alice, first_name=f"شخص{number}", phone="")
        case_answers_save(by=alice, person=person, answers={"education_level": "master"})

    few, many = same_for_few_and_many(client, "/registry/persons/", add)
    assert few == many
    rows = {"headers": {"HX-Request": "true"}}
    assert queries(client, person_search_url(client, "شخص"), **rows) == queries(
        client, person_search_url(client, "شخص1"), **rows
    )


def test_the_persons_api_list(people):
    alice = people["alice"]
    few, many = same_for_few_and_many(
        client_for(alice),
        "/api/v1/persons",
        lambda n: register_person(alice, first_name=f"شخص{n}", phone="", national_id=f"A{n}"),
    )
    assert few == many


def test_the_persons_export(people):
    alice = people["alice"]
    few, many = same_for_few_and_many(
        client_for(alice),
        "/registry/persons/export/",
        lambda n: register_person(alice, first_name=f"شخص{n}", phone=""),
    )
    assert few == many


def test_a_record_with_its_household_consents_answers_and_categories(people):
    alice = people["alice"]
    head = register_person(alice, birth_year=1950)
    client = client_for(alice)

    def add(number: int) -> None:
        register_person(
            alice,
            first_name=f"ابن{number}",
            household=head.household,
            relationship="child",
            birth_year=2012,
            phone="",
        )
        purposes = [p for p in Purpose if p != Purpose.REGISTRATION]  # that one would close it
        purpose = purposes[number % len(purposes)]
        status = ConsentStatus.WITHDRAWN if number % 2 else ConsentStatus.GIVEN
        consent_record(
            by=alice, person=head, purpose=purpose, status=status, channel=ConsentChannel.PHONE
        )

    page = f"/registry/persons/{head.pk}/"
    api = f"/api/v1/persons/{head.pk}"
    add(0)
    before = (queries(client, page), queries(client, api))
    for number in range(1, 10):
        add(number)
    case_answers_save(
        by=alice,
        person=head,
        answers={"education_level": "primary", "languages": ["ar", "en"], "dependants": 4},
    )
    assert head.categories.count() >= 2
    assert (queries(client, page), queries(client, api)) == before


def test_the_category_rules(people):
    few, many = same_for_few_and_many(
        client_for(people["admin"]),
        "/registry/categories/",
        lambda n: CategoryRule.objects.create(
            key=f"rule-{n}",
            label_ar="x",
            label_ckb="x",
            label_en="x",
            conditions=[{"fact": "age", "op": "gte", "value": 50 + n}],
        ),
    )
    assert few == many


def test_the_shares_of_a_record(people, basra_person, orgs):
    def add(number: int) -> None:
        organisation = Organisation.objects.create(
            kind=OrganisationKind.NGO, name_ar=f"منظمة {number}", name_en=f"NGO {number}"
        )
        person_share(by=people["bob"], person=basra_person, organisation=organisation)

    few, many = same_for_few_and_many(
        client_for(people["bob"]), f"/registry/persons/{basra_person.pk}/share/", add
    )
    assert few == many


def test_the_persons_own_record_its_download_and_access_log(people, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    client = client_for(people["person"])

    def read_by_staff(times: int) -> None:
        for number in range(times):
            reader = people["bob"] if number % 2 else people["carol"]
            client_for(reader).get(f"/registry/persons/{basra_person.pk}/")
            client_for(people["carol"]).get(f"/api/v1/persons/{basra_person.pk}")

    pages = ("/registry/my-record/", "/registry/my-record/download.json")
    read_by_staff(1)
    few = [queries(client, page) for page in pages]
    read_by_staff(10)
    assert [queries(client, page) for page in pages] == few


def test_the_possible_duplicates_shown_before_registering(people):
    alice = people["alice"]
    client = client_for(alice)

    def posted() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/registry/persons/new/", registration_data(phone=""))
        assert response.status_code == 200
        return len(captured)

    register_person(alice, first_name="أحمد", family_name="الجبوري", birth_year=1990)
    posted()  # the process reads its reference lists once (decision 0046)
    few = posted()
    for number in range(6):
        register_person(
            alice, first_name="احمد", family_name="الجبوري", birth_year=1990 + number % 2
        )
    assert posted() == few
