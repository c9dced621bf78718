"""Proposing, reviewing and publishing services, and taking in another directory's.

A provider's new service or change is a proposal (`ServiceChange`); what the public sees changes
only when a catalogue administrator approves it. An HSDS import (`*_import`, decision 0015) goes
the same way, and touches only organisations it created that no account in Jisr speaks for. Each
function runs in one transaction with its audit entry.
"""

from __future__ import annotations

import uuid
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


def _check(
    organisation: Organisation, data: dict[str, Any], *, categories_required: bool = True
) -> dict[str, Any]:
    """A complete, valid proposal, or a JisrError with what to correct, field by field. An
    import may bring a service under none of Jisr's categories (another directory does not
    know them); the review sees it so."""
    unknown = set(data) - {*selectors.SCALAR_FIELDS, *selectors.LIST_FIELDS}
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in sorted(unknown)}
    blank = Service()  # the defaults of every field not given
    clean = {name: data.get(name, getattr(blank, name)) for name in selectors.SCALAR_FIELDS}
    if not any(clean[f"name_{language}"] for language in ("ar", "ckb", "en")):
        errors["name_ar"] = [_("Give the service a name in at least one language.")]
    codes = list(data.get("categories") or [])
    known = set(ServiceCategory.objects.filter(code__in=codes).values_list("code", flat=True))
    if not codes and categories_required:
        errors["categories"] = [_("Choose at least one category.")]
    elif set(codes) - known:
        errors["categories"] = [
            _("Unknown category: %(codes)s") % {"codes": ", ".join(sorted(set(codes) - known))}
        ]
    areas = list(data.get("areas") or [])
    if set(areas) - set(Governorate.objects.filter(code__in=areas).values_list("code", flat=True)):
        errors["areas"] = [_("Unknown governorate.")]
    locations = [str(u) for u in data.get("locations") or []]
    wellformed = [u for u in locations if _is_uuid(u)]  # anything else is refused, not queried
    own = (
        {
            str(u)
            for u in Location.objects.filter(
                organisation=organisation, uuid__in=wellformed
            ).values_list("uuid", flat=True)
        }
        if wellformed
        else set()
    )
    if set(locations) - own:
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
        probe.full_clean(exclude=["organisation"])
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
