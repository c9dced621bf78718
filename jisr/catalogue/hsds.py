"""Open Referral HSDS 3.0 exchange: the published catalogue as HSDS documents (JSON and the
tabular CSV package), and another directory's HSDS documents imported.

HSDS holds one language per field; Jisr keeps three. The text fields carry the Arabic (falling
back to English, then Kurdish), and every language's text travels as an attribute of the
"jisr-translations" taxonomy, so that Jisr to Jisr nothing is lost. Categories, eligibility and
delivery travel the same way as attributes of Jisr's own taxonomies. Parts Jisr keeps no row for
(a service's areas, languages, documents, phone) get ids derived from the service's, so that the
same catalogue always gives the same documents. The tabular package's cells are written through the
one formula guard (`jisr.lib.spreadsheets.csv_writer`).

What an import may create and touch (decision 0015), matching on the documents' ids:

- An organisation Jisr does not know is created as a provider without reach: a kind outside
  government (the document's `jisr-organisation-kind` if it is an NGO, a UN agency, a training
  centre or a diaspora organisation, else an NGO), no parent, no governorate, not verified; its
  names, e-mail, website (http or https) and phone are checked as Jisr's forms check them.
- Later imports may refresh those names and contacts, and its locations and services, while the
  organisation carries the mark of its import (`ImportedOrganisation`) and no account in Jisr
  belongs to it. Its kind, parent, governorate and verification are never set by an import: only
  an administrator of all records changes them, in Jisr.
- Every other organisation is Jisr's: an import changes nothing of it and brings no service or
  location under it; a service or location whose id Jisr holds under another organisation keeps
  its owner. Each is reported and left out.
- A service is checked as a provider's proposal is (`services._check`: `full_clean`, the same
  field validators, links http or https only), except that it may come under none of Jisr's
  categories. It becomes a proposal (`ServiceChange`, `proposed_by` empty) that the catalogue
  administrator reviews, as a provider's does, unless the import is run with `publish` by an
  account allowed to review (`jisr import-hsds --publish --by ...`), which publishes it with the
  change approved in that account's name. Importing the same documents again changes nothing.
- Nothing else: no account, role, person, parent link or agreement comes from an import.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Perm
from jisr.catalogue import services as catalogue_services
from jisr.catalogue.models import (
    DocumentType,
    EligibleSex,
    Location,
    Service,
    ServiceCategory,
    ServiceStatus,
)
from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_size
from jisr.lib.spreadsheets import csv_writer
from jisr.matching.models import Language
from jisr.places.models import District, Governorate
from jisr.registry.models import PersonType

NAMESPACE = uuid.UUID("6f1c3c1e-8e7a-4f0e-9a52-2b8f7d0c9a11")
CATEGORIES = "jisr-reintegration-services"
TRANSLATIONS = "jisr-translations"
ELIGIBILITY = "jisr-eligibility"
DELIVERY = "jisr-delivery"
ORGANISATION_KIND = "jisr-organisation-kind"
LANGUAGES = ("ar", "ckb", "en")
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _first(instance: Any, name: str) -> str:
    for language in ("ar", "en", "ckb"):
        if value := getattr(instance, f"{name}_{language}", ""):
            return str(value)
    return ""


def taxonomy_term(taxonomy: str, code: str, name: str) -> dict[str, Any]:
    return {
        "id": derived_id("term", taxonomy, code), "code": code, "name": name,
        "description": name, "taxonomy": taxonomy,
    }  # fmt: skip


def _attribute(
    owner: str, entity: str, taxonomy: str, code: str, value: str = ""
) -> dict[str, Any]:
    return {
        "id": derived_id(owner, taxonomy, code), "link_id": owner, "link_type": entity,
        "link_entity": entity, "value": value, "taxonomy_term": taxonomy_term(taxonomy, code, code),
    }  # fmt: skip


def _translations(
    owner: str, entity: str, instance: Any, names: tuple[str, ...]
) -> list[dict[str, Any]]:
    return [
        _attribute(owner, entity, TRANSLATIONS, f"{name}:{language}", value)
        for name in names
        for language in LANGUAGES
        if (value := getattr(instance, f"{name}_{language}", ""))
    ]


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if v not in (None, "", [])}


# --- Export -----------------------------------------------------------------------------------


def location_document(location: Location) -> dict[str, Any]:
    own = str(location.uuid)
    place = location.governorate
    return _drop_empty({
        "id": own, "location_type": "physical", "organization_id": str(location.organisation.uuid),
        "name": _first(location, "name"),
        "addresses": [{
            "id": derived_id(own, "address"), "location_id": own,
            "address_1": location.address or _first(location, "name"),
            "city": location.district.name_en if location.district else place.name_en,
            "state_province": place.code, "postal_code": "", "country": "IQ",
            "address_type": "physical",
        }],
        "latitude": float(location.latitude) if location.latitude is not None else None,
        "longitude": float(location.longitude) if location.longitude is not None else None,
        "attributes": _translations(own, "location", location, ("name",)),
    })  # fmt: skip


def organisation_summary(organisation: Organisation) -> dict[str, Any]:
    with translation.override("en"):
        kind = str(OrganisationKind(organisation.kind).label)
    return _drop_empty({
        "id": str(organisation.uuid), "name": _first(organisation, "name"),
        "alternate_name": organisation.name_en if organisation.name_en != _first(organisation, "name") else "",
        "description": kind, "email": organisation.email, "website": organisation.website,
        "parent_organization_id": str(organisation.parent.uuid) if organisation.parent else None,
        "phones": [{"id": derived_id(organisation.uuid, "phone"), "number": organisation.phone}] if organisation.phone else [],
        "attributes": [
            *_translations(str(organisation.uuid), "organization", organisation, ("name",)),
            _attribute(str(organisation.uuid), "organization", ORGANISATION_KIND, organisation.kind),
        ],
    })  # fmt: skip


def service_document(service: Service) -> dict[str, Any]:
    own = str(service.uuid)
    with translation.override("en"):
        attributes = [
            *_translations(own, "service", service, ("name", "description", "how_to_access")),
            *(_attribute(own, "service", CATEGORIES, c.code) for c in service.categories.all()),
            *(
                _attribute(own, "service", ELIGIBILITY, f"situation:{t}")
                for t in service.person_types
            ),
            *(
                _attribute(own, "service", ELIGIBILITY, f"category:{c}")
                for c in service.eligible_categories
            ),
        ]
        if service.sex:
            attributes.append(_attribute(own, "service", ELIGIBILITY, f"sex:{service.sex}"))
        if service.remote:
            attributes.append(_attribute(own, "service", DELIVERY, "remote", "yes"))
        attributes.append(
            _attribute(own, "service", DELIVERY, "free", "yes" if service.free else "no")
        )
        if service.capacity_per_month is not None:
            attributes.append(
                _attribute(
                    own, "service", DELIVERY, "capacity_per_month", str(service.capacity_per_month)
                )
            )
        return _drop_empty({
            "id": own, "organization_id": str(service.organisation.uuid),
            "name": _first(service, "name"),
            "alternate_name": service.name_en if service.name_en != _first(service, "name") else "",
            "description": _first(service, "description"), "url": service.url, "email": service.email,
            "status": service.status, "application_process": _first(service, "how_to_access"),
            "fees_description": service.fees,
            "wait_time": f"{service.wait_days} days" if service.wait_days is not None else "",
            "eligibility_description": service.eligibility_note,
            "minimum_age": service.minimum_age, "maximum_age": service.maximum_age,
            "phones": [{"id": derived_id(own, "phone"), "service_id": own, "number": service.phone}] if service.phone else [],
            "schedules": [{"id": derived_id(own, "schedule"), "service_id": own, "description": service.opening_hours}] if service.opening_hours else [],
            "service_areas": [
                {"id": derived_id(own, "area", g.code), "service_id": own, "name": g.name_en, "description": g.code}
                for g in service.areas.order_by("code")
            ],
            "service_at_locations": [
                {"id": str(sal.uuid), "service_id": own, "location_id": str(sal.location.uuid), "location": location_document(sal.location)}
                for sal in service.at_locations.select_related("location__organisation", "location__governorate", "location__district").order_by("uuid")
            ],
            "languages": [
                {"id": derived_id(own, "language", code), "service_id": own, "name": str(Language(code).label), "code": code}
                for code in service.languages if code in Language.values
            ],
            "organization": organisation_summary(service.organisation),
            "cost_options": [{"id": derived_id(own, "cost"), "service_id": own, "option": "Free of charge", "currency": "IQD", "amount": 0}] if service.free else [],
            "required_documents": [
                {"id": derived_id(own, "document", code), "service_id": own, "document": str(DocumentType(code).label), "uri": f"urn:jisr:document:{code}"}
                for code in service.required_documents if code in DocumentType.values
            ],
            "attributes": sorted(attributes, key=lambda a: a["id"]),
        })  # fmt: skip


def organisation_document(organisation: Organisation, services: list[Service]) -> dict[str, Any]:
    document = organisation_summary(organisation)
    locations = (
        Location.objects.filter(organisation=organisation)
        .select_related("organisation", "governorate", "district")
        .order_by("uuid")
    )
    document["locations"] = [location_document(x) for x in locations]
    document["services"] = [
        {"id": str(s.uuid), "name": _first(s, "name"), "status": s.status}
        for s in sorted(services, key=lambda s: str(s.uuid))
    ]
    return _drop_empty(document)


def published_services() -> list[Service]:
    return list(
        Service.objects.filter(published=True)
        .select_related("organisation__parent")
        .prefetch_related("categories", "areas")
        .order_by("uuid")
    )


def documents() -> dict[str, dict[str, dict[str, Any]]]:
    """Every document of the published catalogue, by kind and id."""
    services = published_services()
    by_organisation: dict[int, list[Service]] = {}
    for service in services:
        by_organisation.setdefault(service.organisation_id, []).append(service)
    organisations = set(by_organisation)
    for organisation in Organisation.objects.filter(pk__in=list(organisations)):
        while organisation.parent_id:  # parents too, so that every reference resolves
            organisations.add(organisation.parent_id)
            organisation = organisation.parent  # type: ignore[assignment]  # set by parent_id
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
    for organisation in Organisation.objects.filter(pk__in=organisations).select_related("parent"):
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
    "service_at_location": {"id", "service_id", "location_id", "description", "location", "service"},
}  # fmt: skip


def list_form(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k in LIST_FIELDS[kind]}


def page(
    contents: list[dict[str, Any]], number: int = 1, size: int | None = None
) -> dict[str, Any]:
    """HSDS's paginated list wrapper."""
    size = size or max(len(contents), 1)
    total_pages = max(1, -(-len(contents) // size))
    chunk = contents[(number - 1) * size : number * size]
    return {
        "total_items": len(contents), "total_pages": total_pages, "page_number": number,
        "size": size, "first_page": number == 1, "last_page": number >= total_pages,
        "empty": not chunk, "contents": chunk,
    }  # fmt: skip


def export(out: Path) -> dict[str, int]:
    """Write the catalogue under `out`: one JSON file per document, the lists, and the tabular
    package (`tabular/`, one CSV per table with a datapackage.json)."""
    found = documents()
    for kind, items in found.items():
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for item_id, document in items.items():
            _write_json(folder / f"{item_id}.json", document)
    for kind, name in (
        ("services", "service"), ("organizations", "organization"),
        ("service_at_locations", "service_at_location"),
    ):  # fmt: skip
        listing = page([list_form(d, name) for d in found[kind].values()])
        _write_json(out / f"{name}_list.json", listing)
    write_tabular(out / "tabular", tabular(found))
    return {kind: len(items) for kind, items in found.items()}


def _write_json(path: Path, document: Any) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


# --- The tabular package -------------------------------------------------------------------

TABLES = {
    "organization": "organizations.csv", "service": "services.csv", "location": "locations.csv",
    "service_at_location": "service_at_locations.csv", "address": "addresses.csv",
    "phone": "phones.csv", "service_area": "service_areas.csv", "language": "languages.csv",
    "required_document": "required_documents.csv", "cost_option": "cost_options.csv",
    "schedule": "schedules.csv", "attribute": "attributes.csv", "taxonomy_term": "taxonomy_terms.csv",
}  # fmt: skip


def tabular(found: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The documents as HSDS's tables: nested objects become rows linked by id."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    terms: dict[str, dict[str, Any]] = {}
    seen_locations: set[str] = set()

    def flat(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not isinstance(v, (dict, list))}

    def attributes(items: list[dict[str, Any]]) -> None:
        for attribute in items:
            term = attribute["taxonomy_term"]
            terms[term["id"]] = flat(term)
            tables["attribute"].append({**flat(attribute), "taxonomy_term_id": term["id"]})

    def location(document: dict[str, Any]) -> None:
        if document["id"] in seen_locations:
            return
        seen_locations.add(document["id"])
        tables["location"].append(flat(document))
        tables["address"].extend(flat(a) for a in document.get("addresses", []))
        attributes(document.get("attributes", []))

    for document in found["organizations"].values():
        tables["organization"].append(flat(document))
        tables["phone"].extend(
            {**flat(p), "organization_id": document["id"]} for p in document.get("phones", [])
        )
        attributes(document.get("attributes", []))
        for place in document.get("locations", []):
            location(place)
    for document in found["services"].values():
        tables["service"].append(flat(document))
        for key, table in (
            ("phones", "phone"), ("service_areas", "service_area"), ("languages", "language"),
            ("required_documents", "required_document"), ("cost_options", "cost_option"),
            ("schedules", "schedule"),
        ):  # fmt: skip
            tables[table].extend(flat(item) for item in document.get(key, []))
        attributes(document.get("attributes", []))
        for sal in document.get("service_at_locations", []):
            tables["service_at_location"].append(flat(sal))
            location(sal["location"])
    tables["taxonomy_term"] = sorted(terms.values(), key=lambda t: t["id"])
    return tables


def write_tabular(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, rows in tables.items():
        columns = sorted({key for row in rows for key in row})
        path = folder / TABLES[name]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(columns)
            writer.writerows([row.get(column) for column in columns] for row in rows)
        resources.append(
            {
                "name": name,
                "path": TABLES[name],
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
            }
        )
    _write_json(
        folder / "datapackage.json",
        {
            "name": "jisr-service-catalogue",
            "profile": "tabular-data-package",
            "resources": resources,
        },
    )


# --- Import -------------------------------------------------------------------------------------


@dataclass
class Imported:
    organisations: int = 0
    locations: int = 0
    services: int = 0
    problems: list[str] = field(default_factory=list)


def _kind_of(document: dict[str, Any]) -> str:
    if "contents" in document:
        return "list"
    if "location_id" in document and "location" in document and "name" not in document:
        return "service_at_location"
    if "status" in document:
        return "service"
    return "organization"


def _attributes(document: dict[str, Any], taxonomy: str) -> dict[str, str]:
    found = {}
    for attribute in document.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        if term.get("taxonomy") == taxonomy and term.get("code"):
            found[str(term["code"])] = str(attribute.get("value") or "")
    return found


def _texts(document: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    """Jisr's three-language fields from the translations, or from the HSDS field by script."""
    translated = _attributes(document, TRANSLATIONS)
    values: dict[str, str] = {}
    for ours, theirs in names.items():
        if any(f"{ours}:{lang}" in translated for lang in LANGUAGES):
            for language in LANGUAGES:
                values[f"{ours}_{language}"] = translated.get(f"{ours}:{language}", "")
        else:
            text = str(document.get(theirs) or "")
            language = "ar" if ARABIC_SCRIPT.search(text) else "en"
            values.update({f"{ours}_{lang}": "" for lang in LANGUAGES})
            values[f"{ours}_{language}"] = text
    return values


def import_documents(
    folder: Path,
    *,
    schemas: Path | None = None,
    by: User | None = None,
    publish: bool = False,
) -> Imported:
    """Import every HSDS document under `folder` (services, organisations, lists of them);
    run it again and nothing is added twice. A document that does not validate, that Jisr
    cannot place, or that would touch what Jisr manages is reported and left out; the rest is
    imported in one transaction. Services wait for review unless `publish` (by `by`, who must
    be allowed to review): see the module's docstring for what an import may create and touch."""
    if publish:
        if by is None:
            raise forbidden()
        require(by, Perm.SERVICE_REVIEW)
    result = Imported()
    organisations: dict[str, dict[str, Any]] = {}
    services: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.json")):
        if path.name == "datapackage.json":
            continue
        if path.stat().st_size > settings.JISR_UPLOAD_MAX_BYTES:  # checked before it is read
            limit = format_size(settings.JISR_UPLOAD_MAX_BYTES, "en")
            result.problems.append(f"{path.name}: larger than {limit}; left out")
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            result.problems.append(f"{path.name}: not JSON ({error})")
            continue
        if not isinstance(document, dict):
            result.problems.append(f"{path.name}: not an HSDS document")
            continue
        kind = _kind_of(document)
        items = (
            [(kind_item, item) for item in document["contents"] for kind_item in [_kind_of(item)]]
            if kind == "list"
            else [(kind, document)]
        )
        for item_kind, item in items:
            if schemas is not None:
                schema = f"{item_kind}_list" if kind == "list" else item_kind
                errors = validation_errors(item, schema, schemas)
                if errors:
                    result.problems.extend(f"{path.name}: {e}" for e in errors[:5])
                    continue
            if item_kind == "service":
                # The same service may come whole and as a list entry: keep the fuller one.
                if len(item) >= len(services.get(str(item["id"]), {})):
                    services[str(item["id"])] = item
                if isinstance(item.get("organization"), dict):
                    organisations.setdefault(str(item["organization"]["id"]), item["organization"])
            elif item_kind == "organization":
                organisations[str(item["id"])] = {**organisations.get(str(item["id"]), {}), **item}
                for service in item.get("services") or []:
                    if "organization_id" in service or "service_at_locations" in service:
                        services.setdefault(
                            str(service["id"]), {**service, "organization_id": item["id"]}
                        )
    with transaction.atomic():
        usable, refused = _import_organisations(organisations, result, by)
        for item in services.values():
            _import_service(item, usable, refused, result, by=by, publish=publish)
    return result


def _reason(error: JisrError) -> str:
    """A service's refusal as a line of the command's report."""
    if error.code == "managed":
        return "its organisation is managed in Jisr; left out"
    if error.code == "conflict":
        return "it belongs to another organisation in Jisr; left out"
    fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.fields.items())
    return f"{fields or error.message}; left out"


def _import_organisations(
    documents: dict[str, dict[str, Any]], result: Imported, by: User | None
) -> tuple[dict[str, Organisation], dict[str, str]]:
    """The organisations services may be imported under (those an import created and still
    manages), and why each other one was left out."""
    usable: dict[str, Organisation] = {}
    refused: dict[str, str] = {}
    for own, document in documents.items():
        if not _is_uuid(own):
            refused[own] = "its organisation was left out"
            result.problems.append(f"organisation {own}: its id is not a UUID; left out")
            continue
        texts = _texts(document, {"name": "name"})
        phones = document.get("phones") or []
        fields = {
            "name_ar": texts["name_ar"] or texts["name_en"] or texts["name_ckb"],
            "name_ckb": texts["name_ckb"], "name_en": texts["name_en"],
            "email": str(document.get("email") or ""), "website": str(document.get("website") or ""),
            "phone": str(phones[0].get("number") or "") if phones else "",
        }  # fmt: skip
        kind = next(iter(_attributes(document, ORGANISATION_KIND)), "")
        try:
            organisation, created = catalogue_services.organisation_import(
                by=by, uuid=own, kind=kind, fields=fields
            )
        except JisrError as error:
            if error.code == "managed":
                refused[own] = "its organisation is managed in Jisr; left out"
                result.problems.append(f"organisation {own}: managed in Jisr; left as it is")
            else:
                refused[own] = "its organisation was left out"
                result.problems.append(f"organisation {own}: {_reason(error)}")
            continue
        result.organisations += created
        usable[own] = organisation
    for own, organisation in usable.items():
        for place in documents[own].get("locations") or []:
            _import_location(place, organisation, result, by)
    return usable, refused


def _import_location(
    document: dict[str, Any], organisation: Organisation, result: Imported, by: User | None
) -> Location | None:
    if not _is_uuid(str(document.get("id") or "")):
        result.problems.append(f"location {document.get('id')}: its id is not a UUID; left out")
        return None
    addresses = document.get("addresses") or [{}]
    address = addresses[0]
    code = str(address.get("state_province") or "")
    governorate = Governorate.objects.filter(code=code).first()
    if governorate is None:
        wanted = str(address.get("city") or address.get("state_province") or "").strip()
        governorate = (
            Governorate.objects.filter(name_en__iexact=wanted).first()
            or Governorate.objects.filter(name_ar=wanted).first()
        )
    if governorate is None:
        result.problems.append(
            f"location {document.get('id')}: not in a governorate of Iraq; left out"
        )
        return None
    district = District.objects.filter(
        governorate=governorate, name_en__iexact=str(address.get("city") or "")
    ).first()
    texts = _texts(document, {"name": "name"})
    fields = {
        "governorate": governorate, "district": district,
        "name_ar": texts["name_ar"] or texts["name_en"] or texts["name_ckb"] or "—",
        "name_ckb": texts["name_ckb"], "name_en": texts["name_en"],
        "address": str(address.get("address_1") or ""),
        "latitude": _coordinate(document.get("latitude")),
        "longitude": _coordinate(document.get("longitude")),
    }  # fmt: skip
    try:
        location, created = catalogue_services.location_import(
            by=by, organisation=organisation, uuid=str(document["id"]), fields=fields
        )
    except JisrError as error:
        result.problems.append(f"location {document.get('id')}: {_reason(error)}")
        return None
    result.locations += created
    return location


def _coordinate(value: Any) -> Decimal | None:
    """A latitude or longitude as Jisr keeps it (six decimals), or None."""
    try:
        return round(Decimal(str(value)), 6) if value is not None else None
    except InvalidOperation:
        return None


def _import_service(
    document: dict[str, Any],
    organisations: dict[str, Organisation],
    refused: dict[str, str],
    result: Imported,
    *,
    by: User | None,
    publish: bool,
) -> None:
    own = str(document["id"])
    if not _is_uuid(own):
        result.problems.append(f"service {own}: its id is not a UUID; left out")
        return
    theirs = str(
        document.get("organization_id") or (document.get("organization") or {}).get("id") or ""
    )
    organisation = organisations.get(theirs)
    if organisation is None:
        known = Organisation.objects.filter(uuid=theirs).first() if _is_uuid(theirs) else None
        if known is not None and catalogue_services.import_managed(known):
            organisation = known  # imported before, and still the import's
        else:
            why = refused.get(theirs) or (
                "its organisation is managed in Jisr; left out"
                if known is not None
                else "its organisation is not in the files; left out"
            )
            result.problems.append(f"service {own}: {why}")
            return
    texts = _texts(
        document,
        {"name": "name", "description": "description", "how_to_access": "application_process"},
    )
    eligibility = _attributes(document, ELIGIBILITY)
    delivery = _attributes(document, DELIVERY)
    wait = re.match(r"\s*(\d+)", str(document.get("wait_time") or ""))
    status = document.get("status")
    data = {
        **texts,
        "status": status if status in ServiceStatus.values else ServiceStatus.ACTIVE,
        "url": str(document.get("url") or ""), "email": str(document.get("email") or ""),
        "phone": str(((document.get("phones") or [{}])[0]).get("number") or ""),
        "free": delivery.get("free", "yes" if document.get("cost_options") and not document.get("fees_description") else "no") == "yes",
        "fees": str(document.get("fees_description") or ""),
        "minimum_age": _age(document.get("minimum_age")), "maximum_age": _age(document.get("maximum_age")),
        "sex": next((c.split(":", 1)[1] for c in eligibility if c.startswith("sex:") and c.split(":", 1)[1] in EligibleSex.values), ""),
        "person_types": [c.split(":", 1)[1] for c in eligibility if c.startswith("situation:") and c.split(":", 1)[1] in PersonType.values],
        "eligible_categories": [c.split(":", 1)[1] for c in eligibility if c.startswith("category:")],
        "eligibility_note": str(document.get("eligibility_description") or ""),
        "required_documents": [
            d["uri"].rsplit(":", 1)[-1] for d in document.get("required_documents") or []
            if str(d.get("uri", "")).startswith("urn:jisr:document:") and d["uri"].rsplit(":", 1)[-1] in DocumentType.values
        ],
        "languages": [x["code"] for x in document.get("languages") or [] if x.get("code") in Language.values],
        "remote": delivery.get("remote") == "yes",
        "capacity_per_month": int(delivery["capacity_per_month"]) if delivery.get("capacity_per_month", "").isdigit() else None,
        "wait_days": int(wait.group(1)) if wait else None,
        "opening_hours": str(((document.get("schedules") or [{}])[0]).get("description") or ""),
        "categories": sorted(ServiceCategory.objects.filter(code__in=list(_attributes(document, CATEGORIES))).values_list("code", flat=True)),
    }  # fmt: skip
    if not any(data[f"name_{lang}"] for lang in LANGUAGES):
        result.problems.append(f"service {own}: no name; left out")
        return
    codes = [str(a.get("description") or "") for a in document.get("service_areas") or []]
    names = [str(a.get("name") or "") for a in document.get("service_areas") or []]
    data["areas"] = sorted(
        set(Governorate.objects.filter(code__in=codes).values_list("code", flat=True))
        | set(Governorate.objects.filter(name_en__in=names).values_list("code", flat=True))
    )
    places: set[str] = set()
    links: dict[str, str] = {}  # location -> the directory's id of the service there
    for sal in document.get("service_at_locations") or []:
        place, place_id = sal.get("location"), str(sal.get("location_id") or "")
        if isinstance(place, dict):
            location = _import_location(place, organisation, result, by)
        elif _is_uuid(place_id):
            location = Location.objects.filter(organisation=organisation, uuid=place_id).first()
        else:
            location = None
        if location is not None:
            places.add(str(location.uuid))
            if _is_uuid(str(sal.get("id") or "")):
                links[str(location.uuid)] = str(sal["id"])
    data["locations"] = sorted(places)
    try:
        _, created = catalogue_services.service_import(
            by=by, organisation=organisation, uuid=own, data=data, publish=publish,
            at_location_ids=links,
        )  # fmt: skip
    except JisrError as error:
        result.problems.append(f"service {own}: {_reason(error)}")
        return
    result.services += created
    if not data["categories"] and created:
        result.problems.append(
            f"service {own}: no Jisr category; listed under none until one is chosen"
        )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _age(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


# --- Validation ---------------------------------------------------------------------------------

SCHEMA_OF = {
    "service": "service.json", "organization": "organization.json",
    "service_at_location": "service_at_location.json", "service_list": "service_list.json",
    "organization_list": "organization_list.json",
    "service_at_location_list": "service_at_location_list.json",
}  # fmt: skip


def validation_errors(document: dict[str, Any], kind: str, schemas: Path) -> list[str]:
    """What keeps `document` from validating against HSDS 3.0's compiled schema for its kind."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((schemas / SCHEMA_OF[kind]).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}"
        for error in sorted(
            validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
