"""The index proposes the candidates asked for and their near ties, not twice as many: the list is
the one a shortlist of twice the results gives, and a proposed profile refused on reading (hidden
since the index was built) leaves its place to the next best."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import translation

from jisr.matching import selectors
from jisr.matching.index import ProfileIndex
from jisr.matching.models import Opportunity
from jisr.matching.tests.test_matching_ranks_by_fit_within_consent import _random_world
from jisr.registry.models import Person, RecordStatus

pytestmark = pytest.mark.django_db


def _lists(people: dict[str, Any], limit: int) -> list[list[tuple[int, int, list[str]]]]:
    with translation.override("en"):
        return [
            [
                (m.profile.pk, m.score, m.reasons)
                for m in selectors.candidate_list(
                    fetched_by=people["employer"], opportunity=opportunity, limit=limit
                )
                if m.profile is not None
            ]
            for opportunity in Opportunity.objects.order_by("pk")
        ]


def test_the_lists_are_those_of_a_shortlist_twice_as_long(
    people,
    taxonomy,
    verified_company,
    monkeypatch,
):
    _random_world(people, taxonomy, random.Random(23))  # noqa: S311  (test data)
    read: list[int] = []
    reading = selectors._shortlist_profiles

    def counted(ids: set[int]) -> dict[int, Any]:
        read.append(len(ids))
        return reading(ids)

    monkeypatch.setattr(selectors, "_shortlist_profiles", counted)
    found = {limit: _lists(people, limit) for limit in (1, 3, 5)}
    assert any(len(shown) == 5 for shown in found[5])
    assert max(read) <= 2 * 5
    assert sum(read) < 2 * (1 + 3 + 5) * len(found[5])  # fewer read than twice the results

    rank = ProfileIndex.rank

    def twice_as_many(self: ProfileIndex, o: Any, **asked: Any) -> list[int]:
        asked.pop("near_ties", None)
        return rank(self, o, **{**asked, "limit": asked.get("most") or asked["limit"]})

    monkeypatch.setattr(ProfileIndex, "rank", twice_as_many)
    assert {limit: _lists(people, limit) for limit in (1, 3, 5)} == found


def test_a_proposed_profile_refused_on_reading_leaves_its_place_to_the_next(
    people,
    taxonomy,
    verified_company,
    monkeypatch,
):
    _random_world(people, taxonomy, random.Random(24))  # noqa: S311  (test data)
    opportunity = next(
        o for o in Opportunity.objects.order_by("pk") if len(_lists_of(people, o, 3)) == 3
    )
    best = _lists_of(people, opportunity, 3)
    # Closed without a stamp the index would notice: read anew, it is refused.
    monkeypatch.setattr(selectors, "_changed_profiles", lambda *args: set())
    Person.objects.filter(profile__pk=best[0]).update(status=RecordStatus.CLOSED)
    for limit in (1, 2):
        assert _lists_of(people, opportunity, limit) == best[1 : limit + 1]


def _lists_of(people: dict[str, Any], opportunity: Opportunity, limit: int) -> list[int]:
    return [
        m.profile.pk
        for m in selectors.candidate_list(
            fetched_by=people["employer"], opportunity=opportunity, limit=limit
        )
        if m.profile is not None
    ]
