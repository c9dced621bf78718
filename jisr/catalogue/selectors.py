"""Reads of the catalogue: the public directory, a provider's own services and locations, the
review queue, and a service as a proposal holds it. Those that depend on the reader take
`fetched_by`; lists read their related rows at once, whatever their length."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from jisr.accounts.access import not_found, require, scope_filter
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.catalogue.models import (
    ChangeStatus,
    HsdsImport,
    ImportedOrganisation,
    Location,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceChange,
    ServiceStatus,
)

LISTED = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
TEXT_FIELDS = [
    f"{field}_{language}"
    for field in ("name", "description", "how_to_access")
    for language in ("ar", "ckb", "en")
]
# The fields of a service a proposal holds as they are; categories, areas and locations (the
# LIST_FIELDS) it holds as codes.
SCALAR_FIELDS = [
    *TEXT_FIELDS,
    "status",
    "url",
    "email",
    "phone",
    "free",
    "fees",
    "minimum_age",
    "maximum_age",
    "sex",
    "person_types",
    "eligible_categories",
    "eligibility_note",
    "required_documents",
    "languages",
    "remote",
    "capacity_per_month",
    "wait_days",
    "opening_hours",
]
LIST_FIELDS = ["categories", "areas", "locations"]
SEARCHED = ["name_ar", "name_ckb", "name_en", "description_ar", "description_ckb", "description_en"]


# --- The public directory ---------------------------------------------------------------------


def service_list_public(
    *,
    search: str = "",
    category: str = "",
    governorate: int | None = None,
    district: int | None = None,
    age: int | None = None,
    sex: str = "",
    person_type: str = "",
    language: str = "",
) -> QuerySet[Service]:
    """Published services anyone may find, filtered as a person would ask."""
    found = Service.objects.filter(published=True, status__in=LISTED)
    if search:
        words = Q()
        for field in SEARCHED:
            words |= Q(**{f"{field}__icontains": search})
        found = found.filter(words | Q(organisation__name_ar__icontains=search))
    if category:
        chosen = ServiceCategory.objects.filter(code=category).first()
        if chosen is None:
            return Service.objects.none()
        codes = [chosen.pk, *chosen.children.values_list("pk", flat=True)]
        found = found.filter(categories__in=codes)
    if governorate:
        found = found.filter(Q(areas=governorate) | Q(areas__isnull=True) | Q(remote=True))
    if district:
        found = found.filter(Q(at_locations__location__district=district) | Q(remote=True))
    if age is not None:
        found = found.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=age))
        found = found.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=age))
    if sex:
        found = found.filter(Q(sex="") | Q(sex=sex))
    services = found.distinct().select_related("organisation").prefetch_related("categories")
    # Lists held as JSON, matched on their text so that SQLite and PostgreSQL answer alike.
    if person_type:
        services = services.annotate(types_text=Cast("person_types", TextField())).filter(
            Q(types_text="[]") | Q(types_text__contains=json.dumps(person_type))
        )
    if language:
        services = services.annotate(languages_text=Cast("languages", TextField())).filter(
            languages_text__contains=json.dumps(language)
        )
    return services


def service_get_public(*, uuid: str) -> Service:
    service = (
        Service.objects.filter(published=True, uuid=uuid)
        .select_related("organisation")
        .prefetch_related("categories", "areas", "at_locations__location__governorate")
        .first()
    )
    if service is None:
        raise not_found()
    return service


# --- A provider's own services and locations --------------------------------------------------


def _editable(user: User) -> QuerySet[Service]:
    if not (user.is_authenticated and user.can(Perm.SERVICE_EDIT)):
        return Service.objects.none()
    return Service.objects.filter(
        scope_filter(user, Perm.SERVICE_EDIT, organisation="organisation")
    ).select_related("organisation")


def service_list_editable(*, fetched_by: User) -> QuerySet[Service]:
    """The services of the reader's organisation (and its branches), whatever their state, with
    their proposals (newest first) read at once."""
    return _editable(fetched_by).prefetch_related("changes")


def service_get_editable(*, fetched_by: User, service_id: int) -> Service:
    require(fetched_by, Perm.SERVICE_EDIT)
    service = _editable(fetched_by).filter(pk=service_id).first()
    if service is None:
        raise not_found()
    return service


def location_list_editable(*, fetched_by: User) -> QuerySet[Location]:
    if not (fetched_by.is_authenticated and fetched_by.can(Perm.SERVICE_EDIT)):
        return Location.objects.none()
    return Location.objects.filter(
        scope_filter(fetched_by, Perm.SERVICE_EDIT, organisation="organisation")
    ).select_related("governorate", "district")


def location_get_editable(*, fetched_by: User, location_id: int) -> Location:
    require(fetched_by, Perm.SERVICE_EDIT)
    location = location_list_editable(fetched_by=fetched_by).filter(pk=location_id).first()
    if location is None:
        raise not_found()
    return location


# --- Proposals and their review ---------------------------------------------------------------


def change_get_pending(*, service: Service) -> ServiceChange | None:
    """The service's proposal waiting for review, if any."""
    return service.changes.filter(status=ChangeStatus.PENDING).first()


