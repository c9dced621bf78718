"""The registry's scenes beyond the shared personas (`jisr/conftest.py`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from jisr.cases.models import Referral
from jisr.cases.services import case_open, need_add, plan_create, referral_send
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for
from jisr.registry.models import Person, RecordStatus


def refer_to_charlie(people: dict[str, Any], person: Person) -> Referral:
    """bob opens the person's case, with a need referred to charlie's NGO and a plan."""
    case = case_open(by=people["bob"], person=person)
    category = ServiceCategory.objects.get(code="legal-aid")
    need = need_add(by=people["bob"], case=case, category=category)
    service = Service.objects.create(
        organisation=people["charlie"].organisation, name_ar="عون", published=True
    )
    service.categories.set([category])
    referral = referral_send(by=people["bob"], need=need, service=service)
    plan_create(by=people["bob"], case=case, return_date=timezone.localdate())
    return referral


@pytest.fixture
def closed(people: dict[str, Any], basra_person: Person) -> Person:
    """The Basra person, with their own account, a case and a referral to charlie's NGO, then
    closed by withdrawing their consent to be registered, through bob's page."""
    basra_person.account = people["person"]
    basra_person.save()
    refer_to_charlie(people, basra_person)
    response = client_for(people["bob"]).post(
        f"/registry/persons/{basra_person.pk}/consent/",
        {"purpose": "registration", "status": "withdrawn", "channel": "phone"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/registry/persons/"  # not to the record: it is closed
    basra_person.refresh_from_db()
    assert basra_person.status == RecordStatus.CLOSED
    return basra_person
