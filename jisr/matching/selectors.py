"""Authorised reads of profiles, opportunities, applications and matches.

Reads that depend on who asks take `fetched_by`; those about a person take the person, whom the
caller has already reached through the registry's selectors (their own record, or one in scope).
Lists read their related rows at once, whatever their length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django_countries import countries

from jisr.accounts.access import forbidden, not_found, require, scope_filter
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.audit.services import audit_reads
from jisr.matching.index import ProfileIndex, indexes
from jisr.matching.models import (
    Application,
    Language,
    Opportunity,
    OpportunityLanguage,
    OpportunitySkill,
    OpportunityStatus,
    Profile,
    ProfileLanguage,
    ProfileOccupation,
    ProfileSkill,
    Visibility,
)
from jisr.matching.references import candidate_person_id, candidate_references
from jisr.matching.scoring import (
    CandidateFacts,
    Components,
    Names,
    OpportunityFacts,
    combine,
    reasons,
    score_components,
)
from jisr.places.models import Governorate
from jisr.registry.models import ConsentEvent, ConsentStatus, Person, Purpose, RecordStatus
from jisr.skills.models import Occupation, Skill

# The index proposes the results asked for and those within NEAR_TIES of the last of them (its
# scores are float32; the exact scorer's float64 may order near ties otherwise), at most SHORTLIST
# times the results, each scored exactly; twice the results if some proposed are refused on
# reading (hidden since the index was built).
SHORTLIST = 2
NEAR_TIES = 1e-5


# --- Opportunities -------------------------------------------------------------------------


# What the pages and the API show of each opportunity in a list; the API also lists each one's
# skills and languages (OPPORTUNITY_PREFETCH), which the pages do not.
OPPORTUNITY_RELATED = ("organisation", "governorate", "occupation")
OPPORTUNITY_PREFETCH = ("skills__skill", "languages")


def opportunity_list_managed(*, fetched_by: User) -> QuerySet[Opportunity]:
    """Opportunities the reader may change and whose candidates they may see."""
    if not (fetched_by.is_authenticated and fetched_by.can(Perm.OPPORTUNITY_MANAGE)):
        return Opportunity.objects.none()
    reach = scope_filter(
        fetched_by, Perm.OPPORTUNITY_MANAGE, organisation="organisation", owner="posted_by"
    )
    return Opportunity.objects.filter(reach)


def opportunity_list_open() -> QuerySet[Opportunity]:
    """Open opportunities anyone who browses opportunities may see."""
    today = timezone.localdate()
    return Opportunity.objects.filter(status=OpportunityStatus.OPEN).filter(
        Q(apply_by__isnull=True) | Q(apply_by__gte=today)
    )


def opportunity_list(
    *,
    fetched_by: User,
    search: str = "",
    kind: str = "",
    governorate: int | None = None,
    mine: bool = False,
) -> QuerySet[Opportunity]:
    """Open opportunities, or with `mine` those the reader manages (any status), filtered."""
    require(fetched_by, Perm.OPPORTUNITY_VIEW)
    found = opportunity_list_managed(fetched_by=fetched_by) if mine else opportunity_list_open()
    if search:
        found = found.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if kind:
        found = found.filter(kind=kind)
    if governorate:
        found = found.filter(Q(governorate=governorate) | Q(governorate__isnull=True))
    return found.select_related(*OPPORTUNITY_RELATED)


def opportunity_get(*, fetched_by: User, opportunity_id: int) -> Opportunity:
    """An open opportunity, or any opportunity the reader manages."""
    require(fetched_by, Perm.OPPORTUNITY_VIEW)
    visible = opportunity_list_open() | opportunity_list_managed(fetched_by=fetched_by)
    opportunity = (
        visible.select_related("organisation", "governorate", "occupation", "posted_by")
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        raise not_found()
    return opportunity


def opportunity_get_managed(*, fetched_by: User, opportunity_id: int) -> Opportunity:
    """An opportunity the reader manages."""
    require(fetched_by, Perm.OPPORTUNITY_MANAGE)
    opportunity = (
        opportunity_list_managed(fetched_by=fetched_by)
        .select_related(*OPPORTUNITY_RELATED)
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        raise not_found()
    return opportunity


def opportunity_can_manage(*, fetched_by: User, opportunity: Opportunity) -> bool:
    return opportunity_list_managed(fetched_by=fetched_by).filter(pk=opportunity.pk).exists()


# --- Facts for scoring ------------------------------------------------------------------------


def opportunity_facts(
    opportunity_ids: Iterable[int],
    *,
    among: QuerySet[Opportunity] | None = None,
    skill_names: dict[int, str] | None = None,
) -> dict[int, OpportunityFacts]:
    """The facts of the opportunities, those in `among` only if given (a reader's reach: one
    query answers both). `skill_names` is filled with the names of the skills they ask for, in
    the reader's language, read with the skills."""
    ids = list(opportunity_ids)
    rows = list(
        (Opportunity.objects.all() if among is None else among)
        .filter(pk__in=ids)
        .values(
            "pk",
            "kind",
            "occupation_id",
            "occupation__isco_group",
            "governorate_id",
            "remote",
            "starts_on",
            "ends_on",
        )
    )
    if not rows:
        return {}
    found = [row["pk"] for row in rows]
    skills: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    asked = OpportunitySkill.objects.filter(opportunity__in=found)
    if skill_names is None:
        for opportunity_id, skill_id, is_essential in asked.values_list(
            "opportunity_id", "skill_id", "essential"
        ):
            skills[opportunity_id][0 if is_essential else 1].add(skill_id)
    else:
        for (
            opportunity_id,
            skill_id,
            is_essential,
            label_en,
            label_ar,
            label_ckb,
        ) in asked.values_list(
            "opportunity_id",
            "skill_id",
            "essential",
            "skill__label_en",
            "skill__label_ar",
            "skill__label_ckb",
        ):
            skills[opportunity_id][0 if is_essential else 1].add(skill_id)
            skill_names[skill_id] = Skill.label_of(label_en, label_ar, label_ckb)
    languages: dict[int, dict[str, int]] = defaultdict(dict)
    for opportunity_id, language, level in OpportunityLanguage.objects.filter(
        opportunity__in=found
    ).values_list("opportunity_id", "language", "level"):
        languages[opportunity_id][language] = level
    facts = {}
    for row in rows:
        essential, optional = skills[row["pk"]]
        months = None
        if row["starts_on"] and row["ends_on"]:
            months = max(1, round((row["ends_on"] - row["starts_on"]).days / 30.4))
        facts[row["pk"]] = OpportunityFacts(
            opportunity_id=row["pk"],
            kind=row["kind"],
            essential=frozenset(essential),
            optional=frozenset(optional),
            occupation_id=row["occupation_id"],
            isco_group=row["occupation__isco_group"] or "",
            languages=languages[row["pk"]],
            governorate_id=row["governorate_id"],
            remote=row["remote"],
            months=months,
        )
    return facts


