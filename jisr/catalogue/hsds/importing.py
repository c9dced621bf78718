"""Another directory's HSDS 3.0 documents taken in, all or nothing (decision 0024): every file read
and checked first, nothing written if any document is wrong; then written only through the
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
import math
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import ngettext

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_held_to_the_end
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
WHOLE = re.compile("[0-9]{1,9}")
OLDEST = 150  # the oldest age a service may name as its limit


# At most this many problems of one file are listed (and how many more there are).
PROBLEMS_PER_FILE = 20


@dataclass
class Imported:
    """What an import wrote, and what Jisr's rules left out of it (decision 0015): the
    documents of organisations Jisr manages, places outside Iraq's governorates, services
    under none of Jisr's categories. A document that is wrong refuses the whole import
    instead (`ImportRefused`)."""

    organisations: int = 0
    locations: int = 0
    services: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Found:
    """The documents of a folder, each with where it was read: (file, JSON Pointer)."""

    organisations: dict[str, tuple[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    services: dict[str, tuple[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, where: tuple[str, str], message: str) -> None:
        name, at = where
        self.errors.setdefault(name, []).append(f"{at or '/'}: {message}")


def import_refused(errors: dict[str, list[str]]) -> JisrError:
    """The whole import refused, nothing written: the problems by file, each with its place."""
    listed: dict[str, list[str]] = {}
    for name, problems in sorted(errors.items()):
        listed[name] = problems[:PROBLEMS_PER_FILE]
        if len(problems) > PROBLEMS_PER_FILE:
            more = len(problems) - PROBLEMS_PER_FILE
            listed[name].append(
                ngettext("… and %(count)d more problem", "… and %(count)d more problems", more)
                % {"count": more}
            )
    count = sum(len(problems) for problems in errors.values())
    message = ngettext(
        "%(count)d problem in the HSDS documents: nothing was imported.",
        "%(count)d problems in the HSDS documents: nothing was imported.",
        count,
    ) % {"count": count}
    return JisrError("invalid", message, status=422, fields=listed)


def _kind_of(document: dict[str, Any]) -> str:
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


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is too large")
    return number


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _load(path: Path) -> Any:
    """The file's JSON, or ValueError saying why it is not: numbers JSON cannot carry (NaN,
    Infinity, 1e400) and nesting too deep for Python are refused here."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start})") from None
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_not_a_number)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ValueError("not JSON Jisr reads: nested too deeply") from None
    except ValueError as error:
        raise ValueError(f"not JSON Jisr reads: {error}") from None


def _pointer(parts: list[str | int]) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _beyond_schema(document: dict[str, Any], at: str) -> list[str]:
    """What HSDS's schema lets through but Jisr cannot keep: text with a NUL character or a
    lone surrogate (PostgreSQL refuses both), ages that are not whole numbers of years
    (0 to `OLDEST`: PostgreSQL keeps them in a small integer)."""
    problems: list[str] = []
    stack: list[tuple[list[str | int], Any]] = [([], document)]
    while stack and len(problems) < PROBLEMS_PER_FILE:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not _keepable(key):
                    problems.append(f"{at}{_pointer(path)}: a name Jisr cannot keep: {key!r:.60}")
                stack.append(([*path, key], item))
        elif isinstance(value, list):
            stack.extend(([*path, index], item) for index, item in enumerate(value))
        elif isinstance(value, str) and not _keepable(value):
            problems.append(
                f"{at}{_pointer(path)}: text with a NUL character or an unpaired surrogate"
            )
    for name in ("minimum_age", "maximum_age"):
        value = document.get(name)
        if isinstance(value, (int, float)) and not (
            float(value).is_integer() and 0 <= value <= OLDEST
        ):
            problems.append(f"{at}/{name}: an age is a whole number of years, 0 to {OLDEST}")
    return sorted(problems)


def _keepable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read(folder: Path) -> _Found:
    """Every document under `folder`: the organisations and services by id, and every problem
    of every file (not JSON, not HSDS 3.0, not what Jisr can keep), each with its place."""
    found = _Found()
    for path in sorted(folder.rglob("*.json")):
        if path.name == "datapackage.json" or not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        if path.stat().st_size > settings.JISR_UPLOAD_MAX_BYTES:  # checked before it is read
            limit = format_size(settings.JISR_UPLOAD_MAX_BYTES, "en")
            found.error((name, ""), f"larger than {limit}")
            continue
        try:
            document = _load(path)
        except ValueError as error:
            found.error((name, ""), str(error))
            continue
        if isinstance(document, dict) and "contents" in document:
            contents = document["contents"]
            if not isinstance(contents, list):
                found.error((name, "/contents"), "not a list of HSDS documents")
                continue
            items = [(f"/contents/{index}", item, True) for index, item in enumerate(contents)]
        else:
            items = [("", document, False)]
        for at, item, listed in items:
            _read_document(found, name, at, item, listed=listed)
    return found


