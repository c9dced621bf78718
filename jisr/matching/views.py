"""Pages of profiles, opportunities, candidates and applications. Thin: forms in, services and
selectors do the work, errors come back on the form.

Each change has its own POST-only URL (a part added to a profile, a skill asked of an
opportunity, an application decided, ...); when its form needs correcting, the page it belongs
to is shown again with the form's errors, as the page itself would show them."""

from __future__ import annotations

import re
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisr.accounts.access import forbidden, not_found
from jisr.accounts.decorators import AuthedRequest, permission, self_service
from jisr.accounts.roles import Perm
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.lib.validation import invalid
from jisr.matching import mapping, selectors, services
from jisr.matching.forms import (
    ApplyForm,
    DecideForm,
    InviteForm,
    LanguageForm,
    OccupationPickForm,
    OpportunityFilterForm,
    OpportunityForm,
    OpportunityPublishForm,
    OpportunitySkillForm,
    OpportunitySkillRemoveForm,
    ProfileFactsForm,
    ProfileItemRemoveForm,
    QualificationForm,
    SkillPickForm,
    StatusForm,
)
from jisr.matching.models import Opportunity, OpportunityStatus
from jisr.registry import selectors as registry_selectors
from jisr.registry.models import Person, Purpose
from jisr.skills import selectors as skills_selectors
from jisr.skills.models import Occupation, Skill

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Suggestions (type-ahead, and the same list without JavaScript) ----------------------


def _suggestions(kind: str, query: str) -> list[Occupation] | list[Skill]:
    query = query.strip()[:200]
    if len(query) < 2:
        return []
    if kind == "skill":
        return [skill for skill, _score in skills_selectors.skill_suggest(text=query, top=8)]
    found = skills_selectors.occupation_suggest(text=query, top=8)
    return [occupation for occupation, _score in found]


FIELD_NAME = re.compile(r"^[a-z_-]{1,40}$")


@self_service
def suggest(request: AuthedRequest) -> HttpResponse:
    """Suggestions for a search box, as radio buttons named after the field they fill."""
    kind = "skill" if request.GET.get("kind") == "skill" else "occupation"
    query = request.GET.get("q") or next(
        (str(v) for k, v in request.GET.items() if k.endswith("_q")), ""
    )
    field_name = request.GET.get("field_name", "")
    return render(
        request,
        "matching/_suggestions.html",
        {
            "choices": _suggestions(kind, query),
            "kind": kind,
            "field_name": field_name if FIELD_NAME.match(field_name) else kind,
            "searched": bool(query.strip()),
        },
    )


# --- Profiles -------------------------------------------------------------------------------

# The parts of a profile added one at a time: the form, its prefix, and the service that adds it.
PROFILE_PARTS: dict[str, tuple[type[django_forms.BaseForm], Any]] = {
    "occupation": (OccupationPickForm, services.profile_occupation_add),
    "skill": (SkillPickForm, services.profile_skill_set),
    "language": (LanguageForm, services.profile_language_set),
    "qualification": (QualificationForm, services.profile_qualification_add),
}


PROFILE_ACTIONS = ("facts", "occupation", "skill", "language", "qualification", "remove")


def _profile_urls(person: Person, *, own_page: bool) -> dict[str, str]:
    """The profile page's address and where each of its forms posts: the person's own pages,
    or a caseworker's pages of the person."""
    if own_page:
        urls = {action: reverse(f"matching:my_profile_{action}") for action in PROFILE_ACTIONS}
        return {**urls, "page": reverse("matching:my_profile")}
    urls = {
        action: reverse(f"matching:person_profile_{action}", args=[person.pk])
        for action in PROFILE_ACTIONS
    }
    return {**urls, "page": reverse("matching:person_profile", args=[person.pk])}