def change_get_returned(*, service: Service) -> ServiceChange | None:
    """The service's latest proposal returned to the provider, if any."""
    return service.changes.filter(status=ChangeStatus.REJECTED).first()


def change_list_pending(*, fetched_by: User) -> QuerySet[ServiceChange]:
    """The review queue."""
    require(fetched_by, Perm.SERVICE_REVIEW)
    return ServiceChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "service__organisation", "proposed_by"
    )


def change_get(*, fetched_by: User, change_id: int) -> ServiceChange:
    require(fetched_by, Perm.SERVICE_REVIEW)
    change = (
        ServiceChange.objects.select_related("service__organisation", "proposed_by")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        raise not_found()
    return change


# --- A service as a proposal holds it ---------------------------------------------------------


def service_data_list(services: list[Service]) -> list[dict[str, Any]]:
    """Each service as a proposal would hold it (codes, not database ids), in the order given:
    three queries for the lot."""
    ids = [s.pk for s in services if s.pk]
    categories: dict[int, list[str]] = defaultdict(list)
    areas: dict[int, list[str]] = defaultdict(list)
    locations: dict[int, list[str]] = defaultdict(list)
    if ids:
        for service_id, code in Service.categories.through.objects.filter(
            service_id__in=ids
        ).values_list("service_id", "servicecategory__code"):
            categories[service_id].append(code)
        for service_id, code in Service.areas.through.objects.filter(
            service_id__in=ids
        ).values_list("service_id", "governorate__code"):
            areas[service_id].append(code)
        for service_id, place in ServiceAtLocation.objects.filter(service_id__in=ids).values_list(
            "service_id", "location__uuid"
        ):
            locations[service_id].append(str(place))
    return [
        {
            **{name: getattr(service, name) for name in SCALAR_FIELDS},
            "categories": sorted(categories[service.pk]) if service.pk else [],
            "areas": sorted(areas[service.pk]) if service.pk else [],
            "locations": sorted(locations[service.pk]) if service.pk else [],
        }
        for service in services
    ]


def service_data(*, service: Service) -> dict[str, Any]:
    """The service as a proposal would hold it (codes, not database ids)."""
    return service_data_list([service])[0]


# --- Imports ------------------------------------------------------------------------------------


def organisation_is_import_managed(*, organisation: Organisation) -> bool:
    """Whether an import may change this organisation, its services and its locations: an import
    created it, and no account in Jisr speaks for it (once it has one, Jisr manages it)."""
    return (
        ImportedOrganisation.objects.filter(organisation=organisation).exists()
        and not organisation.members.exists()
    )


def organisations_import_managed(*, organisation_ids: list[int]) -> set[int]:
    """Of these organisations, those an import may change (`organisation_is_import_managed`), in
    one query."""
    return set(
        Organisation.objects.filter(pk__in=organisation_ids, hsds_import__isnull=False)
        .exclude(members__isnull=False)
        .values_list("pk", flat=True)
    )


def hsds_import_get(*, fetched_by: User, import_id: int) -> HsdsImport:
    """Only the catalogue administrator who uploaded an HSDS import sees it (its progress, asked
    for every few seconds, without the ZIP)."""
    require(fetched_by, Perm.SERVICE_REVIEW)
    found = HsdsImport.objects.filter(pk=import_id, created_by=fetched_by).defer("content").first()
    if found is None:
        raise not_found()
    return found


def hsds_import_list(*, fetched_by: User, limit: int = 20) -> list[HsdsImport]:
    """The latest HSDS imports of the catalogue administrator asking, newest first."""
    require(fetched_by, Perm.SERVICE_REVIEW)
    return list(
        HsdsImport.objects.filter(created_by=fetched_by).defer("content").order_by("-pk")[:limit]
    )
