"""Proposing, reviewing and publishing services, and taking in another directory's.

A provider's new service or change is a proposal (`ServiceChange`); what the public sees changes
only when a catalogue administrator approves it. An HSDS import (`*_import`, decision 0015) goes
the same way, and touches only organisations it created that no account in Jisr speaks for. Each
function runs in one transaction with its audit entry.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record, diff
from jisr.catalogue import mapping, selectors
from jisr.catalogue.models import (
    ChangeStatus,
    DocumentType,
    ImportedOrganisation,
    Location,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceChange,
)
from jisr.lib.bulk import insert_new, insert_values
from jisr.lib.errors import JisrError
from jisr.lib.validation import invalid, validate_http_url, validated_save
from jisr.matching.models import Language
from jisr.places.models import Governorate
from jisr.registry.models import PersonType


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@dataclass
class _Known:
    """The codes and locations proposals may name, read once for one proposal or a whole import:
    categories and governorates by code, an organisation's locations by (organisation, uuid)."""

    categories: dict[str, int]
    governorates: dict[str, int]
    locations: dict[tuple[int, str], int]

    @classmethod
    def of(cls, proposals: Iterable[tuple[Organisation, dict[str, Any]]]) -> _Known:
        codes: set[str] = set()
        areas: set[str] = set()
        places: dict[int, set[str]] = defaultdict(set)
        for organisation, data in proposals:
            codes.update(str(c) for c in data.get("categories") or [])
            areas.update(str(a) for a in data.get("areas") or [])
            # anything not a UUID is refused, not queried
            places[organisation.pk].update(
                str(u) for u in data.get("locations") or [] if _is_uuid(str(u))
            )
        wanted = {u for uuids in places.values() for u in uuids}
        found = (
            Location.objects.filter(organisation_id__in=list(places), uuid__in=wanted).values_list(
                "organisation_id", "uuid", "pk"
            )
            if wanted
            else []
        )
        return cls(
            categories=dict(
                ServiceCategory.objects.filter(code__in=codes).values_list("code", "pk")
            )
            if codes
            else {},
            governorates=dict(Governorate.objects.filter(code__in=areas).values_list("code", "pk"))
            if areas
            else {},
            locations={
                (organisation_id, str(place)): pk
                for organisation_id, place, pk in found
                if str(place) in places[organisation_id]
            },
        )


def _check(
    organisation: Organisation,
    data: dict[str, Any],
    *,
    categories_required: bool = True,
    known: _Known | None = None,
) -> dict[str, Any]:
    """A complete, valid proposal, or a JisrError with what to correct, field by field. An
    import may bring a service under none of Jisr's categories (another directory does not
    know them); the review sees it so. `known`: what an import read once for all its services."""
    if known is None:
        known = _Known.of([(organisation, data)])
    unknown = set(data) - {*selectors.SCALAR_FIELDS, *selectors.LIST_FIELDS}
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in sorted(unknown)}
    blank = Service()  # the defaults of every field not given
    clean = {name: data.get(name, getattr(blank, name)) for name in selectors.SCALAR_FIELDS}
    if not any(clean[f"name_{language}"] for language in ("ar", "ckb", "en")):
        errors["name_ar"] = [_("Give the service a name in at least one language.")]
    codes = list(data.get("categories") or [])
    if not codes and categories_required:
        errors["categories"] = [_("Choose at least one category.")]
    elif set(codes) - set(known.categories):
        errors["categories"] = [
            _("Unknown category: %(codes)s")
            % {"codes": ", ".join(sorted(set(codes) - set(known.categories)))}
        ]
    areas = list(data.get("areas") or [])
    if set(areas) - set(known.governorates):
        errors["areas"] = [_("Unknown governorate.")]
    locations = [str(u) for u in data.get("locations") or []]
    if any((organisation.pk, u) not in known.locations for u in locations):
        errors["locations"] = [_("Choose among your organisation's locations.")]
    for name, allowed in (
        ("person_types", PersonType.values),
        ("required_documents", DocumentType.values),
        ("languages", Language.values),
    ):
        values = clean[name] or []
        if not isinstance(values, list) or set(values) - set(allowed):
            errors[name] = [_("Not one of the choices.")]
    if not isinstance(clean["eligible_categories"] or [], list):
        errors["eligible_categories"] = [_("Not one of the choices.")]
    probe = Service(organisation=organisation, **clean)
    try:
        # Its uuid is a new random one: nothing to find unique; saving checks the record's own.
        # Django checks a check constraint with a query of every field, most of an import's
        # time; a service's one constraint (ages in order) can only fail when both are given.
        probe.full_clean(
            exclude=["organisation"], validate_unique=False, validate_constraints=False
        )
        if probe.minimum_age is not None and probe.maximum_age is not None:
            probe.validate_constraints()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(str(m) for m in messages)
    if errors:
        raise invalid(errors)
    return {
        **clean,
        "categories": sorted(codes),
        "areas": sorted(areas),
        "locations": sorted(locations),
    }


