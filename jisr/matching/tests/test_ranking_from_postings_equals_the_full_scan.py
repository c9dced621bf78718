"""Ranking from the postings (only the profiles that share a skill or are close by occupation)
gives exactly the candidates, in exactly the order, of scoring every profile."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from jisr.conftest import register_person
from jisr.matching.index import KINDS, ProfileIndex
from jisr.matching.models import Visibility
from jisr.matching.scoring import OpportunityFacts
from jisr.matching.tests.factories import build_profile
from jisr.places.models import Governorate

pytestmark = pytest.mark.django_db

NAMES = ("cad", "site", "concrete", "budget", "drive")
JOBS = ("civil", "structural", "architect", "mining", "driver")


def _profiles(people: dict[str, Any], taxonomy: dict[str, Any], rng: random.Random) -> None:
    governorates = list(Governorate.objects.all()[:4])
    skills = [taxonomy[k] for k in NAMES]
    occupations = [taxonomy[k] for k in JOBS]
    for number in range(60):
        abroad = rng.random() < 0.3
        person = register_person(
            people["alice"], first_name=f"اسم{number}", country="DE" if abroad else "IQ",
            person_type="abroad" if abroad else "returnee",
            governorate=None if abroad else rng.choice(governorates),
        )  # fmt: skip
        build_profile(
            people["alice"], person,
            occupation=rng.choice([*occupations, None]),
            skills={s: rng.randint(1, 4) for s in rng.sample(skills, rng.randint(0, 3))},
            languages={"ar": 4, **({"en": rng.randint(1, 4)} if rng.random() < 0.5 else {})},
            visibility=rng.choice(list(Visibility)),
            available_return=rng.random() < 0.5, available_assignment=rng.random() < 0.5,
            available_remote=rng.random() < 0.5, willing_to_relocate=rng.random() < 0.4,
            preferred_governorates=rng.sample(governorates, rng.randint(0, 2)),
        )  # fmt: skip


def _opportunity(taxonomy: dict[str, Any], rng: random.Random, number: int) -> OpportunityFacts:
    asked = rng.sample([taxonomy[k].pk for k in NAMES], rng.randint(0, 4))
    cut = rng.randint(0, len(asked))
    occupation = rng.choice([*(taxonomy[k] for k in JOBS), None])
    return OpportunityFacts(
        opportunity_id=number,
        kind=rng.choice(KINDS),
        essential=frozenset(asked[:cut]),
        optional=frozenset(asked[cut:]),
        occupation_id=occupation.pk if occupation and rng.random() < 0.8 else None,
        isco_group=occupation.isco_group if occupation else "",
        languages={"en": rng.randint(1, 3)} if rng.random() < 0.5 else {},
        governorate_id=rng.choice([*Governorate.objects.values_list("pk", flat=True)[:4], None]),
        remote=rng.random() < 0.3,
    )


def test_ranking_from_postings_is_the_ranking_of_every_profile(people, taxonomy):
    rng = random.Random(14)  # noqa: S311  (test data)
    _profiles(people, taxonomy, rng)
    index = ProfileIndex()
    assert len(index) == 60
    profile_ids = index.profile_ids.tolist()
    near_only = 0
    for number in range(400):
        o = _opportunity(taxonomy, rng, number)
        level, limit = rng.randint(0, 2), rng.randint(1, 25)
        skip = rng.sample(profile_ids, rng.randint(0, 5))
        everyone = index.rank(o, min_level=level, skip=skip, limit=limit, exhaustive=True)
        assert index.rank(o, min_level=level, skip=skip, limit=limit) == everyone, (o, skip)
        near_only += bool(o.isco_group and len(everyone) > limit // 2)
    assert near_only > 50  # the walk by occupation was taken, not only the skills' postings


def test_near_ties_from_the_postings_are_those_of_every_profile(people, taxonomy):
    # The candidate list asks for the results and the profiles scoring just below the last of
    # them (float32 here, float64 in the exact scorer): the postings must miss none of them.
    rng = random.Random(15)  # noqa: S311  (test data)
    _profiles(people, taxonomy, rng)
    index = ProfileIndex()
    profile_ids = index.profile_ids.tolist()
    widened = 0
    for number in range(400):
        o = _opportunity(taxonomy, rng, number)
        level, limit = rng.randint(0, 2), rng.randint(1, 12)
        skip = rng.sample(profile_ids, rng.randint(0, 5))
        # Wide enough here to hold several profiles (the selector's is 1e-5).
        asked: dict[str, Any] = {"min_level": level, "skip": skip, "limit": limit}
        near: dict[str, Any] = {"near_ties": 0.05, "most": 2 * limit}
        everyone = index.rank(o, **asked, **near, exhaustive=True)
        found = index.rank(o, **asked, **near)
        assert found == everyone, (o, skip)
        assert found[:limit] == index.rank(o, min_level=level, skip=skip, limit=limit)
        widened += len(found) > limit
    assert widened > 50


def test_a_ranking_that_fails_leaves_the_next_one_right(people, taxonomy, monkeypatch):
    # The sums are added up in arrays kept from one ranking to the next (zeroed after each): a
    # ranking that fails half-way, its sums added up, must not leave them to the next.
    rng = random.Random(16)  # noqa: S311  (test data)
    _profiles(people, taxonomy, rng)
    index = ProfileIndex()
    asking = [o for o in (_opportunity(taxonomy, rng, n) for n in range(200)) if o.essential]
    real = ProfileIndex._covered_and_holders

    def failing(self: ProfileIndex, *args: Any) -> Any:
        real(self, *args)
        raise RuntimeError

    for o, after in itertools.pairwise(asking):
        monkeypatch.setattr(ProfileIndex, "_covered_and_holders", failing)
        with pytest.raises(RuntimeError):
            index.rank(o, min_level=0, skip=(), limit=5)
        monkeypatch.setattr(ProfileIndex, "_covered_and_holders", real)
        everyone = index.rank(after, min_level=0, skip=(), limit=5, exhaustive=True)
        assert index.rank(after, min_level=0, skip=(), limit=5) == everyone


def test_ties_go_to_the_older_profile_whatever_the_order_the_index_keeps(people, taxonomy):
    # The index keeps the profiles by occupation, not by id: equal scores still rank the older
    # profile first, as the exact scorer does.
    governorate = Governorate.objects.first()
    made = []
    for number in range(8):
        person = register_person(
            people["alice"], first_name=f"تعادل{number}", country="IQ", person_type="returnee",
            governorate=governorate,
        )  # fmt: skip
        made.append(
            build_profile(
                people["alice"], person,
                # Later profiles in an earlier ISCO-08 group: kept before the older ones.
                occupation=taxonomy["driver" if number % 2 == 0 else "civil"],
                skills={taxonomy["cad"]: 3}, languages={"ar": 4},
            ).pk
        )  # fmt: skip
    index = ProfileIndex()
    assert index.profile_ids.tolist() != sorted(index.profile_ids.tolist())
    o = OpportunityFacts(
        opportunity_id=1, kind="job", essential=frozenset({taxonomy["cad"].pk}),
        optional=frozenset(), occupation_id=None, isco_group="", languages={},
        governorate_id=governorate.pk if governorate else None, remote=False,
    )  # fmt: skip
    for limit in (1, 3, 5):
        assert index.rank(o, min_level=0, skip=(), limit=limit) == made[:limit]
        assert index.rank(o, min_level=0, skip=(), limit=limit, exhaustive=True) == made[:limit]
        near = index.rank(o, min_level=0, skip=(), limit=limit, near_ties=1e-5, most=6)
        assert near == made[:6]
