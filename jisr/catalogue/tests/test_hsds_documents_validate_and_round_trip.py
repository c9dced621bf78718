"""HSDS 3.0 exchange: what Jisr exports validates against the official compiled schemas, the
official examples import, and export → import into an empty catalogue → export is the same (but
for the organisations' kind and parent, which an import never sets: decision 0015)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.catalogue.hsds.export import catalogue_export, documents
from jisr.catalogue.hsds.schema import schema, validation_errors
from jisr.catalogue.hsds.tabular import tables as tables_of
from jisr.catalogue.hsds.taxonomies import ORGANISATION_KIND
from jisr.catalogue.models import (
    Location,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceChange,
)
from jisr.conftest import make_user
from jisr.places.models import District, Governorate

pytestmark = pytest.mark.django_db

# Open Referral's examples (CC BY-SA 4.0), copied unchanged from its specification, branch 3.0.
EXAMPLES = Path(__file__).resolve().parent / "data" / "hsds-3.0-examples"


def _catalogue() -> list[Service]:
    baghdad = Governorate.objects.get(code="IQ-BG")
    ministry = Organisation.objects.create(
        kind=OrganisationKind.MINISTRY,
        name_ar="وزارة العمل",
        name_ckb="وەزارەتی کار",
        name_en="Ministry of Labour",
        email="info@molsa.example.iq",
    )
    branch = Organisation.objects.create(
        kind=OrganisationKind.GOVERNMENT_OFFICE,
        name_ar="فرع بغداد",
        parent=ministry,
        phone="+9647701234567",
    )
    ngo = Organisation.objects.create(
        kind=OrganisationKind.NGO,
        name_ar="منظمة",
        name_en="An NGO",
        website="https://ngo.example.org",
    )
    office = Location.objects.create(
        organisation=branch,
        name_ar="مركز التدريب",
        name_en="Training centre",
        governorate=baghdad,
        district=District.objects.filter(governorate=baghdad).first(),
        address="الكرادة",
        latitude="33.300000",
        longitude="44.400000",
    )
    training = Service.objects.create(
        organisation=branch, name_ar="دورات مهنية", name_ckb="خولی پیشەیی", name_en="Vocational courses",
        description_ar="نجارة وحدادة", how_to_access_ar="راجع المركز", how_to_access_en="Visit the centre",
        minimum_age=16, maximum_age=45, sex="M", person_types=["returnee"], eligible_categories=["jobseeker"],
        required_documents=["national_id"], languages=["ar", "ckb"], remote=True, capacity_per_month=40,
        wait_days=30, opening_hours="الأحد إلى الخميس", phone="+9647701234567", free=True, published=True,
    )  # fmt: skip
    training.categories.set(ServiceCategory.objects.filter(code="economic-vocational-training"))
    training.areas.set([baghdad])
    ServiceAtLocation.objects.create(service=training, location=office)
    aid = Service.objects.create(
        organisation=ngo, name_en="Legal aid", description_en="Lawyers for returnees.", free=False,
        fees="5,000 IQD", status="temporarily closed", url="https://ngo.example.org/aid", email="aid@ngo.example.org", published=True,
    )  # fmt: skip
    aid.categories.set(ServiceCategory.objects.filter(code__in=["legal-aid", "legal-hlp"]))
    Service.objects.create(organisation=ngo, name_ar="غير منشورة", published=False)
    return [training, aid]


def _validate(document: dict[str, Any], kind: str) -> None:
    errors = validation_errors(document, kind)
    assert errors == [], f"{kind} {document.get('id')}: {errors[:5]}"


def test_every_exported_document_validates_against_the_official_schemas(tmp_path):
    _catalogue()
    out = tmp_path / "hsds"
    call_command("export_hsds", out=str(out), stdout=StringIO())
    kinds = {
        "services": "service",
        "organizations": "organization",
        "service_at_locations": "service_at_location",
    }
    counted = {}
    for folder, kind in kinds.items():
        files = sorted((out / folder).glob("*.json"))
        counted[folder] = len(files)
        for path in files:
            _validate(json.loads(path.read_text(encoding="utf-8")), kind)
    assert counted == {
        "services": 2,
        "organizations": 3,
        "service_at_locations": 1,
    }  # the parent ministry too
    for kind in ("service", "organization", "service_at_location"):
        listing = json.loads((out / f"{kind}_list.json").read_text(encoding="utf-8"))
        assert listing["total_items"] == len(listing["contents"]) > 0
        for item in listing["contents"]:
            assert validation_errors(item, f"{kind}_list") == [], kind
    tables = tables_of(documents())
    assert [
        e.message
        for e in Draft202012Validator(
            schema("tabular"), format_checker=FormatChecker()
        ).iter_errors(tables)
    ][:3] == []
    assert (out / "tabular" / "services.csv").read_text(encoding="utf-8").count("\n") == 3
    assert json.loads((out / "tabular" / "datapackage.json").read_text())["resources"]


def _without_reach(document: dict[str, Any]) -> dict[str, Any]:
    """An organisation's document (or a service's) without what only Jisr decides: its kind (an
    attribute, and the description that names it) and its parent."""
    kept = {k: v for k, v in document.items() if k not in ("parent_organization_id", "description")}
    if "organization" in kept:
        kept["organization"] = _without_reach(kept["organization"])
        kept["description"] = document.get("description")
    kept["attributes"] = [
        a
        for a in document.get("attributes", [])
        if a["taxonomy_term"]["taxonomy"] != ORGANISATION_KIND
    ]
    return kept


def test_export_import_into_an_empty_catalogue_export_gives_the_same_documents(tmp_path):
    _catalogue()
    first = documents()
    ministry = Organisation.objects.get(name_en="Ministry of Labour")
    call_command("export_hsds", out=str(tmp_path / "one"), stdout=StringIO())
    # An empty catalogue: the services, their places and organisations gone.
    ServiceChange.objects.all().delete()
    ServiceAtLocation.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organisation.objects.filter(parent__isnull=False).delete()
    Organisation.objects.all().delete()
    platform = Organisation.objects.create(kind=OrganisationKind.PLATFORM, name_ar="منصة جسر")
    make_user("admin@example.org", platform, {Role.ADMINISTRATOR: Scope.ALL})
    for _ in range(2):  # the second time adds nothing
        call_command(
            "import_hsds", str(tmp_path / "one"), "--publish", by="admin@example.org",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
        second = documents()
        assert Service.objects.count() == 2
        assert ServiceChange.objects.count() == 2
        assert second["service_at_locations"] == first["service_at_locations"]
        assert {k: _without_reach(v) for k, v in second["services"].items()} == {
            k: _without_reach(v) for k, v in first["services"].items()
        }
        # The ministry has no service of its own, and is no longer the branch's parent.
        assert set(second["organizations"]) == set(first["organizations"]) - {str(ministry.uuid)}
        for key, document in second["organizations"].items():
            assert _without_reach(document) == _without_reach(first["organizations"][key])
    for organisation in Organisation.objects.exclude(pk=platform.pk):
        assert (organisation.kind, organisation.parent, organisation.verified) == (
            OrganisationKind.NGO, None, False,
        )  # fmt: skip
    training = Service.objects.get(name_en="Vocational courses")
    assert (
        training.name_ckb,
        training.sex,
        training.person_types,
        training.capacity_per_month,
    ) == ("خولی پیشەیی", "M", ["returnee"], 40)
    change = training.changes.get()
    assert change.proposed_by is None  # the history says it was imported
    assert change.reviewed_by is not None  # and who published it


def test_the_official_examples_import():
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(EXAMPLES), stdout=out, stderr=err)
    service = Service.objects.get()
    assert service.name_en == "Community Counselling"
    assert not service.published  # it waits for the catalogue administrator's review
    assert service.changes.get().status == "pending"
    assert service.organisation.name_en == "Example Organization Inc."
    assert "no Jisr category" in err.getvalue()
    assert "Imported 1 new services" in out.getvalue()
    call_command(
        "import_hsds",
        str(EXAMPLES),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Service.objects.count() == 1


def test_the_hsds_api_serves_valid_documents_without_sign_in():
    training, aid = _catalogue()
    client = Client()
    listing = client.get("/api/hsds/services", {"per_page": "1"}).json()
    assert (listing["total_items"], listing["total_pages"], listing["size"]) == (2, 2, 1)
    for item in listing["contents"]:
        assert validation_errors(item, "service_list") == []
    full = client.get("/api/hsds/services", {"full": "true", "search": "Legal"}).json()
    assert [s["id"] for s in full["contents"]] == [str(aid.uuid)]
    _validate(full["contents"][0], "service")
    one = client.get(f"/api/hsds/services/{training.uuid}").json()
    _validate(one, "service")
    organisation = client.get(f"/api/hsds/organizations/{training.organisation.uuid}").json()
    _validate(organisation, "organization")
    by_organisation = client.get(
        "/api/hsds/services", {"organization_id": str(aid.organisation.uuid)}
    ).json()
    assert by_organisation["total_items"] == 1
    sal = client.get("/api/hsds/service_at_locations").json()["contents"][0]
    _validate(sal, "service_at_location")
    assert (
        client.get(f"/api/hsds/services/{Service.objects.get(published=False).uuid}").status_code
        == 404
    )
    assert client.get("/api/hsds/services", {"page": "x"}).status_code == 400
    terms = client.get("/api/hsds/taxonomy_terms", {"per_page": "200"}).json()["contents"]
    assert {"legal", "legal-aid"} <= {t["code"] for t in terms}


@pytest.mark.slow  # reads the whole demo catalogue
def test_the_demo_catalogue_exports_valid_hsds(tmp_path, demo):
    counts = catalogue_export(tmp_path)
    assert counts["services"] > 250
    for kind, folder in (("service", "services"), ("organization", "organizations")):
        for path in sorted((tmp_path / folder).glob("*.json")):
            _validate(json.loads(path.read_text(encoding="utf-8")), kind)


def test_hsds_api_errors_come_in_the_one_json_shape():
    client = Client()
    missing = client.get("/api/hsds/services/6f1c3c1e-8e7a-4f0e-9a52-2b8f7d0c9a11")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"code", "message", "fields"}
    assert client.get("/api/hsds/nothing-here").json()["error"]["code"] == "not_found"
    assert client.get("/api/hsds/services?page=x").json()["error"]["code"] == "invalid"