@transaction.atomic
def service_propose(
    *, by: User, data: dict[str, Any], service: Service | None = None
) -> ServiceChange:
    """A new service, or a change to one of the proposer's organisation, sent for review."""
    require(by, Perm.SERVICE_EDIT)
    if service is None:
        if by.organisation is None:
            raise forbidden()
        organisation = by.organisation
    else:
        if not selectors.service_list_editable(fetched_by=by).filter(pk=service.pk).exists():
            raise forbidden()
        organisation = service.organisation
    clean = _check(organisation, data)
    if service is None:
        service = Service(organisation=organisation, published=False)
        _apply(service, clean)
        action = Action.CREATE
    else:
        action = Action.UPDATE
    change = selectors.change_get_pending(service=service)
    before = change.data if change else selectors.service_data(service=service)
    if change is None:
        change = ServiceChange(service=service, proposed_by=by, data=clean)
    else:
        change.data, change.proposed_by, change.proposed_at = clean, by, timezone.now()
    change.save()
    if not service.published:
        _apply(service, clean)  # nothing public yet: the record holds the proposal
    audit_record(
        actor=by,
        action=action,
        target=service,
        changes={"proposed": diff(_flat(before), _flat(clean))},
    )
    return change


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in data.items()}


def _apply(service: Service, data: dict[str, Any]) -> None:
    for name in selectors.SCALAR_FIELDS:
        setattr(service, name, data[name])
    validated_save(service)
    service.categories.set(ServiceCategory.objects.filter(code__in=data["categories"]))
    service.areas.set(Governorate.objects.filter(code__in=data["areas"]))
    wanted = set(
        Location.objects.filter(organisation=service.organisation, uuid__in=data["locations"])
    )
    service.at_locations.exclude(location__in=wanted).delete()
    for location in wanted:
        ServiceAtLocation.objects.get_or_create(service=service, location=location)


@transaction.atomic
def change_approve(*, by: User, change: ServiceChange) -> Service:
    require(by, Perm.SERVICE_REVIEW)
    if change.status != ChangeStatus.PENDING:
        raise invalid({"status": [_("This proposal has already been reviewed.")]})
    service = change.service
    before = selectors.service_data(service=service) if service.published else {}
    _apply(service, change.data)
    service.published = True
    service.save(update_fields=["published", "updated_at"])
    change.status, change.reviewed_by, change.reviewed_at = (
        ChangeStatus.APPROVED,
        by,
        timezone.now(),
    )
    change.save()
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=service,
        changes={"published": diff(_flat(before), _flat(change.data))},
    )
    return service


@transaction.atomic
def change_reject(*, by: User, change: ServiceChange, reason: str) -> ServiceChange:
    require(by, Perm.SERVICE_REVIEW)
    if change.status != ChangeStatus.PENDING:
        raise invalid({"status": [_("This proposal has already been reviewed.")]})
    if not reason.strip():
        raise invalid({"reason": [_("Say what to correct.")]})
    change.status, change.reviewed_by, change.reviewed_at = (
        ChangeStatus.REJECTED,
        by,
        timezone.now(),
    )
    change.reason = reason.strip()[:500]
    change.save()
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=change.service,
        changes={"review": ["pending", "rejected"], "reason": change.reason},
    )
    return change