# Who may find a profile: 2 government and verified organisations, 1 government only, 0 nobody.
VISIBILITY_LEVEL: dict[str, int] = {Visibility.EMPLOYERS: 2, Visibility.GOVERNMENT: 1}


def candidate_facts(
    profile_ids: Iterable[int], *, only_skills: Iterable[int] | None = None
) -> dict[int, tuple[CandidateFacts, int]]:
    """Facts of each profile, with the visibility level in force now (consent, record status
    and the person's choice), read from the database."""
    ids = list(profile_ids)
    skill_rows = ProfileSkill.objects.filter(profile__in=ids)
    if only_skills is not None:
        skill_rows = skill_rows.filter(skill__in=list(only_skills))
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for profile_id, skill_id, level in skill_rows.values_list("profile_id", "skill_id", "level"):
        skills[profile_id][skill_id] = level
    occupations: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for profile_id, occupation_id, group in ProfileOccupation.objects.filter(
        profile__in=ids
    ).values_list("profile_id", "occupation_id", "occupation__isco_group"):
        occupations[profile_id].append((occupation_id, group))
    languages: dict[int, dict[str, int]] = defaultdict(dict)
    for profile_id, language, level in ProfileLanguage.objects.filter(profile__in=ids).values_list(
        "profile_id", "language", "level"
    ):
        languages[profile_id][language] = level
    preferred: dict[int, set[int]] = defaultdict(set)
    for profile_id, governorate_id in Profile.preferred_governorates.through.objects.filter(
        profile_id__in=ids
    ).values_list("profile_id", "governorate_id"):
        preferred[profile_id].add(governorate_id)
    rows = list(
        Profile.objects.filter(pk__in=ids).values(
            "pk",
            "person_id",
            "visibility",
            "available_return",
            "available_assignment",
            "available_remote",
            "available_mentoring",
            "willing_to_relocate",
            "assignment_months",
            "person__country",
            "person__governorate_id",
            "person__status",
        )
    )
    consenting = matching_consent({row["person_id"] for row in rows})
    facts = {}
    for row in rows:
        level = VISIBILITY_LEVEL.get(row["visibility"], 0)
        if row["person__status"] != RecordStatus.ACTIVE or row["person_id"] not in consenting:
            level = 0
        pk = row["pk"]
        facts[pk] = (
            CandidateFacts(
                profile_id=pk,
                person_id=row["person_id"],
                skills=skills[pk],
                occupations=occupations[pk],
                languages=languages[pk],
                in_iraq=row["person__country"] == "IQ",
                governorate_id=row["person__governorate_id"],
                preferred_governorates=frozenset(preferred[pk]),
                willing_to_relocate=row["willing_to_relocate"],
                available_return=row["available_return"],
                available_assignment=row["available_assignment"],
                available_remote=row["available_remote"],
                available_mentoring=row["available_mentoring"],
                assignment_months=row["assignment_months"],
                country=str(row["person__country"]),
            ),
            level,
        )
    return facts


