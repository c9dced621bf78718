"""An HSDS import writes its services together (`service_import_many`, issue 14: an import took
some forty statements a service, 13 to 40 services a second). Together or one by one, the same
services, categories, areas, places with the directory's ids, proposals, refusals and audit
entries; and an import's statements do not grow by one a service, new or unchanged."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Role, Scope
from jisr.audit.models import AuditEntry
from jisr.catalogue import services
from jisr.catalogue.hsds.importing import catalogue_read, catalogue_write
from jisr.catalogue.models import (
    Location,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceChange,
)
from jisr.catalogue.tests import hsds_documents as hsds
from jisr.conftest import make_user
from jisr.lib.errors import JisrError
from jisr.places.models import Governorate

pytestmark = pytest.mark.django_db


def _id(number: int) -> str:
    return str(uuid.UUID(int=number))


@pytest.fixture
def reviewer() -> User:
    platform = Organisation.objects.create(kind=OrganisationKind.PLATFORM, name_ar="منصة جسر")
    return make_user("catalogue@example.org", platform, {Role.ADMINISTRATOR: Scope.ALL})


def _data(name: str, **extra: Any) -> dict[str, Any]:
    return {"name_en": name, "categories": [], "areas": [], "locations": [], **extra}


def _world(reviewer: User) -> dict[str, Any]:
    """An organisation an import manages with two places, one Jisr manages with a service, and
    an imported service that an import will find unchanged and one it will change."""
    ours, _ = services.organisation_import(
        by=reviewer, uuid=_id(1), kind="", fields={"name_ar": "مساعدة قانونية"}
    )
    baghdad = Governorate.objects.get(code="IQ-BG")
    places = [
        services.location_import(
            by=reviewer,
            organisation=ours,
            uuid=_id(10 + n),
            fields={"governorate": baghdad, "name_ar": f"مكتب {n}"},
        )[0]
        for n in range(2)
    ]
    jisrs = Organisation.objects.create(kind=OrganisationKind.NGO, name_ar="منظمة في جسر")
    Service.objects.create(organisation=jisrs, uuid=_id(20), name_en="Jisr's own")
    code = ServiceCategory.objects.values_list("code", flat=True).first()
    for number, name in ((30, "Same again"), (31, "Changes")):
        services.service_import(
            by=reviewer,
            organisation=ours,
            uuid=_id(number),
            data=_data(name, categories=[code], locations=[str(places[0].uuid)]),
        )
    taken = ServiceAtLocation.objects.get(service__uuid=_id(30)).uuid
    return {"ours": ours, "jisrs": jisrs, "places": places, "code": code, "taken": str(taken)}


def _items(world: dict[str, Any]) -> list[services.ServiceImport]:
    ours, jisrs, places, code = world["ours"], world["jisrs"], world["places"], world["code"]
    place = [str(p.uuid) for p in places]
    item = services.ServiceImport
    return [
        item(
            ours,
            _id(40),
            _data("New", categories=[code], areas=["IQ-BG", "IQ-NI"], locations=place),
            {place[0]: _id(50), place[1]: world["taken"]},  # the second id Jisr holds already
        ),
        item(ours, _id(41), _data("New, no category", minimum_age=18), {}),
        item(ours, _id(30), _data("Same again", categories=[code], locations=[place[0]]), {}),
        item(ours, _id(31), _data("Changed", categories=[code], locations=place), {}),
        item(jisrs, _id(42), _data("Under Jisr's organisation"), {}),
        item(ours, _id(20), _data("Jisr's service"), {}),
        item(ours, _id(43), _data("Ages", minimum_age=30, maximum_age=20), {}),
        item(ours, _id(44), _data("Nowhere", areas=["IQ-XX"], locations=[_id(99)]), {}),
    ]


def _state() -> dict[str, Any]:
    """What the catalogue holds, by the records' own ids (database ids differ between runs)."""
    uuids = dict(Service.objects.values_list("pk", "uuid"))
    return {
        "services": sorted(
            (str(s.uuid), s.name_en, s.published, s.minimum_age, s.organisation_id)
            for s in Service.objects.all()
        ),
        "categories": sorted(
            (str(uuids[service_id]), code)
            for service_id, code in Service.categories.through.objects.values_list(
                "service_id", "servicecategory__code"
            )
        ),
        "areas": sorted(
            (str(uuids[service_id]), code)
            for service_id, code in Service.areas.through.objects.values_list(
                "service_id", "governorate__code"
            )
        ),
        "places": sorted(
            (str(uuids[s]), str(place), str(own) if str(own) in (_id(50),) else "random")
            for s, place, own in ServiceAtLocation.objects.values_list(
                "service_id", "location__uuid", "uuid"
            )
        ),
        "place ids": ServiceAtLocation.objects.values("uuid").distinct().count(),
        "proposals": sorted(
            (str(c.service.uuid), json.dumps(c.data, sort_keys=True), c.status, c.reviewed_by_id)
            for c in ServiceChange.objects.select_related("service")
        ),
        "audit": sorted(
            (
                e.action,
                e.object_type,
                str(uuids.get(int(e.object_id), e.object_id)) if e.object_id else "",
                json.dumps(e.changes, sort_keys=True),
                e.actor_id,
            )
            for e in AuditEntry.objects.all()
        ),
    }


