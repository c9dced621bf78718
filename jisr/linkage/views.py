"""Pages of the linkage app: registers and their imports, runs, the review of uncertain pairs,
the golden record, data-sharing agreements and the cross-reference report. Each page reads
through a selector and writes through a service; each action has its own URL."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisr.accounts.access import not_found, require
from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.lib.errors import JisrError
from jisr.lib.forms import ColumnMappingForm, add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.linkage import imports, selectors, services
from jisr.linkage.engine import evidence
from jisr.linkage.forms import (
    FIELD_LABELS,
    AgreementForm,
    CrossReferenceForm,
    PairDecisionForm,
    RegisterForm,
    RunForm,
    UploadForm,
)
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    Register,
    RegisterUpload,
    SharingAgreement,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission(Perm.REGISTER_MANAGE)
def register_list(request: AuthedRequest) -> HttpResponse:
    """The registers, shared ones and recent runs; the form that adds a register posts here."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register = services.register_create(by=request.user, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("linkage:register_upload", register_id=register.pk)
    own = selectors.register_list_own(fetched_by=request.user).select_related("organisation")
    shared = (
        selectors.register_list(fetched_by=request.user)
        .exclude(pk__in=own.values("pk"))
        .select_related("organisation")
    )
    runs = selectors.run_list(fetched_by=request.user)[:20]
    return render(
        request,
        "linkage/register_list.html",
        {"form": form, "own": own, "shared": shared, "runs": runs},
    )


@permission(Perm.REGISTER_MANAGE)
@require_POST
def registry_refresh(request: AuthedRequest) -> HttpResponse:
    register = services.registry_register_refresh(by=request.user)
    return redirect("linkage:register_detail", register_id=register.pk)


def _register_page(
    request: AuthedRequest, register: Register, agreement_form: AgreementForm | None = None
) -> HttpResponse:
    """A register: its records and agreements to its own organisation, the fields shared to
    another; `agreement_form` as posted, when it had errors."""
    user = request.user
    own = selectors.register_is_own(fetched_by=user, register=register)
    if own and agreement_form is None and user.can(Perm.AGREEMENT_MANAGE):
        agreement_form = AgreementForm(user=user, register=register)
    records = None
    counts = None
    if own:
        found = selectors.record_list(fetched_by=user, register=register, in_force=True)
        records = CappedPaginator(found.order_by("source_id"), 50).get_page(request.GET.get("page"))
        audit_reads(
            actor=user, records=records.object_list, context=f"linkage.records:{register.pk}"
        )
        counts = selectors.record_counts(fetched_by=user, register=register)
    others = (
        selectors.register_list(fetched_by=user)
        .exclude(pk=register.pk)
        .select_related("organisation")
    )
    seen = selectors.fields_seen(fetched_by=user, register=register)
    return render(
        request,
        "linkage/register_detail.html",
        {
            "register": register,
            "own": own,
            "agreement_form": agreement_form if own else None,
            "in_force": counts.in_force if counts else None,
            "withdrawn": counts.withdrawn if counts else None,
            "records": records,
            "agreements": (
                selectors.agreement_list_of_register(fetched_by=user, register=register)
                if own
                else []
            ),
            "others": others,
            "field_labels": [(f, FIELD_LABELS.get(f, f)) for f in seen],
            "today": timezone.localdate(),
        },
    )


@permission(Perm.REGISTER_MANAGE)
def register_detail(request: AuthedRequest, register_id: int) -> HttpResponse:
    register = selectors.register_get(fetched_by=request.user, register_id=register_id)
    return _register_page(request, register)


@permission(Perm.REGISTER_MANAGE)
@require_POST
def run_start(request: AuthedRequest, register_id: int) -> HttpResponse:
    register = selectors.register_get_own(fetched_by=request.user, register_id=register_id)
    form = RunForm(request.POST, user=request.user)
    if not form.is_valid():
        raise not_found()  # another register than those offered
    try:
        run = services.run_start(
            by=request.user,
            left=register,
            right=form.cleaned_data["other"],
            retrain=form.cleaned_data["retrain"],
        )
    except JisrError as error:
        messages.error(request, str(error.message))
        return redirect("linkage:register_detail", register_id=register.pk)
    return redirect("linkage:run_detail", run_id=run.pk)