def matching_consent(person_ids: Iterable[int]) -> set[int]:
    """Those of the persons whose decision in force about matching is "given"."""
    latest: dict[int, str] = {}
    for person_id, status in (
        ConsentEvent.objects.filter(person__in=list(person_ids), purpose=Purpose.EMPLOYER_MATCHING)
        .order_by("person_id", "at", "pk")
        .values_list("person_id", "status")
    ):
        latest[person_id] = status
    return {person for person, status in latest.items() if status == ConsentStatus.GIVEN}


def viewer_level(*, fetched_by: User) -> int | None:
    """The visibility a profile needs for the reader's organisation to find it: government
    institutions see profiles open to government (1), verified organisations those open to
    verified organisations (2); other organisations see none."""
    organisation = getattr(fetched_by, "organisation", None)
    if organisation is None or not organisation.is_active:
        return None
    if organisation.is_government:
        return 1
    return 2 if organisation.verified else None


# --- Matching -------------------------------------------------------------------------------


@dataclass
class Match:
    score: int  # 0 to 100
    reasons: list[str]
    profile: Profile | None = None
    opportunity: Opportunity | None = None
    application: Application | None = None
    reference: str = ""  # the candidate's, for the opportunity's organisation


def _changed_profiles(built_at: dt.datetime, consents_seen: int, cap: int) -> set[int]:
    """The profiles changed since the index was built, and those whose person decided about
    matching since (up to `cap` of each, and a few more: enough to tell that there are more),
    in one query."""
    persons = (
        ConsentEvent.objects.filter(pk__gt=consents_seen, purpose=Purpose.EMPLOYER_MATCHING)
        .order_by()
        .values("person_id")[: cap + 1]
    )  # which ones matters not: over `cap`, rebuilt
    updated = Profile.objects.filter(updated_at__gte=built_at).values_list("pk", flat=True)
    decided = Profile.objects.filter(person__in=persons).values_list("pk", flat=True)
    # UNION ALL: read as found, up to the limit (a profile in both is counted once, in the set).
    return set(updated.union(decided, all=True)[: 2 * cap + 2])


