"""Pages of profiles, opportunities, candidates and applications. Thin: forms in, services and
selectors do the work, errors come back on the form."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisr.accounts.decorators import AuthedRequest, permission, self_service
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.lib.pagination import CappedPaginator
from jisr.lib.spreadsheets import write_csv, write_xlsx
from jisr.matching import mapping, selectors, services
from jisr.matching.forms import (
    ApplyForm,
    DecideForm,
    InviteForm,
    LanguageForm,
    OccupationPickForm,
    OpportunityFilterForm,
    OpportunityForm,
    OpportunitySkillForm,
    ProfileFactsForm,
    QualificationForm,
    SkillPickForm,
    StatusForm,
)
from jisr.matching.models import Application, OpportunityStatus, Profile
from jisr.registry import selectors as registry_selectors
from jisr.registry.models import Person, Purpose
from jisr.skills.coding import code_skills, suggest_occupations
from jisr.skills.models import Occupation, Skill

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _id(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise JisrError("not_found", _("Not found."), status=404) from None


# --- Suggestions (type-ahead, and the same list without JavaScript) ----------------------


def _suggestions(kind: str, query: str) -> list[Any]:
    query = query.strip()[:200]
    if len(query) < 2:
        return []
    if kind == "skill":
        found = code_skills(query, top=8)
        skills = Skill.objects.in_bulk([s.id for s in found])
        return [skills[s.id] for s in found if s.id in skills]
    found = suggest_occupations(query, top=8)
    occupations = Occupation.objects.in_bulk([s.id for s in found])
    return [occupations[s.id] for s in found if s.id in occupations]


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


def _profile_page(
    request: AuthedRequest, person: Person, *, editable: bool, here: str
) -> HttpResponse:
    profile = selectors.profile_of(person)
    forms: dict[str, Any] = {
        "facts": ProfileFactsForm(instance=profile),
        "occupation": OccupationPickForm(prefix="occupation"),
        "skill": SkillPickForm(prefix="skill"),
        "language": LanguageForm(prefix="language"),
        "qualification": QualificationForm(prefix="qualification"),
    }
    if editable and request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _profile_action(request, person, profile, action, forms)
        except JisrError as error:
            form = forms.get(action)
            if form is None:
                messages.error(request, str(error.message))
            else:
                add_error_to_form(form, error)
            done = False
        if done:
            messages.success(request, _("The profile has been saved."))
            return redirect(here)
    return render(
        request,
        "matching/profile.html",
        {
            "person": person,
            "profile": profile,
            "forms": forms,
            "editable": editable,
            "here": here,
            "own": person.account_id == request.user.pk,
            "occupation_choices": _suggestions("occupation", request.GET.get("occupation_q", "")),
            "skill_choices": _suggestions("skill", request.GET.get("skill_q", "")),
            "matching_consent": registry_selectors.has_consent(person, Purpose.EMPLOYER_MATCHING),
        },
    )


# The parts of a profile added one at a time: the form, and the service that adds it.
PROFILE_ITEMS: dict[str, tuple[Any, Any]] = {
    "occupation": (OccupationPickForm, services.profile_occupation_add),
    "skill": (SkillPickForm, services.profile_skill_set),
    "language": (LanguageForm, services.profile_language_set),
    "qualification": (QualificationForm, services.qualification_add),
}


def _profile_action(
    request: AuthedRequest, person: Person, profile: Profile | None, action: str,
    forms: dict[str, Any],
) -> bool:  # fmt: skip
    by = request.user
    form: Any
    if action == "facts":
        form = forms["facts"] = ProfileFactsForm(request.POST, instance=profile)
        if not form.is_valid():
            return False
        data = dict(form.cleaned_data)
        places = list(data.pop("preferred_governorates"))
        services.profile_save(by=by, person=person, preferred_governorates=places, **data)
        return True
    if action in PROFILE_ITEMS:
        form_class, add = PROFILE_ITEMS[action]
        form = forms[action] = form_class(request.POST, prefix=action)
        if not form.is_valid():
            return False
        add(by=by, person=person, **form.cleaned_data)
        return True
    if action == "remove":
        services.profile_item_remove(
            by=by, person=person, kind=request.POST.get("kind", ""),
            item_id=_id(request.POST.get("item", "")),
        )  # fmt: skip
        return True
    raise JisrError("invalid", _("Some fields need correcting."), status=400)


@self_service
def my_profile(request: AuthedRequest) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return _profile_page(request, person, editable=True, here=reverse("matching:my_profile"))


@permission(Perm.PERSON_VIEW)
def person_profile(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    editable = request.user.can(Perm.PERSON_EDIT) and (
        registry_selectors.persons_in_scope(fetched_by=request.user, shared=False)
        .filter(pk=person.pk)
        .exists()
    )
    if request.method == "POST" and not editable:
        raise JisrError("forbidden", _("You do not have permission to do this."), status=403)
    here = reverse("matching:person_profile", args=[person.pk])
    return _profile_page(request, person, editable=editable, here=here)


# --- A person's opportunities -------------------------------------------------------------


@self_service
def my_opportunities(request: AuthedRequest) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return render(
        request,
        "matching/person_opportunities.html",
        {
            "person": person,
            "own": True,
            "matches": selectors.opportunities_for(person=person),
            "applications": selectors.own_applications(person),
            "has_profile": Profile.objects.filter(person=person).exists(),
        },
    )


@permission(Perm.PERSON_VIEW)
def person_opportunities(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    return render(
        request,
        "matching/person_opportunities.html",
        {
            "person": person,
            "own": False,
            "matches": selectors.opportunities_for(person=person),
            "applications": selectors.own_applications(person),
            "has_profile": Profile.objects.filter(person=person).exists(),
        },
    )


@self_service
@require_POST
def application_withdraw(request: AuthedRequest, application_id: int) -> HttpResponse:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    application = Application.objects.filter(pk=application_id, person=person).first()
    if application is None:
        raise JisrError("not_found", _("Not found."), status=404)
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
        fetched_by=request.user, search=filters.get("q", ""), kind=filters.get("kind", ""),
        governorate=governorate.pk if governorate else None, mine=mine,
    )  # fmt: skip
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "matching/opportunity_list.html",
        {"form": form, "page": page, "mine": mine, "querystring": querystring.urlencode()},
    )


@permission(Perm.OPPORTUNITY_MANAGE)
def opportunity_create(request: AuthedRequest) -> HttpResponse:
    # "Find" (without JavaScript) comes back by GET with what was typed so far.
    typed = request.GET.dict() if "find" in request.GET else None
    form = OpportunityForm(request.POST or None, initial=typed)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(
                by=request.user, status=request.POST.get("status", OpportunityStatus.DRAFT),
                **form.cleaned_data,
            )  # fmt: skip
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The opportunity has been saved."))
            return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
    return render(
        request,
        "matching/opportunity_form.html",
        {
            "form": form,
            "occupation_choices": _occupation_choices(request, form),
            "opportunity": None,
        },
    )


def _occupation_choices(request: AuthedRequest, form: OpportunityForm) -> list[Any]:
    """Suggestions for the occupation field, with the chosen one kept."""
    chosen = form.data.get("occupation") or (form.instance.occupation_id or "")
    choices = _suggestions("occupation", request.GET.get("occupation_q", ""))
    if chosen:
        occupation = Occupation.objects.filter(pk=_id(str(chosen))).first()
        if occupation is not None and occupation not in choices:
            choices.insert(0, occupation)
    return choices


@permission(Perm.OPPORTUNITY_MANAGE)
def opportunity_edit(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_managed(
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
    return render(
        request,
        "matching/opportunity_form.html",
        {
            "form": form,
            "occupation_choices": _occupation_choices(request, form),
            "opportunity": opportunity,
        },
    )


@permission(Perm.OPPORTUNITY_VIEW)
def opportunity_detail(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(fetched_by=request.user, opportunity_id=opportunity_id)
    manages = selectors.may_manage(request.user, opportunity)
    own_person = Person.objects.filter(account=request.user).first()
    skill_form = OpportunitySkillForm(prefix="skill")
    apply_form = ApplyForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("skill", "remove_skill", "language", "status") and not manages:
                raise JisrError(
                    "forbidden", _("You do not have permission to do this."), status=403
                )
            if action == "skill":
                skill_form = OpportunitySkillForm(request.POST, prefix="skill")
                if skill_form.is_valid():
                    chosen = skill_form.cleaned_data
                    skills = dict(opportunity.skills.values_list("skill_id", "essential"))
                    skills[chosen["skill"].pk] = chosen["essential"]
                    services.opportunity_update(
                        by=request.user, opportunity=opportunity,
                        skills=[(Skill(pk=s), e) for s, e in skills.items()],
                    )  # fmt: skip
                    return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
            elif action == "remove_skill":
                remove = _id(request.POST.get("skill", ""))
                services.opportunity_update(
                    by=request.user, opportunity=opportunity,
                    skills=[
                        (Skill(pk=s), e)
                        for s, e in opportunity.skills.values_list("skill_id", "essential")
                        if s != remove
                    ],
                )  # fmt: skip
                return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
            elif action == "language":
                language_form = LanguageForm(request.POST, prefix="language")
                if language_form.is_valid():
                    asked = dict(opportunity.languages.values_list("language", "level"))
                    language = language_form.cleaned_data["language"]
                    asked[language] = language_form.cleaned_data["level"]
                    if request.POST.get("remove"):
                        asked.pop(language, None)
                    services.opportunity_update(
                        by=request.user, opportunity=opportunity, languages=list(asked.items())
                    )
                    return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
            elif action == "status":
                status_form = StatusForm(request.POST)
                if status_form.is_valid():
                    services.opportunity_set_status(
                        by=request.user, opportunity=opportunity,
                        status=status_form.cleaned_data["status"],
                    )  # fmt: skip
                    messages.success(request, _("The status has been changed."))
                    return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
            elif action == "apply":
                if own_person is None:
                    raise JisrError(
                        "forbidden", _("You do not have permission to do this."), status=403
                    )
                apply_form = ApplyForm(request.POST)
                if apply_form.is_valid():
                    services.application_express(
                        by=request.user, person=own_person, opportunity=opportunity,
                        **apply_form.cleaned_data,
                    )  # fmt: skip
                    messages.success(request, _("Sent. The organisation can now see your profile."))
                    return redirect("matching:opportunity_detail", opportunity_id=opportunity.pk)
            else:
                raise JisrError("invalid", _("Some fields need correcting."), status=400)
        except JisrError as error:
            if error.status == 403:
                raise
            messages.error(request, str(error.message))
    return render(
        request,
        "matching/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "manages": manages,
            "skills": opportunity.skills.select_related("skill"),
            "languages": opportunity.languages.all(),
            "skill_form": skill_form,
            "skill_choices": _suggestions("skill", request.GET.get("skill_q", "")),
            "language_form": LanguageForm(prefix="language"),
            "apply_form": apply_form,
            "own_person": own_person,
            "own_application": Application.objects.filter(
                opportunity=opportunity, person=own_person
            ).first()
            if own_person
            else None,
            "next_statuses": [
                OpportunityStatus(s)
                for s in services.TRANSITIONS[OpportunityStatus(opportunity.status)]
            ],
        },
    )


@permission(Perm.OPPORTUNITY_MANAGE)
def candidates(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    return render(
        request,
        "matching/candidates.html",
        {
            "opportunity": opportunity,
            "matches": selectors.candidates_for(fetched_by=request.user, opportunity=opportunity),
            "can_see_candidates": selectors.viewer_level(request.user) is not None,
            "invite_form": InviteForm(),
        },
    )


@permission(Perm.OPPORTUNITY_MANAGE)
@require_POST
def candidate_invite(request: AuthedRequest, opportunity_id: int, reference: str) -> HttpResponse:
    opportunity = selectors.opportunity_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    profile = selectors.candidate_get(
        fetched_by=request.user, opportunity=opportunity, reference=reference
    )
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise JisrError("not_found", _("Not found."), status=404)
    try:
        services.candidate_invite(
            by=request.user, opportunity=opportunity, profile=profile,
            message=form.cleaned_data["message"],
        )  # fmt: skip
    except JisrError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Invited. The person has been told and will answer."))
    return redirect("matching:candidates", opportunity_id=opportunity.pk)


@permission(Perm.OPPORTUNITY_MANAGE)
def applications(request: AuthedRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    decide_form = DecideForm()
    if request.method == "POST":
        application = opportunity.applications.filter(
            pk=_id(request.POST.get("application", ""))
        ).first()
        decide_form = DecideForm(request.POST)
        if application is None:
            raise JisrError("not_found", _("Not found."), status=404)
        if decide_form.is_valid():
            try:
                services.application_decide(
                    by=request.user, application=application, **decide_form.cleaned_data
                )
            except JisrError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Recorded."))
                return redirect("matching:applications", opportunity_id=opportunity.pk)
    return render(
        request,
        "matching/applications.html",
        {
            "opportunity": opportunity,
            "applications": selectors.applications_for(
                fetched_by=request.user, opportunity=opportunity
            ),
            "decide_form": decide_form,
        },
    )


@permission(Perm.SKILLS_MAP_VIEW)
def skills_map(request: AuthedRequest) -> HttpResponse:
    digits = 2 if request.GET.get("digits") == "2" else 1
    where = mapping.ABROAD if request.GET.get("where") == mapping.ABROAD else mapping.IN_IRAQ
    found = mapping.skills_map(fetched_by=request.user, digits=digits, where=where)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        headers, rows = mapping.table(found)
        audit_record(
            actor=request.user, action=Action.EXPORT, object_type="matching.skills_map",
            changes={"digits": digits, "where": where, "format": export},
        )  # fmt: skip
        as_xlsx = export == "xlsx"
        response = HttpResponse(
            write_xlsx(headers, rows) if as_xlsx else write_csv(headers, rows),
            content_type=XLSX if as_xlsx else "text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="jisr-skills-map.{export}"'
        return response
    return render(
        request,
        "matching/skills_map.html",
        {"map": found, "digits": digits, "where": where, "threshold": mapping.THRESHOLD},
    )
