"""Pages of the linkage app: registers and their imports, runs, the review of uncertain pairs,
the golden record, data-sharing agreements and the cross-reference report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.access import not_found
from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.models import Organisation
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.lib.errors import JisrError
from jisr.lib.forms import ColumnMappingForm, add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.linkage import imports, selectors, services
from jisr.linkage.engine import evidence
from jisr.linkage.models import (
    LinkageRun,
    Register,
    RegisterUpload,
    SharingAgreement,
)

FIELD_LABELS = {t.key: t.label for t in imports.TARGETS}


class RegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the register"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("What it records"),
        choices=[c for c in Register.Kind.choices if c[0] != Register.Kind.JISR_REGISTRY],
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register (CSV or XLSX)"),
        help_text=gettext_lazy(
            "The first row holds the column names, in Arabic, Kurdish or English. At most 20,000 rows."
        ),
    )


class AgreementForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Share with"), queryset=Organisation.objects.none()
    )
    shared_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Fields they may see"), widget=forms.CheckboxSelectMultiple,
        choices=[(f, FIELD_LABELS.get(f, f)) for f in SharingAgreement.FIELDS],
    )  # fmt: skip
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=300)
    referral_follow_up = forms.BooleanField(
        label=gettext_lazy("Referral follow-up"), required=False,
        help_text=SharingAgreement._meta.get_field("referral_follow_up").help_text,
    )  # fmt: skip
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, register: Register, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["recipient"]
        field.queryset = selectors.recipient_list(fetched_by=user, register=register)
        if register.kind != Register.Kind.JISR_REGISTRY:
            del self.fields["referral_follow_up"]  # only the registry's persons have referrals


class CrossReferenceForm(forms.Form):
    base = forms.ModelChoiceField(
        label=gettext_lazy("Persons of"), queryset=Register.objects.none()
    )
    other = forms.ModelChoiceField(
        label=gettext_lazy("Who are also in"), queryset=Register.objects.none()
    )
    without_open_referral = forms.BooleanField(
        label=gettext_lazy("Only those with no open referral in Jisr"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reachable = selectors.register_list(fetched_by=user).select_related("organisation")
        for name in ("base", "other"):
            field: Any = self.fields[name]
            field.queryset = reachable
            field.label_from_instance = lambda r: f"{r.display_name} — {r.organisation}"


@permission(Perm.REGISTER_MANAGE)
def register_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "registry":
        register = services.registry_register_refresh(by=request.user)
        return redirect("linkage:register_detail", register_id=register.pk)
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
def register_detail(request: AuthedRequest, register_id: int) -> HttpResponse:
    register = selectors.register_get(fetched_by=request.user, register_id=register_id)
    own = register in selectors.register_list_own(fetched_by=request.user)
    agreement_form = (
        AgreementForm(request.POST or None, user=request.user, register=register)
        if own and request.user.can(Perm.AGREEMENT_MANAGE)
        else None
    )
    if request.method == "POST" and own:
        action = request.POST.get("action")
        try:
            if action == "run":
                other = request.POST.get("other") or ""
                right = (
                    selectors.register_get(fetched_by=request.user, register_id=int(other)) if other.isdigit() else None
                )
                run = services.run_start(
                    by=request.user,
                    left=register,
                    right=right,
                    retrain=bool(request.POST.get("retrain")),
                )
                return redirect("linkage:run_detail", run_id=run.pk)
            if action == "end_agreement":
                agreement = register.agreements.filter(
                    pk=request.POST.get("agreement") or 0
                ).first()
                if agreement is None:
                    raise not_found()
                services.agreement_end(by=request.user, agreement=agreement)
                messages.success(request, _("The agreement has ended."))
                return redirect("linkage:register_detail", register_id=register.pk)
            if action == "agreement" and agreement_form is not None and agreement_form.is_valid():
                services.agreement_create(
                    by=request.user,
                    register=register,
                    recipient=agreement_form.cleaned_data["recipient"],
                    fields=agreement_form.cleaned_data["shared_fields"],
                    purpose=agreement_form.cleaned_data["purpose"],
                    valid_until=agreement_form.cleaned_data["valid_until"],
                    referral_follow_up=agreement_form.cleaned_data.get("referral_follow_up", False),
                )
                messages.success(request, _("The agreement is in force."))
                return redirect("linkage:register_detail", register_id=register.pk)
        except JisrError as error:
            if agreement_form is not None and action == "agreement":
                add_error_to_form(agreement_form, error)
            else:
                messages.error(request, str(error.message))
    records = (
        CappedPaginator(selectors.record_list(fetched_by=request.user, register=register, in_force=True).order_by("source_id"), 50)
        .get_page(request.GET.get("page")) if own else None
    )  # fmt: skip
    if records is not None:
        audit_reads(
            actor=request.user,
            records=records.object_list,
            context=f"linkage.records:{register.pk}",
        )
    return render(request, "linkage/register_detail.html", {
        "register": register, "own": own, "agreement_form": agreement_form,
        "in_force": register.records.filter(withdrawn_at__isnull=True).count() if own else None,
        "withdrawn": register.records.filter(withdrawn_at__isnull=False).count() if own else None,
        "records": records,
        "agreements": register.agreements.select_related("recipient") if own else [],
        "others": selectors.register_list(fetched_by=request.user).exclude(pk=register.pk).select_related("organisation"),
        "field_labels": [(f, FIELD_LABELS.get(f, f)) for f in selectors.fields_seen(fetched_by=request.user, register=register)],
        "today": timezone.localdate(),
    })  # fmt: skip


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


@permission(Perm.REGISTER_MANAGE)
def upload_map(request: AuthedRequest, upload_id: int) -> HttpResponse:
    kept = selectors.upload_get(fetched_by=request.user, upload_id=upload_id)
    if kept.status == RegisterUpload.Status.IMPORTED:
        messages.info(request, _("This file has already been imported."))
        return redirect("linkage:register_detail", register_id=kept.register_id)
    initial = {f"map_{key}": column for key, column in imports.upload_proposed_mapping(upload=kept).items()}
    form = ColumnMappingForm(
        request.POST or None, headers=kept.headers, targets=imports.TARGETS, initial=initial
    )
    checked = None
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if request.POST.get("action") == "import":
            try:
                counts = services.upload_import(by=request.user, upload=kept, mapping=mapping)
            except JisrError as error:
                add_error_to_form(form, error)
            else:
                messages.success(request, _(
                    "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(withdrawn)s no longer in the register."
                ) % counts)  # fmt: skip
                return redirect("linkage:register_detail", register_id=kept.register_id)
        checked = imports.upload_check(upload=kept, mapping=mapping)
    return render(request, "linkage/upload_map.html", {
        "upload": kept, "form": form, "checked": checked,
        "errors": checked.errors[:500] if checked else [], "preview": kept.rows[:5],
    })  # fmt: skip


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
    rows = zip(page, selectors.pair_review_rows(fetched_by=request.user, pairs=page), strict=True)
    return render(request, "linkage/review_queue.html", {"page": page, "rows": rows})


@permission(Perm.LINKAGE_REVIEW)
def pair_detail(request: AuthedRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get(fetched_by=request.user, pair_id=pair_id)
    if request.method == "POST" and request.POST.get("decision") in ("same", "different"):
        services.pair_decide(
            by=request.user, pair=pair, same_person=request.POST["decision"] == "same",
            note=request.POST.get("note", ""),
        )  # fmt: skip
        messages.success(request, _("Your decision is kept."))
        following = selectors.pair_list_to_review(fetched_by=request.user).first()
        return (
            redirect("linkage:pair_detail", pair_id=following.pk)
            if following
            else redirect("linkage:review_queue")
        )
    seen = selectors.pair_view(fetched_by=request.user, pair=pair)
    rows = [
        {
            "label": FIELD_LABELS.get(f, f),
            "left": seen.left["fields"].get(f, None),
            "right": seen.right["fields"].get(f, None),
        }
        for f in SharingAgreement.FIELDS
    ]
    return render(request, "linkage/pair_detail.html", {
        "pair": pair, "left": seen.left, "right": seen.right, "rows": rows, "probability": seen.probability,
        "evidence": evidence.described(seen.evidence), "decision": selectors.pair_decision_latest(pair=pair),
    })  # fmt: skip


@permission(Perm.CROSS_REFERENCE_VIEW)
def record_detail(request: AuthedRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get(fetched_by=request.user, record_id=record_id)
    members, links = selectors.golden_record_get(fetched_by=request.user, record=record)
    names = {
        m["id"]: f"{m['register_name']} · {m['fields'].get('source_id', m['id'])}" for m in members
    }
    return render(request, "linkage/record_detail.html", {
        "record": record, "members": members, "links": links, "names": names,
        "labels": [(f, FIELD_LABELS.get(f, f)) for f in SharingAgreement.FIELDS],
    })  # fmt: skip


@permission(Perm.CROSS_REFERENCE_VIEW)
def cross_reference(request: AuthedRequest) -> HttpResponse:
    form = CrossReferenceForm(request.GET or None, user=request.user)
    report = None
    if request.GET and form.is_valid():
        try:
            report = selectors.cross_reference_get(
                fetched_by=request.user, base=form.cleaned_data["base"], other=form.cleaned_data["other"],
                without_open_referral=form.cleaned_data["without_open_referral"],
            )  # fmt: skip
        except JisrError as error:
            add_error_to_form(form, error)
        file_format = request.GET.get("format")
        if report is not None and file_format in ("csv", "xlsx"):
            headers, rows = services.cross_reference_export(by=request.user, report=report)
            content = (
                write_csv(headers, rows) if file_format == "csv" else write_xlsx(headers, rows)
            )
            response = HttpResponse(content, content_type="text/csv; charset=utf-8" if file_format == "csv"
                                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
            response["Content-Disposition"] = (
                f'attachment; filename="cross-reference.{file_format}"'
            )
            return response
    return render(request, "linkage/cross_reference.html", {
        "form": form, "report": report,
        "base_labels": [(f, FIELD_LABELS.get(f, f)) for f in (report.base_fields if report else ())],
        "other_labels": [(f, FIELD_LABELS.get(f, f)) for f in (report.other_fields if report else ())],
        "query": request.GET.urlencode(),
    })  # fmt: skip
