"""The matching engine: the index agrees with the exact scorer, and what may not be seen is not."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import translation

from jisr.conftest import register_person
from jisr.matching import selectors
from jisr.matching.index import OpportunityIndex, ProfileIndex
from jisr.matching.models import OpportunityKind, Visibility
from jisr.matching.scoring import combine, score_components
from jisr.matching.services import opportunity_set_status, profile_save
from jisr.matching.tests.factories import build_profile, post
from jisr.places.models import Governorate
from jisr.registry.models import ConsentChannel, ConsentStatus, Purpose
from jisr.registry.services import consent_record
from jisr.skills.models import OccupationSkill

pytestmark = pytest.mark.django_db


def _random_world(people: dict[str, Any], taxonomy: dict[str, Any], rng: random.Random) -> None:
    governorates = list(Governorate.objects.all()[:4])
    skills = [taxonomy[k] for k in ("cad", "site", "concrete", "budget", "drive")]
    occupations = [taxonomy[k] for k in ("civil", "structural", "architect", "mining", "driver")]
    for number in range(24):
        abroad = rng.random() < 0.3
        person = register_person(
            people["alice"], first_name=f"اسم{number}", country="DE" if abroad else "IQ",
            person_type="abroad" if abroad else "returnee",
            governorate=None if abroad else rng.choice(governorates),
        )  # fmt: skip
        build_profile(
            people["alice"], person,
            occupation=rng.choice([*occupations, None]),
            skills={s: rng.randint(1, 4) for s in rng.sample(skills, rng.randint(0, 4))},
            languages={"ar": 4, **({"en": rng.randint(1, 4)} if rng.random() < 0.5 else {})},
            available_return=rng.random() < 0.5, available_assignment=rng.random() < 0.5,
            available_remote=rng.random() < 0.5, available_mentoring=rng.random() < 0.3,
            willing_to_relocate=rng.random() < 0.4,
            preferred_governorates=rng.sample(governorates, rng.randint(0, 2)),
        )  # fmt: skip
    for number, kind in enumerate(OpportunityKind):
        post(
            people["employer"], kind=kind, title=f"فرصة {number}",
            occupation=rng.choice([*occupations, None]),
            skills=[(s, rng.random() < 0.6) for s in rng.sample(skills, rng.randint(0, 4))],
            languages=[("en", rng.randint(1, 3))] if rng.random() < 0.5 else [],
            governorate=rng.choice([*governorates, None]), remote=rng.random() < 0.3,
        )  # fmt: skip


def test_the_index_scores_exactly_as_the_scorer(people, taxonomy):
    _random_world(people, taxonomy, random.Random(7))  # noqa: S311  (test data)
    profiles, opportunities = ProfileIndex(), OpportunityIndex()
    assert len(profiles) == 24
    assert len(opportunities) == len(OpportunityKind)
    candidates = selectors.candidate_facts(profiles.profile_ids.tolist())
    needs = selectors.opportunity_facts(opportunities.opportunity_ids.tolist())
    checked = 0
    for o in needs.values():
        scores, relevant = profiles.scores(o)
        for position, profile_id in enumerate(profiles.profile_ids.tolist()):
            parts = score_components(candidates[profile_id][0], o)
            assert scores[position] == pytest.approx(combine(parts), abs=1e-5)
            assert bool(relevant[position]) == parts.relevant
            checked += 1
    for c, _level in candidates.values():
        scores, relevant = opportunities.scores(c)
        for position, opportunity_id in enumerate(opportunities.opportunity_ids.tolist()):
            parts = score_components(c, needs[opportunity_id])
            assert scores[position] == pytest.approx(combine(parts), abs=1e-5)
            assert bool(relevant[position]) == parts.relevant
            checked += 1
    assert checked == 2 * 24 * len(OpportunityKind)


def test_candidates_are_ranked_with_reasons_in_plain_words(people, taxonomy, verified_company):
    t = taxonomy
    alice = people["alice"]
    strong = build_profile(
        alice, register_person(alice, first_name="قوي"), occupation=t["civil"],
        skills={t["cad"]: 3, t["site"]: 3}, languages={"ar": 4, "en": 3},
    )  # fmt: skip
    weak = build_profile(
        alice, register_person(alice, first_name="ضعيف"), occupation=t["architect"],
        skills={t["cad"]: 1},
    )  # fmt: skip
    build_profile(alice, register_person(alice, first_name="سائق"), occupation=t["driver"])
    opportunity = post(
        people["employer"], occupation=t["civil"], languages=[("en", 2)], title="Site engineer"
    )
    assert opportunity.skills.filter(essential=True).count() == 3  # ESCO's, filled in
    with translation.override("en"):
        matches = selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)
    assert [m.profile for m in matches] == [strong, weak]  # the driver is not relevant
    reasons = " | ".join(matches[0].reasons)
    assert "Has 2 of 3 essential skills of civil engineer; missing: concrete testing" in reasons
    assert "Works as civil engineer" in reasons
    assert "Speaks English" in reasons
    assert matches[0].score > matches[1].score
    with translation.override("ar"):
        matches = selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)
    assert "فحص الخرسانة" in " ".join(matches[0].reasons)


def test_withdrawn_consent_and_hidden_profiles_disappear_at_once(
    people, taxonomy, verified_company
):
    t = taxonomy
    alice = people["alice"]
    person = register_person(alice, first_name="منسحب")
    build_profile(alice, person, occupation=t["civil"], skills={t["cad"]: 3})
    opportunity = post(people["employer"], occupation=t["civil"])
    assert (
        len(selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)) == 1
    )
    consent_record(
        by=alice, person=person, purpose=Purpose.EMPLOYER_MATCHING,
        status=ConsentStatus.WITHDRAWN, channel=ConsentChannel.PHONE,
    )  # fmt: skip
    assert selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity) == []
    consent_record(
        by=alice, person=person, purpose=Purpose.EMPLOYER_MATCHING,
        status=ConsentStatus.GIVEN, channel=ConsentChannel.PHONE,
    )  # fmt: skip
    assert (
        len(selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)) == 1
    )
    profile_save(by=alice, person=person, visibility=Visibility.GOVERNMENT)
    assert selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity) == []


def test_visibility_decides_who_finds_a_profile(people, orgs, taxonomy):
    t = taxonomy
    alice, carol, employer = people["alice"], people["carol"], people["employer"]
    government_only = build_profile(
        alice, register_person(alice, first_name="حكومي"), occupation=t["civil"],
        visibility=Visibility.GOVERNMENT,
    )  # fmt: skip
    build_profile(
        alice, register_person(alice, first_name="مخفي"), occupation=t["civil"],
        visibility=Visibility.HIDDEN,
    )  # fmt: skip
    open_to_all = build_profile(
        alice, register_person(alice, first_name="مفتوح"), occupation=t["civil"]
    )
    by_ministry = post(carol, occupation=t["civil"], kind=OpportunityKind.EXPERT_ASSIGNMENT)
    by_company = post(employer, occupation=t["civil"])
    found = selectors.candidate_list(fetched_by=carol, opportunity=by_ministry)
    assert {m.profile for m in found} == {government_only, open_to_all}
    # An organisation the platform has not verified finds nobody.
    assert selectors.candidate_list(fetched_by=employer, opportunity=by_company) == []
    orgs["company"].verified = True
    orgs["company"].save()
    employer.refresh_from_db()
    found = selectors.candidate_list(fetched_by=employer, opportunity=by_company)
    assert {m.profile for m in found} == {open_to_all}


def test_changes_after_the_index_was_built_count_at_once(people, taxonomy, verified_company):
    t = taxonomy
    alice = people["alice"]
    opportunity = post(people["employer"], occupation=t["civil"])
    assert selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity) == []
    newcomer = build_profile(
        alice, register_person(alice, first_name="جديد"), occupation=t["civil"]
    )
    found = selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)
    assert [m.profile for m in found] == [newcomer]
    person = newcomer.person
    assert [m.opportunity for m in selectors.opportunity_list_matching(person=person)] == [
        opportunity
    ]
    opportunity_set_status(by=people["employer"], opportunity=opportunity, status="closed")
    assert selectors.opportunity_list_matching(person=person) == []


def test_opportunities_for_a_person_rank_the_closest_first(people, taxonomy):
    t = taxonomy
    alice = people["alice"]
    person = register_person(alice, first_name="باحث")
    build_profile(alice, person, occupation=t["structural"], skills={t["cad"]: 4})
    OccupationSkill.objects.create(occupation=t["mining"], skill=t["budget"], essential=True)
    near = post(people["employer"], occupation=t["civil"], title="civil")
    far = post(people["employer"], occupation=t["mining"], title="mining")
    post(people["employer"], occupation=t["driver"], title="driver")
    with translation.override("en"):
        found = selectors.opportunity_list_matching(person=person)
    assert [m.opportunity for m in found] == [near, far]
    assert any("same ISCO-08 group 2142" in r for r in found[0].reasons)
