"""Matching's journey in Arabic: an employer posts an opportunity, finds the occupation by typing
its Arabic name, sees ranked candidates with the reasons, and a candidate who withdraws consent
to matching disappears from the list at once."""

from __future__ import annotations

import pytest

from jisr.conftest import register_person
from jisr.matching.references import candidate_reference
from jisr.matching.tests.factories import _fresh_index, build_profile, taxonomy  # noqa: F401
from jisr.tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_employer_posts_in_arabic_and_a_withdrawn_candidate_disappears(
    browser,
    live_server,
    people,
    orgs,
    taxonomy,  # noqa: F811
):
    orgs["company"].verified = True
    orgs["company"].save()
    alice = people["alice"]
    strong = register_person(alice, first_name="حيدر")
    strong.account = people["person"]
    strong.save()
    build_profile(
        alice,
        strong,
        occupation=taxonomy["civil"],
        skills={taxonomy["cad"]: 4, taxonomy["site"]: 3},
        languages={"ar": 4, "en": 3},
    )
    weaker = register_person(alice, first_name="سلام")
    build_profile(alice, weaker, occupation=taxonomy["structural"], skills={taxonomy["cad"]: 2})
    company = orgs["company"].pk
    strong_ref, weaker_ref = (candidate_reference(p.pk, company) for p in (strong, weaker))

    office = browser.new_context(locale="ar-IQ")
    employer = sign_in(office, live_server, "employer@example.org")
    employer.goto(f"{live_server.url}/matching/opportunities/new/")
    assert employer.get_attribute("html", "dir") == "rtl"
    employer.select_option("#id_kind", "job")
    employer.fill("#id_title", "مهندس مدني لمشروع مدرسة في البصرة")
    employer.fill("input[name=occupation_q]", "مهندس مدني")
    employer.wait_for_selector(f"#occupation-choices input[value='{taxonomy['civil'].pk}']")
    employer.check(f"#occupation-choices input[value='{taxonomy['civil'].pk}']")
    employer.click("#opportunity-form button[name=status][value=open]")
    employer.wait_for_selector("#opportunity-skills")
    assert "فحص الخرسانة" in employer.inner_text("#opportunity-skills")  # ESCO's, filled in
    employer.click("a[href$='/candidates/']")
    employer.wait_for_selector("#candidates")
    cards = employer.query_selector_all("#candidates li[data-profile]")
    assert [card.get_attribute("data-profile") for card in cards] == [strong_ref, weaker_ref]
    reasons = cards[0].inner_text()
    assert "فحص الخرسانة" in reasons  # the missing skill, named
    assert "حيدر" not in employer.inner_text("main")  # no names before the person applies

    home = browser.new_context(locale="ar-IQ", viewport={"width": 390, "height": 844})
    person = sign_in(home, live_server, "person@example.org")
    person.goto(f"{live_server.url}/registry/my-record/")
    person.click("#my-consents tr[data-purpose=employer_matching] button")
    person.wait_for_selector("#my-consents tr[data-purpose=employer_matching] button[value=given]")

    employer.reload()
    employer.wait_for_selector("#candidates")
    shown = [
        card.get_attribute("data-profile")
        for card in employer.query_selector_all("#candidates li[data-profile]")
    ]
    assert shown == [weaker_ref]
    office.close()
    home.close()
