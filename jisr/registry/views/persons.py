"""Staff's pages on persons: the list (and its export), registering, a record, its changes,
consents, case form and sharing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jisr.accounts.access import not_found
from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm, Sensitivity
from jisr.audit.services import audit_exports, audit_reads
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form, limit_choices
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.registry import selectors, services
from jisr.registry.forms import (
    CaseAnswersForm,
    ConsentForm,
    HouseholdMemberForm,
    PersonFilterForm,
    PersonForm,
    RegistrationForm,
    ShareForm,
    UnshareForm,
)
from jisr.registry.models import ConsentChannel, ConsentStatus, Person, Purpose, RecordStatus

PAGE_SIZE = 50


# A search's terms (names, phones, identity numbers) never travel in a URL, where the web
# server's and the proxy's access logs would keep them (decision 0026): the form is posted, its
# terms kept in the session under an opaque id, and the list, its pages and its export are
# addressed by that id alone. A session keeps its latest searches only.
SEARCHES = "registry.person_searches"
KEPT_SEARCHES = 20


def _search_keep(request: AuthedRequest, form: PersonFilterForm) -> str:
    """Keeps the posted terms in the session; returns the id that stands for them."""
    terms = {name: str(form.data.get(name, ""))[:200] for name in form.fields}
    searches: dict[str, dict[str, str]] = request.session.get(SEARCHES, {})
    search_id = secrets.token_urlsafe(9)
    searches[search_id] = terms
    while len(searches) > KEPT_SEARCHES:
        searches.pop(next(iter(searches)))
    request.session[SEARCHES] = searches
    return search_id


def _search_terms(request: AuthedRequest) -> dict[str, str] | None:
    """The terms the URL's search id stands for in this session (None: no search, or one this
    session does not know: the list unfiltered)."""
    searches: dict[str, dict[str, str]] = request.session.get(SEARCHES, {})
    return searches.get(str(request.GET.get("search", "")))


def _filtered(
    request: AuthedRequest, terms: Mapping[str, Any] | None
) -> tuple[PersonFilterForm, dict[str, Any], QuerySet[Person]]:
    """The list's filter form, its valid filters, and the persons they select."""
    form = PersonFilterForm(terms)
    filters = form.cleaned_data if form.is_valid() else {}
    governorate = filters.get("governorate")
    persons = selectors.person_list(
        fetched_by=request.user,
        search=filters.get("q", ""),
        governorate=governorate.pk if governorate else None,
        person_type=filters.get("person_type", ""),
        category=filters.get("category", ""),
    )
    return form, filters, persons


