"""The HSDS 3.0 read API at /api/hsds/ (public, as HSDS's OpenAPI describes it): services,
organisations, services at locations and Jisr's taxonomies, with `page`, `per_page`, `search`,
`organization_id`, `taxonomy_term_id`, `modified_after` and `full` where HSDS has them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, prefetch_related_objects
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
_M = TypeVar("_M", bound=Model)
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


def _json(document: Any) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False}, safe=False)


def _page_asked(request: HttpRequest) -> tuple[int, int]:
    try:
        number = max(1, int(request.GET.get("page", "1")))
        size = max(1, min(MAX_PER_PAGE, int(request.GET.get("per_page", "50"))))
    except ValueError:
        raise JisrError("invalid", _("page and per_page are whole numbers."), status=400) from None
    return number, size


def _paged(
    request: HttpRequest, found: QuerySet[_M], document: Callable[[list[_M]], list[Any]]
) -> dict[str, Any]:
    """HSDS's page of `found`, paged in the database: one count, then only the page's rows
    (their related rows fetched by `document`, which turns them into documents)."""
    number, size = _page_asked(request)
    total = found.count()
    start = (number - 1) * size
    rows = list(found[start : start + size]) if start < total else []
    return export.page_of(document(rows), number=number, size=size, total=total)


def _services(request: HttpRequest) -> QuerySet[Service]:
    found = Service.objects.filter(published=True)
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
        found = found.filter(
            pk__in=Service.categories.through.objects.filter(
                servicecategory__code__in=codes
            ).values("service_id")
        )
    if since := request.GET.get("modified_after"):
        found = found.filter(updated_at__gt=_moment(since))
    return found.order_by("uuid")


def _moment(text: str) -> dt.datetime:
    """`modified_after`: an ISO 8601 date and time that exists (UTC unless it says)."""
    try:
        moment = parse_datetime(text)
    except ValueError:  # well formed, but no such day or time: 2024-02-30, 25:00, +24:00
        moment = None
    if moment is None:
        raise JisrError("invalid", _("modified_after is a date and time (ISO 8601)."), status=400)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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

    def documents(page: list[Service]) -> list[dict[str, Any]]:
        prefetch_related_objects(page, *export.PREFETCH)
        found = [export.service_document(s) for s in page]
        return found if full else [export.list_form(d, "service") for d in found]

    found = _services(request).select_related("organisation__parent")
    return _json(_paged(request, found, documents))


@public
def service(request: HttpRequest, hsds_id: uuid.UUID) -> JsonResponse:
    found = export.published_services().filter(uuid=hsds_id).first()
    if found is None:
        raise JisrError("not_found", _("Not found."), status=404)
    return _json(export.service_document(found))


@public
def organizations(request: HttpRequest) -> JsonResponse:
    """The organisations of published services."""
    found = Organisation.objects.filter(
        pk__in=Service.objects.filter(published=True).values("organisation_id")
    )
    if search := request.GET.get("search", "").strip():
        found = found.filter(
            Q(name_ar__icontains=search)
            | Q(name_ckb__icontains=search)
            | Q(name_en__icontains=search)
        )
    full = request.GET.get("full") == "true"

    def documents(page: list[Organisation]) -> list[dict[str, Any]]:
        if not full:
            prefetch_related_objects(page, "parent")
            return [export.list_form(export.organisation_summary(o), "organization") for o in page]
        prefetch_related_objects(page, "parent", export.LOCATIONS)
        offered: dict[int, list[Service]] = {}
        for item in Service.objects.filter(published=True, organisation__in=page):
            offered.setdefault(item.organisation_id, []).append(item)
        return [export.organisation_document(o, offered.get(o.pk, [])) for o in page]

    return _json(_paged(request, found.order_by("uuid"), documents))


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
        "service", *(f"location__{name}" for name in export.LOCATION_RELATED)
    )

    def documents(page: list[ServiceAtLocation]) -> list[dict[str, Any]]:
        return [_at_location(link) for link in page]

    return _json(_paged(request, links.order_by("uuid"), documents))


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
    def documents(page: list[ServiceCategory]) -> list[dict[str, Any]]:
        return [
            {
                **taxonomy_term(CATEGORIES, c.code, c.name_en),
                "language": "en",
                **(
                    {"parent_id": derived_id("term", CATEGORIES, c.parent.code)} if c.parent else {}
                ),
            }
            for c in page
        ]

    found = ServiceCategory.objects.select_related("parent").order_by("order", "code")
    return _json(_paged(request, found, documents))


@public
def taxonomies(request: HttpRequest) -> JsonResponse:
    """Jisr's four taxonomies: a constant, paged as any list."""
    number, size = _page_asked(request)
    items = [
        {"id": derived_id("taxonomy", name), "name": name, "description": description}
        for name, description in DESCRIPTIONS
    ]
    chunk = items[(number - 1) * size : number * size]
    return _json(export.page_of(chunk, number=number, size=size, total=len(items)))
