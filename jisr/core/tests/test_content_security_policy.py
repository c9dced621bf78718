"""Every page, as every role, works under a Content-Security-Policy without inline scripts or
styles: no inline <script>, no on*= handler, no style= attribute, no <style> element; and every
response (pages, API, static files, errors) carries the policy and a Permissions-Policy."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from jisr.conftest import client_for
from jisr.registry.models import PersonImport
from jisr.tests.samples import PERSONAS, page_patterns, sample_url, url_samples

# Script types a browser runs; any other (application/json, ...) is a data block, which the
# policy does not govern (django-ninja's API docs page carries its settings in one).
_EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        kind = (values.get("type") or "").strip().lower()
        if tag == "script" and not values.get("src") and kind in _EXECUTABLE:
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        for name, _value in attrs:
            if name == "style":
                self.found.append(f"a style= attribute on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"an {name}= handler on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


class _HtmxFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.update(v for name, v in attrs if name in ("hx-get", "hx-post") and v)


def _htmx_urls(html: str) -> set[str]:
    """The URLs a page's HTMX attributes fetch partials from."""
    finder = _HtmxFinder()
    finder.feed(html)
    return finder.urls


def _problems(url: str, response: Any) -> list[str]:
    problems = []
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    for directive in ("script-src 'self'", "style-src 'self'", "object-src 'none'"):
        if directive not in policy:
            problems.append(f"{url}: no {directive!r} in the Content-Security-Policy")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"{url}: the policy allows inline code")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append(f"{url}: no Permissions-Policy")
    if headers.get("Content-Type", "").startswith("text/html"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        problems.extend(f"{url}: {found}" for found in inline_code(body.decode()))
    return problems


def test_the_finder_sees_each_kind_of_inline_code():
    page = (
        '<p style="color:red">x</p><script>alert(1)</script><style>p{}</style>'
        '<button onclick="go()">b</button><img src=x onerror=go()>'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
        "<p>style= and onclick= in text are words, not attributes</p>"
    )
    assert inline_code(page) == [
        "a style= attribute on <p>",
        "an inline <script>",
        "a <style> element",
        "an onclick= handler on <button>",
        "an onerror= handler on <img>",
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_as_every_role_runs_under_the_policy(persona, people, orgs, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    client = client_for(people[persona] if persona else None)
    samples = url_samples(people, orgs, basra_person)
    problems = []
    swapped_in = set()
    for route, _pattern in page_patterns():
        url = sample_url(route, samples)
        response = client.get(url)
        problems.extend(_problems(url, response))
        if response.headers.get("Content-Type", "").startswith("text/html"):
            swapped_in.update(_htmx_urls(response.content.decode()))
    # The partials the pages swap in with HTMX, asked for as HTMX asks.
    for url in sorted(swapped_in):
        problems.extend(_problems(url, client.get(url, headers={"HX-Request": "true"})))
    assert problems == []


def test_the_walk_asks_for_every_partial_a_page_swaps_in(people):
    page = client_for(people["admin"]).get("/accounts/organisations/").content.decode()
    assert _htmx_urls(page) == {"/accounts/organisations/"}


def test_api_static_files_and_error_pages_carry_the_headers(people, settings):
    settings.DEBUG = False
    client = client_for(people["carol"])
    anonymous = Client()
    responses = {
        "/api/v1/persons": client.get("/api/v1/persons"),
        "/api/v1/docs": anonymous.get("/api/v1/docs"),
        "/api/v1/openapi.json": anonymous.get("/api/v1/openapi.json"),
        "/api/hsds/services": anonymous.get("/api/hsds/services"),
        "/no-such-page/": anonymous.get("/no-such-page/"),
        "a static file": anonymous.get("/static/jisr/jisr.css"),
    }
    problems = [p for url, response in responses.items() for p in _problems(url, response)]
    assert problems == []
    assert responses["/api/v1/docs"].status_code == 200
    # The API's documentation is served from Jisr itself, not from a CDN the policy refuses.
    assert b"cdn.jsdelivr.net" not in responses["/api/v1/docs"].content


def test_htmx_is_told_not_to_inject_its_own_styles_nor_evaluate_code(people):
    page = client_for(people["alice"]).get("/registry/persons/").content.decode()
    assert '<meta name="htmx-config"' in page
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page


@pytest.mark.parametrize("status", ["running", "failed", "imported"])
def test_an_import_started_shows_its_progress_under_the_policy(people, status):
    # The walk's import is never started, so its progress page is only reached here.
    started = PersonImport.objects.create(
        created_by=people["alice"], filename="x.csv", status=status, total=10, done=5
    )
    client = client_for(people["alice"])
    url = f"/registry/import/{started.pk}/progress/"
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert _problems(url, response) == []
