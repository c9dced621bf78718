"""The catalogue's journey: a provider adds a service in Kurdish and English, an administrator
publishes it, and a person finds it in the public directory, in Arabic, on a phone."""

from __future__ import annotations

import pytest

from jisr.catalogue.models import Service
from jisr.places.models import Governorate
from jisr.tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_provider_adds_administrator_publishes_person_finds(browser, live_server, people):
    office = browser.new_context(locale="en-GB")
    provider = sign_in(office, live_server, "charlie@example.org")
    provider.goto(f"{live_server.url}/catalogue/new/")
    provider.fill("#id_name_ckb", "ڕاوێژی یاسایی بۆ گەڕاوەکان")
    provider.fill("#id_name_en", "Legal counselling for returnees")
    provider.fill("#id_how_to_access_en", "Call us, then come with your documents.")
    provider.check("input[name=categories][value=legal-aid]")
    provider.check("input[name=areas][value=IQ-BA]")
    provider.click("#service-form button[type=submit]")
    provider.wait_for_selector("#my-services")
    service = Service.objects.get()
    assert not service.published

    admin = sign_in(browser.new_context(locale="en-GB"), live_server, "admin@example.org")
    admin.goto(f"{live_server.url}/catalogue/review/")
    admin.click("#review-queue a")
    admin.wait_for_selector("#proposal")
    assert "Legal counselling for returnees" in admin.inner_text("#proposal")
    admin.click("button[name=decision][value=approve]")
    admin.wait_for_selector("#review-queue")

    phone = browser.new_context(locale="ar-IQ", viewport={"width": 390, "height": 844})
    person = phone.new_page()
    person.goto(f"{live_server.url}/services/")
    assert person.get_attribute("html", "dir") == "rtl"
    person.select_option("#id_category", "legal")
    person.select_option("#id_governorate", str(Governorate.objects.get(code="IQ-BA").pk))
    person.click("#directory-search button[type=submit]")
    person.wait_for_selector(f"#services a[data-service='{service.uuid}']")
    person.click(f"#services a[data-service='{service.uuid}']")
    person.wait_for_selector("#how-to-access")
    # No Arabic name was given: the page falls back to another language, in an Arabic layout.
    assert "Legal counselling for returnees" in person.inner_text("main")
    assert person.get_attribute("html", "lang") == "ar"
    office.close()
    phone.close()
