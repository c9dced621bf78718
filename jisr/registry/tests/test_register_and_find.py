from __future__ import annotations

import pytest
from django.db import connection

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for, person_search_url, register_person
from jisr.registry.models import ConsentEvent, Person, Purpose
from jisr.registry.tests.factories import registration_data


def test_caseworker_registers_a_person_with_consent_per_purpose(people):
    client = client_for(people["alice"])
    response = client.post("/registry/persons/new/", registration_data(consent_research="refused"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.phone == "+9647705551234"
    assert person.organisation == people["alice"].organisation
    assert person.household.members.get() == person
    decisions = dict(ConsentEvent.objects.filter(person=person).values_list("purpose", "status"))
    assert decisions == {**{p.value: "given" for p in Purpose}, "research": "refused"}
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(person.pk)).exists()


def test_registration_without_consent_to_be_registered_is_refused(people):
    client = client_for(people["alice"])
    response = client.post(
        "/registry/persons/new/", registration_data(consent_registration="refused")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Person.objects.exists()


def test_bad_input_is_explained_field_by_field(people):
    client = client_for(people["alice"])
    response = client.post(
        "/registry/persons/new/",
        registration_data(phone="123", birth_year="2999", first_name=""),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"phone", "first_name"} <= set(errors)
    assert not Person.objects.exists()
    response = client.post("/registry/persons/new/", registration_data(birth_year="2999"))
    assert "birth_year" in response.context["form"].errors
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("registered", "typed"),
    [("أحمد", "احمد"), ("عبد الله", "عبدالله"), ("فاطمة", "فاطمه"), ("مصطفى", "مصطفي")],
)
def test_search_finds_a_person_by_a_spelling_variant(people, registered, typed):
    person = register_person(people["alice"], first_name=registered)
    client = client_for(people["alice"])
    response = client.get(person_search_url(client, typed))
    assert [p.pk for p in response.context["page"]] == [person.pk]


def test_search_by_phone_and_by_id_number(people):
    person = register_person(people["alice"], phone="+9647701112222", national_id="A1234567")
    client = client_for(people["alice"])
    assert [p.pk for p in client.get(person_search_url(client, "07701112222")).context["page"]] == [
        person.pk
    ]
    assert [p.pk for p in client.get(person_search_url(client, "a 1234567")).context["page"]] == [
        person.pk
    ]


def test_a_possible_duplicate_is_shown_before_registering_again(people):
    existing = register_person(
        people["alice"], first_name="احمد", family_name="الجبوري", birth_year=1991
    )
    client = client_for(people["alice"])
    response = client.post("/registry/persons/new/", registration_data(phone=""))
    assert response.status_code == 200
    assert [p.pk for p in response.context["duplicates"]] == [existing.pk]
    assert Person.objects.count() == 1
    response = client.post(
        "/registry/persons/new/", registration_data(phone="", different_person="on")
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_household_members_are_added_to_the_same_household(people):
    head = register_person(people["alice"])
    client = client_for(people["alice"])
    response = client.post(
        f"/registry/persons/new/?member_of={head.pk}",
        registration_data(
            first_name="زينب", sex="F", relationship="spouse", phone="", different_person="on"
        ),
    )
    assert response.status_code == 302
    spouse = Person.objects.get(first_name="زينب")
    assert spouse.household == head.household
    assert spouse.relationship == "spouse"
    page = client.get(f"/registry/persons/{head.pk}/")
    assert "زينب".encode() in page.content


def test_national_id_is_encrypted_at_rest_and_shown_only_with_clearance(people):
    person = register_person(people["alice"], national_id="A1234567")
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM registry_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "A1234567" not in stored
    assert Person.objects.get(pk=person.pk).national_id == "A1234567"
    page = client_for(people["alice"]).get(f"/registry/persons/{person.pk}/")
    assert b"A1234567" in page.content


def test_keys_rotate_without_losing_anything(people, settings):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from jisr.registry.models import Person as PersonModel
    from jisr.registry.services import case_answers_save

    person = register_person(people["alice"], national_id="A1234567")
    case_answers_save(by=people["alice"], person=person, answers={"disability": True})
    old = settings.JISR_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()

    def fresh_fields():  # the fields cache their keys; rotation happens between processes
        for model_field in (PersonModel._meta.get_field("national_id"),):
            model_field.__dict__.pop("keys", None)
            model_field.__dict__.pop("f", None)
        from jisr.registry.models import CaseAnswers

        field = CaseAnswers._meta.get_field("sensitive_answers")
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)

    settings.JISR_ENCRYPTION_KEYS = [new, old]
    fresh_fields()
    call_command("reencrypt", stdout=StringIO())
    settings.JISR_ENCRYPTION_KEYS = [new]
    fresh_fields()
    call_command("reencrypt", stdout=StringIO())
    reloaded = PersonModel.objects.get(pk=person.pk)
    assert reloaded.national_id == "A1234567"
    assert reloaded.case_form_answers()["disability"] is True
    client = client_for(people["alice"])
    assert [p.pk for p in client.get(person_search_url(client, "A1234567")).context["page"]] == [
        person.pk
    ]
    settings.JISR_ENCRYPTION_KEYS = [old]
    fresh_fields()


def test_a_household_link_that_is_not_a_number_is_not_found(people):
    client = client_for(people["alice"])
    assert client.get("/registry/persons/new/?member_of=abc").status_code == 404
    assert client.get("/registry/persons/new/?member_of=999999").status_code == 404


def test_a_search_stays_out_of_urls_and_its_pages_and_export_keep_it(people):
    alice = people["alice"]
    for number in range(52):
        register_person(alice, first_name="سجاد", family_name=f"عائلة{number}", phone="")
    register_person(alice, first_name="ليلى", phone="")
    client = client_for(alice)
    url = person_search_url(client, "سجاد")
    assert "سجاد" not in url
    assert "search=" in url
    first = client.get(url)
    assert len(first.context["page"]) == 50
    next_link = f"{url}&amp;page=2"
    assert next_link.partition("?")[2] in first.content.decode()
    second = client.get(f"{url}&page=2")
    assert {p.first_name for p in second.context["page"]} == {"سجاد"}
    assert len(second.context["page"]) == 2
    export = client.get(url.replace("/registry/persons/", "/registry/persons/export/"))
    assert export.content.decode().count("سجاد") == 52
    # Another session cannot read the search by its id: it sees the whole list.
    other = client_for(alice).get(url)
    assert len({p.first_name for p in other.context["page"]}) == 2
