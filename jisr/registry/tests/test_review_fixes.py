"""Holes a review found in the registry, each closed and kept closed."""

from __future__ import annotations

import json
import re

from django.test import Client

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for, register_person
from jisr.registry.models import CategoryRule, Person, PersonShare, Purpose, SelfRegistration
from jisr.registry.selectors import person_access_log, person_categories
from jisr.registry.services import case_answers_save
from jisr.registry.tests.test_self_registration import answers


def test_a_code_cannot_confirm_another_contact(db, sms_outbox, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers(contact="07709998877"))
    found = re.search(r"\b(\d{6})\b", sms_outbox[-1][1])
    assert found is not None
    code = found.group(1)
    draft = SelfRegistration.objects.get()
    client.post(
        "/registry/register/",
        {
            "draft": draft.token,
            "contact": "victim@example.org",
            "action": "draft",
            "first_name": "x",
        },
    )
    assert client.post(response["Location"], {"code": code}).status_code == 200
    assert not Person.objects.exists()


def test_asking_again_for_a_code_neither_resets_tries_nor_floods(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers())
    draft = SelfRegistration.objects.get()
    for _ in range(5):
        client.post(response["Location"], {"code": "000001"})
    again = client.post("/registry/register/", answers(draft=draft.token))
    assert again.status_code == 200  # too soon for another message
    assert len(sms_outbox) == 1
    draft.refresh_from_db()
    assert draft.attempts == 5


def test_closing_an_account_or_withdrawing_registration_ends_every_share(
    people, basra_person, orgs
):
    bob = client_for(people["bob"])
    bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    basra_person.account = people["person"]
    basra_person.save()
    client_for(people["person"]).post("/registry/my-record/close/")
    assert not PersonShare.objects.filter(ended_at=None).exists()
    assert client_for(people["alice"]).get(f"/api/v1/persons/{basra_person.pk}").status_code == 404
    refused = bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["ngo"].pk}
    )
    assert refused.status_code == 403  # a closed record: not even its caseworker opens it
    assert not PersonShare.objects.filter(ended_at=None).exists()


def test_a_shared_record_is_read_only_for_the_organisation_it_is_shared_with(
    people, basra_person, orgs
):
    client_for(people["bob"]).post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    alice = client_for(people["alice"])
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 200
    reshare = alice.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["ngo"].pk}
    )
    assert reshare.status_code == 403
    consent = alice.post(
        f"/api/v1/persons/{basra_person.pk}/consents",
        data=json.dumps({"purpose": "registration", "status": "withdrawn"}),
        content_type="application/json",
    )
    assert consent.status_code == 403
    assert PersonShare.objects.filter(ended_at=None).count() == 1


def test_a_category_resting_on_protection_needs_shows_only_to_protection_roles(people):
    CategoryRule.objects.create(key="survivor", label_ar="ناج", label_ckb="ڕزگاربوو", label_en="Survivor",
                                conditions=[{"fact": "protection_needs", "op": "contains", "value": "violence_survivor"}])  # fmt: skip
    person = register_person(people["alice"])
    case_answers_save(
        by=people["protection"], person=person, answers={"protection_needs": ["violence_survivor"]}
    )
    assert "survivor" in {k for k, _l, _r in person_categories(person, people["protection"])}
    assert "survivor" not in {k for k, _l, _r in person_categories(person, people["alice"])}
    assert (
        client_for(people["alice"])
        .get("/registry/persons/", {"category": "survivor"})
        .context["page"]
        .object_list.count()
        == 0
    )
    reasons = person.categories.get(rule__key="survivor").reason
    assert reasons == [{"fact": "protection_needs", "value": None}]  # the value is not copied


def test_patch_changes_only_what_is_sent(people):
    person = register_person(
        people["alice"], mother_name="فاطمة", phone="+9647701112222", national_id="A1"
    )
    response = client_for(people["alice"]).patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"city": "Baghdad al-Jadida"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.mother_name, person.phone, person.national_id) == (
        "فاطمة",
        "+9647701112222",
        "A1",
    )


def test_rules_with_values_unfit_for_their_operator_are_refused(people):
    rule = CategoryRule.objects.get(key="older_person")
    client = client_for(people["admin"])
    data = {"label_ar": "x", "label_ckb": "x", "label_en": "x", "is_active": "on", "order": 1,
            "conditions": json.dumps([{"fact": "occupation", "op": "in", "value": "driver teacher"}])}  # fmt: skip
    assert client.post(f"/registry/categories/{rule.pk}/edit/", data).status_code == 200
    assert register_person(people["alice"]).pk  # registration keeps working


def test_malformed_answers_are_refused_not_crashed(people):
    person = register_person(people["alice"])
    client = client_for(people["alice"])
    for body in (
        {"languages": [["ar"]]},
        {"dependants": 1e308 * 10},
        {"occupation": {"a": 1}},
        {"education_level": ["x"]},
    ):
        response = client.put(
            f"/api/v1/persons/{person.pk}/answers",
            data=json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code in (400, 422), body


def test_staff_cannot_record_consent_as_given_online(people, basra_person):
    response = client_for(people["bob"]).post(
        f"/api/v1/persons/{basra_person.pk}/consents",
        data=json.dumps({"purpose": "research", "status": "withdrawn", "channel": "online"}),
        content_type="application/json",
    )
    assert response.status_code == 422


def test_an_export_shows_in_each_exported_persons_access_log(people):
    person = register_person(people["alice"], first_name="a\x0bb")  # a control character survives
    client = client_for(people["alice"])
    assert client.get("/registry/persons/export/?format=xlsx").status_code == 200
    assert [e.action for e in person_access_log(person)][:1] == [Action.EXPORT]
    assert AuditEntry.objects.filter(action=Action.EXPORT, object_id=str(person.pk)).count() == 1


def test_a_country_name_is_not_cut_into_another_country(people, tmp_path):
    from jisr.registry.imports import check
    from jisr.registry.models import PersonImport

    upload = PersonImport.objects.create(
        created_by=people["alice"], filename="x.csv",
        headers=["name", "sex", "situation", "country", "consent"],
        rows=[["أحمد", "M", "abroad", "Iraq", "yes"]],
    )  # fmt: skip
    mapping = {"first_name": "name", "sex": "sex", "person_type": "situation", "country": "country",
               "consent_registration": "consent"}  # fmt: skip
    ready, errors = check(upload, mapping, paper_consent=False)
    assert ready == []
    assert [e.column for e in errors] == ["country"]
    assert Purpose.REGISTRATION
