"""The person's own pages: all that is held about them, their consents, who read their record."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisr.accounts.decorators import AuthedRequest, self_service
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.registry import selectors, services
from jisr.registry.forms import CaseAnswersForm, OwnConsentForm, OwnRecordForm
from jisr.registry.models import ConsentChannel, ConsentStatus, Purpose
from jisr.registry.pdf import record_pdf


@self_service
def my_record(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    log = Paginator(selectors.person_access_log(person), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/my_record.html",
        {
            "person": person,
            "answers": selectors.case_answers_get(fetched_by=request.user, person=person),
            "consents": selectors.consent_state(person).items(),
            "categories": selectors.person_category_list(fetched_by=request.user, person=person),
            "access_log": log,
        },
    )


@self_service
def my_record_download(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    body = json.dumps(
        selectors.person_export(person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jisr-my-record.json"'
    return response


@self_service
@require_POST
def my_consent(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    form = OwnConsentForm(request.POST)
    if not form.is_valid():
        raise JisrError("invalid", _("Some fields need correcting."), status=400)
    try:
        services.consent_record(
            by=request.user,
            person=person,
            purpose=Purpose(form.cleaned_data["purpose"]),
            status=ConsentStatus(form.cleaned_data["status"]),
            channel=ConsentChannel.ONLINE,
        )
    except JisrError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your decision has been recorded and applies now."))
    return redirect("registry:my_record")


@self_service
def my_record_edit(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    form = OwnRecordForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.own_record_update(by=request.user, person=person, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Your corrections have been saved."))
            return redirect("registry:my_record")
    return render(request, "registry/my_record_edit.html", {"form": form})


@self_service
def my_account_close(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    if request.method == "POST":
        services.own_account_close(by=request.user, person=person)
        logout(request)
        messages.success(request, _("Your account is closed and your consents are withdrawn."))
        return redirect("core:home")
    return render(request, "registry/my_account_close.html", {"person": person})


@self_service
def my_record_pdf(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person_get(fetched_by=request.user)
    body = record_pdf(person, selectors.person_export(person), get_language() or "ar")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="jisr-my-record.pdf"'
    return response


@self_service
def my_case_form(request: AuthedRequest) -> HttpResponse:
    """The person answers the standard case form themself (the same questions caseworkers ask)."""
    person = selectors.own_person_get(fetched_by=request.user)
    form = CaseAnswersForm(
        request.POST or None,
        sections=selectors.case_form_sections(fetched_by=request.user, person=person),
        answers=person.case_form_answers(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_answers_save(by=request.user, person=person, answers=form.answers())
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Your answers have been saved."))
            return redirect("registry:my_record")
    return render(
        request, "registry/person_case_form.html", {"form": form, "person": person, "own": True}
    )
