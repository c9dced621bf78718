"""A register's upload refuses bad input with a clear error that names its row, column or
header, and writes nothing; dates in Arabic-Indic and Persian digits are read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisr.conftest import client_for
from jisr.linkage.models import Register, RegisterRecord, RegisterUpload

pytestmark = pytest.mark.django_db

HEADERS = "رقم السجل,الاسم الاول,اللقب,الجنس,تاريخ الميلاد,المحافظة\n"


@pytest.fixture
def analyst_and_register(labour_analyst: Any) -> tuple[Any, Register]:
    client = client_for(labour_analyst)
    client.post("/linkage/", {"name": "الباحثون عن عمل", "kind": "unemployed"})
    return client, Register.objects.get(name="الباحثون عن عمل")


def _upload(client: Any, register: Register, text: str) -> Any:
    return client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", text.encode("utf-8"), content_type="text/csv")},
    )


def _mapping(page: Any) -> dict[str, str]:
    form = page.context["form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def test_a_record_id_too_long_is_a_row_error_and_nothing_is_written(analyst_and_register):
    client, register = analyst_and_register
    text = HEADERS + "L-1,حيدر,الساعدي,ذكر,1988,بغداد\n" + "9" * 121 + ",فاطمة,الربيعي,انثى,1990,\n"
    page = client.get(_upload(client, register, text)["Location"])
    refused = client.post(page.request["PATH_INFO"] + "import/", _mapping(page))
    assert refused.status_code == 200
    assert [(e.row, e.column) for e in refused.context["errors"]] == [(3, "رقم السجل")]
    assert not RegisterRecord.objects.exists()


def test_a_nul_character_is_refused_naming_its_row_and_column(analyst_and_register):
    client, register = analyst_and_register
    text = HEADERS + "L-1,حيدر,الساعدي,ذكر,1988,بغداد\nL-2,فاط\x00مة,الربيعي,انثى,1990,\n"
    page = _upload(client, register, text)
    assert page.status_code == 200
    errors = " ".join(page.context["form"].errors["file"])
    assert "Row 3, column B holds a NUL character" in errors
    assert not RegisterUpload.objects.exists()


def test_two_columns_of_the_same_name_are_refused_naming_the_header(analyst_and_register):
    client, register = analyst_and_register
    text = "رقم السجل,الاسم الاول,الاسم الاول\nL-1,حيدر,علي\n"
    page = _upload(client, register, text)
    assert page.status_code == 200
    assert "Two columns are named “الاسم الاول”" in " ".join(page.context["form"].errors["file"])
    assert not RegisterUpload.objects.exists()


def test_birth_dates_in_arabic_indic_and_persian_digits_are_read(analyst_and_register, capture):
    client, register = analyst_and_register
    text = HEADERS + "L-1,حيدر,الساعدي,ذكر,٠٤/٠٣/١٩٨٨,بغداد\nL-2,فاطمة,الربيعي,انثى,۱۹۹۰,\n"
    page = client.get(_upload(client, register, text)["Location"])
    with capture(execute=True):
        done = client.post(page.request["PATH_INFO"] + "import/", _mapping(page))
    assert done.status_code == 302, done.context and done.context["errors"]
    dates = dict(RegisterRecord.objects.values_list("source_id", "birth_date"))
    assert dates == {"L-1": "1988-03-04", "L-2": "1990"}