@permission(Perm.PERSON_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    """The list; a search is posted (by HTMX as one types, or the form's button) and answered
    with the list at `?search=<id>`."""
    htmx = request.headers.get("HX-Request") == "true"
    terms: Mapping[str, Any] | None
    if request.method == "POST":
        terms = request.POST
        search_id = _search_keep(request, PersonFilterForm(terms))
        url = f"{reverse('registry:person_list')}?search={search_id}"
        if not htmx:
            return redirect(url)
        page_number = None
    else:
        terms = _search_terms(request)
        search_id = str(request.GET.get("search", "")) if terms is not None else ""
        page_number = request.GET.get("page")
    form, _filters, persons = _filtered(request, terms)
    page = CappedPaginator(persons, PAGE_SIZE).get_page(page_number)
    audit_reads(actor=request.user, records=page.object_list, context="registry.person_list")
    context = {
        "form": form,
        "page": page,
        "querystring": f"search={search_id}" if search_id else "",
    }
    response = render(
        request, "registry/_person_rows.html" if htmx else "registry/person_list.html", context
    )
    if htmx and request.method == "POST":
        response["HX-Push-Url"] = url  # the address bar, Back and reload show this search
    return response


# The export's columns and how each is read from a record (never the identity number).
EXPORT_COLUMNS: list[tuple[str, Callable[[Person], Any]]] = [
    ("id", lambda p: p.pk),
    ("first_name", lambda p: p.first_name),
    ("father_name", lambda p: p.father_name),
    ("grandfather_name", lambda p: p.grandfather_name),
    ("family_name", lambda p: p.family_name),
    ("mother_name", lambda p: p.mother_name),
    ("latin_name", lambda p: p.latin_name),
    ("aliases", lambda p: p.aliases),
    ("sex", lambda p: p.sex),
    ("birth_year", lambda p: p.birth_year or ""),
    ("birth_date", lambda p: p.birth_date or ""),
    ("phone", lambda p: p.phone),
    ("email", lambda p: p.email),
    ("person_type", lambda p: p.person_type),
    ("country", lambda p: p.country.code),
    ("city", lambda p: p.city),
    ("governorate", lambda p: p.governorate.code if p.governorate else ""),
    ("district", lambda p: p.district.name_en if p.district else ""),
    ("status", lambda p: p.status),
    ("registered_at", lambda p: timezone.localtime(p.created_at).date().isoformat()),
]


@permission(Perm.PERSON_VIEW)
def person_export(request: AuthedRequest) -> HttpResponse:
    """The persons of the list as filtered, without identity numbers or case-form answers; the
    export itself is recorded in the audit log."""
    _form, filters, persons = _filtered(request, _search_terms(request))
    exported = list(persons.select_related("district"))
    rows = [[read(p) for _name, read in EXPORT_COLUMNS] for p in exported]
    # One entry per person, so each person's access log shows the export of their record.
    audit_exports(actor=request.user, persons=exported, filters=filters)
    as_xlsx = request.GET.get("format") == "xlsx"
    headers = [name for name, _read in EXPORT_COLUMNS]
    body = write_xlsx(headers, rows) if as_xlsx else write_csv(headers, rows)
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


@permission(Perm.PERSON_REGISTER)
def person_register(request: AuthedRequest) -> HttpResponse:
    """Search before create: possible matches are shown, and registering anyway is a choice."""
    member = HouseholdMemberForm(request.GET)
    if not member.is_valid():
        raise not_found()
    relative = None
    if member_of := member.cleaned_data["member_of"]:
        relative = selectors.person_get(fetched_by=request.user, person_id=member_of)
    form = RegistrationForm(
        request.POST or None,
        household_member=relative is not None,
        initial={"family_name": relative.family_name} if relative else None,
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.person_duplicate_list(
            fetched_by=request.user,
            first_name=data["first_name"],
            family_name=data["family_name"],
            birth_year=data["birth_date"].year if data["birth_date"] else data["birth_year"],
            phone=data["phone"],
        )
        if not duplicates or data["different_person"]:
            try:
                person = services.person_register(
                    by=request.user,
                    consents=form.consents(),
                    channel=ConsentChannel(data["channel"]),
                    household=relative.household if relative else None,
                    **form.person_fields(),
                )
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
            "categories": selectors.person_category_list(fetched_by=request.user, person=person),
            "answers": selectors.case_answers_get(fetched_by=request.user, person=person),
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
                by=request.user,
                person=person,
                purpose=Purpose(form.cleaned_data["purpose"]),
                status=ConsentStatus(form.cleaned_data["status"]),
                channel=ConsentChannel(form.cleaned_data["channel"]),
            )
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
        sections=selectors.case_form_sections(fetched_by=request.user, person=person),
        answers=person.case_form_answers(),
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


def _share_page(request: AuthedRequest, person: Person, form: ShareForm) -> HttpResponse:
    return render(
        request,
        "registry/person_share.html",
        {
            "person": person,
            "form": form,
            "shares": selectors.person_shares(person),
            "consented": selectors.has_consent(person, Purpose.SHARING),
        },
    )


@permission(Perm.PERSON_EDIT)
def person_share(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Who the record is shared with; share it with another organisation."""
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    form = ShareForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_share(
                by=request.user, person=person, organisation=form.cleaned_data["organisation"]
            )
        except JisrError as error:
            if error.status in (403, 404):
                raise
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The record is now shared."))
            return redirect("registry:person_share", person_id=person.pk)
    return _share_page(request, person, form)


@permission(Perm.PERSON_EDIT)
def person_unshare(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Stop sharing the record with one organisation (the sharing page's buttons post here)."""
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    if request.method != "POST":
        return redirect("registry:person_share", person_id=person.pk)
    form = UnshareForm(request.POST)
    limit_choices(form, "share", selectors.person_shares(person))
    if not form.is_valid():
        raise not_found()
    services.person_unshare(by=request.user, share=form.cleaned_data["share"])
    messages.success(request, _("The record is no longer shared with that organisation."))
    return redirect("registry:person_share", person_id=person.pk)