def _profile_columns() -> list[str]:
    """The profile's own columns, in the order a model instance is made from them."""
    return [field.attname for field in Profile._meta.concrete_fields]


@dataclass
class Shortlisted:
    row: dict[str, Any]  # the profile's own columns (`_profile_columns`)
    level: int  # the visibility in force now: 0 for nobody (`VISIBILITY_LEVEL`)
    country: str  # the person's
    governorate_id: int | None
    values: tuple[Any, ...]  # the same columns in their order, to make the record from
    db: str

    @property
    def profile(self) -> Profile:
        """The profile as a model instance, made from the row already read (no query): only
        for those shown."""
        return Profile.from_db(self.db, _profile_columns(), self.values)


def _shortlist_profiles(ids: Iterable[int]) -> dict[int, Shortlisted]:
    """The profiles, with their visibility level in force now (the person's choice, their
    record's status and their latest decision about matching, all read here, in one query),
    and their person's country and governorate. Read as values: a model instance is made only
    for the profiles shown (`Shortlisted.profile`)."""
    consent = (
        ConsentEvent.objects.filter(person=OuterRef("person_id"), purpose=Purpose.EMPLOYER_MATCHING)
        .order_by("-at", "-pk")
        .values("status")[:1]
    )
    columns = _profile_columns()
    width = len(columns)
    rows = (
        Profile.objects.filter(pk__in=list(ids))
        .annotate(
            consent=Subquery(consent),
            person_status=F("person__status"),
            person_country=F("person__country"),
            person_governorate_id=F("person__governorate_id"),
        )
        .values_list(
            *columns, "consent", "person_status", "person_country", "person_governorate_id"
        )
    )
    found: dict[int, Shortlisted] = {}
    for values in rows:
        row = dict(zip(columns, values, strict=False))
        consent_status, person_status, country, governorate_id = values[width:]
        level = VISIBILITY_LEVEL.get(row["visibility"], 0)
        if person_status != RecordStatus.ACTIVE or consent_status != ConsentStatus.GIVEN:
            level = 0
        found[row["id"]] = Shortlisted(
            row, level, str(country), governorate_id, values[:width], rows.db
        )
    return found


def _facts_from_index(
    index: ProfileIndex,
    profiles: dict[int, Shortlisted],
    asked: frozenset[int],
    occupations: _Occupations,
) -> dict[int, tuple[CandidateFacts, int]]:
    """Facts of the profiles that the index holds whole, the visible ones only: skills,
    occupations and languages from the index (the profiles are unchanged since it was built),
    the rest from the rows just read."""
    visible = [pk for pk, shown in profiles.items() if shown.level]
    known = index.known_facts(visible, asked)
    groups = {
        pk: group
        for pk, (group, _) in occupations.read(
            {occupation for k in known.values() for occupation in k.occupations}
        ).items()
    }
    facts = {}
    for pk, k in known.items():
        row, level = profiles[pk].row, profiles[pk].level
        facts[pk] = (
            CandidateFacts(
                profile_id=pk,
                person_id=row["person_id"],
                skills=k.skills,
                occupations=[
                    (occupation, groups.get(occupation, "")) for occupation in k.occupations
                ],
                languages=k.languages,
                in_iraq=profiles[pk].country == "IQ",
                governorate_id=profiles[pk].governorate_id,
                preferred_governorates=frozenset(k.preferred),
                willing_to_relocate=row["willing_to_relocate"],
                available_return=row["available_return"],
                available_assignment=row["available_assignment"],
                available_remote=row["available_remote"],
                available_mentoring=row["available_mentoring"],
                assignment_months=row["assignment_months"],
                country=profiles[pk].country,
            ),
            level,
        )
    return facts


