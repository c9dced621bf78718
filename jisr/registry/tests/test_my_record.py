from __future__ import annotations

import json

from django.test import Client

from jisr.conftest import PASSWORD, client_for, register_person
from jisr.registry.models import Purpose
from jisr.registry.selectors import has_consent
from jisr.registry.services import case_answers_save


def linked(people, basra_person):
    people["person"].language = "en"
    people["person"].save()
    basra_person.account = people["person"]
    basra_person.save()
    return basra_person


def test_the_person_sees_everything_held_and_every_staff_view(people, basra_person):
    person = linked(people, basra_person)
    case_answers_save(
        by=people["bob"], person=person, answers={"education_level": "bachelor", "disability": True}
    )
    client_for(people["bob"]).get(f"/registry/persons/{person.pk}/")
    client_for(people["carol"]).get(f"/api/v1/persons/{person.pk}")

    client = Client(headers={"accept-language": "en"})
    response = client.post(
        "/accounts/sign-in/", {"username": "person@example.org", "password": PASSWORD}
    )
    assert response["Location"] == "/registry/my-record/"
    page = client.get("/registry/my-record/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "مريم" in html
    assert "Bachelor" in html
    assert "Has a disability" in html
    log = list(page.context["access_log"])
    assert {e.organisation.name_en for e in log} >= {
        "MoMD Basra",
        "Ministry of Migration and Displaced",
    }
    assert all(e.organisation for e in log)
    assert "Carol" not in html
    assert "Bob" not in html

    download = client.get("/registry/my-record/download.json")
    assert download["Content-Disposition"].startswith("attachment")
    data = json.loads(download.content)
    assert data["person"]["first_name"] == "مريم"
    assert data["case_form"]["education_level"]["value"] == "bachelor"
    assert {c["purpose"] for c in data["consents"]} == {p.value for p in Purpose}
    assert len(data["access_log"]) == len(log)


def test_the_person_withdraws_a_consent_and_it_applies_at_once(people, basra_person):
    person = linked(people, basra_person)
    assert has_consent(person, Purpose.EMPLOYER_MATCHING)
    client = client_for(people["person"])
    response = client.post(
        "/registry/my-record/consent/", {"purpose": "employer_matching", "status": "withdrawn"}
    )
    assert response.status_code == 302
    assert not has_consent(person, Purpose.EMPLOYER_MATCHING)
    staff_view = client_for(people["bob"]).get(
        f"/registry/persons/{person.pk}/", headers={"accept-language": "en"}
    )
    row = staff_view.content.decode().split('data-purpose="employer_matching"')[1].split("</tr>")[0]
    assert "Withdrawn" in row
    assert (
        client.post(
            "/registry/my-record/consent/", {"purpose": "nonsense", "status": "given"}
        ).status_code
        == 400
    )


def test_nobody_reaches_another_persons_record_through_these_pages(people, basra_person):
    linked(people, basra_person)
    other = register_person(people["alice"])
    assert client_for(people["alice"]).get("/registry/my-record/").status_code == 404
    assert other.account is None
    assert client_for(None).get("/registry/my-record/").status_code == 302