def _read_document(found: _Found, name: str, at: str, item: Any, *, listed: bool) -> None:
    if not isinstance(item, dict):
        found.error((name, at), "not an HSDS document (a JSON object)")
        return
    if "contents" in item:
        found.error((name, at), "a list inside a list")
        return
    kind = _kind_of(item)
    try:
        problems = validation_errors(item, f"{kind}_list" if listed else kind, at=at)
    except RecursionError:
        problems = [f"{at or '/'}: nested too deeply"]
    problems += _beyond_schema(item, at)
    if problems:
        found.errors.setdefault(name, []).extend(problems)
        return
    where = (name, at)
    if kind == "service":
        # The same service may come whole and as a list entry: keep the fuller one.
        own = str(item["id"])
        if len(item) >= len(found.services.get(own, (where, {}))[1]):
            found.services[own] = (where, item)
        summary = item.get("organization")
        if isinstance(summary, dict) and "id" in summary:
            found.organisations.setdefault(
                str(summary["id"]), ((name, f"{at}/organization"), summary)
            )
    elif kind == "organization":
        own = str(item["id"])
        merged = {**found.organisations.get(own, (where, {}))[1], **item}
        found.organisations[own] = (where, merged)
        for index, service in enumerate(item.get("services") or []):
            if not isinstance(service, dict) or "id" not in service:
                continue
            if "organization_id" in service or "service_at_locations" in service:
                found.services.setdefault(
                    str(service["id"]),
                    ((name, f"{at}/services/{index}"), {**service, "organization_id": item["id"]}),
                )


def catalogue_import(folder: Path, *, by: User | None = None, publish: bool = False) -> Imported:
    """Import every HSDS document under `folder` (services, organisations, lists of them);
    run it again and nothing is added twice. All or nothing: every document is read and
    checked (HSDS 3.0's schema, then Jisr's own checks as the catalogue's services make them)
    and if any is wrong the import is refused with `ImportRefused`-style `JisrError` (code
    "invalid", the problems by file in `fields`, each with its JSON Pointer) and nothing is
    written. What Jisr's rules leave out (decision 0015: documents of organisations Jisr
    manages, places outside Iraq) is no error: it is reported in `problems` and the rest is
    imported. Services wait for review unless `publish` (by `by`, who must be allowed to
    review): see the module's docstring for what an import may create and touch."""
    if publish:
        if by is None:
            raise forbidden()
        require(by, Perm.SERVICE_REVIEW)
    return catalogue_write(catalogue_read(folder), by=by, publish=publish)


def catalogue_read(folder: Path) -> _Found:
    """Every document under `folder`, read and checked against HSDS 3.0 and what Jisr can keep;
    the import refused (nothing written yet) when any is wrong."""
    found = _read(folder)
    if found.errors:
        raise import_refused(found.errors)
    return found


def catalogue_write(found: _Found, *, by: User | None = None, publish: bool = False) -> Imported:
    """Write what `catalogue_read` found, in one transaction, through the catalogue's services;
    rolled back and refused when any of them refuses a document."""
    if publish:
        if by is None:
            raise forbidden()
        require(by, Perm.SERVICE_REVIEW)
    run = _Run(found, by=by, publish=publish)
    with transaction.atomic(), audit_held_to_the_end():
        run.organisations()
        for own, (where, item) in found.services.items():
            run.service(own, where, item)
        run.services_write()
        if found.errors:
            raise import_refused(found.errors)  # rolls back what was written
    return run.result


def _fields(error: JisrError) -> str:
    """A refusal of the catalogue's services as a line of the report: its fields' messages."""
    found = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.fields.items())
    return found or str(error.message)


