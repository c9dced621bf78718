"""What an HSDS import may create and touch (decision 0015): it never changes an organisation Jisr
manages (kind, parent, governorate, verification, names), creates the organisations it does not
know as unverified providers without reach, takes over no service or location of Jisr, checks
every service as a provider's proposal is checked, and sends it for review unless the catalogue
administrator running it publishes it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.catalogue.hsds.taxonomies import attribute
from jisr.catalogue.models import ChangeStatus, Location, Service, ServiceChange
from jisr.conftest import client_for, make_user, register_person
from jisr.places.models import Governorate

FOREIGN = "0b6f5b1e-3c1d-4c55-9a8e-1d2f3a4b5c6d"
FOREIGN_SERVICE = "1c7a6b2f-4d2e-4d66-8b9f-2e3a4b5c6d7e"
PLANTED = "2d8b7c3a-5e3f-4e77-9ca0-3f4b5c6d7e8f"


def _write(folder: Path, name: str, document: dict[str, Any]) -> None:
    """A document as HSDS 3.0 has it: an organisation has a description."""
    if "status" not in document:
        document = {"description": "An organisation", **document}
    (folder / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _import(folder: Path, *args: str, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(folder), *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _refused(folder: Path) -> str:
    """An import refused as a whole: what it said on stderr."""
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(folder), stdout=StringIO(), stderr=err)
    return err.getvalue()


def _kind(code: str) -> dict[str, Any]:
    return attribute(FOREIGN, "organization", "jisr-organisation-kind", code)


def _foreign_service(**extra: Any) -> dict[str, Any]:
    return {
        "id": FOREIGN_SERVICE,
        "organization_id": FOREIGN,
        "name": "Legal aid",
        "description": "Lawyers for returnees.",
        "status": "active",
        "url": "https://aid.example.org/legal",
        "attributes": [
            attribute(FOREIGN_SERVICE, "service", "jisr-reintegration-services", "legal-aid")
        ],
        **extra,
    }


def test_an_import_cannot_move_an_organisation_and_so_widen_anyones_reach(people, orgs, tmp_path):
    """The attack: the Ministry made a branch of an NGO, whose caseworker then read every person."""
    person = register_person(people["alice"], first_name="زينب")
    caseworker = make_user("ngo@example.org", orgs["ngo"], {Role.CASEWORKER: Scope.ORGANISATION})
    momd, ngo = orgs["momd"], orgs["ngo"]
    _write(tmp_path, "ministry.json", {
        "id": str(momd.uuid), "name": "Renamed", "website": "https://evil.example",
        "parent_organization_id": str(ngo.uuid), "attributes": [_kind("ngo")],
    })  # fmt: skip
    _write(tmp_path, "ngo.json", {
        "id": str(ngo.uuid), "name": "NGO", "attributes": [_kind("platform")],
        "parent_organization_id": str(orgs["platform"].uuid),
    })  # fmt: skip
    _import(tmp_path)
    for before in (momd, ngo):
        after = Organisation.objects.get(pk=before.pk)
        assert (after.kind, after.parent_id, after.governorate_id, after.verified) == (
            before.kind, before.parent_id, before.governorate_id, before.verified,
        )  # fmt: skip
        assert (after.name_ar, after.name_en, after.website) == (
            before.name_ar, before.name_en, before.website,
        )  # fmt: skip
    assert client_for(caseworker).get(f"/registry/persons/{person.pk}/").status_code == 404


def test_an_unknown_organisation_is_created_as_an_unverified_provider_without_reach(orgs, tmp_path):
    _write(tmp_path, "foreign.json", {
        "id": FOREIGN, "name": "Iraqi Legal Aid", "email": "info@aid.example.org",
        "website": "https://aid.example.org", "parent_organization_id": str(orgs["momd"].uuid),
        "attributes": [_kind("ministry")],
    })  # fmt: skip
    out, _ = _import(tmp_path)
    created = Organisation.objects.get(uuid=FOREIGN)
    assert (created.kind, created.parent, created.governorate, created.verified) == (
        OrganisationKind.NGO, None, None, False,
    )  # fmt: skip
    assert not created.is_government
    assert (created.name_en, created.website) == ("Iraqi Legal Aid", "https://aid.example.org")
    assert "1 new organisations" in out
    # A kind with no government reach is kept.
    _write(
        tmp_path, "foreign.json", {"id": FOREIGN, "name": "X", "attributes": [_kind("un_agency")]}
    )
    other = "5bbeaf6d-8162-4aa0-8fd3-627e8f9a0b12"
    _write(
        tmp_path, "agency.json", {"id": other, "name": "Agency", "attributes": [_kind("un_agency")]}
    )
    _import(tmp_path)
    assert Organisation.objects.get(uuid=other).kind == OrganisationKind.UN_AGENCY
    assert Organisation.objects.get(uuid=FOREIGN).kind == OrganisationKind.NGO  # never changed


def test_an_import_refreshes_only_the_organisations_it_created_and_nobody_speaks_for(
    orgs, tmp_path
):
    _write(tmp_path, "foreign.json", {"id": FOREIGN, "name": "Old name"})
    _import(tmp_path)
    _write(tmp_path, "foreign.json", {
        "id": FOREIGN, "name": "New name", "website": "https://new.example.org",
        "parent_organization_id": str(orgs["momd"].uuid),
    })  # fmt: skip
    _import(tmp_path)
    refreshed = Organisation.objects.get(uuid=FOREIGN)
    assert (refreshed.name_en, refreshed.website, refreshed.parent) == (
        "New name", "https://new.example.org", None,
    )  # fmt: skip
    # Once it has its own accounts in Jisr, Jisr manages it: imports leave it alone.
    make_user("staff@new.example.org", refreshed, {Role.PROVIDER_STAFF: Scope.ORGANISATION})
    _write(tmp_path, "foreign.json", {"id": FOREIGN, "name": "Third name"})
    _, err = _import(tmp_path)
    assert Organisation.objects.get(uuid=FOREIGN).name_en == "New name"
    assert "managed in Jisr" in err


def test_an_import_takes_over_no_service_or_location_that_jisr_manages(people, orgs, tmp_path):
    ngo = orgs["ngo"]
    theirs = Service.objects.create(organisation=ngo, name_en="Counselling", published=True)
    place = Location.objects.create(
        organisation=orgs["momd_baghdad"],
        name_ar="مكتب",
        governorate=Governorate.objects.get(code="IQ-BG"),
    )
    _write(tmp_path, "foreign.json", {
        "id": FOREIGN, "name": "Foreign",
        "locations": [{"id": str(place.uuid), "name": "Stolen", "location_type": "physical", "addresses": [{
            "id": PLANTED, "address_1": "Karrada", "city": "Baghdad", "state_province": "IQ-BG",
            "postal_code": "", "country": "IQ", "address_type": "physical",
        }]}],
    })  # fmt: skip
    _write(tmp_path, "taken.json", _foreign_service(id=str(theirs.uuid), name="Taken over"))
    _write(tmp_path, "planted.json", _foreign_service(
        id=PLANTED, organization_id=str(ngo.uuid), name="Planted under the NGO",
    ))  # fmt: skip
    _, err = _import(tmp_path)
    theirs.refresh_from_db()
    assert (theirs.organisation, theirs.name_en, theirs.published) == (ngo, "Counselling", True)
    assert not theirs.changes.exists()
    place.refresh_from_db()
    assert (place.organisation, place.name_ar) == (orgs["momd_baghdad"], "مكتب")
    assert not Service.objects.filter(uuid=PLANTED).exists()
    assert f"service {theirs.uuid}: it belongs to another organisation" in err
    assert f"location {place.uuid}: it belongs to another organisation" in err
    assert f"service {PLANTED}: its organisation is managed in Jisr" in err


def test_imported_services_are_checked_as_a_providers_and_wait_for_review(people, tmp_path):
    _write(tmp_path, "foreign.json", {"id": FOREIGN, "name": "Foreign"})
    _write(tmp_path, "service.json", _foreign_service())
    _write(tmp_path, "bad.json", _foreign_service(
        id="6ccfb07e-9273-4bb1-90a4-738f9a0b1c23", url="javascript:alert(1)",
    ))  # fmt: skip
    err = _refused(tmp_path)  # one bad service: nothing imported, not even the good ones
    assert "bad.json: /: service 6ccfb07e-9273-4bb1-90a4-738f9a0b1c23: url:" in err
    assert not Service.objects.exists()
    assert not Organisation.objects.filter(uuid=FOREIGN).exists()
    (tmp_path / "bad.json").unlink()
    _import(tmp_path)
    service = Service.objects.get(uuid=FOREIGN_SERVICE)
    assert not service.published
    change = service.changes.get()
    assert (change.status, change.proposed_by) == (ChangeStatus.PENDING, None)
    public = client_for(None)
    assert public.get(f"/services/{service.uuid}/").status_code == 404
    assert public.get("/api/hsds/services").json()["total_items"] == 0
    # The catalogue administrator reviews it as any proposal.
    admin = client_for(people["admin"])
    assert admin.get(f"/catalogue/review/{change.pk}/").status_code == 200
    admin.post(f"/catalogue/review/{change.pk}/approve/")
    assert public.get(f"/services/{service.uuid}/").status_code == 200
    # Importing again changes nothing; a change waits for review, the public version stays.
    _import(tmp_path)
    assert service.changes.count() == 1
    _write(tmp_path, "service.json", _foreign_service(name="Legal aid, renamed"))
    _import(tmp_path)
    service.refresh_from_db()
    assert service.name_en == "Legal aid"
    assert service.changes.get(status=ChangeStatus.PENDING).data["name_en"] == "Legal aid, renamed"


def test_an_organisation_whose_website_is_not_http_refuses_the_import(db, tmp_path):
    _write(tmp_path, "foreign.json", {"id": FOREIGN, "name": "F", "website": "javascript:alert(1)"})
    _write(tmp_path, "service.json", _foreign_service())
    err = _refused(tmp_path)
    assert f"foreign.json: /: organisation {FOREIGN}: website:" in err
    assert not Organisation.objects.filter(uuid=FOREIGN).exists()
    assert not Service.objects.exists()


def test_publishing_at_once_takes_a_catalogue_administrator(people, tmp_path):
    _write(tmp_path, "foreign.json", {"id": FOREIGN, "name": "Foreign"})
    _write(tmp_path, "service.json", _foreign_service())
    with pytest.raises(CommandError, match="--by"):
        _import(tmp_path, "--publish")
    with pytest.raises(CommandError, match="permission"):
        _import(tmp_path, "--publish", by="charlie@example.org")
    assert not Service.objects.exists()
    _import(tmp_path, "--publish", by="admin@example.org")
    service = Service.objects.get(uuid=FOREIGN_SERVICE)
    assert service.published
    change = ServiceChange.objects.get(service=service)
    assert (change.status, change.reviewed_by) == (ChangeStatus.APPROVED, people["admin"])
    assert client_for(None).get(f"/services/{service.uuid}/").status_code == 200
