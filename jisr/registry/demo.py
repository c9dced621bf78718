"""Demo persons: households of returnees, displaced people and Iraqis abroad, registered by
the demo caseworkers of the Ministry of Migration's branches, with their consent decisions."""

from __future__ import annotations

import random
from typing import Any

from jisr.accounts.models import User
from jisr.accounts.roles import Role
from jisr.core.demo_data import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from jisr.registry.models import (
    ConsentChannel,
    ConsentStatus,
    Person,
    PersonType,
    Purpose,
    Relationship,
    Sex,
)
from jisr.registry.services import case_answers_save, person_register

ABROAD = [
    ("DE", "Berlin"), ("SE", "Malmö"), ("GB", "London"), ("TR", "Istanbul"), ("JO", "Amman"),
    ("NL", "Rotterdam"), ("US", "Dearborn"), ("AU", "Sydney"), ("FI", "Helsinki"),
]  # fmt: skip
NICKNAMES = {"محمد": "حمودي", "عبد الله": "عبود", "علي": "أبو علي", "حسين": "حسوني"}


def build_persons(*, rng: random.Random, households_per_branch: int) -> int:
    """Create households until each MoMD branch has `households_per_branch`; returns how many
    persons were made."""
    made = 0
    caseworkers = User.objects.filter(
        email__startswith="momd.", role_grants__role=Role.CASEWORKER
    ).select_related("organisation__governorate")
    for caseworker in caseworkers.order_by("email"):
        branch = caseworker.organisation
        assert branch is not None
        existing = Person.objects.filter(
            organisation=branch, relationship=Relationship.HEAD
        ).count()
        for _ in range(max(0, households_per_branch - existing)):
            family = rng.choice(FAMILY_NAMES)
            father = rng.choice(MALE_NAMES)
            grandfather = rng.choice([n for n in MALE_NAMES if n != father])
            head_first = rng.choice([n for n in MALE_NAMES if n not in (father, grandfather)])
            female_head = rng.random() < 0.2
            if female_head:
                head_first = rng.choice(FEMALE_NAMES)
            abroad = rng.random() < 0.25
            country, city = rng.choice(ABROAD) if abroad else ("IQ", "")
            person_type = (
                PersonType.ABROAD
                if abroad
                else rng.choice(
                    [
                        PersonType.RETURNEE,
                        PersonType.RETURNEE,
                        PersonType.IDP_RETURNEE,
                        PersonType.IDP,
                    ]
                )
            )
            consents = {
                purpose: (
                    ConsentStatus.GIVEN
                    if purpose == Purpose.REGISTRATION or rng.random() < 0.8
                    else ConsentStatus.REFUSED
                )
                for purpose in Purpose
            }
            place: dict[str, Any] = {
                "country": country,
                "city": city,
                "governorate": None if abroad else branch.governorate,
            }
            head = person_register(
                by=caseworker,
                consents=consents,
                channel=ConsentChannel.IN_PERSON,
                first_name=head_first,
                father_name=father,
                grandfather_name=grandfather,
                family_name=family,
                mother_name=f"{rng.choice(FEMALE_NAMES)} {rng.choice(MALE_NAMES)}",
                aliases=NICKNAMES.get(head_first, ""),
                sex=Sex.FEMALE if female_head else Sex.MALE,
                birth_year=rng.randint(1960, 2000),
                person_type=person_type,
                phone=f"+96477{rng.randint(10_000_000, 99_999_999)}",
                **place,
            )
            made += 1
            case_answers_save(by=caseworker, person=head, answers=_answers(rng, abroad))
            for _child in range(rng.randint(0, 4)):
                female = rng.random() < 0.5
                person_register(
                    by=caseworker,
                    consents=consents,
                    channel=ConsentChannel.IN_PERSON,
                    household=head.household,
                    relationship=Relationship.CHILD,
                    first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
                    father_name=head_first if not female_head else rng.choice(MALE_NAMES),
                    grandfather_name=father,
                    family_name=family,
                    sex=Sex.FEMALE if female else Sex.MALE,
                    birth_year=rng.randint(2002, 2024),
                    person_type=person_type,
                    **place,
                )
                made += 1
    return made


def _answers(rng: random.Random, abroad: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "marital_status": rng.choice(["single", "married", "married", "widowed"]),
        "dependants": rng.randint(0, 6),
        "education_level": rng.choice(
            [
                "none",
                "primary",
                "intermediate",
                "preparatory",
                "vocational",
                "bachelor",
                "master",
                "doctorate",
            ]
        ),
        "employment_status": rng.choice(
            ["employed", "self_employed", "seeking", "seeking", "not_seeking"]
        ),
        "languages": sorted(rng.sample(["ar", "ckb", "en", "tr", "de", "sv"], 2)),
        "needs": sorted(
            rng.sample(["cash", "shelter", "employment", "training", "legal", "documentation"], 2)
        ),
        "disability": rng.random() < 0.08,
        "plans_to_stay": rng.choice(["yes", "yes", "unsure", "no"]),
    }
    if not abroad:
        answers.update(
            {
                "reasons_for_migrating": [
                    rng.choice(["security", "economic", "family", "persecution"])
                ],
                "asylum": rng.choice(["never", "granted", "rejected", "rejected"]),
                "return_date": f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-01",
                "returned_from": rng.choice(["DE", "SE", "TR", "GB", "FI", "NL"]),
                "return_assisted": rng.random() < 0.5,
            }
        )
    return answers