def _outcome(result: bool | JisrError) -> Any:
    return (result.code, result.fields) if isinstance(result, JisrError) else result


@pytest.mark.parametrize("publish", [False, True])
def test_together_or_one_by_one_the_catalogue_ends_the_same(reviewer, publish):
    world = _world(reviewer)
    with transaction.atomic():
        one_by_one: list[Any] = []
        for item in _items(world):
            try:
                _, created = services.service_import(
                    by=reviewer,
                    organisation=item.organisation,
                    uuid=item.uuid,
                    data=item.data,
                    publish=publish,
                    at_location_ids=item.at_location_ids,
                )
                one_by_one.append(created)
            except JisrError as error:
                one_by_one.append(_outcome(error))
        expected = _state()
        transaction.set_rollback(True)
    with transaction.atomic():
        together = services.service_import_many(by=reviewer, items=_items(world), publish=publish)
        found = _state()
        transaction.set_rollback(True)

    assert [_outcome(o) for o in together] == one_by_one
    assert [_outcome(o) if isinstance(o, JisrError) else o for o in together][:4] == [
        True,
        True,
        False,
        False,
    ]
    assert [o.code for o in together if isinstance(o, JisrError)] == [
        "managed",
        "conflict",
        "invalid",
        "invalid",
    ]
    assert found == expected
    assert (_id(40), str(world["places"][0].uuid), _id(50)) in found["places"]


def _import(folder: Path, by: User, first: int, count: int) -> int:
    """The statements of importing `count` services of one organisation at one location."""
    documents = []
    for number in range(first, first + count):
        own = _id(number)
        place = {**hsds.service()["service_at_locations"][0], "id": _id(10**6 + number)}
        documents.append(hsds.service(id=own, name=f"Service {number}", service_at_locations=[
            {**place, "service_id": own}]))  # fmt: skip
    hsds.write(folder, "organisation.json", hsds.organisation())
    hsds.write(folder, "services.json", {"contents": documents})
    with CaptureQueriesContext(connection) as statements:
        catalogue_write(catalogue_read(folder), by=by)
    return len(statements)


def test_an_import_does_not_cost_a_statement_a_service(reviewer, tmp_path):
    ten = _import(tmp_path, reviewer, 1000, 10)
    forty = _import(tmp_path, reviewer, 2000, 40)
    again = _import(tmp_path, reviewer, 2000, 40)  # the same forty, unchanged

    assert Service.objects.count() == 50
    assert Location.objects.count() == 1
    assert ServiceAtLocation.objects.filter(uuid__gte=_id(10**6)).count() == 50
    assert ServiceChange.objects.count() == 50
    # Item by item, thirty more services cost some 1,300 statements more.
    assert forty - ten < 30
    assert again < forty


def test_the_check_of_a_proposal_knows_every_constraint_of_a_service():
    """`services._check` asks the database about a service's constraints only when both ages are
    given (Django's query for it was most of an import's time): right while the ages in order are
    a service's only constraint. A new one must be checked there too."""
    assert [c.name for c in Service._meta.constraints] == ["service_ages_in_order"]
