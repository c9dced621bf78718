"""The occupation type-ahead answers a process's first call from the index kept in the database
(built when the taxonomy was loaded), not by building one, and follows a rebuilt index."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.conftest import client_for
from jisr.matching.tests.factories import small_taxonomy
from jisr.skills import coding
from jisr.skills.models import CodingIndex

pytestmark = pytest.mark.django_db


def _suggested(user: Any, text: str) -> list[str]:
    response = client_for(user).get("/api/v1/skills/occupations/suggest", {"q": text})
    assert response.status_code == 200
    return [found["uuid"] for found in response.json()]


def _no_building(*args: object, **kwargs: object) -> None:
    raise AssertionError("a web request built a coding index")


def test_a_fresh_processs_first_type_ahead_reads_the_kept_index(people, monkeypatch):
    small_taxonomy()
    coding.coding_index_rebuild()  # what load-taxonomy does
    assert set(CodingIndex.objects.values_list("name", flat=True)) == {"occupations", "skills"}
    coding.forget_index()  # a new web worker: nothing in memory
    monkeypatch.setattr(coding.Index, "build", _no_building)

    assert _suggested(people["person"], "civil engineer")[0] == "o-civil"
    assert _suggested(people["person"], "سائق تكسي")[0] == "o-taxi"


def test_a_process_follows_an_index_rebuilt_by_another(people, monkeypatch):
    taxonomy = small_taxonomy()
    coding.coding_index_rebuild()
    assert _suggested(people["person"], "قطاع الحجر")[:1] != ["o-mine"]
    # Another process reloads the taxonomy with a new Iraqi name and rebuilds the index; this
    # one keeps what it holds in memory, and looks again once its minute is up.
    taxonomy["mining"].synonyms_ar = "قطاع الحجر"
    taxonomy["mining"].save()
    held = dict(coding._held)
    coding.coding_index_rebuild()
    coding._held.update(held)
    monkeypatch.setattr(coding, "CHECK_EVERY", 0.0)
    assert _suggested(people["person"], "قطاع الحجر")[:1] == ["o-mine"]