@transaction.atomic
def location_save(*, by: User, location: Location | None = None, **fields: Any) -> Location:
    require(by, Perm.SERVICE_EDIT)
    if location is None:
        if by.organisation is None:
            raise forbidden()
        location = Location(organisation=by.organisation)
    elif not selectors.location_list_editable(fetched_by=by).filter(pk=location.pk).exists():
        raise forbidden()
    for name, value in fields.items():
        setattr(location, name, value)
    district = location.district if location.district_id else None
    if district is not None and district.governorate_id != location.governorate_id:
        raise invalid({"district": [_("This district is in another governorate.")]})
    validated_save(location)
    audit_record(
        actor=by, action=Action.UPDATE, target=location, changes={"location": str(location)}
    )
    return location


@transaction.atomic
def stakeholder_map_export(
    *, by: User, level: str, file_format: str
) -> tuple[list[str], list[list[object]]]:
    """The stakeholder map as a table to download (headers, rows); the export is audited."""
    headers, rows = mapping.table(mapping.stakeholder_map(fetched_by=by, level=level))
    audit_record(
        actor=by,
        action=Action.EXPORT,
        object_type="catalogue.stakeholder_map",
        changes={"level": level, "format": file_format},
    )
    return headers, rows


# --- Taking in another directory's services (HSDS import, decision 0015) -------------------

# The kinds an import may give an organisation it creates: none reaches what government does.
IMPORTABLE_KINDS = frozenset(
    {
        OrganisationKind.NGO,
        OrganisationKind.UN_AGENCY,
        OrganisationKind.TRAINING_CENTRE,
        OrganisationKind.DIASPORA_ORGANISATION,
    }
)
ORGANISATION_IMPORT_FIELDS = ("name_ar", "name_ckb", "name_en", "email", "website", "phone")


def _managed_in_jisr() -> JisrError:
    return JisrError(
        "managed",
        _("This organisation is managed in Jisr: an import leaves it and its services alone."),
        status=409,
    )


def _another_organisations() -> JisrError:
    return JisrError("conflict", _("This belongs to another organisation."), status=409)


@transaction.atomic
def organisation_import(
    *, by: User | None, uuid: str, kind: str, fields: dict[str, str]
) -> tuple[Organisation, bool]:
    """(the organisation, created) for another directory's organisation. One Jisr does not know
    is created as a provider without reach: a kind outside government (the document's if it is
    one, else an NGO), no parent, no governorate, not verified. One an import created is given
    its new names and contacts; any other is Jisr's, and refused. Kind, parent, governorate and
    verification are never set here: only an administrator of all records moves an organisation."""
    organisation = Organisation.objects.filter(uuid=uuid).first()
    created = organisation is None
    if organisation is None:
        organisation = Organisation(
            uuid=uuid,
            kind=kind if kind in IMPORTABLE_KINDS else OrganisationKind.NGO,
            parent=None,
            governorate=None,
            verified=False,
        )
    elif not selectors.organisation_is_import_managed(organisation=organisation):
        raise _managed_in_jisr()
    before = {name: getattr(organisation, name) for name in ORGANISATION_IMPORT_FIELDS}
    wanted = {name: fields.get(name, "") for name in ORGANISATION_IMPORT_FIELDS}
    if not created and before == wanted:
        return organisation, False
    for name, value in wanted.items():
        setattr(organisation, name, value)
    if organisation.website:
        try:
            validate_http_url(organisation.website)
        except ValidationError as error:
            raise invalid({"website": [str(m) for m in error.messages]}) from None
    validated_save(organisation)
    if created:
        ImportedOrganisation.objects.create(organisation=organisation)
    audit_record(
        actor=by,
        action=Action.CREATE if created else Action.UPDATE,
        target=organisation,
        changes={"imported_hsds": uuid, **diff({} if created else before, wanted)},
    )
    return organisation, created


@transaction.atomic
def location_import(
    *, by: User | None, organisation: Organisation, uuid: str, fields: dict[str, Any]
) -> tuple[Location, bool]:
    """(the location, created) for a location of an organisation an import manages; a location
    of another organisation keeps its owner."""
    if not selectors.organisation_is_import_managed(organisation=organisation):
        raise _managed_in_jisr()
    location = Location.objects.filter(uuid=uuid).first()
    created = location is None
    if location is None:
        location = Location(uuid=uuid, organisation=organisation)
    elif location.organisation_id != organisation.pk:
        raise _another_organisations()
    elif all(getattr(location, name) == value for name, value in fields.items()):
        return location, False  # the same again: nothing to write
    for name, value in fields.items():
        setattr(location, name, value)
    validated_save(location)
    if created:
        audit_record(
            actor=by, action=Action.CREATE, target=location, changes={"imported_hsds": uuid}
        )
    return location, created


