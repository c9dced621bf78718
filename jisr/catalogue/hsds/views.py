"""The HSDS 3.0 read API at /api/hsds/ (public, as HSDS's OpenAPI describes it): services,
organisations, services at locations and Jisr's taxonomies, with `page`, `per_page`, `search`,
`organization_id`, `taxonomy_term_id`, `modified_after` and `full` where HSDS has them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jisr.accounts.decorators import public
from jisr.accounts.models import Organisation
from jisr.catalogue.hsds import export
from jisr.catalogue.hsds.taxonomies import CATEGORIES, DESCRIPTIONS, derived_id, taxonomy_term
from jisr.catalogue.models import Service, ServiceAtLocation, ServiceCategory
from jisr.lib.errors import JisrError

MAX_PER_PAGE = 200
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


def _json(document: Any) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False}, safe=False)


def _paged(request: HttpRequest, items: list[Any]) -> dict[str, Any]:
    try:
        number = max(1, int(request.GET.get("page", "1")))
        size = max(1, min(MAX_PER_PAGE, int(request.GET.get("per_page", "50"))))
    except ValueError:
        raise JisrError("invalid", _("page and per_page are whole numbers."), status=400) from None
    return export.page(items, number=number, size=size)


def _services(request: HttpRequest) -> QuerySet[Service]:
    found = Service.objects.filter(published=True).select_related("organisation__parent")
    if search := request.GET.get("search", "").strip():
        found = found.filter(
            Q(name_ar__icontains=search)
            | Q(name_ckb__icontains=search)
            | Q(name_en__icontains=search)
            | Q(description_ar__icontains=search)
            | Q(description_en__icontains=search)
        )
    if organisation := request.GET.get("organization_id"):
        found = found.filter(organisation__uuid=_uuid(organisation))
    if term := request.GET.get("taxonomy_term_id"):
        codes = [
            c.code
            for c in ServiceCategory.objects.all()
            if derived_id("term", CATEGORIES, c.code) == term
        ]
        found = found.filter(categories__code__in=codes)
    if since := request.GET.get("modified_after"):
        moment = parse_datetime(since)
        if moment is None:
            raise JisrError(
                "invalid", _("modified_after is a date and time (ISO 8601)."), status=400
            )
        found = found.filter(
            updated_at__gt=moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        )
    return found.distinct().order_by("uuid")


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise JisrError("invalid", _("Not a valid identifier (UUID)."), status=400) from None


@public
def root(request: HttpRequest) -> JsonResponse:
    return _json(
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": OPENAPI_URL,
        }
    )


@public
def services(request: HttpRequest) -> JsonResponse:
    full = request.GET.get("full") == "true"
    found = _services(request).prefetch_related(*export.PREFETCH)
    items = [export.service_document(s) for s in found]
    return _json(
        _paged(request, items if full else [export.list_form(d, "service") for d in items])
    )


@public
def service(request: HttpRequest, hsds_id: uuid.UUID) -> JsonResponse:
    found = export.published_services().filter(uuid=hsds_id).first()
    if found is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return _json(export.service_document(found))


def _organisations_with_services() -> dict[str, tuple[Organisation, list[Service]]]:
    """The organisations of published services (with their locations), by HSDS id."""
    offered: dict[int, list[Service]] = {}
    for item in Service.objects.filter(published=True).order_by("uuid"):
        offered.setdefault(item.organisation_id, []).append(item)
    found = export.organisations_with(Organisation.objects.filter(pk__in=list(offered)))
    return {str(o.uuid): (o, offered[o.pk]) for o in found}


@public
def organizations(request: HttpRequest) -> JsonResponse:
    grouped = _organisations_with_services()
    search = request.GET.get("search", "").strip().lower()
    items = [
        export.organisation_document(o, s)
        if request.GET.get("full") == "true"
        else export.list_form(export.organisation_summary(o), "organization")
        for key, (o, s) in sorted(grouped.items())
        if not search or search in f"{o.name_ar} {o.name_ckb} {o.name_en}".lower()
    ]
    return _json(_paged(request, items))


@public
def organization(request: HttpRequest, hsds_id: uuid.UUID) -> JsonResponse:
    organisation = export.organisations_with(Organisation.objects.filter(uuid=hsds_id)).first()
    if organisation is None:
        raise JisrError("not_found", _("Not found."), status=404)
    offered = list(Service.objects.filter(published=True, organisation=organisation))
    return _json(export.organisation_document(organisation, offered))


def _at_location(link: ServiceAtLocation) -> dict[str, Any]:
    return {
        "id": str(link.uuid),
        "service_id": str(link.service.uuid),
        "location_id": str(link.location.uuid),
        "location": export.location_document(link.location),
    }


@public
def service_at_locations(request: HttpRequest) -> JsonResponse:
    links = ServiceAtLocation.objects.filter(service__in=_services(request)).select_related(
        "service", "location__organisation", "location__governorate", "location__district"
    )
    return _json(_paged(request, [_at_location(link) for link in links.order_by("uuid")]))


@public
def service_at_location(request: HttpRequest, hsds_id: uuid.UUID) -> JsonResponse:
    link = (
        ServiceAtLocation.objects.filter(uuid=hsds_id, service__published=True)
        .select_related("service", *(f"location__{name}" for name in export.LOCATION_RELATED))
        .first()
    )
    if link is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return _json(_at_location(link))


@public
def taxonomy_terms(request: HttpRequest) -> JsonResponse:
    categories = list(ServiceCategory.objects.order_by("order", "code"))
    parents = {c.pk: c.code for c in categories}
    items = [
        {
            **taxonomy_term(CATEGORIES, c.code, c.name_en),
            "language": "en",
            **(
                {"parent_id": derived_id("term", CATEGORIES, parents[c.parent_id])}
                if c.parent_id
                else {}
            ),
        }
        for c in categories
    ]
    return _json(_paged(request, items))


@public
def taxonomies(request: HttpRequest) -> JsonResponse:
    items = [
        {"id": derived_id("taxonomy", name), "name": name, "description": description}
        for name, description in DESCRIPTIONS
    ]
    return _json(_paged(request, items))
