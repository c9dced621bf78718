"""How well a person fits an opportunity, and why, in words.

One function decides the score (`score_components` and `combine`); the fast index
(`jisr.matching.index`) computes the same figures for many records at once, and a test holds the
two to the same results. The weights are documented in docs/decisions/0010-matching.md.

Each part is a share between 0 and 1, or None where it does not apply (an opportunity that names
no languages is not scored on languages); the score is the weighted mean of the parts that apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.lib.i18n import format_number
from jisr.matching.models import OpportunityKind

WEIGHTS = {
    "essential": 0.40,  # essential skills of the opportunity the person has
    "optional": 0.10,  # useful (optional) skills the person has
    "occupation": 0.25,  # how close the person's occupations are in the ISCO-08 hierarchy
    "languages": 0.10,  # required languages spoken at the required level
    "location": 0.10,  # lives there, would like to work there, or would move
    "availability": 0.05,  # available for this kind of opportunity
}
ALWAYS_WEIGHED = ("essential", "occupation", "location", "availability")
# A skill counts for less at a basic level: the person has it, but not yet fully.
LEVEL_CREDIT = {1: 0.6, 2: 0.8, 3: 1.0, 4: 1.0}
# Same occupation, then the same ISCO-08 unit (4 digits), minor (3), sub-major (2), major (1) group.
PROXIMITY = (1.0, 0.8, 0.5, 0.25, 0.1)
PARTIAL_LANGUAGE = 0.5  # speaks the language, below the level asked


@dataclass
class CandidateFacts:
    profile_id: int
    person_id: int
    skills: dict[int, int]  # skill id -> level
    occupations: list[tuple[int, str]]  # (occupation id, ISCO-08 unit group)
    languages: dict[str, int]  # language code -> level
    in_iraq: bool
    governorate_id: int | None
    preferred_governorates: frozenset[int]
    willing_to_relocate: bool
    available_return: bool
    available_assignment: bool
    available_remote: bool
    available_mentoring: bool
    assignment_months: int | None = None
    country: str = "IQ"

    @property
    def would_move(self) -> bool:
        """Would work in a governorate other than where they live."""
        return self.willing_to_relocate or (
            not self.in_iraq and (self.available_return or self.available_assignment)
        )


@dataclass
class OpportunityFacts:
    opportunity_id: int
    kind: str
    essential: frozenset[int]
    optional: frozenset[int]
    occupation_id: int | None
    isco_group: str
    languages: dict[str, int]  # language code -> minimum level
    governorate_id: int | None
    remote: bool
    months: int | None = None


@dataclass
class Components:
    essential: float | None
    optional: float | None
    occupation: float | None
    languages: float | None
    location: float
    availability: float
    held_essential: list[int] = field(default_factory=list)
    missing_essential: list[int] = field(default_factory=list)
    held_optional: list[int] = field(default_factory=list)

    @property
    def relevant(self) -> bool:
        """Something of the person's work fits: a skill or a related occupation. An opportunity
        that asks for no skill and no occupation is open to everyone."""
        parts = [self.essential, self.optional, self.occupation]
        applicable = [p for p in parts if p is not None]
        return not applicable or any(p > 0 for p in applicable)


def proximity(occupation_a: int, group_a: str, occupation_b: int | None, group_b: str) -> float:
    if occupation_b is not None and occupation_a == occupation_b:
        return PROXIMITY[0]
    for digits, value in zip((4, 3, 2, 1), PROXIMITY[1:], strict=True):
        if group_a and group_b and group_a[:digits] == group_b[:digits]:
            return value
    return 0.0


def location_fit(c: CandidateFacts, o: OpportunityFacts) -> float:
    if o.remote:
        return 1.0
    if o.governorate_id is None:
        return 1.0 if c.in_iraq or c.would_move else 0.5
    if c.in_iraq and c.governorate_id == o.governorate_id:
        return 1.0
    if o.governorate_id in c.preferred_governorates:
        return 0.8
    if c.would_move:
        return 0.6
    return 0.2 if c.in_iraq else 0.0


def availability_fit(c: CandidateFacts, o: OpportunityFacts) -> float:
    remote_ok = o.remote and c.available_remote
    in_iraq = c.in_iraq or c.available_return
    kind = o.kind
    if kind in (OpportunityKind.JOB, OpportunityKind.INTERNSHIP):
        return 1.0 if in_iraq or remote_ok else 0.0
    if kind in (OpportunityKind.TRAINING, OpportunityKind.TVET):
        return 1.0 if in_iraq or remote_ok else 0.3
    if kind == OpportunityKind.EXPERT_ASSIGNMENT:
        return 1.0 if c.available_assignment or remote_ok else (0.5 if in_iraq else 0.0)
    if kind == OpportunityKind.MENTORING:
        return 1.0 if c.available_mentoring else 0.0
    if kind == OpportunityKind.STAFF_TRAINING:
        return 1.0 if c.available_remote or c.available_assignment or c.available_mentoring else 0.0
    any_availability = (
        c.available_return or c.available_assignment or c.available_remote or c.available_mentoring
    )
    return 1.0 if any_availability else 0.3


def score_components(c: CandidateFacts, o: OpportunityFacts) -> Components:
    held_essential = sorted(s for s in o.essential if s in c.skills)
    held_optional = sorted(s for s in o.optional if s in c.skills)
    essential = (
        sum(LEVEL_CREDIT[c.skills[s]] for s in held_essential) / len(o.essential)
        if o.essential
        else None
    )
    optional = (
        sum(LEVEL_CREDIT[c.skills[s]] for s in held_optional) / len(o.optional)
        if o.optional
        else None
    )
    occupation = None
    if o.isco_group:
        occupation = max(
            (proximity(occ, group, o.occupation_id, o.isco_group) for occ, group in c.occupations),
            default=0.0,
        )
    languages = None
    if o.languages:
        credit = 0.0
        for language, minimum in o.languages.items():
            level = c.languages.get(language, 0)
            credit += 1.0 if level >= minimum else (PARTIAL_LANGUAGE if level else 0.0)
        languages = credit / len(o.languages)
    return Components(
        essential=essential,
        optional=optional,
        occupation=occupation,
        languages=languages,
        location=location_fit(c, o),
        availability=availability_fit(c, o),
        held_essential=held_essential,
        missing_essential=sorted(o.essential - set(held_essential)),
        held_optional=held_optional,
    )


def combine(parts: Components) -> float:
    """The weighted mean of the parts. Skills and occupation are always weighed, so that an
    opportunity that asks for little does not rise above those that ask precisely; where only
    one of them is asked, it stands in for the other (an occupation says which skills it needs,
    and the skills which occupation)."""
    skills = parts.essential if parts.essential is not None else parts.occupation
    occupation = parts.occupation if parts.occupation is not None else parts.essential
    total = WEIGHTS["essential"] * (skills or 0.0) + WEIGHTS["occupation"] * (occupation or 0.0)
    total += WEIGHTS["location"] * parts.location + WEIGHTS["availability"] * parts.availability
    weight = sum(WEIGHTS[part] for part in ALWAYS_WEIGHED)
    for name in ("optional", "languages"):
        value = getattr(parts, name)
        if value is not None:
            total += WEIGHTS[name] * value
            weight += WEIGHTS[name]
    return total / weight


@dataclass
class Names:
    """Names for the reasons, in the reader's language."""

    skills: dict[int, str]
    occupations: dict[int, str]
    governorates: dict[int, str]
    languages: dict[str, str]
    countries: dict[str, str] = field(default_factory=dict)
    # The texts of the reasons as translated once for the list: fifty candidates' reasons say
    # the same few, and each translation looks the reader's language up anew (`reasons`).
    texts: dict[tuple[str, str, int], str] = field(default_factory=dict, repr=False, compare=False)

    def gettext(self, message: str) -> str:
        key = (message, "", 0)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = _(message)
        return found

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        key = (singular, plural, number)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = ngettext(singular, plural, number)
        return found


