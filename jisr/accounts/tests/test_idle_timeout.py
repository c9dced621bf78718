"""A session ends 29 to 30 minutes after its last request, without a write on every request
(decision 0046): its expiry is pushed back when its last save is a minute old."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisr.conftest import client_for

pytestmark = pytest.mark.django_db


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _saves(client, url: str = "/accounts/me/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries)


def test_a_request_within_a_minute_does_not_write_the_session(people):
    client = client_for(people["alice"])
    client.get("/accounts/me/")  # the first request marks the session refreshed
    assert _saves(client) == 0


def test_a_request_after_a_minute_pushes_the_idle_time_out_back(people, monkeypatch):
    client = client_for(people["alice"])
    client.get("/accounts/me/")
    before = _expiry(client)
    now = time.time()
    monkeypatch.setattr(
        "jisr.accounts.sessions.time.time", lambda: now + settings.SESSION_REFRESH_SECONDS
    )
    assert _saves(client) == 1
    assert _expiry(client) > before
    assert _expiry(client) > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)


def test_an_idle_session_still_ends(people, monkeypatch):
    client = client_for(people["alice"])
    client.get("/accounts/me/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    answer = client.get("/accounts/me/")
    assert answer.status_code == 302
    assert "/accounts/sign-in/" in answer["Location"]


def test_a_visitor_without_a_session_gets_none(db):
    from django.test import Client

    answer = Client().get("/services/")
    assert answer.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in answer.cookies
    assert not Session.objects.exists()
