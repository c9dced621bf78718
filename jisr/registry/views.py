from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.models import Organisation
from jisr.accounts.roles import Perm, Sensitivity
from jisr.audit.services import audit_reads
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form, limit_choices
from jisr.lib.pagination import CappedPaginator
from jisr.registry import selectors, services
from jisr.registry.categories import OPERATORS, known_facts
from jisr.registry.forms import (
    CaseAnswersForm,
    CategoryRuleForm,
    ConsentForm,
    PersonFilterForm,
    PersonForm,
    RegistrationForm,
)
from jisr.registry.models import ConsentChannel, ConsentStatus, Purpose, RecordStatus

PAGE_SIZE = 50


@permission(Perm.PERSON_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    governorate = filters.get("governorate")
    persons = selectors.person_list(
        fetched_by=request.user,
        search=filters.get("q", ""),
        governorate=governorate.pk if governorate else None,
        person_type=filters.get("person_type", ""),
        category=filters.get("category", ""),
    )
    page = CappedPaginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_reads(actor=request.user, records=page.object_list, context="registry.person_list")
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {"form": form, "page": page, "querystring": querystring.urlencode()}
    htmx = request.headers.get("HX-Request") == "true"
    return render(
        request, "registry/_person_rows.html" if htmx else "registry/person_list.html", context
    )


@permission(Perm.PERSON_REGISTER)
def person_register(request: AuthedRequest) -> HttpResponse:
    """Search before create: possible matches are shown, and registering anyway is a choice."""
    relative = None
    if member_of := request.GET.get("member_of", ""):
        relative = selectors.person_get(fetched_by=request.user, person_id=_int(member_of))
    form = RegistrationForm(
        request.POST or None,
        household_member=relative is not None,
        initial={"family_name": relative.family_name} if relative else None,
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.possible_duplicates(
            fetched_by=request.user, first_name=data["first_name"], family_name=data["family_name"],
            birth_year=data["birth_date"].year if data["birth_date"] else data["birth_year"],
            phone=data["phone"],
        )  # fmt: skip
        if not duplicates or data["different_person"]:
            try:
                person = services.person_register(
                    by=request.user, consents=form.consents(),
                    channel=ConsentChannel(data["channel"]),
                    household=relative.household if relative else None, **form.person_fields(),
                )  # fmt: skip
            except JisrError as error:
                add_error_to_form(form, error)
            else:
                messages.success(request, _("The person has been registered."))
                return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/person_register.html",
        {"form": form, "duplicates": duplicates, "relative": relative},
    )


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise JisrError("not_found", _("Not found."), status=404) from None


@permission(Perm.PERSON_VIEW)
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    household = selectors.person_list(fetched_by=request.user).filter(household=person.household_id)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "consents": selectors.consent_state(person).items(),
            "household": audit_reads(
                actor=request.user,
                records=household.exclude(pk=person.pk),
                context="registry.household",
            ),
            "show_identity_document": request.user.can_see(Sensitivity.SENSITIVE),
            "categories": selectors.person_categories(person, request.user),
            "answers": selectors.case_answers_for(fetched_by=request.user, person=person),
        },
    )


@permission(Perm.PERSON_EDIT)
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(by=request.user, person=person, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(request, "registry/person_edit.html", {"form": form, "person": person})


@permission(Perm.CONSENT_RECORD)
def person_consent(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    form = ConsentForm(request.POST or None, initial={"purpose": request.GET.get("purpose", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                by=request.user, person=person, purpose=Purpose(form.cleaned_data["purpose"]),
                status=ConsentStatus(form.cleaned_data["status"]),
                channel=ConsentChannel(form.cleaned_data["channel"]),
            )  # fmt: skip
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            if person.status == RecordStatus.CLOSED:
                # The record is on legal hold now: not even its caseworker opens it again.
                messages.success(
                    request,
                    _("This record is closed: the person withdrew their consent to be registered."),
                )
                return redirect("registry:person_list")
            messages.success(request, _("The decision has been recorded."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(request, "registry/person_consent.html", {"form": form, "person": person})


@permission(Perm.PERSON_EDIT)
def person_case_form(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    form = CaseAnswersForm(
        request.POST or None,
        sections=selectors.case_form_sections(person=person, user=request.user),
        answers=selectors.all_answers(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_answers_save(by=request.user, person=person, answers=form.answers())
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The case form has been saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(request, "registry/person_case_form.html", {"form": form, "person": person})


@permission(Perm.CATEGORY_MANAGE)
def category_rule_list(request: AuthedRequest) -> HttpResponse:
    rules = selectors.category_rule_list(fetched_by=request.user)
    return render(request, "registry/category_rule_list.html", {"rules": rules})


@permission(Perm.CATEGORY_MANAGE)
def category_rule_edit(request: AuthedRequest, rule_id: int) -> HttpResponse:
    rule = selectors.category_rule_list(fetched_by=request.user).filter(pk=rule_id).first()
    if rule is None:
        raise JisrError("not_found", _("Not found."), status=404)
    initial = {
        f: getattr(rule, f)
        for f in ("label_ar", "label_ckb", "label_en", "conditions", "is_active", "order")
    }
    form = CategoryRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_rule_update(by=request.user, rule=rule, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request, _("The rule has been saved; categories are being recomputed.")
            )
            return redirect("registry:category_rule_list")
    return render(
        request,
        "registry/category_rule_form.html",
        {
            "form": form,
            "rule": rule,
            "facts": sorted(known_facts()),
            "operators": sorted(OPERATORS),
        },
    )


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Share with"), queryset=Organisation.objects.none()
    )


@permission(Perm.PERSON_EDIT)
def person_share(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Who the record is shared with; share it with another organisation, or stop sharing."""
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    form = ShareForm(request.POST or None)
    limit_choices(
        form,
        "organisation",
        Organisation.objects.filter(is_active=True).exclude(pk=person.organisation_id),
    )
    if request.method == "POST":
        try:
            if ended := request.POST.get("unshare"):
                share = selectors.person_shares(person).filter(pk=_int(ended)).first()
                if share is None:
                    raise JisrError("not_found", _("Not found."), status=404)
                services.person_unshare(by=request.user, share=share)
                messages.success(
                    request, _("The record is no longer shared with that organisation.")
                )
                return redirect("registry:person_share", person_id=person.pk)
            if form.is_valid():
                services.person_share(
                    by=request.user, person=person, organisation=form.cleaned_data["organisation"]
                )
                messages.success(request, _("The record is now shared."))
                return redirect("registry:person_share", person_id=person.pk)
        except JisrError as error:
            if error.status in (403, 404):
                raise
            add_error_to_form(form, error)
    return render(
        request,
        "registry/person_share.html",
        {"person": person, "form": form, "shares": selectors.person_shares(person),
         "consented": selectors.has_consent(person, Purpose.SHARING)},
    )  # fmt: skip
