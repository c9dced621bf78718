"""Browser tests: Playwright driving Debian's Chromium against a live server.

Where Playwright (the `dev` extra) or Chromium is not installed they skip with a message, except
when JISR_BROWSER_TESTS=required (as in CI), where either missing is a failure.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("JISR_CHROMIUM", "/usr/bin/chromium"))


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Browser tests need Playwright (pip install -e '.[dev]')."
    if not CHROMIUM.exists():
        return f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium)."
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    if (message := _missing()) is not None:
        if os.environ.get("JISR_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    # Imported here, not at the top: Playwright is optional (the `dev` extra) and the tests skip
    # without it.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(context: Any, live_server: Any, email: str) -> Any:
    """A page of `context` (a browser context) signed in as `email` (the tests' password)."""
    from jisr.conftest import PASSWORD

    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_load_state()
    return page
