"""API of skills profiles, opportunities, matching, applications and the skills map (the
taxonomy's own look-ups are `skills/api.py`).

Occupations and skills are named by their ESCO identifiers: an occupation by its ESCO code
(e.g. "2142.1"), UUID or URI; a skill by its UUID or URI. Governorates by ISO 3166-2 code.

Operations return their schema's dicts or models (in ninja's `Status` where they answer 201).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import SELF, AuthedRequest
from jisr.accounts.roles import Perm
from jisr.lib.errors import JisrError
from jisr.lib.pagination import CappedLimitOffsetPagination
from jisr.lib.validation import invalid
from jisr.matching import mapping, selectors, services
from jisr.matching.models import (
    Application,
    ApplicationStatus,
    DegreeLevel,
    Language,
    LanguageLevel,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Recognition,
    SkillLevel,
    Visibility,
)
from jisr.places.models import Governorate
from jisr.registry import selectors as registry_selectors
from jisr.registry.models import Person, Purpose
from jisr.skills import selectors as skills_selectors
from jisr.skills.api import OccupationOut
from jisr.skills.models import Occupation, Skill

router = Router(tags=["skills and matching"])


# --- Taxonomy look-ups ------------------------------------------------------------------------


def _occupation(text: str, field: str) -> Occupation:
    found = skills_selectors.occupation_get(esco=text)
    if found is None:
        raise invalid({field: [_("Unknown occupation: %(value)s") % {"value": text}]})
    return found


def _skill(text: str, field: str) -> Skill:
    found = skills_selectors.skill_get(esco=text)
    if found is None:
        raise invalid({field: [_("Unknown skill: %(value)s") % {"value": text}]})
    return found


def _governorate(code: str | None, field: str) -> Governorate | None:
    if not code:
        return None
    found = Governorate.objects.filter(code=code).first()
    if found is None:
        raise invalid({field: [_("Unknown governorate.")]})
    return found


# --- Profiles -------------------------------------------------------------------------------


class OccupationItem(Schema):
    occupation: str = Field(description="ESCO code, UUID or URI")
    title: str = Field("", max_length=200)
    years: int | None = Field(None, ge=0, le=70)


class SkillItem(Schema):
    skill: str = Field(description="ESCO UUID or URI")
    level: SkillLevel = SkillLevel.INTERMEDIATE


class LanguageItem(Schema):
    language: Language
    level: LanguageLevel


class QualificationItem(Schema):
    level: DegreeLevel
    field: str = Field("", max_length=200)
    institution: str = Field("", max_length=200)
    country: str = Field("IQ", min_length=2, max_length=2)
    year: int | None = None
    recognition: Recognition = Recognition.UNKNOWN


class ProfileIn(Schema):
    visibility: Visibility
    available_return: bool = False
    available_assignment: bool = False
    assignment_months: int | None = None
    available_remote: bool = False
    available_mentoring: bool = False
    willing_to_relocate: bool = False
    preferred_governorates: list[Annotated[str, Field(min_length=1, max_length=8)]] = Field(
        [], description="ISO 3166-2 codes", max_length=30
    )
    experience_years: int | None = Field(None, ge=0, le=70)
    experience: str = Field("", max_length=3000)
    occupations: list[OccupationItem] = Field([], max_length=10)
    skills: list[SkillItem] = Field([], max_length=services.MAX_SKILLS)
    languages: list[LanguageItem] = Field([], max_length=20)
    qualifications: list[QualificationItem] = Field([], max_length=20)


class ProfileOut(Schema):
    exists: bool
    visibility: Visibility = Visibility.HIDDEN
    matching_consent: bool = False
    available_return: bool = False
    available_assignment: bool = False
    assignment_months: int | None = None
    available_remote: bool = False
    available_mentoring: bool = False
    willing_to_relocate: bool = False
    preferred_governorates: list[str] = []
    experience_years: int | None = None
    experience: str = ""
    occupations: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    languages: list[LanguageItem] = []
    qualifications: list[QualificationItem] = []


def _profile_out(person: Person) -> dict[str, Any]:
    """The profile as `ProfileOut`: the profile and the five tables it lists, read at once
    (`selectors.profile_get`), and the consent in force."""
    consent = registry_selectors.has_consent(person, Purpose.EMPLOYER_MATCHING)
    profile = selectors.profile_get(person=person)
    if profile is None:
        return {"exists": False, "matching_consent": consent}
    occupations = [
        {
            "occupation": OccupationOut.from_orm(item.occupation).dict(),
            "title": item.title,
            "years": item.years,
        }
        for item in profile.occupations.all()
    ]
    qualifications = [
        {
            "level": q.level,
            "field": q.field,
            "institution": q.institution,
            "country": str(q.country.code),
            "year": q.year,
            "recognition": q.recognition,
        }
        for q in profile.qualifications.all()
    ]
    return {
        "exists": True,
        "visibility": profile.visibility,
        "matching_consent": consent,
        "available_return": profile.available_return,
        "available_assignment": profile.available_assignment,
        "assignment_months": profile.assignment_months,
        "available_remote": profile.available_remote,
        "available_mentoring": profile.available_mentoring,
        "willing_to_relocate": profile.willing_to_relocate,
        "preferred_governorates": [g.code for g in profile.preferred_governorates.all()],
        "experience_years": profile.experience_years,
        "experience": profile.experience,
        "occupations": occupations,
        "skills": [
            {"uuid": item.skill.uuid, "label": item.skill.label, "level": item.level}
            for item in profile.skills.all()
        ],
        "languages": [
            {"language": item.language, "level": item.level} for item in profile.languages.all()
        ],
        "qualifications": qualifications,
    }


def _profile_replace(request: AuthedRequest, person: Person, payload: ProfileIn) -> None:
    data = payload.dict()
    places = [
        _governorate(code, f"preferred_governorates.{i}")
        for i, code in enumerate(data.pop("preferred_governorates"))
    ]
    occupations = [
        (_occupation(item["occupation"], f"occupations.{i}"), item["title"], item["years"])
        for i, item in enumerate(data.pop("occupations"))
    ]
    skills = [
        (_skill(item["skill"], f"skills.{i}"), int(item["level"]))
        for i, item in enumerate(data.pop("skills"))
    ]
    languages = [(str(item["language"]), int(item["level"])) for item in data.pop("languages")]
    qualifications = data.pop("qualifications")
    services.profile_replace(
        by=request.user,
        person=person,
        facts=data,
        preferred_governorates=[place for place in places if place is not None],
        occupations=occupations,
        skills=skills,
        languages=languages,
        qualifications=qualifications,
    )


@router.get("/persons/{person_id}/profile", response=ProfileOut, auth=allowed(Perm.PERSON_VIEW))
def person_profile(request: AuthedRequest, person_id: int) -> dict[str, Any]:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    return _profile_out(person)


@router.put("/persons/{person_id}/profile", response=ProfileOut, auth=allowed(Perm.PERSON_EDIT))
def person_profile_replace(
    request: AuthedRequest, person_id: int, payload: ProfileIn
) -> dict[str, Any]:
    """The whole profile: what is left out is removed."""
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    _profile_replace(request, person, payload)
    return _profile_out(person)


@router.get("/me/profile", response=ProfileOut, auth=allowed(SELF))
def my_profile(request: AuthedRequest) -> dict[str, Any]:
    """The signed-in person's own skills profile (404 for an account with no record)."""
    return _profile_out(registry_selectors.own_person_get(fetched_by=request.user))


