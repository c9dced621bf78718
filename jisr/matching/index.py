"""An in-memory index of profiles and open opportunities, to rank a million of them quickly.

Scoring a million profiles row by row takes seconds. Here each profile's facts live in numpy
arrays and skills in postings lists (for each skill, the profiles that have it), so scoring every
profile against one opportunity is a few vector operations. The parts that depend on several
yes/no facts at once (location, availability) are looked up in small tables filled by the very
functions of `jisr.matching.scoring`, so the index and the exact scorer cannot disagree.

The index only chooses a shortlist. The shortlist is scored again from the database, and the
records changed since the index was built (a new skill, a withdrawn consent) are always added
to it and scored from the database, so changes count at once; the index is rebuilt when it grows
old or too many records have changed since.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection
from django.utils import timezone

from jisr.matching.models import (
    Language,
    OpportunityKind,
    OpportunityStatus,
    Visibility,
)
from jisr.matching.scoring import (
    ALWAYS_WEIGHED,
    LEVEL_CREDIT,
    PARTIAL_LANGUAGE,
    PROXIMITY,
    WEIGHTS,
    CandidateFacts,
    OpportunityFacts,
    availability_fit,
    location_fit,
)
from jisr.registry.models import ConsentEvent, ConsentStatus, Purpose, RecordStatus

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]

LANGUAGES = [language.value for language in Language]
KINDS = [kind.value for kind in OpportunityKind]
SLOTS = 3  # occupations of a profile the index considers (the exact scorer takes all)
FETCH = 100_000
# Scores are float32: a bound on a score is compared with this much room.
BOUND_MARGIN = 1e-4
# Of the profiles that have a skill asked, this many times the results asked for are scored
# first (those whose skills promise most); of the others, only those that could still beat them.
FIRST_BATCH = 4

# Bits of a profile's facts that decide location and availability.
IN_IRAQ, RETURN, ASSIGNMENT, REMOTE, MENTORING, RELOCATE, SAME_PLACE, PREFERS_PLACE = (
    1 << i for i in range(8)
)


def _rows(sql: str, params: Sequence[Any] = ()) -> Ints:
    """All rows of a numeric query as one integer array, fetched in chunks (32-bit: ids, codes
    and levels fit, and building the index of a million profiles then needs half the memory)."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(cursor.description)
        while rows := cursor.fetchmany(FETCH):
            chunks.append(np.array(rows, dtype=np.int32).reshape(-1, width))
        if not chunks:
            return np.zeros((0, width), dtype=np.int32)
    return np.concatenate(chunks)


def _case(column: str, values: list[str]) -> str:
    """SQL that numbers the values of a column by their place in a list of Jisr's own codes."""
    return (
        f"CASE {column} "
        + " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(values))
        + " ELSE -1 END"
    )


# Built from Jisr's own codes (the lists above), never from input: no injection is possible.
PROFILE_LANGUAGES_SQL = (
    f"SELECT profile_id, {_case('language', LANGUAGES)}, level "  # noqa: S608
    "FROM matching_profilelanguage"
)
OPPORTUNITIES_SQL = (
    f"SELECT o.id, {_case('o.kind', KINDS)}, COALESCE(o.occupation_id, -1), "  # noqa: S608
    "COALESCE(CAST(c.isco_group AS INTEGER), -1), COALESCE(o.governorate_id, 0), o.remote "
    "FROM matching_opportunity o LEFT JOIN skills_occupation c ON c.id = o.occupation_id "
    "WHERE o.status = %s ORDER BY o.id"
)
OPPORTUNITY_LANGUAGES_SQL = (
    f"SELECT l.opportunity_id, {_case('l.language', LANGUAGES)}, l.level "  # noqa: S608
    "FROM matching_opportunitylanguage l "
    "JOIN matching_opportunity o ON o.id = l.opportunity_id WHERE o.status = %s"
)


# A level for each credit: the scores depend on a skill's credit alone (`LEVEL_CREDIT`).
LEVEL_OF_CREDIT = {
    round(credit, 2): level for level, credit in sorted(LEVEL_CREDIT.items(), reverse=True)
}


@dataclass
class Known:
    """A profile's facts as the index holds them (`ProfileIndex.known_facts`)."""

    skills: dict[int, int]  # skill id -> level
    occupations: list[int]
    languages: dict[str, int]
    preferred: set[int]


@dataclass
class Postings:
    """For each skill id, the positions (and a value) of the records that have it, in the
    order of the positions (so a few records are found in a long list by binary search)."""

    start: Ints
    positions: npt.NDArray[np.int32]
    values: npt.NDArray[Any]

    @classmethod
    def build(cls, skill: Ints, position: Ints, value: npt.NDArray[Any]) -> Postings:
        order = np.lexsort((position, skill))
        top = int(skill.max()) + 2 if len(skill) else 1
        start = np.searchsorted(skill[order], np.arange(top)).astype(np.int64)
        return cls(start, position[order].astype(np.int32), value[order])

    def of(self, skill: int) -> slice:
        if skill + 1 >= len(self.start):
            return slice(0, 0)
        return slice(int(self.start[skill]), int(self.start[skill + 1]))


def _nbytes(index: object) -> int:
    total = 0
    for value in vars(index).values():
        parts = value.values() if isinstance(value, dict) else [value]
        for part in parts:
            if isinstance(part, np.ndarray):
                total += part.nbytes
            elif isinstance(part, (Postings, Groups)):
                total += sum(a.nbytes for a in vars(part).values() if isinstance(a, np.ndarray))
    return total


