"""Writing profiles, opportunities and applications.

Each function checks who acts, runs in one transaction with its audit entry, and touches the
profile or opportunity it changes (`updated_at`), which is how the matching index learns of it.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_entry, audit_record, audit_record_many, diff
from jisr.core.tasks import send_email_on_commit
from jisr.lib.errors import JisrError
from jisr.lib.sms import send_sms
from jisr.lib.validation import invalid, validated_save
from jisr.matching import mapping, selectors
from jisr.matching.models import (
    OUTCOMES,
    Application,
    ApplicationStatus,
    DegreeLevel,
    Language,
    LanguageLevel,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
    OpportunityStatus,
    Profile,
    ProfileLanguage,
    ProfileOccupation,
    ProfileSkill,
    Qualification,
    Recognition,
    SkillLevel,
)
from jisr.places.models import Governorate
from jisr.registry.models import Person, RecordStatus
from jisr.registry.selectors import persons_in_scope
from jisr.skills.models import Occupation, OccupationSkill, Skill

PROFILE_FIELDS = [
    "visibility", "available_return", "available_assignment", "assignment_months",
    "available_remote", "available_mentoring", "willing_to_relocate", "experience_years",
    "experience",
]  # fmt: skip
OPPORTUNITY_FIELDS = [
    "kind", "title", "description", "occupation_id", "governorate_id", "remote", "starts_on",
    "ends_on", "apply_by", "capacity",
]  # fmt: skip
MAX_SKILLS = 60
PREFILLED_SKILLS = 12


# --- Profiles ---------------------------------------------------------------------------------


def _check_may_edit(by: User, person: Person) -> None:
    """The person themselves, or staff who may change the person's record."""
    if by.is_authenticated and person.account_id is not None and person.account_id == by.pk:
        return
    require(by, Perm.PERSON_EDIT)
    if not persons_in_scope(fetched_by=by, shared=False).filter(pk=person.pk).exists():
        raise forbidden()


def _profile(person: Person) -> Profile:
    profile = Profile.objects.filter(person=person).first()
    if profile is None:
        profile = Profile.objects.create(
            person=person,
            available_return=False,
            available_assignment=False,
            available_remote=False,
            available_mentoring=False,
            willing_to_relocate=False,
        )
    return profile


def _snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        value = getattr(instance, name)
        values[name] = value if value is None or isinstance(value, (str, int, bool)) else str(value)
    return values


