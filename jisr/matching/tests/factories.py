"""A small taxonomy (a few real ESCO occupations and skills), profiles and opportunities for the
tests of matching and of the apps that use it. The fixtures are imported by `conftest.py` here
and by the other apps' tests that need them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jisr.accounts.models import User
from jisr.matching.index import indexes
from jisr.matching.models import Opportunity, OpportunityKind, Profile, Visibility
from jisr.matching.services import (
    opportunity_create,
    profile_language_set,
    profile_occupation_add,
    profile_save,
    profile_skill_set,
)
from jisr.registry.models import Person
from jisr.skills.coding import forget_index
from jisr.skills.models import Occupation, OccupationSkill, Skill


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    indexes.forget()
    forget_index()
    yield
    indexes.forget()
    forget_index()


def small_taxonomy() -> dict[str, Any]:
    """Five occupations and five skills, with the essential skills of a civil engineer and a
    taxi driver."""

    def occupation(uuid: str, code: str, group: str, en: str, ar: str) -> Occupation:
        return Occupation.objects.create(
            uuid=uuid, code=code, isco_group=group, label_en=en, label_ar=ar
        )

    def skill(uuid: str, en: str, ar: str) -> Skill:
        return Skill.objects.create(
            uuid=uuid, skill_type="skill/competence", reuse_level="", label_en=en, label_ar=ar
        )

    t: dict[str, Any] = {
        "civil": occupation("o-civil", "2142.1", "2142", "civil engineer", "مهندس مدني"),
        "structural": occupation(
            "o-struct", "2142.3", "2142", "structural engineer", "مهندس إنشائي"
        ),
        "architect": occupation("o-arch", "2161.1", "2161", "architect", "معماري"),
        "mining": occupation("o-mine", "2146.1", "2146", "mining engineer", "مهندس تعدين"),
        "driver": occupation("o-taxi", "8322.1", "8322", "taxi driver", "سائق تكسي"),
        "cad": skill("s-cad", "use CAD software", "استخدام برامج التصميم (أوتوكاد)"),
        "site": skill("s-site", "supervise construction site", "الإشراف على موقع البناء"),
        "concrete": skill("s-concrete", "concrete testing", "فحص الخرسانة"),
        "budget": skill("s-budget", "manage budgets", "إدارة الميزانيات"),
        "drive": skill("s-drive", "drive vehicles", "قيادة المركبات"),
    }
    for name in ("cad", "site", "concrete"):
        OccupationSkill.objects.create(occupation=t["civil"], skill=t[name], essential=True)
    OccupationSkill.objects.create(occupation=t["civil"], skill=t["budget"], essential=False)
    OccupationSkill.objects.create(occupation=t["driver"], skill=t["drive"], essential=True)
    return t


@pytest.fixture
def taxonomy(db: Any) -> dict[str, Any]:
    return small_taxonomy()


def build_profile(
    by: User,
    person: Person,
    *,
    occupation: Occupation | None = None,
    skills: dict[Skill, int] | None = None,
    languages: dict[str, int] | None = None,
    visibility: str = Visibility.EMPLOYERS,
    **facts: Any,
) -> Profile:
    values: dict[str, Any] = {
        "available_return": True,
        "available_assignment": False,
        "available_remote": False,
        "available_mentoring": False,
        "willing_to_relocate": False,
    }
    values.update(facts)
    preferred = values.pop("preferred_governorates", [])
    profile = profile_save(
        by=by, person=person, visibility=visibility, preferred_governorates=preferred, **values
    )
    if occupation is not None:
        profile_occupation_add(by=by, person=person, occupation=occupation)
    for skill, level in (skills or {}).items():
        profile_skill_set(by=by, person=person, skill=skill, level=level)
    for language, level in (languages or {}).items():
        profile_language_set(by=by, person=person, language=language, level=level)
    return profile


def post(by: User, **fields: Any) -> Opportunity:
    """An open job (unless `fields` say otherwise) posted by `by`."""
    values: dict[str, Any] = {
        "kind": OpportunityKind.JOB,
        "title": "مهندس مدني لمشروع مدرسة",
        "status": "open",
    }
    values.update(fields)
    return opportunity_create(by=by, **values)