MISSING_SHOWN = 4


def reasons(c: CandidateFacts, o: OpportunityFacts, parts: Components, names: Names) -> list[str]:
    """Why this match, in plain words, most telling first."""
    # Translated through `names`, once per list; the calls keep their names for makemessages.
    _, ngettext = names.gettext, names.ngettext
    said: list[str] = []
    if o.essential:
        held, total = len(parts.held_essential), len(o.essential)
        text = (
            ngettext(
                "Has %(held)s of %(total)s essential skill of %(occupation)s",
                "Has %(held)s of %(total)s essential skills of %(occupation)s",
                total,
            )
            if o.occupation_id in names.occupations
            else ngettext(
                "Has %(held)s of %(total)s essential skill",
                "Has %(held)s of %(total)s essential skills",
                total,
            )
        ) % {
            "held": held,
            "total": total,
            "occupation": names.occupations.get(o.occupation_id or 0),
        }
        if parts.missing_essential:
            missing = [names.skills.get(s, "?") for s in parts.missing_essential[:MISSING_SHOWN]]
            if len(parts.missing_essential) > MISSING_SHOWN:
                missing.append("…")
            text += _("; missing: %(skills)s") % {"skills": _list(missing, names)}
        said.append(text)
    if parts.held_optional:
        said.append(
            _("Also has: %(skills)s")
            % {"skills": _list([names.skills.get(s, "?") for s in parts.held_optional[:4]], names)}
        )
    if parts.occupation:
        best = max(
            c.occupations,
            key=lambda item: proximity(item[0], item[1], o.occupation_id, o.isco_group),
        )
        occupation = names.occupations.get(best[0], "")
        if parts.occupation == PROXIMITY[0]:
            said.append(_("Works as %(occupation)s") % {"occupation": occupation})
        elif parts.occupation == PROXIMITY[1]:
            said.append(
                _("Works as %(occupation)s, in the same ISCO-08 group %(group)s")
                % {"occupation": occupation, "group": o.isco_group}
            )
        else:
            said.append(_("Related occupation: %(occupation)s") % {"occupation": occupation})
    if o.languages:
        spoken = [names.languages[lang] for lang in o.languages if lang in c.languages]
        lacking = [names.languages[lang] for lang in o.languages if lang not in c.languages]
        if spoken:
            said.append(_("Speaks %(languages)s") % {"languages": _list(spoken, names)})
        if lacking:
            said.append(_("Does not speak %(languages)s") % {"languages": _list(lacking, names)})
    said.extend(_where(c, o, names))
    said.extend(_when(c, o, names))
    return said


