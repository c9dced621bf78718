"""The published catalogue as HSDS 3.0 documents: services, organisations, services at locations,
HSDS's lists and pages of them, and the folder `jisr export-hsds` writes (one JSON file per
document, the lists, and the tabular package). Reads only: nothing here writes to the database.

A list of documents costs the same few queries however many rows it holds: callers hand in
services read with `PREFETCH` and organisations with their locations (`organisations_with`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils import translation

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.catalogue.hsds.tabular import tables, tables_write
from jisr.catalogue.hsds.taxonomies import (
    CATEGORIES,
    DELIVERY,
    ELIGIBILITY,
    LANGUAGES,
    ORGANISATION_KIND,
    TRANSLATIONS,
    attribute,
    derived_id,
)
from jisr.catalogue.models import DocumentType, Location, Service, ServiceAtLocation
from jisr.matching.models import Language

LOCATION_RELATED = ("organisation", "governorate", "district")
# What a service's document reads, fetched once for a whole list of services.
PREFETCH = (
    "categories",
    "areas",
    Prefetch(
        "at_locations",
        queryset=ServiceAtLocation.objects.select_related(
            *(f"location__{name}" for name in LOCATION_RELATED)
        ).order_by("uuid"),
    ),
)


def _first(instance: Model, name: str) -> str:
    for language in ("ar", "en", "ckb"):
        if value := getattr(instance, f"{name}_{language}", ""):
            return str(value)
    return ""


def _translations(
    owner: str, entity: str, instance: Model, names: tuple[str, ...]
) -> list[dict[str, Any]]:
    return [
        attribute(owner, entity, TRANSLATIONS, f"{name}:{language}", value)
        for name in names
        for language in LANGUAGES
        if (value := getattr(instance, f"{name}_{language}", ""))
    ]


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if v not in (None, "", [])}


def location_document(location: Location) -> dict[str, Any]:
    own = str(location.uuid)
    place = location.governorate
    address = {
        "id": derived_id(own, "address"),
        "location_id": own,
        "address_1": location.address or _first(location, "name"),
        "city": location.district.name_en if location.district else place.name_en,
        "state_province": place.code,
        "postal_code": "",
        "country": "IQ",
        "address_type": "physical",
    }
    return _drop_empty(
        {
            "id": own,
            "location_type": "physical",
            "organization_id": str(location.organisation.uuid),
            "name": _first(location, "name"),
            "addresses": [address],
            "latitude": float(location.latitude) if location.latitude is not None else None,
            "longitude": float(location.longitude) if location.longitude is not None else None,
            "attributes": _translations(own, "location", location, ("name",)),
        }
    )


def organisation_summary(organisation: Organisation) -> dict[str, Any]:
    own = str(organisation.uuid)
    with translation.override("en"):
        kind = str(OrganisationKind(organisation.kind).label)
    name = _first(organisation, "name")
    phones = (
        [{"id": derived_id(organisation.uuid, "phone"), "number": organisation.phone}]
        if organisation.phone
        else []
    )
    return _drop_empty(
        {
            "id": own,
            "name": name,
            "alternate_name": organisation.name_en if organisation.name_en != name else "",
            "description": kind,
            "email": organisation.email,
            "website": organisation.website,
            "parent_organization_id": str(organisation.parent.uuid)
            if organisation.parent
            else None,
            "phones": phones,
            "attributes": [
                *_translations(own, "organization", organisation, ("name",)),
                attribute(own, "organization", ORGANISATION_KIND, organisation.kind),
            ],
        }
    )


def _service_attributes(service: Service) -> list[dict[str, Any]]:
    own = str(service.uuid)
    found = [
        *_translations(own, "service", service, ("name", "description", "how_to_access")),
        *(attribute(own, "service", CATEGORIES, c.code) for c in service.categories.all()),
        *(attribute(own, "service", ELIGIBILITY, f"situation:{t}") for t in service.person_types),
        *(
            attribute(own, "service", ELIGIBILITY, f"category:{c}")
            for c in service.eligible_categories
        ),
    ]
    if service.sex:
        found.append(attribute(own, "service", ELIGIBILITY, f"sex:{service.sex}"))
    if service.remote:
        found.append(attribute(own, "service", DELIVERY, "remote", "yes"))
    found.append(attribute(own, "service", DELIVERY, "free", "yes" if service.free else "no"))
    if service.capacity_per_month is not None:
        capacity = str(service.capacity_per_month)
        found.append(attribute(own, "service", DELIVERY, "capacity_per_month", capacity))
    return sorted(found, key=lambda a: a["id"])


def service_document(service: Service) -> dict[str, Any]:
    """A service's whole document; read with `PREFETCH` (and its organisation's parent) when
    there are many."""
    own = str(service.uuid)
    with translation.override("en"):
        name = _first(service, "name")
        phones = (
            [{"id": derived_id(own, "phone"), "service_id": own, "number": service.phone}]
            if service.phone
            else []
        )
        schedules = (
            [
                {
                    "id": derived_id(own, "schedule"),
                    "service_id": own,
                    "description": service.opening_hours,
                }
            ]
            if service.opening_hours
            else []
        )
        areas = [
            {
                "id": derived_id(own, "area", g.code),
                "service_id": own,
                "name": g.name_en,
                "description": g.code,
            }
            for g in sorted(service.areas.all(), key=lambda g: g.code)
        ]
        at_locations = [
            {
                "id": str(sal.uuid),
                "service_id": own,
                "location_id": str(sal.location.uuid),
                "location": location_document(sal.location),
            }
            for sal in sorted(service.at_locations.all(), key=lambda sal: str(sal.uuid))
        ]
        languages = [
            {
                "id": derived_id(own, "language", code),
                "service_id": own,
                "name": str(Language(code).label),
                "code": code,
            }
            for code in service.languages
            if code in Language.values
        ]
        costs = (
            [
                {
                    "id": derived_id(own, "cost"),
                    "service_id": own,
                    "option": "Free of charge",
                    "currency": "IQD",
                    "amount": 0,
                }
            ]
            if service.free
            else []
        )
        documents = [
            {
                "id": derived_id(own, "document", code),
                "service_id": own,
                "document": str(DocumentType(code).label),
                "uri": f"urn:jisr:document:{code}",
            }
            for code in service.required_documents
            if code in DocumentType.values
        ]
        return _drop_empty(
            {
                "id": own,
                "organization_id": str(service.organisation.uuid),
                "name": name,
                "alternate_name": service.name_en if service.name_en != name else "",
                "description": _first(service, "description"),
                "url": service.url,
                "email": service.email,
                "status": service.status,
                "application_process": _first(service, "how_to_access"),
                "fees_description": service.fees,
                "wait_time": f"{service.wait_days} days" if service.wait_days is not None else "",
                "eligibility_description": service.eligibility_note,
                "minimum_age": service.minimum_age,
                "maximum_age": service.maximum_age,
                "phones": phones,
                "schedules": schedules,
                "service_areas": areas,
                "service_at_locations": at_locations,
                "languages": languages,
                "organization": organisation_summary(service.organisation),
                "cost_options": costs,
                "required_documents": documents,
                "attributes": _service_attributes(service),
            }
        )


def organisation_document(organisation: Organisation, services: list[Service]) -> dict[str, Any]:
    """An organisation's whole document, with its locations and the summary of `services`;
    read with `organisations_with` when there are many."""
    document = organisation_summary(organisation)
    locations = sorted(organisation.locations.all(), key=lambda x: str(x.uuid))
    document["locations"] = [location_document(x) for x in locations]
    document["services"] = [
        {"id": str(s.uuid), "name": _first(s, "name"), "status": s.status}
        for s in sorted(services, key=lambda s: str(s.uuid))
    ]
    return _drop_empty(document)


# An organisation's locations as its document reads them.
LOCATIONS = Prefetch("locations", queryset=Location.objects.select_related(*LOCATION_RELATED))


def organisations_with(found: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Organisations as their documents read them: parent and locations fetched at once."""
    return found.select_related("parent").prefetch_related(LOCATIONS)