@router.put("/me/profile", response=ProfileOut, auth=allowed(SELF))
def my_profile_replace(request: AuthedRequest, payload: ProfileIn) -> dict[str, Any]:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    _profile_replace(request, person, payload)
    return _profile_out(person)


# --- Opportunities ----------------------------------------------------------------------------


class RequiredSkill(Schema):
    skill: str = Field(description="ESCO UUID or URI")
    essential: bool = True


class RequiredLanguage(Schema):
    language: Language
    level: LanguageLevel


class OpportunityIn(Schema):
    kind: OpportunityKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    occupation: str | None = Field(None, description="ESCO code, UUID or URI")
    governorate: str | None = Field(None, description="ISO 3166-2 code; empty for anywhere")
    remote: bool = False
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    apply_by: dt.date | None = None
    capacity: int = Field(1, ge=1, le=100000)
    status: OpportunityStatus = OpportunityStatus.DRAFT
    skills: list[RequiredSkill] | None = Field(
        None, description="Left out: the occupation's essential skills (ESCO) are taken."
    )
    languages: list[RequiredLanguage] = []


class OpportunityPatch(Schema):
    kind: OpportunityKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    occupation: str | None = None
    governorate: str | None = None
    remote: bool | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    apply_by: dt.date | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    status: OpportunityStatus | None = None
    skills: list[RequiredSkill] | None = None
    languages: list[RequiredLanguage] | None = None


class OpportunityOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    kind: OpportunityKind
    title: str
    description: str
    occupation: OccupationOut | None
    governorate: str | None
    remote: bool
    starts_on: dt.date | None
    ends_on: dt.date | None
    apply_by: dt.date | None
    capacity: int
    status: OpportunityStatus
    skills: list[dict[str, Any]]
    languages: list[RequiredLanguage]

    @staticmethod
    def resolve_organisation(o: Opportunity) -> str:
        return o.organisation.name

    @staticmethod
    def resolve_governorate(o: Opportunity) -> str | None:
        return o.governorate.code if o.governorate else None

    @staticmethod
    def resolve_skills(o: Opportunity) -> list[dict[str, Any]]:
        prefetch_related_objects([o], "skills__skill")  # nothing to read when a list has
        return [
            {"uuid": s.skill.uuid, "label": s.skill.label, "essential": s.essential}
            for s in o.skills.all()
        ]

    @staticmethod
    def resolve_languages(o: Opportunity) -> list[dict[str, Any]]:
        return [{"language": x.language, "level": x.level} for x in o.languages.all()]


def _opportunity_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "occupation" in data:
        data["occupation"] = (
            _occupation(data["occupation"], "occupation") if data["occupation"] else None
        )
    if "governorate" in data:
        data["governorate"] = _governorate(data["governorate"], "governorate")
    if data.get("skills") is not None:
        data["skills"] = [
            (_skill(item["skill"], f"skills.{i}"), item["essential"])
            for i, item in enumerate(data["skills"])
        ]
    if data.get("languages") is not None:
        data["languages"] = [(str(x["language"]), int(x["level"])) for x in data["languages"]]
    return data


@router.get("/opportunities", response=list[OpportunityOut], auth=allowed(Perm.OPPORTUNITY_VIEW))
@paginate(CappedLimitOffsetPagination)
def opportunity_list(
    request: AuthedRequest, q: str = "", kind: str = "", governorate: str = "", mine: bool = False
) -> QuerySet[Opportunity]:
    """Open opportunities (or, with `mine`, those of the caller's organisation, any status)."""
    selected = _governorate(governorate, "governorate") if governorate else None
    return selectors.opportunity_list(
        fetched_by=request.user,
        search=q,
        kind=kind,
        governorate=selected.pk if selected else None,
        mine=mine,
    ).prefetch_related(*selectors.OPPORTUNITY_PREFETCH)


@router.post(
    "/opportunities", response={201: OpportunityOut}, auth=allowed(Perm.OPPORTUNITY_MANAGE)
)
def opportunity_create(request: AuthedRequest, payload: OpportunityIn) -> Status[Opportunity]:
    data = _opportunity_fields(payload.dict())
    opportunity = services.opportunity_create(by=request.user, **data)
    return Status(201, opportunity)


@router.get(
    "/opportunities/{opportunity_id}", response=OpportunityOut, auth=allowed(Perm.OPPORTUNITY_VIEW)
)
def opportunity_get(request: AuthedRequest, opportunity_id: int) -> Opportunity:
    return selectors.opportunity_get(fetched_by=request.user, opportunity_id=opportunity_id)