@transaction.atomic
def service_import(
    *,
    by: User | None,
    organisation: Organisation,
    uuid: str,
    data: dict[str, Any],
    publish: bool = False,
    at_location_ids: dict[str, str] | None = None,
) -> tuple[Service, bool]:
    """(the service, created) for another directory's service of an organisation an import
    manages. It is checked as a provider's proposal is and becomes a proposal that waits for the
    catalogue administrator's review, as a provider's does, unless `publish` (which `by` must be
    allowed to review). The same data again changes nothing. `at_location_ids` keeps the
    directory's identifiers of the service at each location (location uuid -> its own uuid)."""
    if publish:
        if by is None:
            raise forbidden()
        require(by, Perm.SERVICE_REVIEW)
    if not selectors.organisation_is_import_managed(organisation=organisation):
        raise _managed_in_jisr()
    service = Service.objects.filter(uuid=uuid).first()
    if service is not None and service.organisation_id != organisation.pk:
        raise _another_organisations()
    clean = _check(organisation, data, categories_required=False)
    created = service is None
    change: ServiceChange | None = None
    before: dict[str, Any] = {}
    if service is None:
        service = Service(uuid=uuid, organisation=organisation, published=False)
    else:
        change = selectors.change_get_pending(service=service)
        before = change.data if change else selectors.service_data(service=service)
        waiting = change is not None or not service.published
        if before == clean and not (publish and waiting):
            return service, False
    if created or not service.published or publish:
        _apply(service, clean)  # nothing public yet, or published at once: the record holds it
    if change is None:
        change = ServiceChange(service=service, proposed_by=None)
    change.data, change.proposed_at = clean, timezone.now()
    if publish:
        service.published = True
        service.save(update_fields=["published", "updated_at"])
        change.status, change.reviewed_by, change.reviewed_at = (
            ChangeStatus.APPROVED,
            by,
            change.proposed_at,
        )
    change.save()
    for link in service.at_locations.select_related("location"):
        wanted = (at_location_ids or {}).get(str(link.location.uuid))
        taken = ServiceAtLocation.objects.filter(uuid=wanted).exists() if wanted else True
        if wanted and str(link.uuid) != wanted and not taken:
            link.uuid = wanted  # a UUIDField takes its text
            link.save(update_fields=["uuid"])
    audit_record(
        actor=by,
        action=Action.CREATE if created else Action.UPDATE,
        target=service,
        changes={
            "imported_hsds": uuid,
            "published" if publish else "proposed": diff(_flat(before), _flat(clean)),
        },
    )
    return service, created


@dataclass
class ServiceImport:
    """One service of an import for `service_import_many`: `service_import`'s arguments."""

    organisation: Organisation
    uuid: str
    data: dict[str, Any]
    at_location_ids: dict[str, str]


