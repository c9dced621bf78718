"""A closed record (the person closed their account, or withdrew their consent to be registered)
is on legal hold (decision 0019): kept, but out of every list, search, export, case, referral
and match, and no member of staff opens or changes it, in the pages or the API. The person
still reads their own record."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest

from jisr.cases.models import Case, Referral
from jisr.conftest import client_for, person_search_url
from jisr.matching.models import Application, Opportunity, Profile
from jisr.registry.models import RecordStatus

pytestmark = pytest.mark.django_db

# "This record is closed at the person's request", in each reader's language.
CLOSED = ("This record is closed at the person's request", "هذا السجل مغلق بطلب من الشخص")


def _says_closed(text: str) -> bool:
    return any(words in text for words in CLOSED)


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def test_no_member_of_staff_opens_or_changes_a_closed_record(people, closed):
    for name in ("bob", "carol"):  # the registering caseworker, the ministry's supervisor
        client = client_for(people[name])
        for path in ("", "edit/", "consent/", "case-form/", "share/"):
            response = client.get(
                f"/registry/persons/{closed.pk}/{path}", headers={"accept-language": "en"}
            )
            assert response.status_code == 403, (name, path)
            if name == "bob" or not path:  # carol may only read: other pages refuse her anyway
                assert _says_closed(html.unescape(response.content.decode())), (name, path)
        for path in ("profile/", "opportunities/"):
            assert client.get(f"/matching/persons/{closed.pk}/{path}").status_code == 403
        member = client.get(f"/registry/persons/new/?member_of={closed.pk}")
        assert member.status_code == 403
        got = _api(client, "GET", f"/api/v1/persons/{closed.pk}")
        assert got.status_code == 403
        assert got.json()["error"]["code"] == "record_closed"
        assert _says_closed(got.json()["error"]["message"])
    bob = client_for(people["bob"])
    edited = bob.post(f"/registry/persons/{closed.pk}/edit/", {"first_name": "غيره"})
    assert edited.status_code == 403
    patched = _api(bob, "PATCH", f"/api/v1/persons/{closed.pk}", {"first_name": "غيره"})
    assert patched.json()["error"]["code"] == "record_closed"
    consent = _api(
        bob, "POST", f"/api/v1/persons/{closed.pk}/consents",
        {"purpose": "registration", "status": "given", "channel": "phone"},
    )  # fmt: skip
    assert consent.json()["error"]["code"] == "record_closed"
    answers = _api(
        bob, "PUT", f"/api/v1/persons/{closed.pk}/answers", {"employment_status": "employed"}
    )
    assert answers.json()["error"]["code"] == "record_closed"
    closed.refresh_from_db()
    assert closed.first_name == "مريم"
    assert closed.status == RecordStatus.CLOSED


def test_a_closed_record_is_in_no_list_search_or_export(people, closed):
    for name in ("bob", "carol"):
        client = client_for(people[name])
        for typed in ("", "مريم", "07801112233"):
            query = person_search_url(client, typed).partition("?")[2]
            listed = client.get(f"/registry/persons/?{query}").context["page"]
            assert closed.pk not in [p.pk for p in listed], (name, typed)
            export = client.get(f"/registry/persons/export/?{query}").content.decode()
            assert "مريم" not in export, (name, typed)
        api = _api(client, "POST", "/api/v1/persons/search", {"q": "مريم"}).json()
        assert api["items"] == []
    duplicates = client_for(people["bob"]).post(
        "/registry/persons/new/",
        {"first_name": "مريم", "family_name": "الساعدي", "phone": "07801112233"},
    )
    assert closed not in duplicates.context["duplicates"]


def test_a_closed_records_cases_and_referrals_are_out_of_reach(people, closed):
    case = Case.objects.get(person=closed)
    referral = Referral.objects.get(need__case=case)
    bob = client_for(people["bob"])
    assert closed.full_name not in bob.get("/cases/").content.decode()
    assert bob.get(f"/cases/{case.pk}/").status_code == 404
    assert _api(bob, "GET", "/api/v1/cases").json() == []
    charlie = client_for(people["charlie"])  # the organisation the referral went to
    assert closed.full_name not in charlie.get("/cases/referrals/").content.decode()
    assert charlie.get(f"/cases/referrals/{referral.pk}/").status_code == 404
    assert charlie.get(f"/cases/referrals/{referral.pk}/letter.pdf").status_code == 404
    assert _api(charlie, "GET", "/api/v1/referrals/received").json() == []


def test_the_person_still_reads_their_own_closed_record(people, closed):
    client = client_for(people["person"])
    page = client.get("/registry/my-record/")
    assert page.status_code == 200
    assert "مريم" in page.content.decode()
    assert client.get("/registry/my-record/download.json").status_code == 200


def test_the_employer_no_longer_reads_or_answers_a_closed_records_application(people, basra_person):
    """The person applied and shared their phone; once the record closes the poster's lists
    forget them and no decision can be recorded."""
    opportunity = Opportunity.objects.create(
        organisation=people["employer"].organisation,
        posted_by=people["employer"],
        kind="job",
        title="sample",
        status="open",
    )
    Profile.objects.create(
        person=basra_person,
        available_return=True,
        available_assignment=False,
        available_remote=False,
        available_mentoring=False,
        willing_to_relocate=False,
    )
    application = Application.objects.create(
        opportunity=opportunity, person=basra_person, status="applied", share_contact=True
    )
    employer = client_for(people["employer"])
    page = f"/matching/opportunities/{opportunity.pk}/applications/"
    api = f"/api/v1/opportunities/{opportunity.pk}/applications"
    assert "+9647801112233" in employer.get(page).content.decode()  # shared while open
    client_for(people["bob"]).post(
        f"/registry/persons/{basra_person.pk}/consent/",
        {"purpose": "registration", "status": "withdrawn", "channel": "phone"},
    )
    assert "+9647801112233" not in employer.get(page).content.decode()
    listed = employer.get(api)
    assert "+9647801112233" not in listed.content.decode()
    decided = _api(
        employer, "POST", f"/api/v1/applications/{application.pk}/decision",
        {"status": "shortlisted"},
    )  # fmt: skip
    assert decided.status_code == 404
    assert Application.objects.get(pk=application.pk).status == "applied"