def _candidates_scored(
    index: ProfileIndex,
    o: OpportunityFacts,
    level: int,
    shortlist: set[int],
    changed: set[int],
    occupations: _Occupations,
) -> tuple[dict[int, Shortlisted], list[tuple[float, CandidateFacts, Components]]]:
    """The shortlisted and changed profiles read and scored exactly, those the reader may see
    and that fit at all, best first (a tie goes to the older profile)."""
    asked = o.essential | o.optional
    profiles = _shortlist_profiles(shortlist)
    facts = _facts_from_index(index, profiles, asked, occupations)
    # Changed since the index was built, or not held whole by it: read from the database.
    hidden = {pk for pk, found in profiles.items() if not found.level}
    rest = (shortlist - facts.keys() - hidden) | changed
    if rest:
        facts.update(candidate_facts(rest, only_skills=asked))
    scored: list[tuple[float, CandidateFacts, Components]] = []
    for c, visible_from in facts.values():
        if visible_from == 0 or visible_from < level:
            continue
        parts = score_components(c, o)
        if parts.relevant:
            scored.append((combine(parts), c, parts))
    scored.sort(key=lambda item: (-item[0], item[1].profile_id))
    return profiles, scored


def candidate_list(*, fetched_by: User, opportunity: Opportunity, limit: int = 50) -> list[Match]:
    """The best candidates for an opportunity the reader manages, with the reasons.

    The index proposes a shortlist; each profile on it is scored exactly. Its visibility,
    record status and consent are read anew for every profile; its skills, occupations and
    languages come from the index where the profile is unchanged since the index was built
    (`Profile.updated_at`, consent decisions), from the database otherwise (decision 0039)."""
    # The opportunity's facts read through the reader's reach: the check that they manage it
    # and the read are one query; the names of its skills come with them.
    skill_names: dict[int, str] = {}
    o = opportunity_facts(
        [opportunity.pk],
        among=opportunity_list_managed(fetched_by=fetched_by),
        skill_names=skill_names,
    ).get(opportunity.pk)
    if o is None:
        raise forbidden()
    level = viewer_level(fetched_by=fetched_by)
    if level is None:
        return []
    cap = settings.JISR_MATCHING_REBUILD_AFTER
    index = indexes.profile_index()
    changed = _changed_profiles(index.built_at, index.consents_seen, cap)
    if len(changed) > cap:
        index = indexes.profile_index(changed=len(changed))
        changed = _changed_profiles(index.built_at, index.consents_seen, cap)
    # The shortlist's occupations and the opportunity's, read once for the groups and names.
    occupations = _Occupations(also={o.occupation_id} if o.occupation_id else set())
    most = limit * SHORTLIST
    shortlist = index.rank(
        o, min_level=level, skip=changed, limit=limit, near_ties=NEAR_TIES, most=most
    )
    profiles, scored = _candidates_scored(index, o, level, set(shortlist), changed, occupations)
    if len(scored) < limit <= len(shortlist) < most:
        # Some proposed were refused on reading: the next best may take their place.
        shortlist = index.rank(o, min_level=level, skip=changed, limit=most)
        profiles, scored = _candidates_scored(index, o, level, set(shortlist), changed, occupations)
    scored = scored[:limit]
    # Model instances for those shown only: from the rows read, or read here if changed.
    records = {
        c.profile_id: profiles[c.profile_id].profile
        for _, c, _ in scored
        if c.profile_id in profiles
    }
    unread = [c.profile_id for _, c, _ in scored if c.profile_id not in records]
    if unread:
        records.update(Profile.objects.in_bulk(unread))
    names = _names([o], [c for _, c, _ in scored], occupations, skill_names)
    applications = {
        a.person_id: a
        for a in Application.objects.filter(
            opportunity=opportunity, person__in=[c.person_id for _, c, _ in scored]
        )
    }
    shown = candidate_references([c.person_id for _, c, _ in scored], opportunity.organisation_id)
    audit_reads(
        actor=fetched_by,
        records=[records[c.profile_id] for _, c, _ in scored],
        context=f"matching.candidates:{opportunity.pk}",
    )
    return [
        Match(
            score=round(score * 100),
            reasons=reasons(c, o, parts, names),
            profile=records[c.profile_id],
            application=applications.get(c.person_id),
            reference=shown[c.person_id],
        )
        for score, c, parts in scored
    ]


