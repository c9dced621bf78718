from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jisr.places.models import District, Governorate


@pytest.mark.django_db
def test_the_eighteen_governorates_with_iso_codes_and_three_names():
    governorates = Governorate.objects.all()
    assert governorates.count() == 18
    assert {g.code for g in governorates} >= {"IQ-BG", "IQ-BA", "IQ-NI", "IQ-AR", "IQ-SU", "IQ-DA"}
    assert all(
        g.code.startswith("IQ-") and g.name_ar and g.name_ckb and g.name_en for g in governorates
    )
    erbil = Governorate.objects.get(code="IQ-AR")
    with translation.override("ckb"):
        assert erbil.name == "هەولێر"
    with translation.override("ar"):
        assert erbil.name == "أربيل"


@pytest.mark.django_db
def test_every_governorate_has_districts():
    assert District.objects.count() > 100
    assert not Governorate.objects.filter(districts__isnull=True).exists()
    mosul = District.objects.get(name_en="Mosul")
    assert mosul.governorate.code == "IQ-NI"
    assert mosul.name_ar == "الموصل"


@pytest.mark.django_db
def test_places_api_is_public_and_answers_in_the_callers_language():
    response = Client(headers={"accept-language": "ckb"}).get("/api/v1/places/governorates")
    assert response.status_code == 200
    basra = next(g for g in response.json() if g["code"] == "IQ-BA")
    assert basra["name"] == "بەسرە"
    districts = Client().get("/api/v1/places/districts?governorate=IQ-DA").json()
    assert {d["governorate"] for d in districts} == {"IQ-DA"}
    assert "Zakho" in {d["name_en"] for d in districts}


@pytest.mark.django_db
def test_the_places_lists_cost_the_same_queries_for_a_few_places_or_all():
    """The districts carry their governorate's code: loaded with the list, not row by row."""
    client = Client()

    def queries(url: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), len(response.json())

    few, in_one_governorate = queries("/api/v1/places/districts?governorate=IQ-DA")
    many, every_district = queries("/api/v1/places/districts")
    assert in_one_governorate < every_district
    assert many == few - 1  # the one query fewer: no governorate to look up by its code
    governorates, eighteen = queries("/api/v1/places/governorates")
    assert (governorates, eighteen) == (many, 18)  # a list of 108 costs what one of 18 does
