"""The world the tests of cases share: a training centre with a service that fits, services
that do not (only for women, only in Basra), a person of Baghdad with an open case and one
need."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Role, Scope
from jisr.cases import services
from jisr.catalogue.models import Location, Service, ServiceCategory
from jisr.conftest import make_user, register_person
from jisr.places.models import Governorate


@pytest.fixture
def world(people: dict[str, User], orgs: dict[str, Organisation]) -> dict[str, Any]:
    baghdad = Governorate.objects.get(code="IQ-BG")
    centre = Organisation.objects.create(
        kind=OrganisationKind.TRAINING_CENTRE, name_ar="مركز تدريب", governorate=baghdad
    )
    trainer = make_user("trainer@example.org", centre, {Role.PROVIDER_STAFF: Scope.ORGANISATION})
    training = Service.objects.create(
        organisation=centre, name_ar="تدريب مهني", published=True, wait_days=10, languages=["ar"]
    )
    training.categories.set(ServiceCategory.objects.filter(code="economic-vocational-training"))
    training.areas.set([baghdad])
    Location.objects.create(organisation=centre, name_ar="المركز", governorate=baghdad)
    training.at_locations.create(location=Location.objects.get(organisation=centre))
    far = Service.objects.create(
        organisation=orgs["ngo"], name_ar="تدريب بعيد", published=True, wait_days=90, remote=True
    )
    far.categories.set(ServiceCategory.objects.filter(code="economic-vocational-training"))
    for_women = Service.objects.create(
        organisation=orgs["ngo"], name_ar="للنساء فقط", published=True, sex="F"
    )
    for_women.categories.set(ServiceCategory.objects.filter(code="economic-vocational-training"))
    elsewhere = Service.objects.create(
        organisation=orgs["ngo"], name_ar="في البصرة فقط", published=True
    )
    elsewhere.categories.set(ServiceCategory.objects.filter(code="economic-vocational-training"))
    elsewhere.areas.set([Governorate.objects.get(code="IQ-BA")])
    person = register_person(people["alice"], first_name="كرار")
    case = services.case_open(by=people["alice"], person=person)
    need = services.need_add(
        by=people["alice"],
        case=case,
        category=ServiceCategory.objects.get(code="economic-vocational-training"),
    )
    return {
        "trainer": trainer,
        "training": training,
        "far": far,
        "person": person,
        "case": case,
        "need": need,
    }