def candidate_get(*, fetched_by: User, opportunity: Opportunity, reference: str) -> Profile:
    """The profile that `reference`, a candidate reference of the opportunity's organisation,
    names; whether the person may still be contacted is the invitation's to check."""
    if not opportunity_can_manage(fetched_by=fetched_by, opportunity=opportunity):
        raise forbidden()
    person_id = candidate_person_id(reference, opportunity.organisation_id)
    profile = (
        Profile.objects.select_related("person").filter(person_id=person_id).first()
        if person_id is not None
        else None
    )
    if profile is None:
        raise not_found()
    return profile


def person_facts(person: Person) -> CandidateFacts | None:
    profile = Profile.objects.filter(person=person).first()
    if profile is None:
        return None
    return candidate_facts([profile.pk])[profile.pk][0]


def opportunity_list_matching(*, person: Person, limit: int = 50) -> list[Match]:
    """The open opportunities that fit a person best, with the reasons. Callers check that the
    reader may see the person (their own record, or one in a caseworker's scope)."""
    c = person_facts(person)
    if c is None:
        return []
    cap = settings.JISR_MATCHING_REBUILD_AFTER
    index = indexes.opportunity_index()
    changed = set(
        Opportunity.objects.filter(updated_at__gte=index.built_at).values_list("pk", flat=True)[
            : cap + 1
        ]
    )
    if len(changed) > cap:
        index = indexes.opportunity_index(changed=len(changed))
        changed = set(
            Opportunity.objects.filter(updated_at__gte=index.built_at).values_list("pk", flat=True)
        )
    shortlist = set(index.rank(c, skip=changed, limit=limit * SHORTLIST))
    still_open = set(
        opportunity_list_open()
        .filter(pk__in=list(shortlist | changed))
        .values_list("pk", flat=True)
    )
    facts = opportunity_facts(still_open)
    scored: list[tuple[float, OpportunityFacts, Components]] = []
    for o in facts.values():
        parts = score_components(c, o)
        if parts.relevant:
            scored.append((combine(parts), o, parts))
    scored.sort(key=lambda item: (-item[0], -item[1].opportunity_id))
    scored = scored[:limit]
    opportunities = Opportunity.objects.select_related(*OPPORTUNITY_RELATED).in_bulk(
        [o.opportunity_id for _, o, _ in scored]
    )
    applications = {
        a.opportunity_id: a
        for a in Application.objects.filter(person=person, opportunity__in=list(opportunities))
    }
    names = _names([o for _, o, _ in scored], [c])
    results = []
    for score, o, parts in scored:
        results.append(
            Match(
                score=round(score * 100),
                reasons=reasons(c, o, parts, names),
                opportunity=opportunities[o.opportunity_id],
                application=applications.get(o.opportunity_id),
            )
        )
    return results


