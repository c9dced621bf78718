"""Authorised reads of the catalogue: the public directory, a provider's own services, the
review queue."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from jisr.accounts.access import not_found, require, scope_filter
from jisr.accounts.models import Organisation
from jisr.accounts.roles import Perm
from jisr.catalogue.models import (
    ChangeStatus,
    ImportedOrganisation,
    Location,
    Service,
    ServiceCategory,
    ServiceChange,
    ServiceStatus,
)

LISTED = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)


def public_services(
    *, search: str = "", category: str = "", governorate: int | None = None,
    district: int | None = None, age: int | None = None, sex: str = "", person_type: str = "",
    language: str = "",
) -> QuerySet[Service]:  # fmt: skip
    """Published services anyone may find, filtered as a person would ask."""
    found = Service.objects.filter(published=True, status__in=LISTED)
    if search:
        words = Q()
        for field in ("name_ar", "name_ckb", "name_en", "description_ar", "description_ckb",
                      "description_en"):  # fmt: skip
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


def public_service(*, uuid: str) -> Service:
    service = (
        Service.objects.filter(published=True, uuid=uuid)
        .select_related("organisation")
        .prefetch_related("categories", "areas", "at_locations__location__governorate")
        .first()
    )
    if service is None:
        raise not_found()
    return service


def services_editable(user: Any) -> QuerySet[Service]:
    """The services of the user's organisation (and its branches), whatever their state."""
    if not (user.is_authenticated and user.can(Perm.SERVICE_EDIT)):
        return Service.objects.none()
    return Service.objects.filter(
        scope_filter(user, Perm.SERVICE_EDIT, organisation="organisation")
    )


def service_editable(*, fetched_by: Any, service_id: int) -> Service:
    require(fetched_by, Perm.SERVICE_EDIT)
    service = services_editable(fetched_by).filter(pk=service_id).first()
    if service is None:
        raise not_found()
    return service


def pending_change(service: Service) -> ServiceChange | None:
    return service.changes.filter(status=ChangeStatus.PENDING).first()


def locations_editable(user: Any) -> QuerySet[Location]:
    if not (user.is_authenticated and user.can(Perm.SERVICE_EDIT)):
        return Location.objects.none()
    return Location.objects.filter(
        scope_filter(user, Perm.SERVICE_EDIT, organisation="organisation")
    ).select_related("governorate", "district")


def review_queue(*, fetched_by: Any) -> QuerySet[ServiceChange]:
    require(fetched_by, Perm.SERVICE_REVIEW)
    return ServiceChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "service__organisation", "proposed_by"
    )


def change_get(*, fetched_by: Any, change_id: int) -> ServiceChange:
    require(fetched_by, Perm.SERVICE_REVIEW)
    change = (
        ServiceChange.objects.select_related("service__organisation", "proposed_by")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        raise not_found()
    return change


def categories_tree() -> list[tuple[ServiceCategory, list[ServiceCategory]]]:
    domains = list(ServiceCategory.objects.filter(parent=None).prefetch_related("children"))
    return [(domain, list(domain.children.all())) for domain in domains]


def organisation_is_import_managed(*, organisation: Organisation) -> bool:
    """Whether an import may change this organisation, its services and its locations: an import
    created it, and no account in Jisr speaks for it (once it has one, Jisr manages it)."""
    return (
        ImportedOrganisation.objects.filter(organisation=organisation).exists()
        and not organisation.members.exists()
    )
