"""Another directory's HSDS 3.0 documents taken in: read, checked, and written only through the
catalogue's services (`organisation_import`, `location_import`, `service_import`), each with its
`full_clean` and audit entry. Nothing here writes to the database itself.

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

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.catalogue import selectors, services
from jisr.catalogue.hsds.schema import validation_errors
from jisr.catalogue.hsds.taxonomies import (
    CATEGORIES,
    DELIVERY,
    ELIGIBILITY,
    LANGUAGES,
    ORGANISATION_KIND,
    TRANSLATIONS,
    attributes_of,
)
from jisr.catalogue.models import (
    DocumentType,
    EligibleSex,
    Location,
    ServiceCategory,
    ServiceStatus,
)
from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_size
from jisr.matching.models import Language
from jisr.places.models import District, Governorate
from jisr.registry.models import PersonType

ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
DOCUMENT_URN = "urn:jisr:document:"


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


def _texts(document: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    """Jisr's three-language fields from the translations, or from the HSDS field by script."""
    translated = attributes_of(document, TRANSLATIONS)
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


def _read(
    folder: Path, schemas: Path | None, result: Imported
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The organisations and services of every document under `folder`, by id; what cannot be
    read or does not validate is reported and left out."""
    organisations: dict[str, dict[str, Any]] = {}
    services_found: dict[str, dict[str, Any]] = {}
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
                if len(item) >= len(services_found.get(str(item["id"]), {})):
                    services_found[str(item["id"])] = item
                if isinstance(item.get("organization"), dict):
                    organisations.setdefault(str(item["organization"]["id"]), item["organization"])
            elif item_kind == "organization":
                own = str(item["id"])
                organisations[own] = {**organisations.get(own, {}), **item}
                for service in item.get("services") or []:
                    if "organization_id" in service or "service_at_locations" in service:
                        services_found.setdefault(
                            str(service["id"]), {**service, "organization_id": item["id"]}
                        )
    return organisations, services_found


def catalogue_import(
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
    organisations, found = _read(folder, schemas, result)
    with transaction.atomic():
        usable, refused = _import_organisations(organisations, result, by)
        for item in found.values():
            _import_service(item, usable, refused, result, by=by, publish=publish)
    return result


def _reason(error: JisrError) -> str:
    """A refusal as a line of the command's report."""
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
            "name_ckb": texts["name_ckb"],
            "name_en": texts["name_en"],
            "email": str(document.get("email") or ""),
            "website": str(document.get("website") or ""),
            "phone": str(phones[0].get("number") or "") if phones else "",
        }
        kind = next(iter(attributes_of(document, ORGANISATION_KIND)), "")
        try:
            organisation, created = services.organisation_import(
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


def _governorate(address: dict[str, Any]) -> Governorate | None:
    """The governorate an address names, by ISO code, else by its English or Arabic name."""
    found = Governorate.objects.filter(code=str(address.get("state_province") or "")).first()
    if found is None:
        wanted = str(address.get("city") or address.get("state_province") or "").strip()
        found = (
            Governorate.objects.filter(name_en__iexact=wanted).first()
            or Governorate.objects.filter(name_ar=wanted).first()
        )
    return found


def _import_location(
    document: dict[str, Any], organisation: Organisation, result: Imported, by: User | None
) -> Location | None:
    if not _is_uuid(str(document.get("id") or "")):
        result.problems.append(f"location {document.get('id')}: its id is not a UUID; left out")
        return None
    addresses = document.get("addresses") or [{}]
    address = addresses[0]
    governorate = _governorate(address)
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
        "governorate": governorate,
        "district": district,
        "name_ar": texts["name_ar"] or texts["name_en"] or texts["name_ckb"] or "—",
        "name_ckb": texts["name_ckb"],
        "name_en": texts["name_en"],
        "address": str(address.get("address_1") or ""),
        "latitude": _coordinate(document.get("latitude")),
        "longitude": _coordinate(document.get("longitude")),
    }
    try:
        location, created = services.location_import(
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


def _eligibility(document: dict[str, Any]) -> dict[str, Any]:
    """Who the service is for, from Jisr's eligibility attributes (unknown codes left out)."""
    pairs = [code.split(":", 1) for code in attributes_of(document, ELIGIBILITY) if ":" in code]
    sexes = [value for name, value in pairs if name == "sex" and value in EligibleSex.values]
    return {
        "sex": sexes[0] if sexes else "",
        "person_types": [
            value for name, value in pairs if name == "situation" and value in PersonType.values
        ],
        "eligible_categories": [value for name, value in pairs if name == "category"],
    }


def _delivery(document: dict[str, Any]) -> dict[str, Any]:
    """How the service is delivered, from Jisr's delivery attributes or HSDS's fields."""
    delivery = attributes_of(document, DELIVERY)
    paid = document.get("fees_description") or not document.get("cost_options")
    capacity = delivery.get("capacity_per_month", "")
    return {
        "free": delivery.get("free", "no" if paid else "yes") == "yes",
        "remote": delivery.get("remote") == "yes",
        "capacity_per_month": int(capacity) if capacity.isdigit() else None,
    }


def _service_data(document: dict[str, Any]) -> dict[str, Any]:
    """The service as a proposal holds it, before its areas and locations."""
    texts = _texts(
        document,
        {"name": "name", "description": "description", "how_to_access": "application_process"},
    )
    wait = re.match(r"\s*(\d+)", str(document.get("wait_time") or ""))
    status = document.get("status")
    documents = [
        str(d["uri"]).rsplit(":", 1)[-1]
        for d in document.get("required_documents") or []
        if str(d.get("uri", "")).startswith(DOCUMENT_URN)
    ]
    categories = list(attributes_of(document, CATEGORIES))
    return {
        **texts,
        "status": status if status in ServiceStatus.values else ServiceStatus.ACTIVE,
        "url": str(document.get("url") or ""),
        "email": str(document.get("email") or ""),
        "phone": str(((document.get("phones") or [{}])[0]).get("number") or ""),
        "fees": str(document.get("fees_description") or ""),
        "minimum_age": _age(document.get("minimum_age")),
        "maximum_age": _age(document.get("maximum_age")),
        **_eligibility(document),
        "eligibility_note": str(document.get("eligibility_description") or ""),
        "required_documents": [code for code in documents if code in DocumentType.values],
        "languages": [
            x["code"] for x in document.get("languages") or [] if x.get("code") in Language.values
        ],
        **_delivery(document),
        "wait_days": int(wait.group(1)) if wait else None,
        "opening_hours": str(((document.get("schedules") or [{}])[0]).get("description") or ""),
        "categories": sorted(
            ServiceCategory.objects.filter(code__in=categories).values_list("code", flat=True)
        ),
    }


def _organisation_of(
    document: dict[str, Any], organisations: dict[str, Organisation], refused: dict[str, str]
) -> tuple[Organisation | None, str]:
    """The organisation a service may be imported under, or why there is none."""
    theirs = str(
        document.get("organization_id") or (document.get("organization") or {}).get("id") or ""
    )
    organisation = organisations.get(theirs)
    if organisation is not None:
        return organisation, ""
    known = Organisation.objects.filter(uuid=theirs).first() if _is_uuid(theirs) else None
    if known is not None and selectors.organisation_is_import_managed(organisation=known):
        return known, ""  # imported before, and still the import's
    why = refused.get(theirs) or (
        "its organisation is managed in Jisr; left out"
        if known is not None
        else "its organisation is not in the files; left out"
    )
    return None, why


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
    organisation, why = _organisation_of(document, organisations, refused)
    if organisation is None:
        result.problems.append(f"service {own}: {why}")
        return
    data = _service_data(document)
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
        _, created = services.service_import(
            by=by,
            organisation=organisation,
            uuid=own,
            data=data,
            publish=publish,
            at_location_ids=links,
        )
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
