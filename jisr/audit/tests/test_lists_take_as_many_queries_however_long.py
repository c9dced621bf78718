"""The audit log, page or API, reads the database the same number of times with a few entries
as with many (no query per entry for its actor, organisation or API key)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisr.accounts.models import ApiKey, User
from jisr.accounts.roles import Scope
from jisr.audit.models import Action, AuditEntry
from jisr.audit.services import audit_record
from jisr.conftest import client_for, queries_to_get

pytestmark = pytest.mark.django_db


def _entries(people: dict[str, User], count: int) -> None:
    """Changes by staff of several organisations, some of them through an API key."""
    carol = people["carol"]
    assert carol.organisation is not None
    key = ApiKey.objects.create(
        organisation=carol.organisation,
        name=f"system {ApiKey.objects.count()}",
        prefix=f"{ApiKey.objects.count():010d}",
        secret_hash=f"hash {ApiKey.objects.count()}",
        permissions=["person.view"],
        scope=Scope.ORGANISATION,
        clearance=20,
        created_by=carol,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    actors = [people["alice"], people["bob"], carol, people["charlie"]]
    for number in range(count):
        actor = actors[number % len(actors)]
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            target=actor,
            changes={"full_name": [f"old {number}", f"new {number}"]},
        )
        if number % 2:  # carol's system, calling with her key: the entry names the key
            system = User.objects.get(pk=carol.pk)
            system.api_key = key
            audit_record(actor=system, action=Action.API_CALL, target=key)


@pytest.mark.parametrize("url", ["/audit/", "/audit/?action=update", "/api/v1/audit/entries"])
def test_the_audit_log(people, url):
    client = client_for(people["admin"])
    _entries(people, 2)
    queries_to_get(client, url)  # the first answer fills the caches
    few = queries_to_get(client, url)
    _entries(people, 12)
    assert queries_to_get(client, url) == few


def test_the_dashboards_latest_entries(people):
    client = client_for(people["admin"])
    _entries(people, 2)
    queries_to_get(client, "/dashboard/")
    few = queries_to_get(client, "/dashboard/")
    _entries(people, 12)
    assert queries_to_get(client, "/dashboard/") == few


def test_the_entries_counted_name_their_keys(people):
    _entries(people, 4)
    assert AuditEntry.objects.filter(api_key__isnull=False).count() == 2