class _Run:
    """Writing what `_read` found, through the catalogue's services: Jisr's rules leave some
    out (noted in `result.problems`); anything the services refuse is an error of its file."""

    def __init__(self, found: _Found, *, by: User | None, publish: bool) -> None:
        self.found, self.by, self.publish = found, by, publish
        self.result = Imported()
        self.usable: dict[str, Organisation] = {}  # those services may be imported under
        self.refused: dict[str, str] = {}  # why each other organisation of the files was not
        # A location many services name is written once: its fields and what became of it.
        self.places: dict[tuple[str, int], tuple[dict[str, Any], Location | None]] = {}
        self.governorates: dict[str, str] = {}  # code -> English name, read once
        self.categories: set[str] = set()  # Jisr's category codes, read once
        self.services: list[tuple[str, tuple[str, str], dict[str, Any], services.ServiceImport]]
        self.services = []  # checked here, written together by `services_write`

    def organisations(self) -> None:
        for own, (where, document) in self.found.organisations.items():
            self._organisation(own, where, document)
        for own, organisation in self.usable.items():
            where, document = self.found.organisations[own]
            for index, place in enumerate(_dicts(document.get("locations"))):
                self._location((where[0], f"{where[1]}/locations/{index}"), place, organisation)

    def _organisation(self, own: str, where: tuple[str, str], document: dict[str, Any]) -> None:
        if not _is_uuid(own):
            self.refused[own] = "its organisation was left out"
            self.found.error((where[0], f"{where[1]}/id"), "not a UUID")
            return
        texts = _texts(document, {"name": "name"})
        phones = _dicts(document.get("phones"))
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
                by=self.by, uuid=own, kind=kind, fields=fields
            )
        except JisrError as error:
            if error.code == "managed":
                self.refused[own] = "its organisation is managed in Jisr; left out"
                self.result.problems.append(f"organisation {own}: managed in Jisr; left as it is")
            else:
                self.refused[own] = "its organisation was left out"
                self.found.error(where, f"organisation {own}: {_fields(error)}")
            return
        self.result.organisations += created
        self.usable[own] = organisation

    def _location(
        self, where: tuple[str, str], document: dict[str, Any], organisation: Organisation
    ) -> Location | None:
        own = str(document.get("id") or "")
        if not _is_uuid(own):
            self.found.error((where[0], f"{where[1]}/id"), "not a UUID")
            return None
        seen = self.places.get((own, organisation.pk))
        if seen is not None and seen[0] == document:
            return seen[1]  # written once already, as these same lines say
        address = next(iter(_dicts(document.get("addresses"))), {})
        governorate = _governorate(address)
        if governorate is None:
            self.result.problems.append(f"location {own}: not in a governorate of Iraq; left out")
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
                by=self.by, organisation=organisation, uuid=own, fields=fields
            )
            self.places[own, organisation.pk] = (document, location)
        except JisrError as error:
            if error.code == "conflict":
                self.result.problems.append(
                    f"location {own}: it belongs to another organisation in Jisr; left out"
                )
            else:
                self.found.error(where, f"location {own}: {_fields(error)}")
            return None
        self.result.locations += created
        return location

    def _organisation_of(self, document: dict[str, Any]) -> tuple[Organisation | None, str]:
        """The organisation a service may be imported under, or why there is none ("" when
        the files are wrong: no such organisation anywhere)."""
        summary = document.get("organization")
        theirs = str(
            document.get("organization_id")
            or (summary.get("id") if isinstance(summary, dict) else "")
            or ""
        )
        organisation = self.usable.get(theirs)
        if organisation is not None:
            return organisation, ""
        known = Organisation.objects.filter(uuid=theirs).first() if _is_uuid(theirs) else None
        if known is not None and selectors.organisation_is_import_managed(organisation=known):
            return known, ""  # imported before, and still the import's
        if theirs in self.refused:
            return None, self.refused[theirs]
        if known is not None:
            return None, "its organisation is managed in Jisr; left out"
        return None, ""

    def service(self, own: str, where: tuple[str, str], document: dict[str, Any]) -> None:
        if not _is_uuid(own):
            self.found.error((where[0], f"{where[1]}/id"), "not a UUID")
            return
        organisation, why = self._organisation_of(document)
        if organisation is None:
            if why:
                self.result.problems.append(f"service {own}: {why}")
            else:
                self.found.error(
                    (where[0], f"{where[1]}/organization_id"),
                    "no organisation with this id in the files, nor one imported before",
                )
            return
        if not self.categories:
            self.categories = set(ServiceCategory.objects.values_list("code", flat=True))
        data = _service_data(document, self.categories)
        if not any(data[f"name_{lang}"] for lang in LANGUAGES):
            self.found.error((where[0], f"{where[1]}/name"), "the service has no name")
            return
        areas = _dicts(document.get("service_areas"))
        codes = [str(a.get("description") or "") for a in areas]
        names = [str(a.get("name") or "") for a in areas]
        if not self.governorates:
            self.governorates = dict(Governorate.objects.values_list("code", "name_en"))
        data["areas"] = sorted(
            code for code, name in self.governorates.items() if code in codes or name in names
        )
        places: set[str] = set()
        links: dict[str, str] = {}  # location -> the directory's id of the service there
        for index, sal in enumerate(_dicts(document.get("service_at_locations"))):
            place, place_id = sal.get("location"), str(sal.get("location_id") or "")
            if isinstance(place, dict):
                at = (where[0], f"{where[1]}/service_at_locations/{index}/location")
                location = self._location(at, place, organisation)
            elif _is_uuid(place_id):
                location = Location.objects.filter(organisation=organisation, uuid=place_id).first()
            else:
                location = None
            if location is not None:
                places.add(str(location.uuid))
                if _is_uuid(str(sal.get("id") or "")):
                    links[str(location.uuid)] = str(sal["id"])
        data["locations"] = sorted(places)
        item = services.ServiceImport(
            organisation=organisation, uuid=own, data=data, at_location_ids=links
        )
        self.services.append((own, where, data, item))

    def services_write(self) -> None:
        outcomes = services.service_import_many(
            by=self.by, items=[item for *_, item in self.services], publish=self.publish
        )
        for (own, where, data, _item), outcome in zip(self.services, outcomes, strict=True):
            if isinstance(outcome, JisrError):
                if outcome.code == "managed":
                    self.result.problems.append(
                        f"service {own}: its organisation is managed in Jisr; left out"
                    )
                elif outcome.code == "conflict":
                    self.result.problems.append(
                        f"service {own}: it belongs to another organisation in Jisr; left out"
                    )
                else:
                    self.found.error(where, f"service {own}: {_fields(outcome)}")
                continue
            self.result.services += outcome
            if not data["categories"] and outcome:
                self.result.problems.append(
                    f"service {own}: no Jisr category; listed under none until one is chosen"
                )


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a list in a document (HSDS's schema has made sure they are objects)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


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


def _coordinate(value: Any) -> Decimal | None:
    """A latitude or longitude as Jisr keeps it (six decimals), or None; one Jisr cannot keep
    is handed on as it is, for the location's checks to refuse."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    try:
        return round(number, 6)
    except InvalidOperation:
        return number


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
        "capacity_per_month": int(capacity) if WHOLE.fullmatch(capacity) else None,
    }


def _service_data(document: dict[str, Any], known_categories: set[str]) -> dict[str, Any]:
    """The service as a proposal holds it, before its areas and locations."""
    texts = _texts(
        document,
        {"name": "name", "description": "description", "how_to_access": "application_process"},
    )
    wait = re.match(r"\s*([0-9]{1,9})", str(document.get("wait_time") or ""))
    status = document.get("status")
    documents = [
        str(d["uri"]).rsplit(":", 1)[-1]
        for d in _dicts(document.get("required_documents"))
        if str(d.get("uri", "")).startswith(DOCUMENT_URN)
    ]
    categories = list(attributes_of(document, CATEGORIES))
    phones = _dicts(document.get("phones"))
    schedules = _dicts(document.get("schedules"))
    return {
        **texts,
        "status": status if status in ServiceStatus.values else ServiceStatus.ACTIVE,
        "url": str(document.get("url") or ""),
        "email": str(document.get("email") or ""),
        "phone": str(phones[0].get("number") or "") if phones else "",
        "fees": str(document.get("fees_description") or ""),
        "minimum_age": _age(document.get("minimum_age")),
        "maximum_age": _age(document.get("maximum_age")),
        **_eligibility(document),
        "eligibility_note": str(document.get("eligibility_description") or ""),
        "required_documents": [code for code in documents if code in DocumentType.values],
        "languages": [
            x["code"] for x in _dicts(document.get("languages")) if x.get("code") in Language.values
        ],
        **_delivery(document),
        "wait_days": int(wait.group(1)) if wait else None,
        "opening_hours": str(schedules[0].get("description") or "") if schedules else "",
        "categories": sorted(set(categories) & known_categories),
    }


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _age(value: Any) -> int | None:
    """An age in whole years (`_beyond_schema` refused any other number), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)
