"""The candidate list takes the shortlist's skills, occupations and languages from the index for
profiles unchanged since it was built (decision 0039): the same list as from the database, and
consent, visibility and the record's status still read anew for every profile."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import translation

from jisr.conftest import register_person
from jisr.matching import selectors
from jisr.matching.index import ProfileIndex
from jisr.matching.models import Opportunity, Profile, Visibility
from jisr.matching.tests.factories import build_profile, post
from jisr.matching.tests.test_matching_ranks_by_fit_within_consent import _random_world
from jisr.registry.models import ConsentChannel, ConsentStatus, Person, Purpose, RecordStatus
from jisr.registry.services import consent_record

pytestmark = pytest.mark.django_db


def _lists(people: dict[str, Any]) -> list[list[tuple[int, int, list[str], str]]]:
    found = []
    with translation.override("en"):
        for opportunity in Opportunity.objects.order_by("pk"):
            for reader in (people["employer"], people["carol"]):
                if not selectors.opportunity_can_manage(fetched_by=reader, opportunity=opportunity):
                    continue
                found.append(
                    [
                        (m.profile.pk, m.score, m.reasons, m.reference)
                        for m in selectors.candidate_list(
                            fetched_by=reader, opportunity=opportunity
                        )
                        if m.profile is not None
                    ]
                )
    return found


def test_the_index_facts_give_the_lists_the_database_gives(
    people, taxonomy, verified_company, monkeypatch
):
    _random_world(people, taxonomy, random.Random(11))  # noqa: S311  (test data)
    # A profile with more occupations than the index holds is read from the database.
    crowded = register_person(people["alice"], first_name="متعدد")
    profile = build_profile(people["alice"], crowded, occupation=taxonomy["civil"])
    for key in ("structural", "architect", "mining"):
        profile.occupations.create(occupation=taxonomy[key])
    from_index = _lists(people)
    assert any(from_index)
    monkeypatch.setattr(ProfileIndex, "known_facts", lambda self, ids, asked: {})
    assert _lists(people) == from_index


def test_consent_withdrawn_after_the_index_was_built_is_never_shown(
    people, taxonomy, verified_company, monkeypatch
):
    t, alice = taxonomy, people["alice"]
    person = register_person(alice, first_name="منسحب")
    profile = build_profile(alice, person, occupation=t["civil"], skills={t["cad"]: 3})
    opportunity = post(people["employer"], occupation=t["civil"])

    def shown() -> list[Any]:
        return selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)

    assert len(shown()) == 1  # the index is built, and holds the profile as visible
    # Even were the change not noticed since the index was built, it is read anew.
    monkeypatch.setattr(selectors, "_changed_profiles", lambda *args: set())
    consent_record(
        by=alice, person=person, purpose=Purpose.EMPLOYER_MATCHING,
        status=ConsentStatus.WITHDRAWN, channel=ConsentChannel.PHONE,
    )  # fmt: skip
    assert shown() == []
    consent_record(
        by=alice, person=person, purpose=Purpose.EMPLOYER_MATCHING,
        status=ConsentStatus.GIVEN, channel=ConsentChannel.PHONE,
    )  # fmt: skip
    assert len(shown()) == 1
    Person.objects.filter(pk=person.pk).update(status=RecordStatus.CLOSED)  # no signal, no stamp
    assert shown() == []
    Person.objects.filter(pk=person.pk).update(status=RecordStatus.ACTIVE)
    assert len(shown()) == 1
    Profile.objects.filter(pk=profile.pk).update(visibility=Visibility.HIDDEN)
    assert shown() == []


def test_a_skill_added_later_to_an_older_profile_is_found(people, taxonomy):
    # The skill rows come back in the order they were written, not the profiles': the
    # postings are put in the profiles' order, where the shortlist's skills are looked up.
    t, alice = taxonomy, people["alice"]
    older = build_profile(alice, register_person(alice, first_name="أقدم"), skills={t["site"]: 2})
    newer = build_profile(alice, register_person(alice, first_name="أحدث"), skills={t["cad"]: 3})
    older.skills.create(skill=t["cad"], level=1)
    index = ProfileIndex()
    known = index.known_facts([older.pk, newer.pk], [t["cad"].pk, t["site"].pk])
    assert known[older.pk].skills == {t["cad"].pk: 1, t["site"].pk: 2}
    assert known[newer.pk].skills == {t["cad"].pk: 3}