@router.patch(
    "/opportunities/{opportunity_id}",
    response=OpportunityOut,
    auth=allowed(Perm.OPPORTUNITY_MANAGE),
)
def opportunity_update(
    request: AuthedRequest, opportunity_id: int, payload: OpportunityPatch
) -> Opportunity:
    """Only the fields sent change. `status` moves along draft → open → filled / closed."""
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    data = _opportunity_fields(payload.dict(exclude_unset=True))
    status = data.pop("status", None)
    if data:
        services.opportunity_update(by=request.user, opportunity=opportunity, **data)
    if status is not None and status != opportunity.status:
        services.opportunity_set_status(by=request.user, opportunity=opportunity, status=status)
    return opportunity


# --- Matching -------------------------------------------------------------------------------


class CandidateOut(Schema):
    reference: str = Field(
        description="The candidate's reference for the caller's organisation, the same in each "
        "of its opportunities; another organisation knows the person by another one"
    )
    score: int = Field(description="0 to 100")
    reasons: list[str]
    application_status: ApplicationStatus | None


class OpportunityMatchOut(Schema):
    opportunity: OpportunityOut
    score: int = Field(description="0 to 100")
    reasons: list[str]
    application_status: ApplicationStatus | None


@router.get(
    "/opportunities/{opportunity_id}/candidates",
    response=list[CandidateOut],
    auth=allowed(Perm.OPPORTUNITY_MANAGE),
)
def candidates(
    request: AuthedRequest, opportunity_id: int, limit: int = 50
) -> list[dict[str, Any]]:
    """The best candidates, with the reasons in the caller's language; only persons who agreed
    to matching and whose visibility admits the caller's organisation."""
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    matches = selectors.candidate_list(
        fetched_by=request.user, opportunity=opportunity, limit=max(1, min(limit, 200))
    )
    return [
        {
            "reference": m.reference,
            "score": m.score,
            "reasons": m.reasons,
            "application_status": m.application.status if m.application else None,
        }
        for m in matches
        if m.profile is not None
    ]


class InviteIn(Schema):
    message: str = Field(max_length=2000)


@router.post(
    "/opportunities/{opportunity_id}/candidates/{reference}/invite",
    response={201: dict[str, Any]},
    auth=allowed(Perm.OPPORTUNITY_MANAGE),
)
def candidate_invite(
    request: AuthedRequest, opportunity_id: int, reference: str, payload: InviteIn
) -> Status[dict[str, Any]]:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    profile = selectors.candidate_get(
        fetched_by=request.user, opportunity=opportunity, reference=reference
    )
    application = services.candidate_invite(
        by=request.user, opportunity=opportunity, profile=profile, message=payload.message
    )
    return Status(201, {"application_id": application.pk, "status": application.status})


def _matches_out(matches: list[selectors.Match]) -> list[dict[str, Any]]:
    opportunities = [m.opportunity for m in matches if m.opportunity is not None]
    prefetch_related_objects(opportunities, *selectors.OPPORTUNITY_PREFETCH)
    return [
        {
            "opportunity": m.opportunity,
            "score": m.score,
            "reasons": m.reasons,
            "application_status": m.application.status if m.application else None,
        }
        for m in matches
    ]


@router.get(
    "/persons/{person_id}/opportunities",
    response=list[OpportunityMatchOut],
    auth=allowed(Perm.PERSON_VIEW),
)
def person_opportunities(request: AuthedRequest, person_id: int) -> list[dict[str, Any]]:
    person = registry_selectors.person_get(fetched_by=request.user, person_id=person_id)
    return _matches_out(selectors.opportunity_list_matching(person=person))


@router.get("/me/opportunities", response=list[OpportunityMatchOut], auth=allowed(SELF))
def my_opportunities(request: AuthedRequest) -> list[dict[str, Any]]:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return _matches_out(selectors.opportunity_list_matching(person=person))


# --- Applications -----------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    opportunity_id: int
    status: ApplicationStatus
    share_contact: bool
    message: str
    name: str | None = Field(None, description="Once the person has applied or shown interest")
    phone: str | None = Field(None, description="Only when the person shares contact details")
    email: str | None = None
    reference: str = Field(description="How the opportunity's organisation knows the person")
    updated_at: dt.datetime