class Groups:
    """ISCO-08 unit groups numbered densely, so that the proximity of every record to one group
    is a single look-up in a table of a few hundred entries."""

    def __init__(self, groups: Ints) -> None:
        self.codes = np.unique(groups[groups >= 0])
        self.dense = np.full(len(groups), len(self.codes), dtype=np.int16)
        known = groups >= 0
        self.dense[known] = np.searchsorted(self.codes, groups[known]).astype(np.int16)

    def proximity_to(self, group: int) -> Floats:
        """Vector form of `scoring.proximity` to `group`, by dense number (last: no group)."""
        table = np.zeros(len(self.codes) + 1, dtype=np.float32)
        for divisor, value in zip((1000, 100, 10, 1), PROXIMITY[:0:-1], strict=True):
            table[:-1][self.codes // divisor == group // divisor] = value
        return table


class NearGroups:
    """For each record, the ISCO-08 sub-major groups (two digits) of its occupations as bits of
    one integer, so that how close its occupations can be to one group is bounded with a single
    look-up: the same sub-major group may be up to the same occupation, the same major group
    only at its distance, another major group not at all. An occupation without a group (or
    more sub-major groups than bits) counts as possibly the same."""

    def __init__(self, groups: Ints, held: Bools) -> None:
        sub_majors = np.where(groups >= 0, groups // 100, -1)
        self.codes = np.unique(sub_majors[sub_majors >= 0])
        self.bits = np.zeros(groups.shape[-1], dtype=np.int64)
        self._known_masks: dict[int, tuple[np.int64, np.int64]] = {}
        self.unbounded = len(self.codes) > _ANY_GROUP_BIT
        if self.unbounded:
            return
        for slot in range(groups.shape[0]):
            known = sub_majors[slot] >= 0
            bit = np.searchsorted(self.codes, sub_majors[slot][known])
            self.bits[known] |= np.left_shift(np.int64(1), bit.astype(np.int64))
            self.bits[held[slot] & ~known] |= np.int64(1) << _ANY_GROUP_BIT

    def bound(self, group: int, at: Ints) -> Floats:
        """The highest occupational proximity to `group` each record at `at` can have."""
        if self.unbounded:
            return np.ones(len(at), dtype=np.float32)
        same_sub_major, same_major = self._masks(group)
        bits: Ints = self.bits[at]
        # Arithmetic rather than `np.where` or masked writes: a third of the time.
        bound: Floats = ((bits & same_major) != 0).astype(np.float32)
        bound *= np.float32(PROXIMITY[4])
        np.maximum(bound, (bits & same_sub_major) != 0, out=bound)  # PROXIMITY[0] is 1
        return bound

    def _masks(self, group: int) -> tuple[np.int64, np.int64]:
        """The bits of `group`'s sub-major group (and of an occupation without a group), and
        those of the other sub-major groups of its major group."""
        known = self._known_masks.get(group // 100)
        if known is not None:
            return known
        same_sub_major = np.int64(1) << _ANY_GROUP_BIT
        same_major = np.int64(0)
        for bit, code in enumerate(self.codes.tolist()):
            if code == group // 100:
                same_sub_major |= np.int64(1) << bit
            elif code // 10 == group // 1000:
                same_major |= np.int64(1) << bit
        self._known_masks[group // 100] = (same_sub_major, same_major)
        return same_sub_major, same_major


_ANY_GROUP_BIT = 63


class _Scratch(threading.local):
    """The arrays of one entry per profile that a ranking adds the skills asked up in, kept
    from one ranking to the next (one set per thread). Made anew for each ranking, the 9 MB
    were mapped and zeroed page by page every time: more than the sums themselves cost. They
    are zero between rankings: `give_back` zeroes the entries a ranking touched, and a ranking
    that fails before it leaves them to be zeroed whole by the next."""

    def __init__(self) -> None:
        self.arrays: tuple[Floats, Floats, Bools] | None = None
        self.clean = True

    def take(self, n: int) -> _Scratch:
        if self.arrays is None or len(self.arrays[2]) != n:
            self.arrays = (np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros(n, bool))
        elif not self.clean:
            for array in self.arrays:
                array.fill(0)
        self.clean = False
        return self

    def give_back(self, touched: Ints) -> None:
        assert self.arrays is not None
        for array in self.arrays:
            array[touched] = 0
        self.clean = True


_SCRATCH = _Scratch()


def _lay_out(ids: Ints, occupations: Ints) -> Ints:
    """The order in which the index keeps the profiles `ids` (in increasing order): by the
    ISCO-08 unit group and the occupation of their first occupation (`occupations`: profile,
    occupation and group, by profile), then by id. Those who have a skill are then mostly close
    together, those of the occupations that need it, so adding up the credits of a skill's
    holders reads and writes memory close by rather than all over megabytes: the ranking took
    30% less time so."""
    group = np.full(len(ids), np.iinfo(np.int32).max, dtype=np.int64)
    occupation = np.full(len(ids), np.iinfo(np.int32).max, dtype=np.int64)
    if len(occupations) and len(ids):
        first = np.append(True, occupations[1:, 0] != occupations[:-1, 0])
        at = np.minimum(np.searchsorted(ids, occupations[first, 0]), len(ids) - 1)
        held = ids[at] == occupations[first, 0]
        group[at[held]] = occupations[first, 2][held]
        occupation[at[held]] = occupations[first, 1][held]
    return np.lexsort((ids, occupation, group))


class ProfileIndex:
    def __init__(self) -> None:
        self.built_at: datetime = timezone.now()
        self.consents_seen = (
            ConsentEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        started = time.perf_counter()
        rows = _rows(
            "SELECT p.id, p.person_id, "
            "CASE p.visibility WHEN %s THEN 2 WHEN %s THEN 1 ELSE 0 END, "
            "CASE WHEN r.country = 'IQ' THEN 1 ELSE 0 END, p.available_return, "
            "p.available_assignment, p.available_remote, p.available_mentoring, "
            "p.willing_to_relocate, COALESCE(r.governorate_id, 0), "
            "CASE WHEN r.status = %s THEN 1 ELSE 0 END "
            "FROM matching_profile p JOIN registry_person r ON r.id = p.person_id ORDER BY p.id",
            [Visibility.EMPLOYERS, Visibility.GOVERNMENT, RecordStatus.ACTIVE],
        )
        occupations = _rows(
            "SELECT po.profile_id, po.occupation_id, CAST(o.isco_group AS INTEGER) "
            "FROM matching_profileoccupation po JOIN skills_occupation o "
            "ON o.id = po.occupation_id ORDER BY po.profile_id, po.id"
        )
        # The profiles by id, and where each is kept (`_lay_out`): `positions` finds them.
        self.ids_in_order = rows[:, 0].copy()
        order = _lay_out(self.ids_in_order, occupations)
        self.position_in_order = np.empty(len(order), dtype=np.int32)
        self.position_in_order[order] = np.arange(len(order), dtype=np.int32)
        rows = rows[order]
        self.profile_ids = rows[:, 0].copy()
        self.person_ids = rows[:, 1].copy()
        n = len(rows)
        consent = _rows(
            "SELECT person_id, CASE WHEN status = %s THEN 1 ELSE 0 END FROM "
            "registry_consentevent WHERE purpose = %s ORDER BY person_id, at, id",
            [ConsentStatus.GIVEN, Purpose.EMPLOYER_MATCHING],
        )
        given: set[int] = set()
        if len(consent):
            last = np.append(consent[1:, 0] != consent[:-1, 0], True)
            given = set(consent[last & (consent[:, 1] == 1), 0].tolist())
        consented = np.fromiter((p in given for p in self.person_ids.tolist()), bool, n)
        self.level = np.where(consented & (rows[:, 10] == 1), rows[:, 2], 0).astype(np.int8)
        flags = np.zeros(n, dtype=np.int64)
        for column, bit in zip(
            range(3, 9), (IN_IRAQ, RETURN, ASSIGNMENT, REMOTE, MENTORING, RELOCATE), strict=True
        ):
            flags |= np.where(rows[:, column] != 0, bit, 0)
        self.flags = flags.astype(np.int16)
        self.governorate = rows[:, 9].astype(np.int32)
        preferred = _rows(
            "SELECT profile_id, governorate_id FROM matching_profile_preferred_governorates"
        )
        self.preferred: dict[int, set[int]] = {}
        for profile_id, governorate_id in preferred.tolist():
            self.preferred.setdefault(governorate_id, set()).add(profile_id)
        self.prefers = {
            governorate: np.isin(self.profile_ids, np.fromiter(ids, np.int64))
            for governorate, ids in self.preferred.items()
        }
        self.occupation = np.full((SLOTS, n), -1, dtype=np.int64)
        self.group = np.full((SLOTS, n), -1, dtype=np.int64)
        if len(occupations):
            position = self.positions(occupations[:, 0])
            first = np.searchsorted(occupations[:, 0], occupations[:, 0], side="left")
            slot = np.arange(len(occupations)) - first
            keep = (slot < SLOTS) & (position >= 0)
            self.occupation[slot[keep], position[keep]] = occupations[keep, 1]
            self.group[slot[keep], position[keep]] = occupations[keep, 2]
            # Profiles with more occupations than the index holds: their facts are read whole.
            self.overflowing = set(occupations[slot >= SLOTS, 0].tolist())
        else:
            self.overflowing = set()
        self.groups = Groups(self.group.reshape(-1))
        self.dense_group = self.groups.dense.reshape(SLOTS, n)
        self.near_groups = NearGroups(self.group, self.occupation >= 0)
        self.occupation = self.occupation.astype(np.int32)
        del self.group  # the dense numbers stand for it
        # For each occupation and each unit group, the profiles that have it (in any slot): the
        # profiles close to an opportunity's occupation, found without looking at the others.
        slots = np.tile(np.arange(n, dtype=np.int32), SLOTS)
        known = self.occupation.reshape(-1) >= 0
        self.by_occupation = Postings.build(
            self.occupation.reshape(-1)[known], slots[known], np.zeros(int(known.sum()), np.int8)
        )
        grouped = self.dense_group.reshape(-1) < len(self.groups.codes)
        self.by_group = Postings.build(
            self.dense_group.reshape(-1)[grouped].astype(np.int64),
            slots[grouped],
            np.zeros(int(grouped.sum()), np.int8),
        )
        del slots, known, grouped
        skills = _rows("SELECT profile_id, skill_id, level FROM matching_profileskill")
        credit = np.zeros(5, dtype=np.float32)
        for level, value in LEVEL_CREDIT.items():
            credit[level] = value
        self.skills = Postings.build(
            skills[:, 1], self.positions(skills[:, 0]), credit[skills[:, 2]]
        )
        languages = _rows(PROFILE_LANGUAGES_SQL)
        self.languages: dict[int, npt.NDArray[np.int8]] = {}
        for index in range(len(LANGUAGES)):
            of_language = languages[languages[:, 1] == index]
            if len(of_language):
                levels = np.zeros(n, dtype=np.int8)
                levels[self.positions(of_language[:, 0])] = of_language[:, 2]
                self.languages[index] = levels
        self.seconds = time.perf_counter() - started

    def __len__(self) -> int:
        return len(self.profile_ids)

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays."""
        return _nbytes(self)

    def positions(self, profile_ids: Ints) -> Ints:
        """Where the index keeps each profile (-1 for those it does not hold)."""
        if not len(self.profile_ids):
            return np.full(len(profile_ids), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self.ids_in_order, profile_ids), len(self) - 1)
        held = self.ids_in_order[found] == profile_ids
        return np.where(held, self.position_in_order[found], -1)

    def known_facts(self, profile_ids: Iterable[int], asked: Iterable[int]) -> dict[int, Known]:
        """What the index holds of each profile, as it was when the index was built: the
        skills among those `asked` (a level that gives the same credit), the occupations, the
        languages and the preferred governorates. Profiles it does not hold whole (unknown, or
        with more occupations than it keeps) are left out. Callers pass only profiles unchanged
        since the index was built; visibility, consent and the person's facts they read anew."""
        ids = [pk for pk in profile_ids if pk not in self.overflowing]
        wanted = np.fromiter(ids, np.int64, len(ids))
        positions = self.positions(wanted.astype(self.profile_ids.dtype)) if len(ids) else wanted
        held = positions[positions >= 0]
        held_ids = self.profile_ids[held].tolist()
        found = {pk: Known({}, [], {}, set()) for pk in held_ids}
        if not found:
            return found
        held_sorted = np.sort(held)
        held_pks = self.profile_ids[held_sorted]
        for skill in asked:
            span = self.skills.of(skill)
            having = self.skills.positions[span]  # in order: each held profile looked up in it
            if not len(having):
                continue
            at = np.minimum(np.searchsorted(having, held_sorted), len(having) - 1)
            hits = np.flatnonzero(having[at] == held_sorted)
            credits = self.skills.values[span][at[hits]].tolist()
            for pk, credit in zip(held_pks[hits].tolist(), credits, strict=True):
                found[pk].skills[skill] = LEVEL_OF_CREDIT[round(credit, 2)]
        for slot in range(SLOTS):
            for pk, occupation in zip(held_ids, self.occupation[slot, held].tolist(), strict=True):
                if occupation >= 0:
                    found[pk].occupations.append(occupation)
        for language, levels in self.languages.items():
            code = LANGUAGES[language]
            for pk, level in zip(held_ids, levels[held].tolist(), strict=True):
                if level:
                    found[pk].languages[code] = level
        for governorate, holders in self.preferred.items():
            for pk in found.keys() & holders:
                found[pk].preferred.add(governorate)
        return found

    def rank(
        self,
        o: OpportunityFacts,
        *,
        min_level: int,
        skip: Iterable[int],
        limit: int,
        near_ties: float = 0.0,
        most: int = 0,
        exhaustive: bool = False,
    ) -> list[int]:
        """Profile ids of the best `limit` candidates for `o` among those whose visibility
        level reaches `min_level`, leaving out the profiles in `skip`, best first (a tie goes to
        the older profile). With `near_ties`, also those after them that score at most that
        much below the last (up to `most` in all): the scores here are float32, so profiles
        the exact scorer may put among the best are all proposed.

        Only the profiles that can be relevant are scored: those with one of the skills asked
        (from the skills' postings), then those whose occupation is close to the one asked,
        nearest first, for as long as such a profile could still beat the last of the best
        found (its skills count nothing, the rest at most everything). So the result is the
        one of scoring every profile (`exhaustive`, kept for the test that says so), at a
        fraction of the cost."""
        if not len(self) or limit < 1:
            return []
        wanted = np.fromiter(skip, np.int64)
        wanted = wanted[(wanted > 0) & (wanted <= np.iinfo(self.profile_ids.dtype).max)]
        skipped = self.positions(wanted.astype(self.profile_ids.dtype))
        skipped = skipped[skipped >= 0]
        place = _place_and_time_table(o)
        if exhaustive or not (o.essential or o.optional or o.isco_group):
            # Nothing asked: every profile is relevant, and all of them are scored.
            score, relevant = self.scores(o, place=place)
            eligible = relevant & (self.level >= min_level)
            eligible[skipped] = False
            chosen = np.flatnonzero(eligible)
            return self._best(chosen, score[chosen], limit, near_ties, most)
        scratch = _SCRATCH.take(len(self))
        covered, having = self._covered_and_holders(o, scratch)
        try:
            return self._rank_sharing(
                o, covered, having, min_level, skipped, limit, near_ties, most, place
            )
        finally:
            _SCRATCH.give_back(having)

    def _rank_sharing(
        self,
        o: OpportunityFacts,
        covered: dict[str, Floats],
        having: Ints,
        min_level: int,
        skipped: Ints,
        limit: int,
        near_ties: float,
        most: int,
        place: Floats,
    ) -> list[int]:
        """`rank` for an opportunity that asks for skills or an occupation, from the sums of
        the skills asked (`covered`) and the positions of the profiles having one (`having`)."""
        margin = BOUND_MARGIN + near_ties  # near ties below the last of the best are wanted too
        found: list[tuple[Ints, Floats]] = []

        def add(batch: Ints) -> None:
            values, relevant = self.scores(o, at=batch, place=place, covered=covered)
            found.append((batch[relevant], values[relevant]))

        def last() -> float | None:
            """The score of the `limit`-th best found so far (None while fewer were found)."""
            scores = np.concatenate([values for _, values in found])
            return None if len(scores) < limit else -np.partition(-scores, limit - 1)[limit - 1]

        # Those with a skill asked, the likeliest first: the skills a profile has bound its
        # score, and those whose bound is below the last of the best need no scoring. Those the
        # reader may not see, or skipped, get a bound below any score (-1): one pass marks them,
        # and one more takes the profiles left to score (fancy indexing costs more than sums).
        ceiling = self._ceiling(o, covered, having, place)
        ceiling = np.where(self.level[having] >= min_level, ceiling, np.float32(-1))
        if len(skipped):
            ceiling[np.isin(having, skipped)] = -1
        bar = None
        if len(having) > FIRST_BATCH * limit:
            first = np.argpartition(-ceiling, FIRST_BATCH * limit - 1)[: FIRST_BATCH * limit]
            first = first[ceiling[first] >= 0]
            add(having[first])
            ceiling[first] = -1  # scored already
            bar = last()
        add(having[np.flatnonzero(ceiling >= (0 if bar is None else bar - margin))])
        # Then those close by occupation, nearest first, while one could still be among the best.
        seen: Bools | None = None  # the profiles looked at already: made only if needed
        for proximity, batch in self._near(o):
            bar = last()
            if bar is not None and self._at_most(o, proximity, place) + margin < bar:
                break
            if seen is None:
                seen = np.zeros(len(self), dtype=bool)
                seen[having] = True
            batch = np.unique(batch[~seen[batch]])  # a profile may hold two such occupations
            seen[batch] = True
            add(self._eligible(batch, min_level, skipped))
        return self._best(
            np.concatenate([positions for positions, _ in found]),
            np.concatenate([values for _, values in found]),
            limit,
            near_ties,
            most,
        )

    def _among(self, holders: Ints, at: Ints | None) -> Bools:
        """Whether each profile at `at` (every profile, without it) is among `holders`, a
        postings list (positions in order): a binary search each, not a mark per profile."""
        if at is None:
            mark = np.zeros(len(self), dtype=bool)
            mark[holders] = True
            return mark
        if not len(holders):
            return np.zeros(len(at), dtype=bool)
        found = np.minimum(np.searchsorted(holders, at), len(holders) - 1)
        among: Bools = holders[found] == at
        return among

    def _eligible(self, batch: Ints, min_level: int, skipped: Ints) -> Ints:
        keep = self.level[batch] >= min_level
        if len(skipped):
            keep &= ~np.isin(batch, skipped)
        return batch[keep]

    def _covered(self, o: OpportunityFacts) -> dict[str, Floats]:
        """For the essential and the optional skills of `o` (those asked), every profile's sum
        of credits for the ones it has."""
        return self._covered_and_holders(o)[0]

    def _covered_and_holders(
        self, o: OpportunityFacts, scratch: _Scratch | None = None
    ) -> tuple[dict[str, Floats], Ints]:
        """`_covered`, and the positions of the profiles that have one of the skills asked (in
        order), marked as the postings are read. With `scratch`, added up in its arrays (all
        zero), which the caller zeroes again at these positions when done with the sums."""
        covered: dict[str, Floats] = {}
        if not (o.essential or o.optional):
            return covered, np.zeros(0, dtype=np.intp)
        arrays = scratch.arrays if scratch else None
        having = arrays[2] if arrays else np.zeros(len(self), dtype=bool)
        for part, skills in (("essential", o.essential), ("optional", o.optional)):
            if not skills:
                continue
            if arrays:
                sums = arrays[1] if covered else arrays[0]
            else:
                sums = np.zeros(len(self), dtype=np.float32)
            for skill in skills:
                span = self.skills.of(skill)
                at = self.skills.positions[span].astype(np.intp)  # converted once, used twice
                # The same additions in the same order as `sums[at] += ...`: the same floats.
                sums[at] = sums[at] + self.skills.values[span]
                having[at] = True
            covered[part] = sums
        return covered, np.flatnonzero(having)

    def _ceiling(
        self, o: OpportunityFacts, covered: dict[str, Floats], at: Ints, place: Floats
    ) -> Floats:
        """The highest score each profile at `at` can have for `o`, given the skills it has and
        the groups of its occupations: its languages, place and time counted as fully fitting."""
        weight = sum(WEIGHTS[part] for part in ALWAYS_WEIGHED)
        occupation = self.near_groups.bound(int(o.isco_group), at) if o.isco_group else None
        skills = covered["essential"][at] / len(o.essential) if o.essential else None
        # Skills and occupation are always weighed; where one is not asked, the other stands in.
        skills_fit = skills if skills is not None else occupation
        occupation_fit = occupation if occupation is not None else skills
        total = np.full(len(at), float(place.max()), dtype=np.float32)
        if skills_fit is not None and occupation_fit is not None:
            total += WEIGHTS["essential"] * skills_fit + WEIGHTS["occupation"] * occupation_fit
        if o.optional:
            total += WEIGHTS["optional"] * covered["optional"][at] / len(o.optional)
            weight += WEIGHTS["optional"]
        if o.languages:
            total += WEIGHTS["languages"]
            weight += WEIGHTS["languages"]
        return total / weight

    def _near(self, o: OpportunityFacts) -> Iterator[tuple[float, Ints]]:
        """The positions of profiles by the proximity of their occupations to `o`'s, nearest
        first: the same occupation, then the same unit group, minor, sub-major, major group."""
        if not o.isco_group:
            return
        if o.occupation_id:
            yield PROXIMITY[0], self.by_occupation.positions[self.by_occupation.of(o.occupation_id)]
        table = self.groups.proximity_to(int(o.isco_group))[:-1]
        for proximity in sorted(set(table[table > 0].tolist()), reverse=True):
            spans = [self.by_group.of(int(g)) for g in np.flatnonzero(table == proximity)]
            yield (
                proximity,
                np.concatenate(
                    [self.by_group.positions[span] for span in spans] or [np.zeros(0, np.int32)]
                ),
            )

    def _at_most(self, o: OpportunityFacts, proximity: float, place: Floats) -> float:
        """The highest score a profile with none of the skills asked and an occupation at
        `proximity` can have for `o`."""
        weight = sum(WEIGHTS[part] for part in ALWAYS_WEIGHED)
        total = WEIGHTS["occupation"] * proximity + float(place.max())
        if not o.essential:
            total += WEIGHTS["essential"] * proximity  # the occupation stands in for skills
        if o.optional:
            weight += WEIGHTS["optional"]
        if o.languages:
            total += WEIGHTS["languages"]
            weight += WEIGHTS["languages"]
        return total / weight

    def _best(
        self, positions: Ints, scores: Floats, limit: int, near_ties: float = 0.0, most: int = 0
    ) -> list[int]:
        """Profile ids of the `limit` best, by score and then by id (the older first), then
        those within `near_ties` of the last of them (up to `most` in all)."""
        if len(positions) > limit:
            last = -np.partition(-scores, limit - 1)[limit - 1]
            if near_ties > 0:
                keep = scores >= last - near_ties
                positions, scores = positions[keep], scores[keep]
                order = np.lexsort((self.profile_ids[positions], -scores))[: max(most, limit)]
                return [int(pk) for pk in self.profile_ids[positions[order]]]
            above = scores > last
            tied = positions[scores == last]
            tied = tied[np.argsort(self.profile_ids[tied])][: limit - int(above.sum())]
            keep = np.concatenate([positions[above], tied])
            scores = np.concatenate([scores[above], np.full(len(tied), last, scores.dtype)])
            positions = keep
        order = np.lexsort((self.profile_ids[positions], -scores))
        return [int(pk) for pk in self.profile_ids[positions[order]]]

    def scores(
        self,
        o: OpportunityFacts,
        at: Ints | None = None,
        place: Floats | None = None,
        covered: dict[str, Floats] | None = None,
    ) -> tuple[Floats, Bools]:
        """Every profile's score for `o` (or the score of the profiles at positions `at`),
        and whether it is relevant at all. `place` and `covered`: `_place_and_time_table(o)`
        and `self._covered(o)`, if known."""

        def pick(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return values if at is None else values[..., at]

        n = len(self) if at is None else len(at)
        total = np.zeros(n, dtype=np.float32)
        weight = sum(WEIGHTS[part] for part in ALWAYS_WEIGHED)
        relevant = np.zeros(n, dtype=bool)
        any_part = False
        coverage: dict[str, Floats] = {}
        for part, sums in (self._covered(o) if covered is None else covered).items():
            mine = pick(sums)
            coverage[part] = (
                mine / len(o.essential if part == "essential" else o.optional)
            ).astype(np.float32)
            relevant |= mine > 0
            any_part = True
        if o.isco_group:
            table = self.groups.proximity_to(int(o.isco_group))
            dense = pick(self.dense_group)
            best = table[dense[0]]
            for slot in range(1, SLOTS):
                best = np.maximum(best, table[dense[slot]])
            if o.occupation_id:
                holders = self.by_occupation.positions[self.by_occupation.of(o.occupation_id)]
                best[self._among(holders, at)] = PROXIMITY[0]
            coverage["occupation"] = best
            relevant |= best > 0
            any_part = True
        # Skills and occupation are always weighed; where one is not asked, the other stands in.
        skills_fit = coverage.get("essential", coverage.get("occupation"))
        occupation_fit = coverage.get("occupation", coverage.get("essential"))
        if skills_fit is not None and occupation_fit is not None:
            total += WEIGHTS["essential"] * skills_fit + WEIGHTS["occupation"] * occupation_fit
        if "optional" in coverage:
            total += WEIGHTS["optional"] * coverage["optional"]
            weight += WEIGHTS["optional"]
        if o.languages:
            spoken = np.zeros(n, dtype=np.float32)
            for language, minimum in o.languages.items():
                levels = self.languages.get(LANGUAGES.index(language))
                if levels is None:
                    continue
                levels = pick(levels)
                spoken += np.where(
                    levels >= minimum, 1.0, np.where(levels > 0, PARTIAL_LANGUAGE, 0.0)
                ).astype(np.float32)
            total += WEIGHTS["languages"] * spoken / len(o.languages)
            weight += WEIGHTS["languages"]
        code = pick(self.flags).copy()
        if o.governorate_id:
            code[pick(self.governorate) == o.governorate_id] |= SAME_PLACE
            prefers = self.prefers.get(o.governorate_id)
            if prefers is not None:
                code[pick(prefers)] |= PREFERS_PLACE
        total += (_place_and_time_table(o) if place is None else place)[code]
        if not any_part:
            relevant[:] = True
        return total / weight, relevant


def _place_and_time_table(o: OpportunityFacts) -> Floats:
    """Weighted location and availability for every combination of a profile's flags."""
    return _place_and_time_of(o.kind, o.governorate_id is not None, o.remote)


# Which governorate an opportunity names does not change the table: a profile's flags say only
# whether it lives or would like to work there.
_ANY_GOVERNORATE = 1


@lru_cache(maxsize=64)
def _place_and_time_of(kind: str, placed: bool, remote: bool) -> Floats:
    """The table for an opportunity of this kind, in a governorate or not, remote or not (the
    only facts location and availability read), kept: 256 calls of the scorer cost more than
    the rest of a ranking's arithmetic."""
    governorate_id = _ANY_GOVERNORATE if placed else None
    o = OpportunityFacts(
        opportunity_id=0,
        kind=kind,
        essential=frozenset(),
        optional=frozenset(),
        occupation_id=None,
        isco_group="",
        languages={},
        governorate_id=governorate_id,
        remote=remote,
    )
    table = np.zeros(1 << 8, dtype=np.float32)
    for code in range(1 << 8):
        c = CandidateFacts(
            profile_id=0,
            person_id=0,
            skills={},
            occupations=[],
            languages={},
            in_iraq=bool(code & IN_IRAQ),
            governorate_id=o.governorate_id if code & SAME_PLACE else -1,
            preferred_governorates=frozenset(
                {o.governorate_id} if code & PREFERS_PLACE and o.governorate_id else set()
            ),
            willing_to_relocate=bool(code & RELOCATE),
            available_return=bool(code & RETURN),
            available_assignment=bool(code & ASSIGNMENT),
            available_remote=bool(code & REMOTE),
            available_mentoring=bool(code & MENTORING),
        )
        table[code] = WEIGHTS["location"] * location_fit(c, o) + WEIGHTS[
            "availability"
        ] * availability_fit(c, o)
    table.flags.writeable = False  # shared by every ranking for such an opportunity
    return table


# Bits of an opportunity's facts that decide location and availability for one person.
O_REMOTE, O_ANYWHERE, O_SAME_PLACE, O_PREFERRED = (1 << i for i in range(3, 7))


class OpportunityIndex:
    def __init__(self) -> None:
        self.built_at: datetime = timezone.now()
        started = time.perf_counter()
        rows = _rows(OPPORTUNITIES_SQL, [OpportunityStatus.OPEN])
        self.opportunity_ids = rows[:, 0].copy()
        self.kind = rows[:, 1].copy()
        self.occupation = rows[:, 2].copy()
        self.group = rows[:, 3].copy()
        self.groups = Groups(self.group)
        self.governorate = rows[:, 4].copy()
        self.remote = rows[:, 5] != 0
        n = len(rows)
        skills = _rows(
            "SELECT s.opportunity_id, s.skill_id, s.essential FROM matching_opportunityskill s "
            "JOIN matching_opportunity o ON o.id = s.opportunity_id WHERE o.status = %s",
            [OpportunityStatus.OPEN],
        )
        position = self.positions(skills[:, 0])
        essential = skills[:, 2] != 0
        self.essential_count = np.bincount(position[essential], minlength=n).astype(np.float32)
        self.optional_count = np.bincount(position[~essential], minlength=n).astype(np.float32)
        self.skills = Postings.build(skills[:, 1], position, essential)
        languages = _rows(OPPORTUNITY_LANGUAGES_SQL, [OpportunityStatus.OPEN])
        languages = languages[languages[:, 1] >= 0]
        self.language_position = self.positions(languages[:, 0])
        self.language = languages[:, 1].copy()
        self.language_minimum = languages[:, 2].copy()
        self.language_count = np.bincount(self.language_position, minlength=n).astype(np.float32)
        self.seconds = time.perf_counter() - started

    def __len__(self) -> int:
        return len(self.opportunity_ids)

    @property
    def nbytes(self) -> int:
        return _nbytes(self)

    def positions(self, opportunity_ids: Ints) -> Ints:
        if not len(self.opportunity_ids):
            return np.full(len(opportunity_ids), -1, dtype=np.int64)
        found = np.minimum(
            np.searchsorted(self.opportunity_ids, opportunity_ids), len(self.opportunity_ids) - 1
        )
        return np.where(self.opportunity_ids[found] == opportunity_ids, found, -1)

    def rank(self, c: CandidateFacts, *, skip: Iterable[int], limit: int) -> list[int]:
        """Ids of the `limit` open opportunities that fit the person best, leaving out `skip`."""
        if not len(self):
            return []
        score, relevant = self.scores(c)
        skipped = self.positions(np.fromiter(skip, np.int64))
        relevant[skipped[skipped >= 0]] = False
        chosen = np.flatnonzero(relevant)
        if len(chosen) > limit:
            chosen = chosen[np.argpartition(-score[chosen], limit - 1)[:limit]]
        return [int(pk) for pk in self.opportunity_ids[chosen]]

    def scores(self, c: CandidateFacts) -> tuple[Floats, Bools]:
        n = len(self)
        essential = np.zeros(n, dtype=np.float32)
        optional = np.zeros(n, dtype=np.float32)
        for skill, level in c.skills.items():
            span = self.skills.of(skill)
            positions, is_essential = self.skills.positions[span], self.skills.values[span]
            essential[positions[is_essential]] += LEVEL_CREDIT[level]
            optional[positions[~is_essential]] += LEVEL_CREDIT[level]
        has_essential = self.essential_count > 0
        has_optional = self.optional_count > 0
        has_group = self.group >= 0
        has_languages = self.language_count > 0
        essential /= np.maximum(self.essential_count, 1)
        optional /= np.maximum(self.optional_count, 1)
        best = np.zeros(n, dtype=np.float32)
        for occupation, group in c.occupations:
            if group:
                best = np.maximum(best, self.groups.proximity_to(int(group))[self.groups.dense])
                best[self.occupation == occupation] = PROXIMITY[0]
        spoken_levels = np.zeros(len(LANGUAGES), dtype=np.int64)
        for language, level in c.languages.items():
            spoken_levels[LANGUAGES.index(language)] = level
        spoken = spoken_levels[self.language]
        credit = np.where(
            spoken >= self.language_minimum, 1.0, np.where(spoken > 0, PARTIAL_LANGUAGE, 0.0)
        )
        languages = np.bincount(self.language_position, credit, minlength=n).astype(np.float32)
        languages /= np.maximum(self.language_count, 1)
        skills_fit = np.where(has_essential, essential, np.where(has_group, best, 0.0))
        occupation_fit = np.where(has_group, best, np.where(has_essential, essential, 0.0))
        total = (
            WEIGHTS["essential"] * skills_fit
            + WEIGHTS["occupation"] * occupation_fit
            + WEIGHTS["optional"] * optional
            + WEIGHTS["languages"] * languages
        )
        weight = (
            sum(WEIGHTS[part] for part in ALWAYS_WEIGHED)
            + WEIGHTS["optional"] * has_optional
            + WEIGHTS["languages"] * has_languages
        )
        code = self.kind.copy()
        code |= np.where(self.remote, O_REMOTE, 0)
        code |= np.where(self.governorate == 0, O_ANYWHERE, 0)
        if c.governorate_id:
            code |= np.where(self.governorate == c.governorate_id, O_SAME_PLACE, 0)
        if c.preferred_governorates:
            preferred = np.fromiter(c.preferred_governorates, np.int64)
            code |= np.where(np.isin(self.governorate, preferred), O_PREFERRED, 0)
        total += _opportunity_place_and_time_table(c)[code]
        asks_something = has_essential | has_optional | has_group
        relevant = ~asks_something | (essential > 0) | (optional > 0) | ((best > 0) & has_group)
        return (total / weight).astype(np.float32), relevant


def _opportunity_place_and_time_table(c: CandidateFacts) -> Floats:
    table = np.zeros(1 << 7, dtype=np.float32)
    place = c.governorate_id or -1
    elsewhere = -2  # a governorate that is neither the person's nor one they prefer
    preferred = next(iter(c.preferred_governorates - {place}), None)
    for code in range(1 << 7):
        kind = code & 0b111
        if kind >= len(KINDS):
            continue
        if code & O_ANYWHERE:
            governorate = None
        elif code & O_SAME_PLACE:
            governorate = place
        elif code & O_PREFERRED and preferred is not None:
            governorate = preferred
        else:
            governorate = elsewhere
        o = OpportunityFacts(
            opportunity_id=0,
            kind=KINDS[kind],
            essential=frozenset(),
            optional=frozenset(),
            occupation_id=None,
            isco_group="",
            languages={},
            governorate_id=governorate,
            remote=bool(code & O_REMOTE),
        )
        table[code] = WEIGHTS["location"] * location_fit(c, o) + WEIGHTS[
            "availability"
        ] * availability_fit(c, o)
    return table


class _Holder:
    """The index of this process, rebuilt when old or when much has changed since."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.profiles: ProfileIndex | None = None
        self.opportunities: OpportunityIndex | None = None

    def profile_index(self, changed: int = 0) -> ProfileIndex:
        with self.lock:
            index = self.profiles
            if (
                index is None
                or _too_old(index.built_at)
                or changed > settings.JISR_MATCHING_REBUILD_AFTER
            ):
                index = self.profiles = ProfileIndex()
            return index

    def opportunity_index(self, changed: int = 0) -> OpportunityIndex:
        with self.lock:
            index = self.opportunities
            if (
                index is None
                or _too_old(index.built_at)
                or changed > settings.JISR_MATCHING_REBUILD_AFTER
            ):
                index = self.opportunities = OpportunityIndex()
            return index

    def forget(self) -> None:
        with self.lock:
            self.profiles = self.opportunities = None


def _too_old(built_at: datetime) -> bool:
    return (timezone.now() - built_at).total_seconds() > settings.JISR_MATCHING_INDEX_SECONDS


indexes = _Holder()