def _profile_page(
    request: AuthedRequest,
    person: Person,
    *,
    editable: bool,
    own_page: bool,
    bound: dict[str, django_forms.BaseForm] | None = None,
) -> HttpResponse:
    """The profile page; `bound` are forms sent back with what to correct."""
    profile = selectors.profile_get(person=person)
    urls = _profile_urls(person, own_page=own_page)
    forms: dict[str, django_forms.BaseForm] = {
        "facts": ProfileFactsForm(instance=profile),
        "occupation": OccupationPickForm(prefix="occupation"),
        "skill": SkillPickForm(prefix="skill"),
        "language": LanguageForm(prefix="language"),
        "qualification": QualificationForm(prefix="qualification"),
        **(bound or {}),
    }
    return render(
        request,
        "matching/profile.html",
        {
            "person": person,
            "profile": profile,
            "forms": forms,
            "editable": editable,
            "here": urls["page"],
            "urls": urls,
            "own": person.account_id == request.user.pk,
            "occupation_choices": _suggestions("occupation", request.GET.get("occupation_q", "")),
            "skill_choices": _suggestions("skill", request.GET.get("skill_q", "")),
            "matching_consent": registry_selectors.has_consent(person, Purpose.EMPLOYER_MATCHING),
        },
    )


def _own_profile(request: AuthedRequest) -> tuple[Person, bool]:
    """The signed-in person's own record, and that the page is their own."""
    return registry_selectors.own_person_get(fetched_by=request.user), True


def _editable(request: AuthedRequest, person: Person) -> bool:
    return request.user.can(Perm.PERSON_EDIT) and (
        registry_selectors.persons_in_scope(fetched_by=request.user, shared=False)
        .filter(pk=person.pk)
        .exists()
    )


def _person_profile(request: AuthedRequest, person_id: int) -> tuple[Person, bool]:
    """A profile in the caseworker's scope that they may change (else forbidden), and that the
    page is not the person's own."""
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    if not _editable(request, person):
        raise forbidden()
    return person, False


def _saved(request: AuthedRequest, person: Person, own_page: bool) -> HttpResponse:
    messages.success(request, _("The profile has been saved."))
    return redirect(_profile_urls(person, own_page=own_page)["page"])