@transaction.atomic
def profile_save(
    *,
    by: User,
    person: Person,
    preferred_governorates: list[Governorate] | None = None,
    **fields: Any,
) -> Profile:
    """The facts of the profile (availability, visibility, experience); creates it if needed."""
    _check_may_edit(by, person)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise invalid({name: [_("Unknown field.")] for name in sorted(unknown)})
    profile = _profile(person)
    before = _snapshot(profile, PROFILE_FIELDS)
    before_places = sorted(profile.preferred_governorates.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(profile, name, value)
    if fields.get("available_assignment") is False:
        profile.assignment_months = None
    errors: dict[str, list[str]] = {}
    if profile.assignment_months is not None and not 1 <= profile.assignment_months <= 60:
        errors["assignment_months"] = [_("Between 1 and 60 months.")]
    if profile.experience_years is not None and profile.experience_years > 70:
        errors["experience_years"] = [_("At most 70 years.")]
    if errors:
        raise invalid(errors)
    validated_save(profile)
    changes = diff(before, _snapshot(profile, PROFILE_FIELDS))
    if preferred_governorates is not None:
        profile.preferred_governorates.set(preferred_governorates)
        after_places = sorted(g.pk for g in preferred_governorates)
        if after_places != before_places:
            changes["preferred_governorates"] = [before_places, after_places]
    if changes:
        audit_record(actor=by, action=Action.UPDATE, target=person, changes={"profile": changes})
    return profile


def _touched(profile: Profile, *, by: User, person: Person, change: dict[str, Any]) -> None:
    profile.save(update_fields=["updated_at"])
    audit_record(actor=by, action=Action.UPDATE, target=person, changes={"profile": change})


@transaction.atomic
def profile_occupation_add(
    *, by: User, person: Person, occupation: Occupation, title: str = "", years: int | None = None
) -> ProfileOccupation:
    _check_may_edit(by, person)
    profile = _profile(person)
    if years is not None and years > 70:
        raise invalid({"years": [_("At most 70 years.")]})
    item, _created = ProfileOccupation.objects.update_or_create(
        profile=profile, occupation=occupation, defaults={"title": title[:200], "years": years}
    )
    _touched(profile, by=by, person=person, change={"occupation": [None, occupation.code]})
    return item


@transaction.atomic
def profiles_start_from_import(*, by: User, items: list[tuple[Person, Occupation, str]]) -> None:
    """What `profile_occupation_add` does for each (person, occupation, title), for persons just
    imported and so without a profile yet, in a few statements: the profile, its occupation and
    the audit entry. Persons the importer may not edit (a governorate outside their scope) are
    left without one, as they could not add it by hand either."""
    if not items or not by.can(Perm.PERSON_EDIT):
        return
    ids = {person.pk for person, _occupation, _title in items}
    editable = set(
        persons_in_scope(fetched_by=by, shared=False)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    items = [item for item in items if item[0].pk in editable]
    profiles = Profile.objects.bulk_create(
        [
            Profile(
                person=person,
                available_return=False,
                available_assignment=False,
                available_remote=False,
                available_mentoring=False,
                willing_to_relocate=False,
            )
            for person, _occupation, _title in items
        ],
        batch_size=1000,
    )
    ProfileOccupation.objects.bulk_create(
        [
            ProfileOccupation(profile=profile, occupation=occupation, title=title[:200])
            for profile, (_person, occupation, title) in zip(profiles, items, strict=True)
        ],
        batch_size=1000,
    )
    audit_record_many(
        [
            audit_entry(
                actor=by,
                action=Action.UPDATE,
                target=person,
                changes={"profile": {"occupation": [None, occupation.code]}},
            )
            for person, occupation, _title in items
        ]
    )


@transaction.atomic
def profile_skill_set(*, by: User, person: Person, skill: Skill, level: int) -> ProfileSkill:
    _check_may_edit(by, person)
    if level not in SkillLevel.values:
        raise invalid({"level": [_("Choose a level.")]})
    profile = _profile(person)
    if not profile.skills.filter(skill=skill).exists() and profile.skills.count() >= MAX_SKILLS:
        raise invalid({"skill": [_("A profile holds at most %(n)d skills.") % {"n": MAX_SKILLS}]})
    item, _created = ProfileSkill.objects.update_or_create(
        profile=profile, skill=skill, defaults={"level": level}
    )
    _touched(profile, by=by, person=person, change={"skill": [None, f"{skill.uuid}:{level}"]})
    return item


@transaction.atomic
def profile_language_set(*, by: User, person: Person, language: str, level: int) -> ProfileLanguage:
    _check_may_edit(by, person)
    errors = {}
    if language not in Language.values:
        errors["language"] = [_("Choose a language from the list.")]
    if level not in LanguageLevel.values:
        errors["level"] = [_("Choose a level.")]
    if errors:
        raise invalid(errors)
    profile = _profile(person)
    item, _created = ProfileLanguage.objects.update_or_create(
        profile=profile, language=language, defaults={"level": level}
    )
    _touched(profile, by=by, person=person, change={"language": [None, f"{language}:{level}"]})
    return item


@transaction.atomic
def profile_qualification_add(*, by: User, person: Person, **fields: Any) -> Qualification:
    _check_may_edit(by, person)
    profile = _profile(person)
    qualification = Qualification(profile=profile, **fields)
    year = qualification.year
    if year is not None and not 1940 <= year <= timezone.localdate().year:
        raise invalid({"year": [_("Enter a year between 1940 and this year.")]})
    if qualification.level not in DegreeLevel.values:
        raise invalid({"level": [_("Choose a degree.")]})
    if qualification.recognition not in Recognition.values:
        raise invalid({"recognition": [_("Choose an answer.")]})
    validated_save(qualification)
    _touched(profile, by=by, person=person, change={"qualification": [None, str(qualification)]})
    return qualification


REMOVABLE: dict[str, type[ProfileOccupation | ProfileSkill | ProfileLanguage | Qualification]] = {
    "occupation": ProfileOccupation,
    "skill": ProfileSkill,
    "language": ProfileLanguage,
    "qualification": Qualification,
}


@transaction.atomic
def profile_item_remove(*, by: User, person: Person, kind: str, item_id: int) -> None:
    _check_may_edit(by, person)
    model = REMOVABLE.get(kind)
    profile = Profile.objects.filter(person=person).first()
    if model is None or profile is None:
        raise JisrError("not_found", gettext_lazy("Not found."), status=404)
    item = model.objects.filter(profile=profile, pk=item_id).first()
    if item is None:
        raise JisrError("not_found", gettext_lazy("Not found."), status=404)
    label = str(item)
    item.delete()
    _touched(profile, by=by, person=person, change={kind: [label, None]})


@transaction.atomic
def profile_replace(
    *,
    by: User,
    person: Person,
    facts: dict[str, Any],
    preferred_governorates: list[Governorate],
    occupations: list[tuple[Occupation, str, int | None]],
    skills: list[tuple[Skill, int]],
    languages: list[tuple[str, int]],
    qualifications: list[dict[str, Any]],
) -> Profile:
    """The whole profile at once (the API's PUT): what is not given is removed."""
    profile = profile_save(
        by=by, person=person, preferred_governorates=preferred_governorates, **facts
    )
    if len(skills) > MAX_SKILLS:
        raise invalid({"skills": [_("A profile holds at most %(n)d skills.") % {"n": MAX_SKILLS}]})
    profile.occupations.exclude(occupation__in=[o for o, _t, _y in occupations]).delete()
    profile.skills.exclude(skill__in=[s for s, _level in skills]).delete()
    profile.languages.exclude(language__in=[code for code, _level in languages]).delete()
    profile.qualifications.all().delete()
    for occupation, title, years in occupations:
        profile_occupation_add(
            by=by, person=person, occupation=occupation, title=title, years=years
        )
    for skill, level in skills:
        profile_skill_set(by=by, person=person, skill=skill, level=level)
    for language, level in languages:
        profile_language_set(by=by, person=person, language=language, level=level)
    for qualification in qualifications:
        profile_qualification_add(by=by, person=person, **qualification)
    profile.save(update_fields=["updated_at"])
    return profile


# --- Opportunities -------------------------------------------------------------------------

TRANSITIONS = {
    OpportunityStatus.DRAFT: {OpportunityStatus.OPEN, OpportunityStatus.CLOSED},
    OpportunityStatus.OPEN: {
        OpportunityStatus.FILLED,
        OpportunityStatus.CLOSED,
        OpportunityStatus.DRAFT,
    },
    OpportunityStatus.FILLED: {OpportunityStatus.OPEN, OpportunityStatus.CLOSED},
    OpportunityStatus.CLOSED: {OpportunityStatus.OPEN},
}


def _check_dates(opportunity: Opportunity) -> None:
    errors = {}
    if (
        opportunity.starts_on
        and opportunity.ends_on
        and opportunity.ends_on < opportunity.starts_on
    ):
        errors["ends_on"] = [_("The end is before the start.")]
    if opportunity.capacity is not None and opportunity.capacity < 1:
        errors["capacity"] = [_("At least one place.")]
    if errors:
        raise invalid(errors)


def _set_requirements(
    opportunity: Opportunity,
    skills: list[tuple[Skill, bool]] | None,
    languages: list[tuple[str, int]] | None,
) -> None:
    if skills is None and opportunity.occupation_id and not opportunity.skills.exists():
        # Start from what ESCO says the occupation needs, the skills named in Arabic (the common
        # ones) first; the poster removes what does not apply and adds what is missing.
        links = OccupationSkill.objects.filter(
            occupation=opportunity.occupation_id, essential=True
        ).select_related("skill")
        ranked = sorted(links, key=lambda link: (not link.skill.label_ar, link.skill.label_en))
        skills = [(link.skill, True) for link in ranked[:PREFILLED_SKILLS]]
    if skills is not None:
        if len(skills) > MAX_SKILLS:
            raise invalid({"skills": [_("At most %(n)d skills.") % {"n": MAX_SKILLS}]})
        opportunity.skills.all().delete()
        OpportunitySkill.objects.bulk_create(
            OpportunitySkill(opportunity=opportunity, skill=skill, essential=essential)
            for skill, essential in dict(skills).items()
        )
    if languages is not None:
        errors = [
            _("Choose a language and a level.")
            for code, level in languages
            if code not in Language.values or level not in LanguageLevel.values
        ]
        if errors:
            raise invalid({"languages": errors[:1]})
        opportunity.languages.all().delete()
        OpportunityLanguage.objects.bulk_create(
            OpportunityLanguage(opportunity=opportunity, language=code, level=level)
            for code, level in dict(languages).items()
        )


@transaction.atomic
def opportunity_create(
    *,
    by: User,
    skills: list[tuple[Skill, bool]] | None = None,
    languages: list[tuple[str, int]] | None = None,
    **fields: Any,
) -> Opportunity:
    require(by, Perm.OPPORTUNITY_MANAGE)
    if by.organisation is None:
        raise forbidden()
    unknown = set(fields) - {*OPPORTUNITY_FIELDS, "status", "occupation", "governorate"}
    if unknown:
        raise invalid({name: [_("Unknown field.")] for name in sorted(unknown)})
    if fields.get("status", OpportunityStatus.DRAFT) not in (
        OpportunityStatus.DRAFT,
        OpportunityStatus.OPEN,
    ):
        raise invalid({"status": [_("A new opportunity is a draft or open.")]})
    opportunity = Opportunity(organisation=by.organisation, posted_by=by, **fields)
    _check_dates(opportunity)
    validated_save(opportunity)
    _set_requirements(opportunity, skills, languages)
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=opportunity,
        changes=diff({}, _snapshot(opportunity, [*OPPORTUNITY_FIELDS, "status"])),
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    by: User,
    opportunity: Opportunity,
    skills: list[tuple[Skill, bool]] | None = None,
    languages: list[tuple[str, int]] | None = None,
    **fields: Any,
) -> Opportunity:
    if not selectors.opportunity_can_manage(fetched_by=by, opportunity=opportunity):
        raise forbidden()
    unknown = set(fields) - {*OPPORTUNITY_FIELDS, "occupation", "governorate"}
    if unknown:
        raise invalid({name: [_("Unknown field.")] for name in sorted(unknown)})
    stored = Opportunity.objects.get(pk=opportunity.pk)
    before = _snapshot(stored, OPPORTUNITY_FIELDS)
    for name, value in fields.items():
        setattr(opportunity, name, value)
    _check_dates(opportunity)
    validated_save(opportunity)
    _set_requirements(opportunity, skills, languages)
    changes = diff(before, _snapshot(opportunity, OPPORTUNITY_FIELDS))
    if skills is not None:
        changes["skills"] = "changed"
    if languages is not None:
        changes["languages"] = "changed"
    if changes:
        audit_record(actor=by, action=Action.UPDATE, target=opportunity, changes=changes)
    return opportunity


@transaction.atomic
def opportunity_set_status(*, by: User, opportunity: Opportunity, status: str) -> Opportunity:
    if not selectors.opportunity_can_manage(fetched_by=by, opportunity=opportunity):
        raise forbidden()
    current = OpportunityStatus(opportunity.status)
    if status not in TRANSITIONS[current]:
        wanted = OpportunityStatus(status).label if status in OpportunityStatus.values else status
        message = _("An opportunity that is %(now)s cannot become %(next)s.") % {
            "now": current.label,
            "next": wanted,
        }
        raise invalid({"status": [message]})
    opportunity.status = status
    opportunity.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by, action=Action.UPDATE, target=opportunity, changes={"status": [current, status]}
    )
    return opportunity


