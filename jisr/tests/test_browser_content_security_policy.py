"""Key pages work in Chromium under the Content-Security-Policy and no violation is reported:
sign-in, the public directory of services, the persons list searched with HTMX, a person's
record, two-factor set-up with its QR code, and the API's documentation."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.accounts.services import two_factor_code_issue
from jisr.conftest import register_person
from jisr.tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Runs before any page script, outside the page's policy; it only listens.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _watch(context: Any) -> list[str]:
    """What the browser says about any policy on the pages of `context`."""
    said: list[str] = []
    context.add_init_script(LISTEN)

    def note(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            said.append(text)

    context.on("console", note)
    return said


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__violations || []"))


def test_key_pages_run_under_the_policy(browser, live_server, people):
    from playwright.sync_api import expect

    person = register_person(people["alice"], first_name="زينب", family_name="الحسيني")
    register_person(people["alice"], first_name="كريم", family_name="العبيدي")
    context = browser.new_context(locale="ar-IQ")
    said = _watch(context)

    public = context.new_page()
    response = public.goto(f"{live_server.url}/services/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    public.wait_for_load_state("load")
    assert _violations(public) == []
    public.goto(f"{live_server.url}/api/v1/docs")
    public.wait_for_selector("#swagger-ui .info")  # Swagger UI ran, from Jisr's own files
    assert _violations(public) == []

    page = sign_in(context, live_server, "alice@example.org")  # the sign-in page itself
    assert _violations(page) == []
    page.goto(f"{live_server.url}/registry/persons/")
    page.wait_for_load_state("load")
    page.evaluate("document.body.dataset.loaded = 'once'")  # gone if the page reloads
    page.fill("#id_q", "زينب")
    expect(page.locator("#results tbody a")).to_have_count(1)
    assert page.evaluate("document.body.dataset.loaded") == "once"  # swapped in by HTMX
    assert "زينب" in page.inner_text("#results")
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    assert _violations(page) == []

    # Followed rather than clicked: leaving the search box fires HTMX's "change" search, whose
    # swap can race the click.
    page.goto(live_server.url + page.get_attribute("#results tbody a", "href"))
    page.wait_for_selector("#consents")
    assert f"/registry/persons/{person.pk}/" in page.url
    assert _violations(page) == []

    # Set-up needs a proof besides the password: here an administrator's one-time code.
    code = two_factor_code_issue(by=people["admin"], user=people["alice"])
    page.goto(f"{live_server.url}/accounts/two-factor/setup/")
    page.fill("input[name=code]", code)
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    qr = page.wait_for_selector(".qr svg")
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] == 200  # sized by jisr.css, not an inline style
    assert _violations(page) == []

    assert said == []
    context.close()
