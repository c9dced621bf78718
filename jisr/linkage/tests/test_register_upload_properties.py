"""Properties of a register's upload on generated files (hypothesis): it is imported or refused
with Jisr's error, a refused import writes nothing, and a file the check calls ready imports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jisr.lib.errors import JisrError
from jisr.linkage.imports import upload_check, upload_proposed_mapping
from jisr.linkage.models import Register, RegisterRecord, RegisterUpload
from jisr.linkage.services import register_create, upload_create, upload_import

pytestmark = pytest.mark.django_db

HEADERS = ["رقم السجل", "الاسم الاول", "اللقب", "الجنس", "تاريخ الميلاد", "المحافظة", "الهاتف"]
GOOD = [
    ["L-1", "حيدر", "الساعدي", "ذكر", "1988-03-04", "بغداد", "07701234567"],
    ["L-2", "فاطمة", "الربيعي", "انثى", "٠٤/٠٣/١٩٩٠", "IQ-BA", ""],
]
_SOME_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(exclude_categories=["Cs"]),
    ),  # no lone surrogates: no file holds them
    max_size=130,
)
_BAD = st.one_of(
    st.sampled_from(["\x00", "حي\x00در", "١٩٨٨", "۱۹۸۸-۰۳-۰۴", "", "x" * 101, "9" * 121, "L-1"]),
    _SOME_TEXT,
)


@st.composite
def _row(draw: st.DrawFn) -> list[str]:
    """A good row with up to two cells replaced by something bad."""
    row = list(draw(st.sampled_from(GOOD)))
    for _ in range(draw(st.integers(0, 2))):
        row[draw(st.integers(0, len(row) - 1))] = draw(_BAD)
    return row


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _counts() -> tuple[int, int]:
    return RegisterRecord.objects.count(), RegisterUpload.objects.count()


@pytest.fixture
def register(labour_analyst: Any) -> Register:
    return register_create(by=labour_analyst, name="الباحثون عن عمل", kind="unemployed")


@given(
    headers=st.one_of(
        st.just(HEADERS), st.lists(st.one_of(st.sampled_from(HEADERS), _SOME_TEXT), max_size=9)
    ),
    rows=st.lists(_row(), min_size=1, max_size=3),
)
def test_a_register_upload_imports_whole_or_not_at_all(labour_analyst, register, headers, rows):
    content = _csv(headers, rows)
    before = _counts()
    try:
        upload = upload_create(
            by=labour_analyst, register=register, content=content, filename="r.csv"
        )
    except JisrError:
        assert _counts() == before
        return
    mapping = upload_proposed_mapping(upload=upload)
    checked = upload_check(upload=upload, mapping=mapping)
    before = _counts()
    try:
        upload_import(by=labour_analyst, upload=upload, mapping=mapping)
    except JisrError:
        assert checked.errors, "the check said ready, the import refused"
        assert _counts() == before
        return
    assert not checked.errors


@given(content=st.binary(max_size=400), name=st.sampled_from(["r.csv", "r.xlsx"]))
def test_any_bytes_uploaded_as_a_register_are_kept_or_refused(
    labour_analyst, register, content, name
):
    before = _counts()
    try:
        upload_create(by=labour_analyst, register=register, content=content, filename=name)
    except JisrError:
        assert _counts() == before
