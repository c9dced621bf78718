from __future__ import annotations

import json

from django.test import Client

from jisr.conftest import PASSWORD, client_for, register_person
from jisr.registry.models import Purpose
from jisr.registry.selectors import has_consent, person_category_list
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


def test_the_person_corrects_their_details_and_it_shows_in_the_access_log(people, basra_person):
    person = linked(people, basra_person)
    client = client_for(people["person"])
    form = client.get("/registry/my-record/edit/").context["form"]
    data = {
        name: (value.pk if hasattr(value, "pk") else value or "")
        for name, value in form.initial.items()
    }
    data.update({"phone": "0780 000 1111", "mother_name": "خديجة"})
    response = client.post("/registry/my-record/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    person.refresh_from_db()
    assert person.phone == "+9647800001111"
    assert person.mother_name == "خديجة"
    bad = client.post("/registry/my-record/edit/", {**data, "phone": "12"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["phone"]


def test_closing_the_account_withdraws_everything_and_signs_out(people, basra_person):
    person = linked(people, basra_person)
    client = client_for(people["person"])
    assert client.get("/registry/my-record/close/").status_code == 200
    response = client.post("/registry/my-record/close/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == "closed"
    assert not any(has_consent(person, p) for p in Purpose)
    people["person"].refresh_from_db()
    assert not people["person"].is_active
    assert client.get("/registry/my-record/").status_code == 302  # signed out
    staff = client_for(people["bob"]).get("/registry/persons/")
    assert person.pk not in [p.pk for p in staff.context["page"]]


def test_the_record_downloads_as_a_pdf_in_the_persons_language(people, basra_person, tmp_path):
    person = linked(people, basra_person)
    client = client_for(people["person"])
    response = client.get("/registry/my-record/download.pdf", headers={"accept-language": "ckb"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"Naskh" in response.content  # the Arabic-script font is embedded
    assert person.pk


def test_the_person_answers_the_case_form_themself(people, basra_person):
    person = linked(people, basra_person)
    client = client_for(people["person"])
    page = client.get("/registry/my-record/case-form/")
    assert page.status_code == 200
    assert b"section-health" in page.content  # their own health questions, which they may answer
    response = client.post(
        "/registry/my-record/case-form/", {"education_level": "master", "chronic_illness": "yes"}
    )
    assert response.status_code == 302
    assert person.case_form_answers() == {"education_level": "master", "chronic_illness": True}
    own = person_category_list(fetched_by=people["person"], person=person)
    assert "highly_skilled" in {key for key, _label, _reason in own}
