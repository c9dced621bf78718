"""The spreadsheet import's pages: upload a file, match its columns and check every row, then
import all of them or none, in the worker, with its progress on the import's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.registry import selectors
from jisr.registry.forms import MappingForm, UploadForm
from jisr.registry.imports.columns import RowError
from jisr.registry.imports.running import person_import_resume, person_import_run
from jisr.registry.imports.spreadsheet import person_import_check, person_import_upload
from jisr.registry.models import PersonImport


@permission(Perm.PERSON_REGISTER)
def import_upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py)
        try:
            person_import = person_import_upload(
                by=request.user, content=upload.read(), filename=upload.name
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("registry:import_map", import_id=person_import.pk)
    return render(request, "registry/import_upload.html", {"form": form})


def _mapping_page(
    request: AuthedRequest,
    person_import: PersonImport,
    form: MappingForm,
    choice: tuple[dict[str, str], bool] | None,
) -> HttpResponse:
    """The page with the columns to match; with a `choice` (the mapping and whether consent is
    on paper), every row checked against it."""
    ready: list[dict[str, Any]] = []
    errors: list[RowError] = []
    if choice is not None:
        mapping, paper_consent = choice
        ready, errors = person_import_check(
            by=request.user,
            person_import=person_import,
            mapping=mapping,
            paper_consent=paper_consent,
        )
    return render(
        request,
        "registry/import_map.html",
        {
            "person_import": person_import,
            "form": form,
            "checked": choice is not None,
            "ready": len(ready),
            "errors": errors[:500],
            "error_count": len(errors),
            "preview": person_import.rows[:5],
        },
    )


def _mapping_form(
    request: AuthedRequest, person_import: PersonImport
) -> tuple[MappingForm, tuple[dict[str, str], bool] | None]:
    """The form, and what it chose once posted and valid."""
    initial = {f"map_{key}": column for key, column in person_import.mapping.items()}
    form = MappingForm(request.POST or None, headers=person_import.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        return form, (form.mapping(), form.cleaned_data["paper_consent"])
    return form, None


def _started(person_import: PersonImport) -> bool:
    return person_import.status != PersonImport.Status.UPLOADED


@permission(Perm.PERSON_REGISTER)
def import_map(request: AuthedRequest, import_id: int) -> HttpResponse:
    """Match the columns; posting checks every row and keeps the matching."""
    person_import = selectors.person_import_get(fetched_by=request.user, import_id=import_id)
    if _started(person_import):
        return redirect("registry:import_progress", import_id=person_import.pk)
    form, choice = _mapping_form(request, person_import)
    return _mapping_page(request, person_import, form, choice)


@permission(Perm.PERSON_REGISTER)
def import_run(request: AuthedRequest, import_id: int) -> HttpResponse:
    """Start importing every row, or none when any has a problem (the page's "Import all" posts
    here); the worker imports them and the import's progress page follows it."""
    person_import = selectors.person_import_get(fetched_by=request.user, import_id=import_id)
    if _started(person_import):
        return redirect("registry:import_progress", import_id=person_import.pk)
    if request.method != "POST":
        return redirect("registry:import_map", import_id=person_import.pk)
    form, choice = _mapping_form(request, person_import)
    if choice is not None:
        mapping, paper_consent = choice
        try:
            person_import_run(
                by=request.user,
                person_import=person_import,
                mapping=mapping,
                paper_consent=paper_consent,
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("registry:import_progress", import_id=person_import.pk)
    return _mapping_page(request, person_import, form, choice)


@permission(Perm.PERSON_REGISTER)
def import_progress(request: AuthedRequest, import_id: int) -> HttpResponse:
    """How far the import is; the page asks again every few seconds until it ends (HTMX asks
    for the status alone)."""
    person_import = selectors.person_import_get(
        fetched_by=request.user, import_id=import_id, rows=False
    )
    if not _started(person_import):
        return redirect("registry:import_map", import_id=person_import.pk)
    template = (
        "registry/_import_status.html"
        if request.headers.get("HX-Request")
        else "registry/import_progress.html"
    )
    return render(request, template, {"person_import": person_import})


@permission(Perm.PERSON_REGISTER)
@require_POST
def import_resume(request: AuthedRequest, import_id: int) -> HttpResponse:
    """Go on with a stopped import from the last rows it kept."""
    person_import = selectors.person_import_get(fetched_by=request.user, import_id=import_id)
    try:
        person_import_resume(by=request.user, person_import=person_import)
    except JisrError as error:
        messages.error(request, str(error.message))
    return redirect("registry:import_progress", import_id=person_import.pk)