def published_services() -> QuerySet[Service]:
    return (
        Service.objects.filter(published=True)
        .select_related("organisation__parent")
        .prefetch_related(*PREFETCH)
        .order_by("uuid")
    )


def _with_parents(organisation_ids: set[int]) -> set[int]:
    """The organisations and their parents, grandparents and so on, so that every reference
    resolves: one query per level, whatever the number of organisations."""
    found = set(organisation_ids)
    frontier = set(organisation_ids)
    while frontier:
        parents = Organisation.objects.filter(pk__in=list(frontier), parent__isnull=False)
        frontier = set(parents.values_list("parent_id", flat=True)) - found
        found |= frontier
    return found


def documents() -> dict[str, dict[str, dict[str, Any]]]:
    """Every document of the published catalogue, by kind and id."""
    services = list(published_services())
    by_organisation: dict[int, list[Service]] = {}
    for service in services:
        by_organisation.setdefault(service.organisation_id, []).append(service)
    result: dict[str, dict[str, dict[str, Any]]] = {
        "services": {},
        "organizations": {},
        "service_at_locations": {},
    }
    for service in services:
        document = service_document(service)
        result["services"][document["id"]] = document
        for sal in document.get("service_at_locations", []):
            result["service_at_locations"][sal["id"]] = sal
    everyone = _with_parents(set(by_organisation))
    for organisation in organisations_with(Organisation.objects.filter(pk__in=list(everyone))):
        document = organisation_document(organisation, by_organisation.get(organisation.pk, []))
        result["organizations"][document["id"]] = document
    return result


# The fields of each kind that HSDS's lists carry (its compiled *_list schemas).
LIST_FIELDS = {
    "service": {
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process", "fees_description",
        "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age",
        "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified",
        "organization", "program",
    },
    "organization": {
        "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
        "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
    },
    "service_at_location": {
        "id", "service_id", "location_id", "description", "location", "service",
    },
}  # fmt: skip


def list_form(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k in LIST_FIELDS[kind]}


def page(
    contents: list[dict[str, Any]], number: int = 1, size: int | None = None
) -> dict[str, Any]:
    """HSDS's paginated list wrapper around the page `number` of `contents`."""
    size = size or max(len(contents), 1)
    chunk = contents[(number - 1) * size : number * size]
    return page_of(chunk, number=number, size=size, total=len(contents))


def page_of(chunk: list[Any], *, number: int, size: int, total: int) -> dict[str, Any]:
    """HSDS's paginated list wrapper around one page already cut (of `total` items)."""
    total_pages = max(1, -(-total // size))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": number,
        "size": size,
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not chunk,
        "contents": chunk,
    }


def write_json(path: Path, document: Any) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def catalogue_export(out: Path) -> dict[str, int]:
    """Write the catalogue under `out`: one JSON file per document, the lists, and the tabular
    package (`tabular/`, one CSV per table with a datapackage.json). Counts by kind."""
    found = documents()
    for kind, items in found.items():
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for item_id, document in items.items():
            write_json(folder / f"{item_id}.json", document)
    for kind, name in (
        ("services", "service"),
        ("organizations", "organization"),
        ("service_at_locations", "service_at_location"),
    ):
        listing = page([list_form(d, name) for d in found[kind].values()])
        write_json(out / f"{name}_list.json", listing)
    tables_write(out / "tabular", tables(found))
    return {kind: len(items) for kind, items in found.items()}
