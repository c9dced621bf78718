"""Property tests of `jisr import-hsds` (hypothesis): whatever the files hold (any JSON, HSDS
documents with any value in any field, any bytes), the import either takes them in or refuses
them with Jisr's one error (`JisrError`, the problems by file), and a refused import writes
nothing. A few examples in the default run; `JISR_HYPOTHESIS=long` runs thousands."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from jisr.catalogue.hsds.importing import catalogue_import
from jisr.catalogue.tests import hsds_documents as hsds
from jisr.lib.errors import JisrError

pytestmark = pytest.mark.django_db

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
# The fields the import reads, and some it does not.
FIELDS = [
    "id", "name", "status", "description", "minimum_age", "maximum_age", "organization_id",
    "organization", "url", "email", "website", "wait_time", "fees_description", "phones",
    "schedules", "service_areas", "service_at_locations", "languages", "attributes",
    "required_documents", "cost_options", "locations", "services", "contents", "latitude",
]  # fmt: skip
IDS = st.sampled_from([hsds.ORGANISATION, hsds.SERVICE, hsds.LOCATION, "", "not-a-uuid"])


def _bases() -> list[dict[str, Any]]:
    place = {**hsds.location(), "latitude": 33.3, "longitude": 44.4}
    return [
        hsds.service(),
        hsds.organisation(locations=[hsds.location()]),
        hsds.organisation(services=[hsds.service()]),
        {"contents": [hsds.service(), hsds.service(id=hsds.LOCATION)]},
        {"service_at_location": True, **hsds.service()["service_at_locations"][0]},
        hsds.service(service_at_locations=[{"id": hsds.LOCATION, "location": place}]),
    ]


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """An HSDS document with some fields given any value or taken out, or any JSON at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(JSON)
    document = draw(st.sampled_from(_bases()))
    for name in draw(st.sets(st.sampled_from(FIELDS), max_size=3)):
        document.pop(name, None)
    changed = draw(st.dictionaries(st.sampled_from(FIELDS), JSON | IDS, max_size=3))
    target = document
    if "contents" in document and draw(st.booleans()):
        target = document["contents"][0]
    elif "service_at_locations" in document and draw(st.booleans()):
        target = document["service_at_locations"][0].get("location") or target
    target.update(changed)
    return document


def _import(files: dict[str, bytes]) -> None:
    """Import `files` into the catalogue, which is as before after a refusal; what an example
    writes is rolled back after it."""
    with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
        hsds.write(Path(folder), "organisation.json", hsds.organisation())
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        before = hsds.counts()
        refused: JisrError | None = None
        try:
            catalogue_import(Path(folder))
        except JisrError as error:
            refused = error
        if refused is not None:
            assert refused.code == "invalid"
            assert set(refused.fields) <= {"organisation.json", *files}
            assert all(refused.fields.values())
            assert hsds.counts() == before
        transaction.set_rollback(True)


@given(st.lists(documents(), min_size=1, max_size=3))
def test_any_documents_are_imported_or_refused_whole_never_a_crash(found: list[Any]) -> None:
    _import({f"d{n}.json": json.dumps(d).encode() for n, d in enumerate(found)})


@given(st.binary(max_size=200) | st.text(max_size=100).map(lambda t: t.encode("utf-8", "replace")))
def test_any_bytes_in_a_file_are_refused_or_imported_never_a_crash(content: bytes) -> None:
    _import({"any.json": content})
