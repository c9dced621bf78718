"""Matching follows what the registry tells it (the registry sits below matching and never
imports it)."""

from __future__ import annotations

from typing import Any

from jisr.accounts.models import User
from jisr.matching.services import profiles_start_from_import
from jisr.registry.models import Person
from jisr.skills.coding import suggest_occupations
from jisr.skills.models import Occupation


def occupations_from_import(
    sender: Any, *, persons: list[tuple[Person, str]], by: User, **_: Any
) -> None:
    """The job title of each imported row, coded to the closest ESCO occupation, becomes the
    first occupation of the person's skills profile (hidden until the person chooses otherwise).
    Each distinct title is coded once."""
    titled = [(person, title) for person, title in persons if title]
    if not titled:
        return
    coded: dict[str, int | None] = {}
    for title in {title for _person, title in titled}:
        found = suggest_occupations(title, top=1)
        coded[title] = found[0].id if found else None
    occupations = Occupation.objects.in_bulk({pk for pk in coded.values() if pk is not None})
    profiles_start_from_import(
        by=by,
        items=[
            (person, occupations[pk], title)
            for person, title in titled
            if (pk := coded[title]) is not None and pk in occupations
        ],
    )
