"""Demo skills profiles for the demo persons, and opportunities of every kind from the demo
organisations, with a few applications. Idempotent: run again, nothing is added twice."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import Role
from jisr.matching import selectors, services
from jisr.matching.models import (
    Language,
    LanguageLevel,
    Opportunity,
    OpportunityKind,
    Profile,
    Visibility,
)
from jisr.places.models import Governorate
from jisr.registry.models import Person, RecordStatus
from jisr.skills.models import Occupation, OccupationSkill

# ESCO codes of occupations common among returnees and the diaspora.
OCCUPATIONS = [
    "2142.1", "2151.1", "2144.1", "2146.10", "2211.1", "2221.2", "2222.1", "2262.1", "2341.1",
    "2330.1", "2512.4", "2511.3", "2411.1", "2611.1", "2635.3", "2643.6", "4120.1", "5120.1",
    "5141.1", "7126.8", "7212.3", "7231.10", "7411.1.1", "8153.1", "8322.7",
]  # fmt: skip
KURDISH_GOVERNORATES = {"IQ-AR", "IQ-SU", "IQ-DA"}

OPPORTUNITIES = [
    # (poster organisation kind, occupation code, kind, governorate code or None, remote)
    (OrganisationKind.EMPLOYER, "2142.1", OpportunityKind.JOB, "IQ-AR", False),
    (OrganisationKind.EMPLOYER, "2151.1", OpportunityKind.JOB, "IQ-BA", False),
    (OrganisationKind.EMPLOYER, "7212.3", OpportunityKind.JOB, "IQ-BA", False),
    (OrganisationKind.EMPLOYER, "7411.1.1", OpportunityKind.JOB, "IQ-BG", False),
    (OrganisationKind.EMPLOYER, "2144.1", OpportunityKind.INTERNSHIP, "IQ-AR", False),
    (OrganisationKind.EMPLOYER, "2512.4", OpportunityKind.JOB, None, True),
    (OrganisationKind.IRAQI_INSTITUTION, "2211.1", OpportunityKind.EXPERT_ASSIGNMENT, "IQ-NA", 0),
    (OrganisationKind.IRAQI_INSTITUTION, "2221.2", OpportunityKind.JOB, "IQ-NA", False),
    (OrganisationKind.IRAQI_INSTITUTION, "2222.1", OpportunityKind.STAFF_TRAINING, "IQ-NA", True),
    (OrganisationKind.IRAQI_INSTITUTION, "2262.1", OpportunityKind.MENTORING, None, True),
    (OrganisationKind.TRAINING_CENTRE, "7126.8", OpportunityKind.TVET, "IQ-BA", False),
    (OrganisationKind.TRAINING_CENTRE, "7231.10", OpportunityKind.TVET, "IQ-BA", False),
    (OrganisationKind.TRAINING_CENTRE, "8153.1", OpportunityKind.TRAINING, "IQ-BA", False),
    (OrganisationKind.NGO, "2635.3", OpportunityKind.JOB, "IQ-BG", False),
    (OrganisationKind.NGO, "2643.6", OpportunityKind.PROJECT_NEED, None, True),
    (OrganisationKind.NGO, "2411.1", OpportunityKind.JOB, "IQ-NI", False),
    (OrganisationKind.MINISTRY, "2146.10", OpportunityKind.EXPERT_ASSIGNMENT, "IQ-BA", False),
    (OrganisationKind.MINISTRY, "2511.3", OpportunityKind.EXPERT_ASSIGNMENT, "IQ-BG", True),
    (OrganisationKind.MINISTRY, "2330.1", OpportunityKind.STAFF_TRAINING, None, True),
    (OrganisationKind.MINISTRY, "2611.1", OpportunityKind.MENTORING, "IQ-BG", False),
]  # fmt: skip

KIND_TITLES = {
    OpportunityKind.JOB: "مطلوب %s",
    OpportunityKind.INTERNSHIP: "تدريب عملي: %s",
    OpportunityKind.TRAINING: "دورة تدريبية: %s",
    OpportunityKind.TVET: "دورة مهنية: %s",
    OpportunityKind.EXPERT_ASSIGNMENT: "مهمة خبير قصيرة: %s",
    OpportunityKind.MENTORING: "إرشاد مهني: %s",
    OpportunityKind.STAFF_TRAINING: "تدريب كوادر عن بعد: %s",
    OpportunityKind.PROJECT_NEED: "حاجة مشروع: %s",
}


def build_matching(*, rng: random.Random, demo_email: str) -> None:
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=OCCUPATIONS)}
    if not occupations:
        return
    for organisation in Organisation.objects.filter(
        kind__in=[
            OrganisationKind.EMPLOYER, OrganisationKind.NGO, OrganisationKind.TRAINING_CENTRE,
            OrganisationKind.IRAQI_INSTITUTION, OrganisationKind.UN_AGENCY,
        ]
    ):  # fmt: skip
        if not organisation.verified:
            organisation.verified = True
            organisation.save(update_fields=["verified"])
    _profiles(rng, occupations)
    if not Opportunity.objects.exists():
        _opportunities(rng, occupations, demo_email)


def _profiles(rng: random.Random, occupations: dict[str, Occupation]) -> None:
    codes = list(occupations)
    adults = (
        Person.objects.filter(status=RecordStatus.ACTIVE, birth_year__lte=2006, profile=None)
        .select_related("governorate", "registered_by")
        .order_by("pk")
    )
    governorates = list(Governorate.objects.order_by("code"))
    for person in adults:
        # Each person's own draw, so that running the demo again adds nothing: three in four
        # have a profile, and the demo person's own account always has one.
        rng = random.Random(f"profile-{person.pk}")  # noqa: S311  (demo data)
        if (rng.random() > 0.75 and person.account_id is None) or person.registered_by is None:
            continue
        by = person.registered_by
        occupation = occupations[rng.choice(codes)]
        abroad = person.country != "IQ"
        services.profile_save(
            by=by, person=person,
            visibility=rng.choices(
                [Visibility.EMPLOYERS, Visibility.GOVERNMENT, Visibility.HIDDEN], [6, 3, 1]
            )[0],
            available_return=not abroad or rng.random() < 0.4,
            available_assignment=abroad and rng.random() < 0.6,
            assignment_months=rng.choice([1, 3, 6]) if abroad else None,
            available_remote=rng.random() < 0.4, available_mentoring=rng.random() < 0.2,
            willing_to_relocate=rng.random() < 0.3, experience_years=rng.randint(0, 25),
            preferred_governorates=rng.sample(governorates, rng.randint(0, 2)),
        )  # fmt: skip
        services.profile_occupation_add(
            by=by, person=person, occupation=occupation, years=rng.randint(1, 20)
        )
        essentials = [
            link.skill
            for link in OccupationSkill.objects.filter(occupation=occupation, essential=True)
            .select_related("skill")
            .order_by("pk")
        ]
        for skill in rng.sample(essentials, min(len(essentials), rng.randint(3, 9))):
            services.profile_skill_set(by=by, person=person, skill=skill, level=rng.randint(1, 4))
        kurdish = person.governorate is not None and person.governorate.code in KURDISH_GOVERNORATES
        services.profile_language_set(
            by=by, person=person, language=Language.CENTRAL_KURDISH if kurdish else Language.ARABIC,
            level=LanguageLevel.NATIVE,
        )  # fmt: skip
        if rng.random() < 0.5:
            services.profile_language_set(
                by=by, person=person, language=Language.ENGLISH, level=rng.randint(1, 4)
            )
        if abroad and rng.random() < 0.5:
            services.profile_language_set(
                by=by, person=person, language=rng.choice([Language.GERMAN, Language.SWEDISH]),
                level=rng.randint(2, 4),
            )  # fmt: skip


def _poster(kind: str, demo_email: str) -> User | None:
    if kind == OrganisationKind.MINISTRY:
        return User.objects.filter(email=f"supervisor@{demo_email}").first()
    organisation = Organisation.objects.filter(kind=kind).order_by("pk").first()
    if organisation is None:
        return None
    user = User.objects.filter(organisation=organisation, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            email=f"{kind.replace('_', '.')}@{demo_email}", full_name=organisation.name_ar,
            password=None, organisation=organisation, language="ar",
        )  # fmt: skip
        role = Role.PROVIDER_STAFF if kind == OrganisationKind.TRAINING_CENTRE else Role.EMPLOYER
        RoleGrant.objects.create(user=user, role=role, scope=20)
    return user


def _opportunities(rng: random.Random, occupations: dict[str, Occupation], demo_email: str) -> None:
    today = timezone.localdate()
    places = {g.code: g for g in Governorate.objects.all()}
    for poster_kind, code, kind, place, remote in OPPORTUNITIES:
        poster = _poster(poster_kind, demo_email)
        occupation = occupations.get(code)
        if poster is None or occupation is None:
            continue
        name = occupation.label_ar.split("/")[0].strip() or occupation.label_en
        starts = today + timedelta(days=rng.randint(10, 60))
        services.opportunity_create(
            by=poster, kind=kind, title=KIND_TITLES[kind] % name,
            description="فرصة تجريبية لعرض المنصة.", occupation=occupation,
            governorate=places.get(place) if place else None, remote=remote,
            starts_on=starts, ends_on=starts + timedelta(days=rng.choice([30, 90, 180, 365])),
            apply_by=starts - timedelta(days=5), capacity=rng.randint(1, 12), status="open",
            languages=[("en", 2)] if remote else [],
        )  # fmt: skip
    # A few persons apply to the opportunity that fits them best.
    for profile in Profile.objects.select_related("person").order_by("pk")[:12]:
        matches = selectors.opportunity_list_matching(person=profile.person, limit=1)
        if matches and matches[0].opportunity is not None and profile.person.registered_by:
            services.application_express(
                by=profile.person.registered_by, person=profile.person,
                opportunity=matches[0].opportunity, status="applied",
                share_contact=rng.random() < 0.5,
            )  # fmt: skip