def _application_out(application: Application, *, for_poster: bool) -> dict[str, Any]:
    person = application.person
    named = not for_poster or application.status not in (
        ApplicationStatus.INVITED,
        ApplicationStatus.DECLINED,
    )
    shared = not for_poster or application.share_contact
    return {
        "id": application.pk,
        "opportunity_id": application.opportunity_id,
        "status": application.status,
        "share_contact": application.share_contact,
        "message": application.message,
        "updated_at": application.updated_at,
        "name": person.full_name if named else None,
        "phone": (person.phone or None) if shared else None,
        "email": (person.email or None) if shared else None,
        "reference": application.candidate_reference,
    }


@router.get(
    "/opportunities/{opportunity_id}/applications",
    response=list[ApplicationOut],
    auth=allowed(Perm.OPPORTUNITY_MANAGE),
)
def applications(request: AuthedRequest, opportunity_id: int) -> list[dict[str, Any]]:
    opportunity = selectors.opportunity_get_managed(
        fetched_by=request.user, opportunity_id=opportunity_id
    )
    return [
        _application_out(a, for_poster=True)
        for a in selectors.application_list(fetched_by=request.user, opportunity=opportunity)
    ]


class DecisionIn(Schema):
    status: ApplicationStatus
    message: str = Field("", max_length=500)


@router.post(
    "/applications/{application_id}/decision",
    response=ApplicationOut,
    auth=allowed(Perm.OPPORTUNITY_MANAGE),
)
def application_decide(
    request: AuthedRequest, application_id: int, payload: DecisionIn
) -> dict[str, Any]:
    """Shortlist, contact (the message goes to the person) or record the outcome."""
    application = selectors.application_get_managed(
        fetched_by=request.user, application_id=application_id
    )
    services.application_decide(
        by=request.user, application=application, status=payload.status, message=payload.message
    )
    return _application_out(application, for_poster=True)


class ApplyIn(Schema):
    opportunity_id: int
    status: ApplicationStatus = Field(description="applied, interested, or withdrawn")
    share_contact: bool = False
    message: str = Field("", max_length=2000)


@router.get("/me/applications", response=list[ApplicationOut], auth=allowed(SELF))
def my_applications(request: AuthedRequest) -> list[dict[str, Any]]:
    person = registry_selectors.own_person_get(fetched_by=request.user)
    return [
        _application_out(a, for_poster=False) for a in selectors.application_list_own(person=person)
    ]


@router.post("/me/applications", response=ApplicationOut, auth=allowed(SELF))
def my_application(request: AuthedRequest, payload: ApplyIn) -> dict[str, Any]:
    """Apply, show interest, or withdraw (and so decline an invitation)."""
    person = registry_selectors.own_person_get(fetched_by=request.user)
    opportunity = selectors.opportunity_get(
        fetched_by=request.user, opportunity_id=payload.opportunity_id
    )
    if payload.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED):
        application = selectors.application_find_own(person=person, opportunity=opportunity)
        if application is None:
            raise JisrError("not_found", _("Not found."), status=404)
        application = services.application_withdraw(by=request.user, application=application)
    else:
        application = services.application_express(
            by=request.user,
            person=person,
            opportunity=opportunity,
            status=payload.status,
            share_contact=payload.share_contact,
            message=payload.message,
        )
    return _application_out(application, for_poster=False)


# --- Supply and demand ------------------------------------------------------------------------


class MapCell(Schema):
    isco_group: str
    occupation_group: str
    place: str
    place_name: str
    available: str = Field(description='Persons available; "<10" where fewer than 10')
    open_places: int


@router.get("/skills-map", response=list[MapCell], auth=allowed(Perm.SKILLS_MAP_VIEW))
def skills_map(
    request: AuthedRequest, digits: int = 1, where: str = mapping.IN_IRAQ
) -> list[dict[str, object]]:
    """Available persons per ISCO-08 group and place, against open places."""
    found = mapping.skills_map(fetched_by=request.user, digits=digits, where=where)
    headers, rows = mapping.table(found)
    return [dict(zip(headers, row, strict=True)) for row in rows]