@transaction.atomic
def skills_map_export(
    *, by: User, digits: int, where: str, file_format: str
) -> tuple[list[str], list[list[object]]]:
    """The supply and demand map as a table to download (headers, rows); the export is
    audited."""
    headers, rows = mapping.table(mapping.skills_map(fetched_by=by, digits=digits, where=where))
    audit_record(
        actor=by,
        action=Action.EXPORT,
        object_type="matching.skills_map",
        changes={"digits": digits, "where": where, "format": file_format},
    )
    return headers, rows


# --- Applications -----------------------------------------------------------------------------

BY_PERSON = {ApplicationStatus.INTERESTED, ApplicationStatus.APPLIED}
BY_POSTER = {
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.CONTACTED,
    ApplicationStatus.HIRED,
    ApplicationStatus.TRAINED,
    ApplicationStatus.ASSIGNMENT_DONE,
    ApplicationStatus.NOT_SELECTED,
}
CLOSED_BY_PERSON = {ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED}


def _notify(person: Person, message: str | Promise) -> None:
    """Tell the person, in their language, by text message and e-mail where we have them."""
    language = person.account.language if person.account_id and person.account else "ar"
    with translation.override(language):
        text = str(message)
        subject = _("Jisr: news about an opportunity")
    if person.phone:
        # After the commit the change stands: a gateway that fails is logged (send_sms says so,
        # without the number), not turned into an error page for a change that was made.
        transaction.on_commit(lambda: send_sms(person.phone, text), robust=True)
    if person.email:
        send_email_on_commit(subject, text, [person.email])


