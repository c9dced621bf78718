"""Reference lists (governorates, districts, categories) are kept per process (decision 0046):
a form page reads them once, a change made in this process shows at once, any other change
within `TTL_SECONDS`."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.catalogue.models import ServiceCategory
from jisr.lib import reference
from jisr.places.models import District, Governorate

pytestmark = pytest.mark.django_db

_REFERENCE_TABLES = ('"places_governorate"', '"places_district"', '"catalogue_servicecategory"')


def _directory() -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        answer = Client().get("/services/")
    assert answer.status_code == 200
    return answer.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_the_directory_reads_its_lists_once_per_process():
    first, queries = _directory()
    assert any(t in q for q in queries for t in _REFERENCE_TABLES)
    again, queries = _directory()
    assert not [q for q in queries if any(t in q for t in _REFERENCE_TABLES)]
    token = re.compile(r'"csrfmiddlewaretoken"[^>]*|"X-CSRFToken": "[^"]*"')
    assert token.sub("", again) == token.sub("", first)  # the same options


def test_a_change_in_this_process_shows_at_once():
    _directory()
    domain = ServiceCategory.objects.filter(parent=None).first()
    assert domain is not None
    ServiceCategory.objects.create(code="new-kind", parent=domain, name_ar="نوع جديد")
    Governorate.objects.filter(code="IQ-BG").get().save()
    page, _queries = _directory()
    assert "نوع جديد" in page


def test_another_process_s_change_shows_within_the_time_to_live(monkeypatch):
    _directory()
    # As another process would: no signal here.
    District.objects.filter(pk=District.objects.order_by("pk")[0].pk).update(name_ar="مكان آخر")
    page, _queries = _directory()
    assert "مكان آخر" not in page  # kept
    now = time.monotonic()
    monkeypatch.setattr("jisr.lib.reference.time.monotonic", lambda: now + reference.TTL_SECONDS)
    page, _queries = _directory()
    assert "مكان آخر" in page


def test_other_models_are_read_from_the_database(people):
    from jisr.accounts.models import User

    with CaptureQueriesContext(connection) as queries:
        reference.rows(User.objects.all())
        reference.rows(User.objects.all())
    assert len(queries) == 2
