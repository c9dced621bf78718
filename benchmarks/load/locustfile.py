"""Jisr under load: the people who use it at once, each doing what they came for.

    locust -f benchmarks/load/locustfile.py --host http://127.0.0.1:8000

Run by `benchmarks/load/run.py`, which prepares the database and the server and prints the
figures. Each kind of user signs in with the demo's accounts (`jisr demo`, password in
JISR_LOAD_PASSWORD) and reads the pages it needs before acting, as a browser would: the form's
hidden fields (CSRF token, the record's version) come from the page, never from this file.

- caseworkers search the registry, open cases and record follow-ups;
- persons read their record and plan and answer their follow-up questions;
- employers read their opportunities' candidates;
- providers read their referral inbox and accept what is sent to them;
- the public reads the directory of services and the Open Referral API.
A request that does not answer as it should (an error page, a form sent back with errors) is a
failure; `run.py` requires none.
"""

from __future__ import annotations

import os
import random
import re
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, task

PASSWORD = os.environ.get(
    "JISR_LOAD_PASSWORD", "Jisr-demo-2026"
)  # the demo's, printed by `jisr demo`
DOMAIN = os.environ.get("JISR_LOAD_DOMAIN", "demo.jisr.iq")
SEARCHES = ["محمد", "علي", "حسين", "فاطمة", "الجبوري", "أحمد", "زينب", "كاظم", "0770", "نور"]


class _Forms(HTMLParser):
    """The forms of a page: each one's action, method and the values a browser would send
    without the user touching anything (hidden inputs, the first option of each select)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": given.get("action", ""),
                    "method": given.get("method", "get").lower(),
                    "fields": {},
                    "options": {},
                }
            )
        elif not self.forms:
            return
        elif tag == "input" and given.get("type") == "hidden" and given.get("name"):
            self.forms[-1]["fields"][given["name"]] = given.get("value", "")
        elif tag == "select":
            self._select = given.get("name")
            self.forms[-1]["options"].setdefault(self._select, [])
        elif tag == "option" and self._select:
            self.forms[-1]["options"][self._select].append(given.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, action: str) -> dict[str, Any] | None:
    return next(
        (f for f in forms_of(html) if f["method"] == "post" and f["action"].endswith(action)), None
    )


def links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)))


class _Staff(HttpUser):
    abstract = True
    account = ""

    def on_start(self) -> None:
        page = self.client.get("/accounts/sign-in/", name="sign-in page")
        form = form_posting_to(page.text, "") or {"fields": {}}
        with self.client.post(
            "/accounts/sign-in/",
            data={
                **form["fields"],
                "username": f"{self.account}@{DOMAIN}",
                "password": PASSWORD,
            },
            name="sign in",
            catch_response=True,
        ) as answer:
            if "/accounts/sign-in/" in answer.url:
                answer.failure(f"{self.account} could not sign in")

    def post_form(self, page_url: str, action: str, values: dict[str, str], name: str) -> None:
        """Send the form of `page_url` that posts to `action`, as a browser would."""
        page = self.client.get(page_url, name=name + " (page)")
        form = form_posting_to(page.text, action)
        if form is None:
            return
        with self.client.post(
            form["action"] or page_url,
            data={**form["fields"], **values},
            name=name,
            catch_response=True,
        ) as answer:
            # Forms answer with a redirect on success and the page again, marked, on an error.
            if answer.status_code >= 400 or 'class="errorlist' in answer.text:
                answer.failure(f"{name} was refused")


class Caseworker(_Staff):
    weight = 4
    wait_time = between(1, 3)
    account = "caseworker"

    @task(4)
    def search(self) -> None:
        # Search terms are posted, never put in a URL (decision 0026); the list answers at
        # an opaque `?search=` id.
        self.post_form(
            "/registry/persons/",
            "/registry/persons/",
            {"q": random.choice(SEARCHES)},
            name="person search",
        )

    @task(2)
    def case_list(self) -> None:
        page = self.client.get("/cases/", name="case list")
        cases = links(page.text, r'href="(/cases/\d+/)"')
        if cases:
            self.client.get(random.choice(cases), name="case page")

    @task(1)
    def follow_up(self) -> None:
        page = self.client.get("/cases/", name="case list")
        cases = links(page.text, r'href="/cases/(\d+)/"')
        if cases:
            case = random.choice(cases)
            self.post_form(
                f"/cases/{case}/",
                f"/cases/{case}/follow-ups/",
                {"channel": "phone"},
                name="follow-up recorded",
            )


class Person(_Staff):
    weight = 3
    wait_time = between(2, 5)
    account = "person"

    @task(2)
    def own_record(self) -> None:
        self.client.get("/registry/my-record/", name="own record")

    @task(1)
    def plan(self) -> None:
        self.client.get("/cases/my-plan/", name="own plan")

    @task(1)
    def self_registration_page(self) -> None:
        self.client.get("/registry/register/", name="self-registration page")


class Employer(_Staff):
    weight = 1
    wait_time = between(2, 5)
    account = "employer"

    @task
    def candidates(self) -> None:
        page = self.client.get("/matching/opportunities/", name="opportunities")
        listed = links(page.text, r'href="(/matching/opportunities/\d+/)"')
        if not listed:
            return
        detail = self.client.get(random.choice(listed), name="opportunity")
        # Only the poster's own opportunities link to their candidates.
        candidates = links(detail.text, r'href="(/matching/opportunities/\d+/candidates/)"')
        if candidates:
            self.client.get(candidates[0], name="candidates")


class Provider(_Staff):
    weight = 1
    wait_time = between(2, 5)
    account = "provider"

    @task(3)
    def inbox(self) -> None:
        page = self.client.get("/cases/referrals/", name="referral inbox")
        referrals = links(page.text, r'href="(/cases/referrals/\d+/)"')
        if referrals:
            self.client.get(random.choice(referrals), name="referral")

    @task(1)
    def accept(self) -> None:
        page = self.client.get("/cases/referrals/?status=sent", name="referral inbox")
        referrals = links(page.text, r'href="(/cases/referrals/\d+/)"')
        if not referrals:
            return
        url = random.choice(referrals)
        answer = self.client.get(url, name="referral")
        form = form_posting_to(answer.text, url)
        if form and "accepted" in form["options"].get("status", []):
            self.post_form(url, url, {"status": "accepted"}, name="referral accepted")


class Public(HttpUser):
    weight = 3
    wait_time = between(1, 4)

    @task(3)
    def directory(self) -> None:
        page = self.client.get("/services/", name="directory")
        services = links(page.text, r'href="(/services/[0-9a-f-]{36}/)"')
        if services:
            self.client.get(random.choice(services), name="service page")

    @task(1)
    def open_referral(self) -> None:
        self.client.get(
            "/api/hsds/services",
            params={"page": random.randint(1, 20), "per_page": 25},
            name="HSDS services",
        )