@transaction.atomic
def service_import_many(
    *, by: User | None, items: Sequence[ServiceImport], publish: bool = False
) -> list[bool | JisrError]:
    """`service_import` for each item, in one transaction, with the same outcome for each: True
    when created, False when it was there already, or the JisrError `service_import` raises (the
    caller decides whether the rest stands). The same records, proposals and audit entries as
    item by item, at a few statements for the lot instead of some forty a service: the checks'
    codes and locations are read once, new services are inserted together, and services the
    documents leave as they are cost nothing more. A service that changes goes through
    `service_import` itself."""
    if publish:
        if by is None:
            raise forbidden()
        require(by, Perm.SERVICE_REVIEW)
    organisations = {item.organisation.pk: item.organisation for item in items}
    managed = selectors.organisations_import_managed(organisation_ids=list(organisations))
    existing = {
        str(service.uuid): service
        for service in Service.objects.filter(
            uuid__in=[item.uuid for item in items if _is_uuid(item.uuid)]
        )
    }
    known = _Known.of([(item.organisation, item.data) for item in items])
    outcomes: list[bool | JisrError] = [False] * len(items)
    new: list[tuple[ServiceImport, dict[str, Any]]] = []
    there: list[tuple[int, ServiceImport, Service, dict[str, Any]]] = []
    for index, item in enumerate(items):
        service = existing.get(item.uuid)
        try:
            if item.organisation.pk not in managed:
                raise _managed_in_jisr()
            if service is not None and service.organisation_id != item.organisation.pk:
                raise _another_organisations()
            clean = _check(item.organisation, item.data, categories_required=False, known=known)
        except JisrError as error:
            outcomes[index] = error
            continue
        if service is None:
            outcomes[index] = True
            new.append((item, clean))
        else:
            there.append((index, item, service, clean))
    _services_create(by=by, new=new, known=known, publish=publish)
    pending: dict[int, ServiceChange] = {}
    for proposal in ServiceChange.objects.filter(
        service__in=[entry[2] for entry in there], status=ChangeStatus.PENDING
    ):  # newest first (the model's order), as `change_get_pending` takes it
        pending.setdefault(proposal.service_id, proposal)
    unreviewed = [entry[2] for entry in there if entry[2].pk not in pending]
    as_published = {
        service.pk: data
        for service, data in zip(unreviewed, selectors.service_data_list(unreviewed), strict=True)
    }
    for index, item, service, clean in there:
        change = pending.get(service.pk)
        before = change.data if change else as_published[service.pk]
        waiting = change is not None or not service.published
        if before == clean and not (publish and waiting):
            continue  # the same again: nothing to write
        try:
            service_import(
                by=by,
                organisation=item.organisation,
                uuid=item.uuid,
                data=item.data,
                publish=publish,
                at_location_ids=item.at_location_ids,
            )
        except JisrError as error:
            outcomes[index] = error
    return outcomes


def _services_create(
    *,
    by: User | None,
    new: list[tuple[ServiceImport, dict[str, Any]]],
    known: _Known,
    publish: bool,
) -> None:
    """The new services of `service_import_many`, inserted together: each as `service_import`
    creates one (its categories, areas, places with the directory's ids where still free, its
    proposal, approved when `publish`, and its audit entry)."""
    if not new:
        return
    now = timezone.now()
    services: list[Service] = []
    for item, clean in new:
        service = Service(uuid=item.uuid, organisation=item.organisation, published=publish)
        for name in selectors.SCALAR_FIELDS:
            setattr(service, name, clean[name])
        services.append(service)
    insert_new(services)
    insert_values(
        Service.categories.through,
        ["service_id", "servicecategory_id"],
        [
            (service.pk, known.categories[code])
            for service, (_item, clean) in zip(services, new, strict=True)
            for code in dict.fromkeys(clean["categories"])
        ],
    )
    insert_values(
        Service.areas.through,
        ["service_id", "governorate_id"],
        [
            (service.pk, known.governorates[code])
            for service, (_item, clean) in zip(services, new, strict=True)
            for code in dict.fromkeys(clean["areas"])
        ],
    )
    asked = {str(uuid.UUID(w)) for item, _clean in new for w in item.at_location_ids.values()}
    taken = {
        str(u)
        for u in ServiceAtLocation.objects.filter(uuid__in=asked).values_list("uuid", flat=True)
    }
    places: list[ServiceAtLocation] = []
    for service, (item, clean) in zip(services, new, strict=True):
        for place in dict.fromkeys(clean["locations"]):
            place_at = ServiceAtLocation(
                service_id=service.pk, location_id=known.locations[(item.organisation.pk, place)]
            )
            wanted = item.at_location_ids.get(place)
            wanted = str(uuid.UUID(wanted)) if wanted else None  # as the database gives it back
            if wanted and wanted not in taken:  # the directory's id, unless Jisr holds it
                place_at.uuid = wanted  # a UUIDField takes its text
                taken.add(wanted)
            places.append(place_at)
    insert_new(places)
    approved = (
        {"status": ChangeStatus.APPROVED, "reviewed_by": by, "reviewed_at": now} if publish else {}
    )
    insert_new(
        [
            ServiceChange(
                service=service, proposed_by=None, data=clean, proposed_at=now, **approved
            )
            for service, (_item, clean) in zip(services, new, strict=True)
        ]
    )
    for service, (item, clean) in zip(services, new, strict=True):
        audit_record(
            actor=by,
            action=Action.CREATE,
            target=service,
            changes={
                "imported_hsds": item.uuid,
                "published" if publish else "proposed": diff({}, _flat(clean)),
            },
        )
