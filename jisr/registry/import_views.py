"""Spreadsheets in and out: upload, map the columns, check every row, import all or none; and
export the persons of a list as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_exports
from jisr.lib.errors import JisrError
from jisr.lib.forms import ColumnMappingForm, add_error_to_form
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.registry import imports, selectors
from jisr.registry.forms import PersonFilterForm
from jisr.registry.models import PersonImport


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy("The first row holds the column names. At most 20,000 rows."),
    )


class MappingForm(ColumnMappingForm):
    paper_consent = forms.BooleanField(
        label=gettext_lazy(
            "Every person in this file signed the consent to be registered on a paper form, "
            "kept by my organisation."
        ),
        required=False,
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, headers=headers, targets=imports.TARGETS, **kwargs)


@permission(Perm.PERSON_REGISTER)
def import_upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py)
        try:
            person_import = imports.upload(
                by=request.user, content=upload.read(), filename=upload.name
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("registry:import_map", import_id=person_import.pk)
    return render(request, "registry/import_upload.html", {"form": form})


@permission(Perm.PERSON_REGISTER)
def import_map(request: AuthedRequest, import_id: int) -> HttpResponse:
    person_import = imports.import_get(fetched_by=request.user, import_id=import_id)
    if person_import.status == PersonImport.Status.IMPORTED:
        messages.info(request, _("This file has already been imported."))
        return redirect("registry:person_list")
    initial = {f"map_{key}": column for key, column in person_import.mapping.items()}
    form = MappingForm(request.POST or None, headers=person_import.headers, initial=initial)
    ready: list[dict[str, Any]] = []
    errors: list[imports.RowError] = []
    checked = False
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        paper = form.cleaned_data["paper_consent"]
        if request.POST.get("action") == "import":
            try:
                created, skipped = imports.run_import(
                    by=request.user,
                    person_import=person_import,
                    mapping=mapping,
                    paper_consent=paper,
                )
            except JisrError as error:
                add_error_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(created)s persons imported; %(skipped)s were already imported.")
                    % {"created": created, "skipped": skipped},
                )
                return redirect("registry:person_list")
        ready, errors = imports.check(person_import, mapping, paper_consent=paper)
        checked = True
        PersonImport.objects.filter(pk=person_import.pk).update(mapping=mapping)
    return render(
        request,
        "registry/import_map.html",
        {
            "person_import": person_import, "form": form, "checked": checked,
            "ready": len(ready), "errors": errors[:500], "error_count": len(errors),
            "preview": person_import.rows[:5],
        },
    )  # fmt: skip


EXPORT_COLUMNS = [
    "id", "first_name", "father_name", "grandfather_name", "family_name", "mother_name",
    "latin_name", "aliases", "sex", "birth_year", "birth_date", "phone", "email", "person_type",
    "country", "city", "governorate", "district", "status", "registered_at",
]  # fmt: skip


@permission(Perm.PERSON_VIEW)
def person_export(request: AuthedRequest) -> HttpResponse:
    """The persons of the list as filtered, without identity numbers or case-form answers; the
    export itself is recorded in the audit log."""
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    governorate = filters.get("governorate")
    persons = selectors.person_list(
        fetched_by=request.user, search=filters.get("q", ""),
        governorate=governorate.pk if governorate else None,
        person_type=filters.get("person_type", ""), category=filters.get("category", ""),
    ).select_related("district")  # fmt: skip
    exported = list(persons)
    rows = [
        [
            p.pk, p.first_name, p.father_name, p.grandfather_name, p.family_name, p.mother_name,
            p.latin_name, p.aliases, p.sex, p.birth_year or "", p.birth_date or "", p.phone,
            p.email, p.person_type, p.country.code, p.city,
            p.governorate.code if p.governorate else "", p.district.name_en if p.district else "",
            p.status, timezone.localtime(p.created_at).date().isoformat(),
        ]
        for p in exported
    ]  # fmt: skip
    # One entry per person, so each person's access log shows the export of their record.
    audit_exports(actor=request.user, persons=exported, filters=filters)
    as_xlsx = request.GET.get("format") == "xlsx"
    body = write_xlsx(EXPORT_COLUMNS, rows) if as_xlsx else write_csv(EXPORT_COLUMNS, rows)
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if as_xlsx
        else "text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="jisr-persons.{"xlsx" if as_xlsx else "csv"}"'
    )
    return response
