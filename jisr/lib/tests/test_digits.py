"""Dates and numbers typed in Arabic-Indic or Persian digits are read as ASCII wherever they are
typed: a page's form, a query parameter, the API's JSON. Names and notes are never changed."""

from __future__ import annotations

import json

import pytest

from jisr.conftest import client_for
from jisr.lib.digits import ascii_digits, numeric_ascii, numeric_ascii_json
from jisr.registry.models import Person
from jisr.registry.tests.factories import registration_data


def test_numeric_text_in_eastern_digits_is_read_as_ascii_and_other_text_is_kept():
    assert numeric_ascii("٢٠٢٤-٠٣-١٥") == "2024-03-15"
    assert numeric_ascii("۱۹۹۰") == "1990"
    assert numeric_ascii("\u200f١٥/٠٣/٢٠٢٤") == "15/03/2024"
    assert numeric_ascii("٣٫٥") == "3.5"
    assert numeric_ascii("شارع ١٤ رمضان") == "شارع ١٤ رمضان"  # an address keeps its digits
    assert numeric_ascii("أحمد") == "أحمد"
    assert ascii_digits("شارع ١٤") == "شارع 14"
    assert numeric_ascii_json({"d": ["٢٠٢٤-٠١-٠٢", 5, None], "n": "علي ٣"}) == {
        "d": ["2024-01-02", 5, None],
        "n": "علي ٣",
    }


@pytest.mark.django_db
def test_a_caseworker_types_the_birth_date_and_year_in_arabic_indic_digits(people):
    client = client_for(people["alice"])
    response = client.post(
        "/registry/persons/new/",
        registration_data(birth_date="١٩٩٠-٠٣-٠٤", birth_year="۱۹۹۰", first_name="سارة"),
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(first_name="سارة")
    assert (str(person.birth_date), person.birth_year) == ("1990-03-04", 1990)


@pytest.mark.django_db
def test_the_api_reads_a_birth_date_and_year_in_arabic_indic_digits(people):
    body = {
        "first_name": "فاطمة", "sex": "F", "birth_year": "١٩٩٥", "birth_date": "١٩٩٥-٠٦-٠٧",
        "person_type": "returnee", "governorate": "IQ-BG",
        "consents": {"registration": "given"},
    }  # fmt: skip
    response = client_for(people["alice"]).post(
        "/api/v1/persons", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["birth_date"] == "1995-06-07"