@permission(Perm.REGISTER_MANAGE)
@require_POST
def agreement_create(request: AuthedRequest, register_id: int) -> HttpResponse:
    require(request.user, Perm.AGREEMENT_MANAGE)
    register = selectors.register_get_own(fetched_by=request.user, register_id=register_id)
    form = AgreementForm(request.POST, user=request.user, register=register)
    if form.is_valid():
        try:
            services.agreement_create(
                by=request.user,
                register=register,
                recipient=form.cleaned_data["recipient"],
                fields=form.cleaned_data["shared_fields"],
                purpose=form.cleaned_data["purpose"],
                valid_until=form.cleaned_data["valid_until"],
                referral_follow_up=form.cleaned_data.get("referral_follow_up", False),
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The agreement is in force."))
            return redirect("linkage:register_detail", register_id=register.pk)
    return _register_page(request, register, agreement_form=form)


@permission(Perm.REGISTER_MANAGE)
@require_POST
def agreement_end(request: AuthedRequest, agreement_id: int) -> HttpResponse:
    require(request.user, Perm.AGREEMENT_MANAGE)
    agreement = selectors.agreement_get_own(fetched_by=request.user, agreement_id=agreement_id)
    try:
        services.agreement_end(by=request.user, agreement=agreement)
    except JisrError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The agreement has ended."))
    return redirect("linkage:register_detail", register_id=agreement.register_id)


@permission(Perm.REGISTER_MANAGE)
def register_upload(request: AuthedRequest, register_id: int) -> HttpResponse:
    register = selectors.register_get(fetched_by=request.user, register_id=register_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py)
        try:
            kept = services.upload_create(
                by=request.user, register=register, content=upload.read(), filename=upload.name
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("linkage:upload_map", upload_id=kept.pk)
    return render(request, "linkage/register_upload.html", {"form": form, "register": register})


def _mapping_form(request: AuthedRequest, upload: RegisterUpload) -> ColumnMappingForm:
    initial = {
        f"map_{key}": column
        for key, column in imports.upload_proposed_mapping(upload=upload).items()
    }
    return ColumnMappingForm(
        request.POST or None, headers=upload.headers, targets=imports.TARGETS, initial=initial
    )


def _upload_page(
    request: AuthedRequest,
    upload: RegisterUpload,
    form: ColumnMappingForm,
    checked: imports.Checked | None,
) -> HttpResponse:
    return render(
        request,
        "linkage/upload_map.html",
        {
            "upload": upload,
            "form": form,
            "checked": checked,
            "errors": checked.errors[:500] if checked else [],
            "preview": upload.rows[:5],
        },
    )


def _started(request: AuthedRequest, upload: RegisterUpload) -> HttpResponse | None:
    """An upload started already shows how far it is, not its columns."""
    if upload.status == RegisterUpload.Status.UPLOADED:
        return None
    return redirect("linkage:upload_progress", upload_id=upload.pk)


@permission(Perm.REGISTER_MANAGE)
def upload_map(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """The columns matched to the fields; posting them checks every row (the dry run)."""
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id)
    if started := _started(request, kept):
        return started
    form = _mapping_form(request, kept)
    checked = None
    if request.method == "POST" and form.is_valid():
        checked = imports.upload_check(upload=kept, mapping=form.mapping())
    return _upload_page(request, kept, form, checked)


@permission(Perm.REGISTER_MANAGE)
@require_POST
def upload_import(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """Start importing every record, or none when any row has a problem ("Import all"); the
    worker imports them and the upload's progress page follows it."""
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id)
    if started := _started(request, kept):
        return started
    form = _mapping_form(request, kept)
    checked = None
    if form.is_valid():
        mapping = form.mapping()
        try:
            services.upload_start(by=request.user, upload=kept, mapping=mapping)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return redirect("linkage:upload_progress", upload_id=kept.pk)
        checked = imports.upload_check(upload=kept, mapping=mapping)
    return _upload_page(request, kept, form, checked)


@permission(Perm.REGISTER_MANAGE)
def upload_progress(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """How far the import is; the page asks again every few seconds until it ends (HTMX asks
    for the status alone)."""
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id, rows=False)
    if kept.status == RegisterUpload.Status.UPLOADED:
        return redirect("linkage:upload_map", upload_id=kept.pk)
    template = (
        "linkage/_upload_status.html"
        if request.headers.get("HX-Request")
        else "linkage/upload_progress.html"
    )
    return render(request, template, {"upload": kept})


@permission(Perm.REGISTER_MANAGE)
@require_POST
def upload_resume(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """Go on with a stopped import from the last chunk it kept."""
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id, rows=False)
    try:
        services.upload_resume(by=request.user, upload=kept)
    except JisrError as error:
        messages.error(request, str(error.message))
    return redirect("linkage:upload_progress", upload_id=kept.pk)


@permission(Perm.REGISTER_MANAGE)
def run_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(fetched_by=request.user, run_id=run_id)
    return render(
        request,
        "linkage/run_detail.html",
        {
            "run": run,
            "running": run.status in (LinkageRun.Status.QUEUED, LinkageRun.Status.RUNNING),
        },
    )


@permission(Perm.LINKAGE_REVIEW)
def review_queue(request: AuthedRequest) -> HttpResponse:
    page = CappedPaginator(selectors.pair_list_to_review(fetched_by=request.user), 50).get_page(
        request.GET.get("page")
    )
    seen = selectors.pair_review_rows(fetched_by=request.user, pairs=page)
    rows = zip(page, seen, strict=True)
    return render(request, "linkage/review_queue.html", {"page": page, "rows": rows})


def _pair_page(request: AuthedRequest, pair: CandidatePair) -> HttpResponse:
    seen = selectors.pair_view(fetched_by=request.user, pair=pair)
    rows = [
        {
            "label": FIELD_LABELS.get(f, f),
            "left": seen.left["fields"].get(f, None),
            "right": seen.right["fields"].get(f, None),
        }
        for f in SharingAgreement.FIELDS
    ]
    return render(
        request,
        "linkage/pair_detail.html",
        {
            "pair": pair,
            "left": seen.left,
            "right": seen.right,
            "rows": rows,
            "probability": seen.probability,
            "evidence": evidence.described(seen.evidence, selectors.pair_model_settings(pair)),
            "decision": selectors.pair_decision_latest(pair=pair),
        },
    )


@permission(Perm.LINKAGE_REVIEW)
def pair_detail(request: AuthedRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get(fetched_by=request.user, pair_id=pair_id)
    return _pair_page(request, pair)


@permission(Perm.LINKAGE_REVIEW)
@require_POST
def pair_decide(request: AuthedRequest, pair_id: int) -> HttpResponse:
    """A reviewer's decision; then the next pair to review, if any."""
    pair = selectors.pair_get(fetched_by=request.user, pair_id=pair_id)
    form = PairDecisionForm(request.POST)
    if not form.is_valid():
        return _pair_page(request, pair)
    services.pair_decide(
        by=request.user,
        pair=pair,
        same_person=form.cleaned_data["decision"] == "same",
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Your decision is kept."))
    following = selectors.pair_list_to_review(fetched_by=request.user).first()
    if following is None:
        return redirect("linkage:review_queue")
    return redirect("linkage:pair_detail", pair_id=following.pk)


@permission(Perm.CROSS_REFERENCE_VIEW)
def record_detail(request: AuthedRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get(fetched_by=request.user, record_id=record_id)
    members, links = selectors.golden_record_get(fetched_by=request.user, record=record)
    names = {
        m["id"]: f"{m['register_name']} · {m['fields'].get('source_id', m['id'])}" for m in members
    }
    return render(
        request,
        "linkage/record_detail.html",
        {
            "record": record,
            "members": members,
            "links": links,
            "names": names,
            "labels": [(f, FIELD_LABELS.get(f, f)) for f in SharingAgreement.FIELDS],
        },
    )


@permission(Perm.CROSS_REFERENCE_VIEW)
def cross_reference(request: AuthedRequest) -> HttpResponse:
    """The report on the page, or as a CSV or XLSX file (`format`)."""
    form = CrossReferenceForm(request.GET or None, user=request.user)
    report = None
    if request.GET and form.is_valid():
        try:
            report = selectors.cross_reference_get(
                fetched_by=request.user,
                base=form.cleaned_data["base"],
                other=form.cleaned_data["other"],
                without_open_referral=form.cleaned_data["without_open_referral"],
            )
        except JisrError as error:
            add_error_to_form(form, error)
        file_format = form.cleaned_data.get("format")
        if report is not None and file_format in ("csv", "xlsx"):
            headers, rows = services.cross_reference_export(by=request.user, report=report)
            if file_format == "csv":
                response = HttpResponse(
                    write_csv(headers, rows), content_type="text/csv; charset=utf-8"
                )
            else:
                response = HttpResponse(write_xlsx(headers, rows), content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="cross-reference.{file_format}"'
            )
            return response
    base_fields = report.base_fields if report else ()
    other_fields = report.other_fields if report else ()
    return render(
        request,
        "linkage/cross_reference.html",
        {
            "form": form,
            "report": report,
            "base_labels": [(f, FIELD_LABELS.get(f, f)) for f in base_fields],
            "other_labels": [(f, FIELD_LABELS.get(f, f)) for f in other_fields],
            "query": request.GET.urlencode(),
        },
    )
