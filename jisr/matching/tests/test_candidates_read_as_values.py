"""The candidate list reads the shortlisted profiles and the names as values, and makes model
instances only for the profiles it shows: those are still whole records, the same as the
database gives, and the names are those the models give in every language (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jisr.conftest import register_person
from jisr.matching import selectors
from jisr.matching.models import Profile
from jisr.matching.tests.factories import build_profile, post
from jisr.skills.models import Occupation, Skill

pytestmark = pytest.mark.django_db


def _fields(profile: Profile) -> dict[str, Any]:
    return {field.attname: getattr(profile, field.attname) for field in Profile._meta.fields}


def test_the_profiles_shown_are_whole_records(people, taxonomy, verified_company):
    t, alice = taxonomy, people["alice"]
    for number, skills in enumerate(({t["cad"]: 3, t["site"]: 2}, {t["cad"]: 1}, {})):
        profile = build_profile(
            alice, register_person(alice, first_name=f"مرشح{number}"), occupation=t["civil"],
            skills=skills, available_assignment=True,
        )  # fmt: skip
        Profile.objects.filter(pk=profile.pk).update(
            experience=f"خبرة {number}", experience_years=number + 2, assignment_months=6
        )
    opportunity = post(people["employer"], occupation=t["civil"])
    found = selectors.candidate_list(fetched_by=people["employer"], opportunity=opportunity)
    assert len(found) == 3
    with CaptureQueriesContext(connection) as queries:
        shown = [_fields(m.profile) for m in found if m.profile is not None]
    assert not queries.captured_queries  # every field was read with the list
    assert shown == [_fields(Profile.objects.get(pk=row["id"])) for row in shown]
    assert all(m.profile is not None and m.profile._state.db == "default" for m in found)


@pytest.mark.parametrize("language", ["ar", "en", "ckb", "fr"])
def test_names_read_as_values_are_the_models_names(people, taxonomy, language):
    t = taxonomy
    t["site"].label_ckb = ""  # no Kurdish name: Arabic stands in
    t["site"].save()
    opportunity = post(people["employer"], occupation=t["civil"])
    needs = selectors.opportunity_facts([opportunity.pk])[opportunity.pk]
    with translation.override(language):
        names = selectors._names([needs], [])
        assert names.skills == {
            s.pk: s.label for s in Skill.objects.filter(pk__in=needs.essential | needs.optional)
        }
        assert names.occupations == {t["civil"].pk: Occupation.objects.get(pk=t["civil"].pk).label}
