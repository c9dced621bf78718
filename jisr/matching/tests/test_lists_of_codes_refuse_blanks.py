"""A list of codes or identifiers in an API body with a blank or malformed item is a 422 in the
one error shape, naming the item, never a 500 nor an item silently dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jisr.catalogue.models import ServiceChange
from jisr.conftest import client_for
from jisr.matching.models import Profile

pytestmark = pytest.mark.django_db


def _api(client: Any, method: str, url: str, body: Any) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("codes", [[""], ["IQ-BG", ""]])
def test_a_blank_governorate_in_a_profile_is_refused(people, basra_person, codes):
    response = _api(
        client_for(people["bob"]),
        "PUT",
        f"/api/v1/persons/{basra_person.pk}/profile",
        {"visibility": "employers", "preferred_governorates": codes},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any(name.startswith("preferred_governorates") for name in error["fields"])
    assert not Profile.objects.exists()


@pytest.mark.parametrize("locations", [[""], ["not-a-uuid"]])
def test_a_malformed_location_in_a_service_proposal_is_refused(people, locations):
    response = _api(
        client_for(people["charlie"]),
        "POST",
        "/api/v1/catalogue/services",
        {"name_ar": "خدمة", "categories": ["legal-aid"], "locations": locations},
    )
    assert response.status_code == 422
    assert any(name.startswith("locations") for name in response.json()["error"]["fields"])
    assert not ServiceChange.objects.exists()