@transaction.atomic
def application_express(
    *,
    by: User,
    person: Person,
    opportunity: Opportunity,
    status: str,
    share_contact: bool = False,
    message: str = "",
) -> Application:
    """The person shows interest or applies (themselves, or through their caseworker)."""
    _check_may_edit(by, person)
    if status not in BY_PERSON:
        raise invalid({"status": [_("Choose interested or apply.")]})
    if not selectors.opportunity_list_open().filter(pk=opportunity.pk).exists():
        raise JisrError("closed", gettext_lazy("This opportunity is no longer open."), status=409)
    application = (
        Application.objects.select_for_update()
        .filter(opportunity=opportunity, person=person)
        .first()
    )
    before = application.status if application else None
    if application is None:
        application = Application(opportunity=opportunity, person=person)
    elif application.status in BY_POSTER:
        raise JisrError(
            "already_decided", gettext_lazy("The organisation has already answered."), status=409
        )
    application.status = status
    application.share_contact = share_contact
    application.message = message[:2000]
    application.save()
    audit_record(
        actor=by,
        action=Action.UPDATE if before else Action.CREATE,
        target=application,
        changes={"status": [before, status], "share_contact": share_contact},
    )
    return application


@transaction.atomic
def application_withdraw(*, by: User, application: Application) -> Application:
    """The person withdraws an application, or declines an invitation."""
    _check_may_edit(by, application.person)
    before = application.status
    if before in CLOSED_BY_PERSON or before in OUTCOMES:
        raise JisrError("closed", gettext_lazy("Nothing to withdraw."), status=409)
    application.status = (
        ApplicationStatus.DECLINED
        if before == ApplicationStatus.INVITED
        else ApplicationStatus.WITHDRAWN
    )
    application.share_contact = False
    application.save()
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=application,
        changes={"status": [before, application.status]},
    )
    return application


