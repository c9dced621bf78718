"""The public directory, providers' own services, and the review of proposals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisr.accounts.decorators import AuthedRequest, permission, public
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.catalogue import mapping, selectors, services
from jisr.catalogue.forms import DirectoryForm, LocationForm, RejectForm, ServiceForm
from jisr.catalogue.models import DocumentType, Location, Service
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.matching.models import Language
from jisr.registry.models import PersonType

PAGE_SIZE = 20


@public
def directory(request: Any) -> HttpResponse:
    """Find a service: by kind of help, place and who it is for. Works without JavaScript."""
    form = DirectoryForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    governorate = filters.get("governorate")
    found = selectors.public_services(
        search=filters.get("q", ""), category=filters.get("category", ""),
        governorate=governorate.pk if governorate else None,
        district=filters["district"].pk if filters.get("district") else None, age=filters.get("age"),
        sex=filters.get("sex", ""), person_type=filters.get("person_type", ""),
        language=filters.get("language", ""),
    )  # fmt: skip
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "catalogue/directory.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )


@public
def service_page(request: Any, uuid: str) -> HttpResponse:
    service = selectors.public_service(uuid=uuid)
    return render(request, "catalogue/service.html", {"service": service, **_labels(service)})


def _labels(service: Service) -> dict[str, Any]:
    return {
        "documents": [
            DocumentType(d).label for d in service.required_documents if d in DocumentType.values
        ],
        "spoken": [Language(x).label for x in service.languages if x in Language.values],
        "situations": [PersonType(x).label for x in service.person_types if x in PersonType.values],
    }


@permission(Perm.SERVICE_EDIT)
def my_services(request: AuthedRequest) -> HttpResponse:
    found = selectors.services_editable(request.user).select_related("organisation")
    rows = [(s, selectors.pending_change(s), s.changes.first()) for s in found]
    return render(
        request,
        "catalogue/my_services.html",
        {"rows": rows, "locations": selectors.locations_editable(request.user)},
    )


def _service_form(request: AuthedRequest, service: Service | None) -> HttpResponse:
    locations = list(
        selectors.locations_editable(request.user).filter(
            organisation=service.organisation if service else request.user.organisation
        )
    )
    pending = selectors.pending_change(service) if service else None
    initial = (pending.data if pending else services.service_data(service)) if service else None
    form = ServiceForm(request.POST or None, initial=initial, locations=locations)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_propose(by=request.user, service=service, data=form.data_for_service())
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Sent for review. The directory shows it once a catalogue administrator approves it."
                ),
            )
            return redirect("catalogue:my_services")
    return render(
        request,
        "catalogue/service_form.html",
        {"form": form, "service": service, "pending": pending,
         "returned": service.changes.filter(status="rejected").first() if service and not pending else None},
    )  # fmt: skip


@permission(Perm.SERVICE_EDIT)
def service_create(request: AuthedRequest) -> HttpResponse:
    return _service_form(request, None)


@permission(Perm.SERVICE_EDIT)
def service_edit(request: AuthedRequest, service_id: int) -> HttpResponse:
    service = selectors.service_editable(fetched_by=request.user, service_id=service_id)
    return _service_form(request, service)


@permission(Perm.SERVICE_EDIT)
def location_edit(request: AuthedRequest, location_id: int | None = None) -> HttpResponse:
    location: Location | None = None
    if location_id is not None:
        location = selectors.locations_editable(request.user).filter(pk=location_id).first()
        if location is None:
            raise JisrError("not_found", _("Not found."), status=404)
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_save(by=request.user, location=location, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The location has been saved."))
            return redirect("catalogue:my_services")
    return render(request, "catalogue/location_form.html", {"form": form, "location": location})


@permission(Perm.SERVICE_REVIEW)
def review_queue(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "catalogue/review_queue.html",
        {"changes": selectors.review_queue(fetched_by=request.user)},
    )  # fmt: skip


@permission(Perm.SERVICE_REVIEW)
def review(request: AuthedRequest, change_id: int) -> HttpResponse:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.change_approve(by=request.user, change=change)
                messages.success(request, _("Published: the directory shows it now."))
                return redirect("catalogue:review_queue")
            if reject_form.is_valid():
                services.change_reject(
                    by=request.user, change=change, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(request, _("Returned to the provider with your reason."))
                return redirect("catalogue:review_queue")
        except JisrError as error:
            messages.error(request, str(error.message))
    current = services.service_data(change.service) if change.service.published else {}
    rows = [
        (name, _shown(current.get(name)), _shown(value), current.get(name) != value)
        for name, value in change.data.items()
    ]
    return render(
        request, "catalogue/review.html",
        {"change": change, "rows": rows, "reject_form": reject_form, "is_new": not current},
    )  # fmt: skip


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is None or value == "":
        return "—"
    return str(value)


@permission(Perm.DASHBOARD_VIEW)
def stakeholder_map(request: AuthedRequest) -> HttpResponse:
    level = "category" if request.GET.get("level") == "category" else "domain"
    found = mapping.stakeholder_map(fetched_by=request.user, level=level)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        headers, rows = mapping.table(found)
        audit_record(
            actor=request.user, action=Action.EXPORT, object_type="catalogue.stakeholder_map",
            changes={"level": level, "format": export},
        )  # fmt: skip
        as_xlsx = export == "xlsx"
        response = HttpResponse(
            write_xlsx(headers, rows) if as_xlsx else write_csv(headers, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if as_xlsx
            else "text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="jisr-stakeholder-map.{export}"'
        return response
    return render(
        request, "catalogue/stakeholder_map.html",
        {
            "map": found, "level": level, "threshold": mapping.THRESHOLD,
            "rows": [
                (g, [found.cell(g.code, c.code) for c in found.categories])
                for g in found.governorates
            ],
        },
    )  # fmt: skip
