"""Profiles, opportunities, candidates and applications through the real URLs, as the personas."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jisr.conftest import client_for, register_person
from jisr.matching.models import Application, Opportunity, Profile
from jisr.matching.references import candidate_reference
from jisr.matching.services import application_express
from jisr.matching.tests.factories import build_profile, post
from jisr.places.models import Governorate
from jisr.registry.models import PersonImport
from jisr.registry.tests.factories import HEADERS, post_mapping, sheet

pytestmark = pytest.mark.django_db


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def test_a_person_fills_their_own_profile_in_the_browser(people, taxonomy, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    client = client_for(people["person"])
    page = client.get(
        "/matching/my-profile/?occupation_q=civil+engineer", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert f'value="{taxonomy["civil"].pk}"' in page.content.decode()  # a suggestion to pick
    response = client.post(
        "/matching/my-profile/facts/",
        {
            "visibility": "employers",
            "available_return": "on",
            "available_assignment": "on",
            "assignment_months": "3",
        },
    )
    assert response.status_code == 302
    client.post(
        "/matching/my-profile/occupations/",
        {"occupation-occupation": taxonomy["civil"].pk, "occupation-years": "7"},
    )
    client.post(
        "/matching/my-profile/skills/", {"skill-skill": taxonomy["cad"].pk, "skill-level": "3"}
    )
    client.post(
        "/matching/my-profile/languages/", {"language-language": "en", "language-level": "3"}
    )
    profile = Profile.objects.get(person=basra_person)
    assert profile.assignment_months == 3
    assert list(profile.skills.values_list("skill__label_en", "level")) == [("use CAD software", 3)]
    assert profile.occupations.get().years == 7
    # A wrong level is refused with a message, and nothing is half-written.
    response = client.post(
        "/matching/my-profile/facts/",
        {"visibility": "employers", "assignment_months": "900", "available_assignment": "on"},
    )
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.assignment_months == 3
    item = profile.skills.get()
    client.post("/matching/my-profile/remove/", {"kind": "skill", "item": item.pk})
    assert not profile.skills.exists()


def test_suggestions_come_as_radio_buttons(people, taxonomy):
    client = client_for(people["alice"])
    response = client.get(
        "/matching/suggest/", {"kind": "skill", "skill_q": "CAD", "field_name": "skill-skill"}
    )
    assert 'name="skill-skill"' in response.content.decode()
    assert f'value="{taxonomy["cad"].pk}"' in response.content.decode()


def test_caseworker_edits_a_profile_in_scope_only(people, taxonomy, basra_person):
    bob, alice = people["bob"], people["alice"]
    url = f"/matching/persons/{basra_person.pk}/profile/facts/"
    assert client_for(bob).post(url, {"visibility": "government"}).status_code == 302
    assert Profile.objects.get(person=basra_person).visibility == "government"
    assert client_for(alice).post(url, {"visibility": "hidden"}).status_code in (403, 404)
    assert Profile.objects.get(person=basra_person).visibility == "government"


def test_employer_posts_sees_candidates_and_records_an_outcome(
    people, taxonomy, verified_company, sms_outbox, django_capture_on_commit_callbacks
):
    alice = people["alice"]
    person = register_person(alice, first_name="مرشح", phone="+9647711112222")
    build_profile(alice, person, occupation=taxonomy["civil"], skills={taxonomy["cad"]: 3})
    employer = client_for(people["employer"])
    response = employer.post(
        "/matching/opportunities/new/",
        {"kind": "job", "title": "مهندس موقع", "occupation": taxonomy["civil"].pk, "capacity": "2", "status": "open"},
    )  # fmt: skip
    opportunity = Opportunity.objects.get(title="مهندس موقع")
    assert response.status_code == 302
    assert opportunity.status == "open"
    assert opportunity.skills.count() == 3
    page = employer.get(
        f"/matching/opportunities/{opportunity.pk}/candidates/", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    reference = candidate_reference(person.pk, opportunity.organisation_id)
    assert reference in text
    assert "Has 1 of 3 essential skills of civil engineer" in text
    assert "مرشح" not in text  # no name before the person applies
    # Invite: the person is told by text message.
    with django_capture_on_commit_callbacks(execute=True):
        employer.post(
            f"/matching/opportunities/{opportunity.pk}/candidates/{reference}/invite/",
            {"message": ""},
        )
    assert sms_outbox
    assert sms_outbox[-1][0] == "+9647711112222"
    application = Application.objects.get(person=person)
    assert application.status == "invited"
    # The person applies through the caseworker and shares contact details.
    application_express(
        by=alice, person=person, opportunity=opportunity, status="applied", share_contact=True
    )
    listing = employer.get(f"/matching/opportunities/{opportunity.pk}/applications/")
    shown = listing.content.decode()
    assert "مرشح" in shown
    assert "+9647711112222" in shown
    employer.post(
        f"/matching/opportunities/{opportunity.pk}/applications/{application.pk}/decide/",
        {"status": "hired"},
    )
    application.refresh_from_db()
    assert application.status == "hired"
    assert application.outcome_at is not None


def test_another_organisation_cannot_touch_an_opportunity(people, taxonomy, verified_company):
    opportunity = post(people["employer"], occupation=taxonomy["civil"])
    charlie = client_for(people["charlie"])
    assert charlie.get(f"/matching/opportunities/{opportunity.pk}/edit/").status_code == 404
    assert charlie.get(f"/matching/opportunities/{opportunity.pk}/candidates/").status_code == 404
    response = charlie.post(
        f"/matching/opportunities/{opportunity.pk}/status/", {"status": "closed"}
    )
    assert response.status_code == 403
    response = _api(charlie, "PATCH", f"/api/v1/opportunities/{opportunity.pk}", {"title": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    opportunity.refresh_from_db()
    assert opportunity.status == "open"
    assert opportunity.title != "x"


def test_the_api_covers_profile_opportunity_matching_and_applications(
    people, taxonomy, verified_company, basra_person
):
    bob = client_for(people["bob"])
    response = _api(
        bob, "PUT", f"/api/v1/persons/{basra_person.pk}/profile",
        {
            "visibility": "employers", "available_return": True,
            "occupations": [{"occupation": "2142.1", "years": 5}],
            "skills": [{"skill": "http://data.europa.eu/esco/skill/s-cad", "level": 4}],
            "languages": [{"language": "ar", "level": 4}, {"language": "en", "level": 2}],
            "qualifications": [{"level": "bachelor", "field": "هندسة مدنية", "year": 2010, "recognition": "recognised"}],
        },
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["occupations"][0]["occupation"]["isco_group"] == "2142"
    assert body["skills"][0]["level"] == 4
    wrong = _api(
        bob,
        "PUT",
        f"/api/v1/persons/{basra_person.pk}/profile",
        {"visibility": "employers", "skills": [{"skill": "nope"}]},
    )
    assert wrong.status_code == 422
    assert "skills.0" in wrong.json()["error"]["fields"]
    assert (
        _api(bob, "GET", f"/api/v1/persons/{basra_person.pk}/profile").json()["skills"][0]["uuid"]
        == "s-cad"
    )
    employer = client_for(people["employer"])
    created = _api(
        employer, "POST", "/api/v1/opportunities",
        {"kind": "expert_assignment", "title": "Bridge inspection", "occupation": "o-civil", "status": "open", "remote": True},
    )  # fmt: skip
    assert created.status_code == 201
    opportunity_id = created.json()["id"]
    assert len(created.json()["skills"]) == 3
    found = _api(employer, "GET", f"/api/v1/opportunities/{opportunity_id}/candidates", None)
    assert [c["reference"] for c in found.json()] == [
        candidate_reference(basra_person.pk, people["employer"].organisation_id)
    ]
    assert found.json()[0]["reasons"]
    matches = _api(bob, "GET", f"/api/v1/persons/{basra_person.pk}/opportunities").json()
    assert matches[0]["opportunity"]["id"] == opportunity_id
    basra_person.account = people["person"]
    basra_person.save()
    person = client_for(people["person"])
    applied = _api(
        person,
        "POST",
        "/api/v1/me/applications",
        {"opportunity_id": opportunity_id, "status": "applied"},
    )
    assert applied.status_code == 200
    listed = _api(employer, "GET", f"/api/v1/opportunities/{opportunity_id}/applications").json()
    assert listed[0]["name"] == basra_person.full_name
    assert listed[0]["phone"] is None
    decided = _api(
        employer,
        "POST",
        f"/api/v1/applications/{listed[0]['id']}/decision",
        {"status": "assignment_done"},
    )
    assert decided.json()["status"] == "assignment_done"


def test_the_skills_map_hides_small_numbers_and_what_would_reveal_them(people, taxonomy, orgs):
    places = {code: Governorate.objects.get(code=code) for code in ("IQ-BG", "IQ-NA", "IQ-BA")}
    for code, count in (("IQ-BG", 12), ("IQ-NA", 11), ("IQ-BA", 3)):
        for number in range(count):
            person = register_person(
                people["alice"], first_name=f"م{number}", governorate=places[code]
            )
            build_profile(people["alice"], person, occupation=taxonomy["civil"])
    post(people["employer"], occupation=taxonomy["civil"], capacity=4, governorate=places["IQ-BA"])
    analyst = client_for(people["analyst"])
    cells = {
        c["place"]: c
        for c in _api(analyst, "GET", "/api/v1/skills-map").json()
        if c["isco_group"] == "2"
    }
    assert cells["IQ-BG"]["available"] == "12"
    assert cells["IQ-NA"]["available"] == "<10"  # hidden too: Basra's 3 would be the total minus it
    assert cells["IQ-BA"]["available"] == "<10"
    assert cells["IQ-BA"]["open_places"] == 4
    page = analyst.get("/matching/map/").content.decode()
    assert "&lt;" in page
    assert "٢٦" in page  # the total, in Arabic-Indic digits
    export = analyst.get("/matching/map/?format=csv").content.decode("utf-8-sig")
    assert "IQ-BA" in export
    assert ",3," not in export
    assert client_for(people["person"]).get("/matching/map/").status_code == 403


def test_an_imported_job_title_becomes_a_coded_occupation(people, taxonomy):
    client = client_for(people["alice"])
    rows = [
        ["1", "أحمد", "علي", "الجبوري", "ذكر", "1980", "", "returnee", "بغداد", "نعم", "نعم", "مهندس مدني بشركة مقاولات"],
        ["2", "زينب", "حسن", "الموسوي", "أنثى", "1992", "", "returnee", "IQ-BA", "نعم", "لا", ""],
    ]  # fmt: skip
    response = client.post("/registry/import/", {"file": sheet(rows, [*HEADERS, "المهنة"])})
    assert response.status_code == 302
    assert PersonImport.objects.latest("pk").mapping["occupation"] == "المهنة"
    assert post_mapping(client, response["Location"], "import").status_code == 302
    ahmed = Profile.objects.get(person__first_name="أحمد")
    occupation = ahmed.occupations.get()
    assert occupation.occupation == taxonomy["civil"]
    assert occupation.title == "مهندس مدني بشركة مقاولات"
    assert ahmed.visibility == "hidden"  # until the person chooses
    assert not Profile.objects.filter(person__first_name="زينب").exists()


def test_a_person_sees_fitting_opportunities_applies_and_withdraws(people, taxonomy, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    build_profile(people["bob"], basra_person, occupation=taxonomy["civil"])
    fitting = post(people["employer"], occupation=taxonomy["civil"], title="Site engineer")
    post(people["employer"], occupation=taxonomy["driver"], title="Taxi driver")
    client = client_for(people["person"])
    page = client.get("/matching/my-opportunities/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Site engineer" in page
    assert "Taxi driver" not in page
    response = client.post(
        f"/matching/opportunities/{fitting.pk}/apply/",
        {"status": "applied", "share_contact": "on", "message": "مرحبا"},
    )
    assert response.status_code == 302
    application = Application.objects.get(person=basra_person)
    assert application.share_contact
    # Someone else's application cannot be withdrawn by this person.
    other = register_person(people["alice"], first_name="آخر")
    foreign = Application.objects.create(opportunity=fitting, person=other, status="applied")
    assert client.post(f"/matching/my-applications/{foreign.pk}/withdraw/").status_code == 404
    client.post(f"/matching/my-applications/{application.pk}/withdraw/")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert not application.share_contact
    employer = client_for(people["employer"])
    listing = employer.get(f"/matching/opportunities/{fitting.pk}/applications/")
    assert "مرحبا" not in listing.content.decode()  # a withdrawn application is not shown