def _profile_facts(request: AuthedRequest, person: Person, own_page: bool) -> HttpResponse:
    form = ProfileFactsForm(request.POST, instance=selectors.profile_get(person=person))
    if form.is_valid():
        data = dict(form.cleaned_data)
        places = list(data.pop("preferred_governorates"))
        try:
            services.profile_save(
                by=request.user, person=person, preferred_governorates=places, **data
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return _saved(request, person, own_page)
    return _profile_page(request, person, editable=True, own_page=own_page, bound={"facts": form})


def _profile_part_add(
    request: AuthedRequest, person: Person, own_page: bool, part: str
) -> HttpResponse:
    form_class, add = PROFILE_PARTS[part]
    form = form_class(request.POST, prefix=part)
    if form.is_valid():
        try:
            add(by=request.user, person=person, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return _saved(request, person, own_page)
    return _profile_page(request, person, editable=True, own_page=own_page, bound={part: form})


def _profile_item_remove(request: AuthedRequest, person: Person, own_page: bool) -> HttpResponse:
    form = ProfileItemRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise not_found()
        services.profile_item_remove(
            by=request.user,
            person=person,
            kind=form.cleaned_data["kind"],
            item_id=form.cleaned_data["item"],
        )
    except JisrError as error:
        messages.error(request, str(error.message))
        return _profile_page(request, person, editable=True, own_page=own_page)
    return _saved(request, person, own_page)


@self_service
def my_profile(request: AuthedRequest) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return _profile_page(request, person, editable=True, own_page=True)


@self_service
@require_POST
def my_profile_facts(request: AuthedRequest) -> HttpResponse:
    return _profile_facts(request, *_own_profile(request))


@self_service
@require_POST
def my_profile_occupation_add(request: AuthedRequest) -> HttpResponse:
    return _profile_part_add(request, *_own_profile(request), "occupation")


@self_service
@require_POST
def my_profile_skill_add(request: AuthedRequest) -> HttpResponse:
    return _profile_part_add(request, *_own_profile(request), "skill")


@self_service
@require_POST
def my_profile_language_add(request: AuthedRequest) -> HttpResponse:
    return _profile_part_add(request, *_own_profile(request), "language")


@self_service
@require_POST
def my_profile_qualification_add(request: AuthedRequest) -> HttpResponse:
    return _profile_part_add(request, *_own_profile(request), "qualification")


@self_service
@require_POST
def my_profile_item_remove(request: AuthedRequest) -> HttpResponse:
    return _profile_item_remove(request, *_own_profile(request))


@permission(Perm.PERSON_VIEW)
def person_profile(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    return _profile_page(request, person, editable=_editable(request, person), own_page=False)


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_facts(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_facts(request, *_person_profile(request, person_id))


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_occupation_add(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_part_add(request, *_person_profile(request, person_id), "occupation")


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_skill_add(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_part_add(request, *_person_profile(request, person_id), "skill")


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_language_add(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_part_add(request, *_person_profile(request, person_id), "language")


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_qualification_add(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_part_add(request, *_person_profile(request, person_id), "qualification")


@permission(Perm.PERSON_EDIT)
@require_POST
def person_profile_item_remove(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _profile_item_remove(request, *_person_profile(request, person_id))


# --- A person's opportunities -------------------------------------------------------------


def _person_opportunities(request: AuthedRequest, person: Person, *, own: bool) -> HttpResponse:
    return render(
        request,
        "matching/person_opportunities.html",
        {
            "person": person,
            "own": own,
            "matches": selectors.opportunity_list_matching(person=person),
            "applications": selectors.application_list_own(person=person),
            "has_profile": selectors.profile_exists(person=person),
        },
    )


@self_service
def my_opportunities(request: AuthedRequest) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return _person_opportunities(request, person, own=True)


@permission(Perm.PERSON_VIEW)
def person_opportunities(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    return _person_opportunities(request, person, own=False)


@self_service
@require_POST
def application_withdraw(request: AuthedRequest, application_id: int) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    application = selectors.application_get_own(person=person, application_id=application_id)
    try:
        services.application_withdraw(by=request.user, application=application)
    except JisrError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Done. The organisation no longer sees your application."))
    return redirect("matching:my_opportunities")


# --- Opportunities ----------------------------------------------------------------------------


@permission(Perm.OPPORTUNITY_VIEW)
def opportunity_list(request: AuthedRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    mine = request.GET.get("mine") == "1" and request.user.can(Perm.OPPORTUNITY_MANAGE)
    governorate = filters.get("governorate")
    found = selectors.opportunity_list(
        fetched_by=request.user,
        search=filters.get("q", ""),
        kind=filters.get("kind", ""),
        governorate=governorate.pk if governorate else None,
        mine=mine,
    )
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "matching/opportunity_list.html",
        {"form": form, "page": page, "mine": mine, "querystring": querystring.urlencode()},
    )


def _occupation_choices(request: AuthedRequest, form: OpportunityForm) -> list[Occupation]:
    """Suggestions for the occupation field, with the chosen one kept."""
    chosen = form.data.get("occupation") or (form.instance.occupation_id or "")
    choices = list(_suggestions("occupation", request.GET.get("occupation_q", "")))
    if chosen:
        occupation = Occupation.objects.filter(pk=_id(str(chosen))).first()
        if occupation is not None and occupation not in choices:
            choices.insert(0, occupation)
    return [choice for choice in choices if isinstance(choice, Occupation)]


def _id(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise not_found() from None


def _opportunity_form(
    request: AuthedRequest, form: OpportunityForm, opportunity: Opportunity | None
) -> HttpResponse:
    return render(
        request,
        "matching/opportunity_form.html",
        {
            "form": form,
            "occupation_choices": _occupation_choices(request, form),
            "opportunity": opportunity,
        },
    )


@permission(Perm.OPPORTUNITY_MANAGE)
def opportunity_create(request: AuthedRequest) -> HttpResponse:
    # "Find" (without JavaScript) comes back by GET with what was typed so far.
    typed = request.GET.dict() if "find" in request.GET else None
    form = OpportunityForm(request.POST or None, initial=typed)
    if request.method == "POST" and form.is_valid():
        publish = OpportunityPublishForm(request.POST)
        try:
            if not publish.is_valid():
                raise invalid({"status": [_("A new opportunity is a draft or open.")]})
            opportunity = services.opportunity_create(
                by=request.user,
                status=publish.cleaned_data["status"] or OpportunityStatus.DRAFT,
                **form.cleaned_data,
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The opportunity has been saved."))
            return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
    return _opportunity_form(request, form, None)


@permission(Perm.OPPORTUNITY_MANAGE)
def opportunity_edit(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                by=request.user, opportunity=opportunity, **form.cleaned_data
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The opportunity has been saved."))
            return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
    return _opportunity_form(request, form, opportunity)


def _own_person(request: AuthedRequest) -> Person | None:
    """The signed-in person's own record, if the account has one."""
    try:
        return registry_selectors.own_person_get(fetched_by=request.user)
    except JisrError:
        return None


def _opportunity_page(
    request: AuthedRequest,
    opportunity: Opportunity,
    *,
    skill_form: OpportunitySkillForm | None = None,
    apply_form: ApplyForm | None = None,
) -> HttpResponse:
    """The opportunity's page; the forms given are sent back with what to correct."""
    own_person = _own_person(request)
    return render(
        request,
        "matching/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "manages": selectors.opportunity_can_manage(
                fetched_by=request.user, opportunity=opportunity
            ),
            "skills": opportunity.skills.select_related("skill"),
            "languages": opportunity.languages.all(),
            "skill_form": skill_form or OpportunitySkillForm(prefix="skill"),
            "skill_choices": _suggestions("skill", request.GET.get("skill_q", "")),
            "language_form": LanguageForm(prefix="language"),
            "apply_form": apply_form or ApplyForm(),
            "own_person": own_person,
            "own_application": (
                selectors.application_find_own(person=own_person, opportunity=opportunity)
                if own_person
                else None
            ),
            "next_statuses": [
                OpportunityStatus(s)
                for s in services.TRANSITIONS[OpportunityStatus(opportunity.status)]
            ],
        },
    )


@permission(Perm.OPPORTUNITY_VIEW)
def opportunity_detail(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(fetched_by=request.user, opportunity_id=opportunity_id)
    return _opportunity_page(request, opportunity)


def _managed(request: AuthedRequest, opportunity_id: int) -> Opportunity:
    """An opportunity the reader sees (else not found) and manages (else forbidden)."""
    opportunity = selectors.opportunity_get(fetched_by=request.user, opportunity_id=opportunity_id)
    if not selectors.opportunity_can_manage(fetched_by=request.user, opportunity=opportunity):
        raise forbidden()
    return opportunity


def _to_opportunity(opportunity: Opportunity) -> HttpResponse:
    return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def opportunity_skill_add(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = _managed(request, opportunity_id)
    form = OpportunitySkillForm(request.POST, prefix="skill")
    if not form.is_valid():
        return _opportunity_page(request, opportunity, skill_form=form)
    skills = dict(opportunity.skills.values_list("skill_id", "essential"))
    skills[form.cleaned_data["skill"].pk] = form.cleaned_data["essential"]
    try:
        services.opportunity_update(
            by=request.user,
            opportunity=opportunity,
            skills=[(Skill(pk=s), e) for s, e in skills.items()],
        )
    except JisrError as error:
        messages.error(request, str(error.message))
        return _opportunity_page(request, opportunity, skill_form=form)
    return _to_opportunity(opportunity)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def opportunity_skill_remove(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = _managed(request, opportunity_id)
    form = OpportunitySkillRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise not_found()
        remove = form.cleaned_data["skill"]
        kept = [
            (Skill(pk=s), e)
            for s, e in opportunity.skills.values_list("skill_id", "essential")
            if s != remove
        ]
        services.opportunity_update(by=request.user, opportunity=opportunity, skills=kept)
    except JisrError as error:
        messages.error(request, str(error.message))
        return _opportunity_page(request, opportunity)
    return _to_opportunity(opportunity)


def _opportunity_language(
    request: AuthedRequest, opportunity_id: int, *, remove: bool
) -> HttpResponse:
    opportunity = _managed(request, opportunity_id)
    form = LanguageForm(request.POST, prefix="language")
    if not form.is_valid():
        return _opportunity_page(request, opportunity)
    asked = dict(opportunity.languages.values_list("language", "level"))
    language = form.cleaned_data["language"]
    asked[language] = form.cleaned_data["level"]
    if remove:
        asked.pop(language, None)
    try:
        services.opportunity_update(
            by=request.user, opportunity=opportunity, languages=list(asked.items())
        )
    except JisrError as error:
        messages.error(request, str(error.message))
        return _opportunity_page(request, opportunity)
    return _to_opportunity(opportunity)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def opportunity_language_set(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    return _opportunity_language(request, opportunity_id, remove=False)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def opportunity_language_remove(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    return _opportunity_language(request, opportunity_id, remove=True)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def opportunity_status_set(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = _managed(request, opportunity_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _opportunity_page(request, opportunity)
    try:
        services.opportunity_set_status(
            by=request.user, opportunity=opportunity, status=form.cleaned_data["status"]
        )
    except JisrError as error:
        messages.error(request, str(error.message))
        return _opportunity_page(request, opportunity)
    messages.success(request, _("The status has been changed."))
    return _to_opportunity(opportunity)


@permission(Perm.OPPORTUNITY_VIEW)
@require_POST
def opportunity_apply(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(fetched_by=request.user, opportunity_id=opportunity_id)
    own_person = _own_person(request)
    if own_person is None:
        raise forbidden()
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return _opportunity_page(request, opportunity, apply_form=form)
    try:
        services.application_express(
            by=request.user, person=own_person, opportunity=opportunity, **form.cleaned_data
        )
    except JisrError as error:
        if error.status == 403:
            raise
        messages.error(request, str(error.message))
        return _opportunity_page(request, opportunity, apply_form=form)
    messages.success(request, _("Sent. The organisation can now see your profile."))
    return _to_opportunity(opportunity)


@permission(Perm.OPPORTUNITY_MANAGE)
def candidates(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    return render(
        request,
        "matching/candidates.html",
        {
            "opportunity": opportunity,
            "matches": selectors.candidate_list(fetched_by=request.user, opportunity=opportunity),
            "can_see_candidates": selectors.viewer_level(fetched_by=request.user) is not None,
            "invite_form": InviteForm(),
        },
    )


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def candidate_invite(request: AuthedRequest, opportunity_id: int, reference: str) -> HttpResponse:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    profile = selectors.candidate_get(
        fetched_by=request.user, opportunity=opportunity, reference=reference
    )
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise not_found()
    try:
        services.candidate_invite(
            by=request.user,
            opportunity=opportunity,
            profile=profile,
            message=form.cleaned_data["message"],
        )
    except JisrError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Invited. The person has been told and will answer."))
    return redirect("matching:candidates", opportunity_id=opportunity.pk)


def _applications_page(
    request: AuthedRequest, opportunity: Opportunity, decide_form: DecideForm | None = None
) -> HttpResponse:
    return render(
        request,
        "matching/applications.html",
        {
            "opportunity": opportunity,
            "applications": selectors.application_list(
                fetched_by=request.user, opportunity=opportunity
            ),
            "decide_form": decide_form or DecideForm(),
        },
    )


@permission(Perm.OPPORTUNITY_MANAGE)
def applications(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    return _applications_page(request, opportunity)


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def application_decide(
    request: AuthedRequest, opportunity_id: int, application_id: int
) -> HttpResponse:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    application = selectors.application_get_managed(
        fetched_by=request.user, application_id=application_id, opportunity=opportunity
    )
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _applications_page(request, opportunity, form)
    try:
        services.application_decide(by=request.user, application=application, **form.cleaned_data)
    except JisrError as error:
        messages.error(request, str(error.message))
        return _applications_page(request, opportunity, form)
    messages.success(request, _("Recorded."))
    return redirect("matching:applications", opportunity_id=opportunity.pk)


@permission(Perm.SKILLS_MAP_VIEW)
def skills_map(request: AuthedRequest) -> HttpResponse:
    digits = 2 if request.GET.get("digits") == "2" else 1
    where = mapping.ABROAD if request.GET.get("where") == mapping.ABROAD else mapping.IN_IRAQ
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        headers, rows = services.skills_map_export(
            by=request.user, digits=digits, where=where, file_format=file_format
        )
        as_xlsx = file_format == "xlsx"
        response = HttpResponse(
            write_xlsx(headers, rows) if as_xlsx else write_csv(headers, rows),
            content_type=XLSX if as_xlsx else "text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="jisr-skills-map.{file_format}"'
        return response
    found = mapping.skills_map(fetched_by=request.user, digits=digits, where=where)
    return render(
        request,
        "matching/skills_map.html",
        {"map": found, "digits": digits, "where": where, "threshold": mapping.THRESHOLD},
    )