class _Occupations:
    """Occupations' ISCO-08 groups and names in the reader's language, read as values, each
    occupation once per list (`also`: read with the first ones asked for)."""

    def __init__(self, also: Iterable[int] = ()) -> None:
        self.also = set(also)
        self.found: dict[int, tuple[str, str]] = {}

    def read(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        wanted = set(ids)
        missing = (wanted | self.also) - self.found.keys()
        self.also = set()
        if missing:
            for pk, group, label_en, label_ar, label_ckb in Occupation.objects.filter(
                pk__in=missing
            ).values_list("pk", "isco_group", "label_en", "label_ar", "label_ckb"):
                self.found[pk] = (group, Occupation.label_of(label_en, label_ar, label_ckb))
        return {pk: self.found[pk] for pk in wanted if pk in self.found}


def _names(
    needs: list[OpportunityFacts],
    candidates: list[CandidateFacts],
    occupations: _Occupations | None = None,
    skill_names: dict[int, str] | None = None,
) -> Names:
    """Names of everything the reasons mention, in the reader's language, read at once (the
    skills' unless given: `opportunity_facts` reads them with the skills)."""
    occupation_ids = {occ for c in candidates for occ, _ in c.occupations}
    occupation_ids |= {o.occupation_id for o in needs if o.occupation_id}
    if skill_names is None:
        skill_ids = {s for o in needs for s in o.essential | o.optional}
        skill_names = {
            pk: Skill.label_of(label_en, label_ar, label_ckb)
            for pk, label_en, label_ar, label_ckb in Skill.objects.filter(
                pk__in=skill_ids
            ).values_list("pk", "label_en", "label_ar", "label_ckb")
        }
    language = (get_language() or "ar").split("-")[0]
    return Names(
        skills=skill_names,
        occupations={
            pk: label
            for pk, (_, label) in (occupations or _Occupations()).read(occupation_ids).items()
        },
        # As `Governorate.name`, read as values: no model instance for each of the 18.
        governorates={
            pk: str({"ar": ar, "ckb": ckb, "en": en}.get(language, "") or ar or en)
            for pk, ar, ckb, en in Governorate.objects.values_list(
                "pk", "name_ar", "name_ckb", "name_en"
            )
        },
        languages={code: str(label) for code, label in Language.choices},
        countries={code: str(countries.name(code)) for code in {c.country for c in candidates}},
    )


# --- Applications ---------------------------------------------------------------------------


def application_list(*, fetched_by: User, opportunity: Opportunity) -> QuerySet[Application]:
    """The applications to an opportunity the reader manages (audited as read)."""
    if not opportunity_can_manage(fetched_by=fetched_by, opportunity=opportunity):
        raise forbidden()
    # A closed record is on legal hold (decision 0019): its applications leave the poster's
    # list, shared contact details with them.
    found = (
        opportunity.applications.select_related("person", "person__profile")
        .exclude(status="withdrawn")
        .filter(person__status=RecordStatus.ACTIVE)
    )
    # Read here, once: the page and the API show these same rows (names, shared contacts).
    audit_reads(actor=fetched_by, records=found, context=f"matching.applications:{opportunity.pk}")
    return found


def application_get_managed(
    *, fetched_by: User, application_id: int, opportunity: Opportunity | None = None
) -> Application:
    """An application to an opportunity the reader manages (to `opportunity`, if given)."""
    found = Application.objects.select_related("opportunity__organisation", "person").filter(
        pk=application_id,
        opportunity__in=opportunity_list_managed(fetched_by=fetched_by),
    )
    if opportunity is not None:
        found = found.filter(opportunity=opportunity)
    application = found.first()
    if application is None:
        raise not_found()
    return application


def application_list_own(*, person: Person) -> QuerySet[Application]:
    """The person's applications and invitations."""
    return person.applications.select_related("opportunity__organisation")


def application_get_own(*, person: Person, application_id: int) -> Application:
    application = application_list_own(person=person).filter(pk=application_id).first()
    if application is None:
        raise not_found()
    return application


def application_find_own(*, person: Person, opportunity: Opportunity) -> Application | None:
    """The person's application to (or invitation for) the opportunity, if any."""
    return application_list_own(person=person).filter(opportunity=opportunity).first()


def profile_exists(*, person: Person) -> bool:
    return Profile.objects.filter(person=person).exists()


def profile_get(*, person: Person) -> Profile | None:
    """The person's profile with everything it lists, read at once."""
    return (
        Profile.objects.filter(person=person)
        .prefetch_related(
            "occupations__occupation",
            "skills__skill",
            "languages",
            "qualifications",
            "preferred_governorates",
        )
        .first()
    )