@transaction.atomic
def candidate_invite(
    *, by: User, opportunity: Opportunity, profile: Profile, message: str = ""
) -> Application:
    """The organisation invites a candidate it found; the person is told, and decides."""
    if not selectors.opportunity_can_manage(fetched_by=by, opportunity=opportunity):
        raise forbidden()
    if opportunity.status != OpportunityStatus.OPEN:
        raise JisrError("closed", gettext_lazy("Open the opportunity first."), status=409)
    level = selectors.viewer_level(fetched_by=by)
    facts = selectors.candidate_facts([profile.pk]).get(profile.pk)
    if level is None or facts is None or facts[1] == 0 or facts[1] < level:
        raise JisrError(
            "not_visible", gettext_lazy("This candidate no longer accepts contact."), status=409
        )
    application, created = Application.objects.get_or_create(
        opportunity=opportunity,
        person=profile.person,
        defaults={"status": ApplicationStatus.INVITED, "message": message[:2000]},
    )
    if not created:
        raise JisrError(
            "exists", gettext_lazy("This candidate is already on your list."), status=409
        )
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=application,
        changes={"status": [None, ApplicationStatus.INVITED]},
    )
    _notify(
        profile.person,
        gettext_lazy(
            "%(organisation)s invites you to consider “%(title)s”. Sign in to Jisr to answer."
        )
        % {"organisation": opportunity.organisation.name, "title": opportunity.title},
    )
    return application


@transaction.atomic
def application_decide(
    *, by: User, application: Application, status: str, message: str = ""
) -> Application:
    """The organisation shortlists, contacts or records the outcome of an application."""
    if not selectors.opportunity_can_manage(fetched_by=by, opportunity=application.opportunity):
        raise forbidden()
    if application.person.status != RecordStatus.ACTIVE:
        raise JisrError("not_found", gettext_lazy("Not found."), status=404)
    if status not in BY_POSTER:
        raise invalid({"status": [_("Choose a step from the list.")]})
    before = application.status
    if before not in BY_PERSON | BY_POSTER:
        raise JisrError(
            "not_applied", gettext_lazy("The person has not applied or has withdrawn."), status=409
        )
    application.status = status
    if status in OUTCOMES or status == ApplicationStatus.NOT_SELECTED:
        application.outcome_at = timezone.now()
    application.save()
    audit_record(
        actor=by, action=Action.UPDATE, target=application, changes={"status": [before, status]}
    )
    if status == ApplicationStatus.CONTACTED:
        _notify(
            application.person,
            gettext_lazy("%(organisation)s about “%(title)s”: %(message)s")
            % {
                "organisation": application.opportunity.organisation.name,
                "title": application.opportunity.title,
                "message": message[:500],
            },
        )
    elif status == ApplicationStatus.SHORTLISTED:
        _notify(
            application.person,
            gettext_lazy("You are on the shortlist for “%(title)s”.")
            % {"title": application.opportunity.title},
        )
    return application
