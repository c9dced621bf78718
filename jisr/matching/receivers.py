"""Matching follows what the registry tells it (the registry sits below matching and never
imports it)."""

from __future__ import annotations

from typing import Any

from jisr.accounts.models import User
from jisr.matching.services import profile_occupation_add
from jisr.registry.models import Person
from jisr.skills.coding import suggest_occupations
from jisr.skills.models import Occupation


def occupation_from_import(
    sender: Any, *, person: Person, by: User, occupation: str, **_: Any
) -> None:
    """The job title of an imported row, coded to the closest ESCO occupation, becomes the first
    occupation of the person's skills profile (hidden until the person chooses otherwise)."""
    if not occupation:
        return
    found = suggest_occupations(occupation, top=1)
    coded = Occupation.objects.filter(pk=found[0].id).first() if found else None
    if coded is not None:
        profile_occupation_add(by=by, person=person, occupation=coded, title=occupation)