def _where(c: CandidateFacts, o: OpportunityFacts, names: Names) -> list[str]:
    _ = names.gettext
    here = names.governorates.get(c.governorate_id or 0, "")
    if o.remote and c.available_remote:
        return [_("Can work remotely")]
    if c.in_iraq and here and c.governorate_id == o.governorate_id:
        return [_("Lives in %(place)s") % {"place": here}]
    if o.governorate_id and o.governorate_id in c.preferred_governorates:
        return [
            _("Would like to work in %(place)s")
            % {"place": names.governorates.get(o.governorate_id, "")}
        ]
    said = []
    if not c.in_iraq:
        country = names.countries.get(c.country, c.country)
        said.append(_("Lives abroad (%(country)s)") % {"country": country})
    elif here:
        said.append(_("Lives in %(place)s") % {"place": here})
    if c.willing_to_relocate:
        said.append(_("Willing to move"))
    return said


def _when(c: CandidateFacts, o: OpportunityFacts, names: Names) -> list[str]:
    _, ngettext = names.gettext, names.ngettext
    said = []
    if c.available_assignment and o.kind in (
        OpportunityKind.EXPERT_ASSIGNMENT,
        OpportunityKind.STAFF_TRAINING,
        OpportunityKind.PROJECT_NEED,
    ):
        if c.assignment_months:
            said.append(
                ngettext(
                    "Available for a %(months)s-month assignment",
                    "Available for a %(months)s-month assignment",
                    c.assignment_months,
                )
                % {"months": format_number(c.assignment_months)}
            )
        else:
            said.append(_("Available for a temporary assignment"))
    if c.available_return and not c.in_iraq:
        said.append(_("Available to return to Iraq"))
    if c.available_mentoring and o.kind == OpportunityKind.MENTORING:
        said.append(_("Available to mentor"))
    if c.available_remote and o.remote and not said:
        said.append(_("Available online"))
    return said


def _list(items: list[str], names: Names) -> str:
    _ = names.gettext
    return _(", ").join(items)
