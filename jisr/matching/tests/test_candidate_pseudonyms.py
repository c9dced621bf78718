"""An organisation knows a candidate by a reference of its own: the same across its own
opportunities (it recognises whom it saw or invited), different in every other organisation's
lists, and nothing it is shown (page, API, audit) carries the global profile or person id, so a
name learnt once an application arrives re-identifies nobody in another organisation's lists."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for, register_person
from jisr.matching.models import Application, Profile
from jisr.matching.references import candidate_person_id, candidate_reference
from jisr.matching.tests.factories import build_profile, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(people: dict[str, Any], orgs: dict[str, Any], taxonomy: dict[str, Any]) -> Any:
    for name in ("company", "ngo"):
        orgs[name].verified = True
        orgs[name].save()
    person = register_person(people["alice"], first_name="مرشحة", sex="F")
    build_profile(
        people["alice"], person, occupation=taxonomy["civil"], skills={taxonomy["cad"]: 3}
    )
    return person


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def _shown(client: Any, opportunity: Any) -> tuple[list[str], str]:
    page = client.get(f"/matching/opportunities/{opportunity.pk}/candidates/").content.decode()
    return re.findall(r'data-profile="([^"]+)"', page), page


def test_each_organisation_sees_its_own_reference_for_a_candidate(people, taxonomy, candidate):
    employer, charlie = client_for(people["employer"]), client_for(people["charlie"])
    first = post(people["employer"], occupation=taxonomy["civil"])
    second = post(people["employer"], occupation=taxonomy["civil"], title="مهندس موقع")
    elsewhere = post(people["charlie"], occupation=taxonomy["civil"])

    (in_first,), page = _shown(employer, first)
    (in_second,), _page = _shown(employer, second)
    (in_elsewhere,), _page = _shown(charlie, elsewhere)
    assert in_first == in_second  # the employer recognises the candidate across its own lists
    assert in_first != in_elsewhere  # another organisation cannot link it to its own
    profile = Profile.objects.get(person=candidate)
    for ident in (profile.pk, candidate.pk):
        assert f"{ident:06d}" not in in_first
        assert f"/candidates/{ident}/" not in page
    assert "مرشحة" not in page

    listed = _api(employer, "GET", f"/api/v1/opportunities/{first.pk}/candidates").json()
    assert [c["reference"] for c in listed] == [in_first]
    assert set(listed[0]) == {"reference", "score", "reasons", "application_status"}

    # The log names whom the list showed (for the person's access log), not a reference that
    # another organisation could match.
    viewed = AuditEntry.objects.filter(
        action=Action.VIEW_LIST, changes__context=f"matching.candidates:{elsewhere.pk}"
    ).latest("pk")
    assert viewed.person_ids == [candidate.pk]
    assert in_first not in json.dumps(viewed.changes)


def test_an_invitation_names_the_candidate_by_the_organisations_reference(
    people, taxonomy, candidate, sms_outbox
):
    employer, charlie = client_for(people["employer"]), client_for(people["charlie"])
    mine = post(people["employer"], occupation=taxonomy["civil"])
    theirs = post(people["charlie"], occupation=taxonomy["civil"])
    (reference,), _page = _shown(employer, mine)
    (other,), _page = _shown(charlie, theirs)

    # Another organisation's reference names nobody here, in the page and in the API.
    refused = employer.post(
        f"/matching/opportunities/{mine.pk}/candidates/{other}/invite/", {"message": ""}
    )
    assert refused.status_code == 404
    refused = _api(
        employer, "POST", f"/api/v1/opportunities/{mine.pk}/candidates/{other}/invite",
        {"message": ""},
    )  # fmt: skip
    assert refused.status_code == 404
    assert not Application.objects.exists()

    invited = employer.post(
        f"/matching/opportunities/{mine.pk}/candidates/{reference}/invite/", {"message": ""}
    )
    assert invited.status_code == 302
    assert Application.objects.get(opportunity=mine).person == candidate
    made = _api(
        charlie, "POST", f"/api/v1/opportunities/{theirs.pk}/candidates/{other}/invite",
        {"message": "مرحبا"},
    )  # fmt: skip
    assert made.status_code == 201, made.json()

    # Until the person answers, the applications list names them by the same reference.
    page = employer.get(f"/matching/opportunities/{mine.pk}/applications/").content.decode()
    assert reference in page
    assert "مرشحة" not in page
    listed = _api(charlie, "GET", f"/api/v1/opportunities/{theirs.pk}/applications").json()
    assert [a["reference"] for a in listed] == [other]
    assert listed[0]["name"] is None


def test_a_reference_is_a_keyed_permutation_of_the_person(settings):
    settings.SECRET_KEY = "one-key" * 8
    references = {candidate_reference(person_id, 7) for person_id in range(1, 2001)}
    assert len(references) == 2000  # never two candidates under one reference
    one = candidate_reference(11, 7)
    assert re.fullmatch(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", one)
    assert candidate_person_id(one, 7) == 11
    assert candidate_person_id(one.lower().replace("-", ""), 7) == 11  # typed by hand
    assert candidate_person_id(one, 8) != 11
    assert candidate_person_id("C-0000-01", 7) is None
    assert candidate_person_id("not a reference", 7) is None
    settings.SECRET_KEY = "another-key" * 5
    assert candidate_reference(11, 7) != one  # nobody without the key can compute one
