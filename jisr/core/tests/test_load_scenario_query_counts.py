"""Each request of the load scenario (`benchmarks/load/locustfile.py`) costs at most the queries
it cost when issue 14 measured what every request pays (`benchmarks/load/cost.py`): a query added
to every page (the menu, a context processor, the middleware) or to one of these pages fails
here, on the demo's accounts, through the real URLs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import User
from jisr.core.demo import DEMO_DOMAIN

# (who, method, url, at most this many queries); "{case}" and the like are the first of the
# links their list shows. Counted on PostgreSQL and SQLite, with the transaction's BEGIN and
# COMMIT, and the session's read (decision 0046: it is saved a minute apart, and the reference
# lists are read once per process, by the first request below).
SCENARIO = [
    ("caseworker", "post", "/registry/persons/", 8),
    ("caseworker", "get", "{search}", 13),
    ("caseworker", "get", "/registry/persons/", 13),
    (None, "get", "/services/", 5),
    (None, "get", "{service}", 8),
    ("caseworker", "get", "/cases/", 14),
    ("person", "get", "/registry/my-record/", 14),
    # The first case the list shows is not always the same one (why was not found): on CI's
    # PostgreSQL leg it took 35 statements, 29 here; its sections cost a query each, not one an
    # item (the statements CI listed are all different), so the cap is the larger count. Since
    # decision 0046 (no session save, the reference lists kept): 24 here, 25 on PostgreSQL, the cap 30.
    ("caseworker", "get", "{case}", 30),
    (None, "get", "/api/hsds/services?page=1&per_page=25", 11),
    ("employer", "get", "/matching/opportunities/", 9),
    ("person", "get", "/cases/my-plan/", 18),
    ("person", "get", "/registry/register/", 7),
    ("provider", "get", "/cases/referrals/", 9),
    ("provider", "get", "{referral}", 15),
    (None, "get", "/accounts/sign-in/", 2),
]
LINKS = {
    "{service}": (None, "/services/", r'href="(/services/[0-9a-f-]{36}/)"'),
    "{case}": ("caseworker", "/cases/", r'href="(/cases/\d+/)"'),
    "{referral}": ("provider", "/cases/referrals/", r'href="(/cases/referrals/\d+/)"'),
}


def _client(account: str | None) -> Client:
    client = Client()
    if account:
        client.force_login(User.objects.get(email=f"{account}@{DEMO_DOMAIN}"))
    return client


def _url(url: str, client: Client) -> str:
    if url == "{search}":
        answer = client.post("/registry/persons/", {"q": "محمد"})
        assert answer.status_code == 302
        return str(answer["Location"])
    if url in LINKS:
        account, page, pattern = LINKS[url]
        found = re.findall(pattern, _client(account).get(page).content.decode())
        assert found, f"{page} links to no {url}"
        return str(found[0])
    return url


@pytest.mark.slow  # the demo's database
@pytest.mark.parametrize(("account", "method", "url", "most"), SCENARIO)
def test_each_request_of_the_load_scenario_costs_no_more_queries(demo, account, method, url, most):
    client = _client(account)
    url = _url(url, client)
    send = client.post if method == "post" else client.get
    data = {"q": "محمد"} if method == "post" else None
    send(url, data)  # a session's first request may set it up
    with CaptureQueriesContext(connection) as queries:
        answer = send(url, data)
    assert answer.status_code in (200, 302), url
    assert len(queries) <= most, "\n".join(q["sql"][:150] for q in queries.captured_queries)
