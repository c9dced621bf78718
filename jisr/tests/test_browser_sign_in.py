from __future__ import annotations

import pytest

from jisr.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_caseworker_signs_in_in_arabic_and_switches_to_kurdish_and_english(
    browser, live_server, people, tmp_path
):
    context = browser.new_context(locale="ar-IQ", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"

    page.fill("input[name=username]", "alice@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "باحث الحالة" in page.inner_text("#my-roles")
    page.screenshot(path=str(tmp_path / "dashboard-ar.png"))

    page.click(".navbar-toggler")  # on a phone, the language switch sits in the menu
    page.click("#language-switcher button[value=ckb]")
    page.wait_for_selector("html[lang=ckb]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "کارمەندی کەیس" in page.inner_text("#my-roles")

    page.click(".navbar-toggler")
    page.click("#language-switcher button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Caseworker" in page.inner_text("#my-roles")
    context.close()


def test_organisation_search_updates_in_place(browser, live_server, people):
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.fill("input[name=username]", "alice@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/accounts/organisations/")
    page.evaluate("window.notReloaded = true")
    page.fill("#q", "Basra")
    # Waited for by Playwright's own locator: a string run in the page would break the CSP.
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "فرع البصرة" in page.inner_text("#results")  # Alice's own language is Arabic
    assert page.evaluate("window.notReloaded") is True  # HTMX swapped the rows, no page load
    context.close()
