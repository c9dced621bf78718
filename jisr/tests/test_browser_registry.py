"""The registry's journey, in Arabic on a phone-sized screen: a person registers themself, a
caseworker finds them by a spelling variant and sees their categories with reasons, the person
withdraws a consent and the caseworker's view shows it at once."""

from __future__ import annotations

import re

import pytest

from jisr.conftest import PASSWORD
from jisr.places.models import Governorate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_self_registration_to_caseworker_and_back(browser, live_server, people, sms_outbox):
    phone = browser.new_context(locale="ar-IQ", viewport={"width": 390, "height": 844})
    person = phone.new_page()
    person.goto(f"{live_server.url}/registry/register/")
    assert person.get_attribute("html", "dir") == "rtl"
    person.fill("#id_first_name", "فاطمة")
    person.fill("#id_father_name", "حسن")
    person.fill("#id_family_name", "الموسوي")
    person.select_option("#id_sex", "F")
    person.fill("#id_birth_year", "1958")
    person.select_option("#id_person_type", "returnee")
    person.select_option("#id_governorate", str(Governorate.objects.get(code="IQ-BG").pk))
    person.fill("#id_contact", "07709998877")
    person.fill("#id_password1", "a-long-passphrase-1")
    person.fill("#id_password2", "a-long-passphrase-1")
    for radio in person.query_selector_all("input[type=radio][value=given]"):
        radio.check()
    person.click("#self-registration button[value=submit]")
    person.wait_for_selector("#confirm-code")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1][1])
    assert code is not None
    person.fill("#id_code", code.group(1))
    person.click("#confirm-code button[type=submit]")
    person.wait_for_selector("#my-consents")
    assert "فاطمة" in person.inner_text("main")

    office = browser.new_context(locale="ar-IQ")
    caseworker = office.new_page()
    caseworker.goto(f"{live_server.url}/accounts/sign-in/")
    caseworker.fill("input[name=username]", "alice@example.org")
    caseworker.fill("input[name=password]", PASSWORD)
    caseworker.click("#sign-in button[type=submit]")
    caseworker.wait_for_url(f"{live_server.url}/dashboard/")
    caseworker.goto(f"{live_server.url}/registry/persons/")
    caseworker.fill("#id_q", "فاطمه")  # another spelling, found as one types
    caseworker.wait_for_url("**/registry/persons/?search=*")
    assert "فاطمه" not in caseworker.url
    caseworker.wait_for_load_state("networkidle")
    # Followed, not clicked: a click would blur the field and post the search once more.
    caseworker.goto(live_server.url + caseworker.get_attribute("#results a", "href"))
    caseworker.wait_for_selector("#consents")
    assert caseworker.is_visible("[data-category=older_person]")
    assert "العمر" in caseworker.inner_text("#categories")  # the reason, in words
    matching = caseworker.inner_text("#consents tr[data-purpose=employer_matching]")
    assert "ممنوحة" in matching

    person.click("#my-consents tr[data-purpose=employer_matching] button")
    person.wait_for_selector("#my-consents tr[data-purpose=employer_matching] button[value=given]")
    caseworker.reload()
    matching = caseworker.inner_text("#consents tr[data-purpose=employer_matching]")
    assert "مسحوبة" in matching
    phone.close()
    office.close()
