"""The public directory, providers' own services and locations, the review of proposals, and
the stakeholder map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisr.accounts.decorators import AuthedRequest, permission, public
from jisr.accounts.roles import Perm
from jisr.catalogue import mapping, selectors, services
from jisr.catalogue.forms import (
    DirectoryForm,
    HsdsUploadForm,
    LocationForm,
    RejectForm,
    ServiceForm,
)
from jisr.catalogue.hsds.running import hsds_import_retry, hsds_import_upload
from jisr.catalogue.models import (
    ChangeStatus,
    DocumentType,
    HsdsImport,
    Location,
    Service,
    ServiceChange,
)
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.matching.models import Language
from jisr.registry.models import PersonType

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@public
def directory(request: HttpRequest) -> HttpResponse:
    """Find a service: by kind of help, place and who it is for. Works without JavaScript."""
    form = DirectoryForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    governorate = filters.get("governorate")
    district = filters.get("district")
    found = selectors.service_list_public(
        search=filters.get("q", ""),
        category=filters.get("category", ""),
        governorate=governorate.pk if governorate else None,
        district=district.pk if district else None,
        age=filters.get("age"),
        sex=filters.get("sex", ""),
        person_type=filters.get("person_type", ""),
        language=filters.get("language", ""),
    )
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "catalogue/directory.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )


@public
def service_page(request: HttpRequest, uuid: str) -> HttpResponse:
    service = selectors.service_get_public(uuid=uuid)
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
    rows = []
    for service in selectors.service_list_editable(fetched_by=request.user):
        proposals = list(service.changes.all())  # read with the list, newest first
        pending = next((c for c in proposals if c.status == ChangeStatus.PENDING), None)
        rows.append((service, pending, proposals[0] if proposals else None))
    return render(
        request,
        "catalogue/my_services.html",
        {"rows": rows, "locations": selectors.location_list_editable(fetched_by=request.user)},
    )


def _service_form(request: AuthedRequest, service: Service | None) -> HttpResponse:
    organisation = service.organisation if service else request.user.organisation
    locations = list(
        selectors.location_list_editable(fetched_by=request.user).filter(organisation=organisation)
    )
    pending = selectors.change_get_pending(service=service) if service else None
    initial = None
    if service is not None:
        initial = pending.data if pending else selectors.service_data(service=service)
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
                    "Sent for review. The directory shows it once a catalogue administrator "
                    "approves it."
                ),
            )
            return redirect("catalogue:my_services")
    returned = None
    if service is not None and pending is None:
        returned = selectors.change_get_returned(service=service)
    return render(
        request,
        "catalogue/service_form.html",
        {"form": form, "service": service, "pending": pending, "returned": returned},
    )


@permission(Perm.SERVICE_EDIT)
def service_create(request: AuthedRequest) -> HttpResponse:
    return _service_form(request, None)


@permission(Perm.SERVICE_EDIT)
def service_edit(request: AuthedRequest, service_id: int) -> HttpResponse:
    service = selectors.service_get_editable(fetched_by=request.user, service_id=service_id)
    return _service_form(request, service)


@permission(Perm.SERVICE_EDIT)
def location_edit(request: AuthedRequest, location_id: int | None = None) -> HttpResponse:
    location: Location | None = None
    if location_id is not None:
        location = selectors.location_get_editable(fetched_by=request.user, location_id=location_id)
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
        request,
        "catalogue/review_queue.html",
        {"changes": selectors.change_list_pending(fetched_by=request.user)},
    )


def _review_page(
    request: AuthedRequest, change: ServiceChange, reject_form: RejectForm | None = None
) -> HttpResponse:
    current = selectors.service_data(service=change.service) if change.service.published else {}
    rows = [
        (name, _shown(current.get(name)), _shown(value), current.get(name) != value)
        for name, value in change.data.items()
    ]
    return render(
        request,
        "catalogue/review.html",
        {
            "change": change,
            "rows": rows,
            "reject_form": reject_form or RejectForm(),
            "is_new": not current,
        },
    )


@permission(Perm.SERVICE_REVIEW)
def review(request: AuthedRequest, change_id: int) -> HttpResponse:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    return _review_page(request, change)


@permission(Perm.SERVICE_REVIEW)
@require_POST
def review_approve(request: AuthedRequest, change_id: int) -> HttpResponse:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    try:
        services.change_approve(by=request.user, change=change)
    except JisrError as error:
        messages.error(request, str(error.message))
        return _review_page(request, change)
    messages.success(request, _("Published: the directory shows it now."))
    return redirect("catalogue:review_queue")


@permission(Perm.SERVICE_REVIEW)
@require_POST
def review_reject(request: AuthedRequest, change_id: int) -> HttpResponse:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.change_reject(
                by=request.user, change=change, reason=form.cleaned_data["reason"]
            )
        except JisrError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Returned to the provider with your reason."))
            return redirect("catalogue:review_queue")
    return _review_page(request, change, form)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is None or value == "":
        return "—"
    return str(value)


@permission(Perm.DASHBOARD_VIEW)
def stakeholder_map(request: AuthedRequest) -> HttpResponse:
    level = "category" if request.GET.get("level") == "category" else "domain"
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        headers, rows = services.stakeholder_map_export(
            by=request.user, level=level, file_format=file_format
        )
        as_xlsx = file_format == "xlsx"
        response = HttpResponse(
            write_xlsx(headers, rows) if as_xlsx else write_csv(headers, rows),
            content_type=XLSX if as_xlsx else "text/csv; charset=utf-8",
        )
        filename = f"jisr-stakeholder-map.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    found = mapping.stakeholder_map(fetched_by=request.user, level=level)
    return render(
        request,
        "catalogue/stakeholder_map.html",
        {
            "map": found,
            "level": level,
            "threshold": mapping.THRESHOLD,
            "rows": [
                (g, [found.cell(g.code, c.code) for c in found.categories])
                for g in found.governorates
            ],
        },
    )


@permission(Perm.SERVICE_REVIEW)
def hsds_import_new(request: AuthedRequest) -> HttpResponse:
    """Upload a ZIP of HSDS documents; once it passes as a file, the worker imports it."""
    form = HsdsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py)
        try:
            hsds_import = hsds_import_upload(
                by=request.user,
                content=upload.read(),
                filename=upload.name or "",
                publish=form.cleaned_data["publish"],
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("catalogue:hsds_import", hsds_import_id=hsds_import.pk)
    imports = selectors.hsds_import_list(fetched_by=request.user)
    return render(request, "catalogue/hsds_import_new.html", {"form": form, "imports": imports})


def _problems(hsds_import: HsdsImport) -> list[tuple[str, str, str]]:
    """A refused import's problems as (document, place, problem)."""
    rows = []
    for name, problems in sorted(hsds_import.problems.items()):
        for problem in problems:
            place, found, text = str(problem).partition(": ")
            if not found or not place.startswith("/"):
                place, text = "", str(problem)
            rows.append((name, place, text))
    return rows


@permission(Perm.SERVICE_REVIEW)
def hsds_import_page(request: AuthedRequest, hsds_import_id: int) -> HttpResponse:
    """How far the import is; the page asks again every few seconds until it ends (HTMX asks
    for the status alone)."""
    hsds_import = selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import_id)
    template = (
        "catalogue/_hsds_import_status.html"
        if request.headers.get("HX-Request")
        else "catalogue/hsds_import.html"
    )
    problems = _problems(hsds_import)
    return render(
        request,
        template,
        {"hsds_import": hsds_import, "problems": problems, "problem_count": len(problems)},
    )


@permission(Perm.SERVICE_REVIEW)
@require_POST
def hsds_import_again(request: AuthedRequest, hsds_import_id: int) -> HttpResponse:
    """Run a stopped import again ("Try again")."""
    hsds_import = selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import_id)
    try:
        hsds_import_retry(by=request.user, hsds_import=hsds_import)
    except JisrError as error:
        messages.error(request, str(error.message))
    return redirect("catalogue:hsds_import", hsds_import_id=hsds_import.pk)
