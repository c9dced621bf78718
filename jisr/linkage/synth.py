"""Pairs of registers of the same people with known truth, for testing and measuring linkage.

A population is drawn with the structure that makes Iraqi registers hard to link: brothers and
sisters share father, grandfather, family and mother names; namesakes share a triple name; many
people have a nickname or a kunya. Each register then writes each person with its own noise, and
every record keeps the kinds of noise it got, so accuracy can be reported per kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from jisr.linkage.engine.names import FAMILY, FEMALE, KUNYA_PREFIX, MALE, NICKNAMES, TITLES

GOVERNORATES = [
    "IQ-BG", "IQ-BA", "IQ-NI", "IQ-AR", "IQ-SU", "IQ-DA", "IQ-KI", "IQ-AN", "IQ-SD", "IQ-DI",
    "IQ-WA", "IQ-BB", "IQ-KA", "IQ-NA", "IQ-QA", "IQ-DQ", "IQ-MA", "IQ-MU",
]  # fmt: skip
COLUMNS = [
    "record_id", "full_name", "first_name", "father_name", "grandfather_name", "family_name",
    "mother_name", "sex", "birth_date", "governorate", "phone",
]  # fmt: skip
NOISE = (
    "spelling", "nickname", "kunya", "missing_part", "title", "latin", "year_only", "july_first",
    "day_month_swap", "moved", "new_phone", "full_name_only",
)  # fmt: skip
NICKNAME_OF = {formal: nick for nick, formal in NICKNAMES.items()}
SPELLING = [("ة", "ه"), ("أ", "ا"), ("إ", "ا"), ("ى", "ي"), ("عبد ال", "عبدال"), ("ي", "ى")]


@dataclass
class Person:
    key: int
    first: str
    father: str
    grandfather: str
    family: str
    mother: str
    sex: str
    birth: dt.date
    governorate: str
    phone: str
    eldest_son: str = ""


@dataclass
class Record:
    row: dict[str, str]
    person: int
    noise: list[str] = field(default_factory=list)


def population(size: int, rng: random.Random) -> list[Person]:
    """People in families: siblings share father, grandfather, family and mother."""
    people: list[Person] = []
    males, females, families = list(MALE), list(FEMALE), list(FAMILY)
    while len(people) < size:
        father, grandfather = rng.choice(males), rng.choice(males)
        family, mother = rng.choice(families), f"{rng.choice(females)} {rng.choice(males)}"
        governorate = rng.choice(GOVERNORATES)
        children = rng.choice([1, 1, 2, 2, 3, 4])
        sons: list[str] = []
        for _ in range(children):
            sex = rng.choice("MF")
            first = rng.choice(males if sex == "M" else females)
            if sex == "M":
                sons.append(first)
            birth = dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
            people.append(
                Person(
                    len(people),
                    first,
                    father,
                    grandfather,
                    family,
                    mother,
                    sex,
                    birth,
                    governorate,
                    f"+96477{rng.randint(10_000_000, 99_999_999)}",
                )
            )
        for person in people[-children:]:
            if person.sex == "M" and sons and rng.random() < 0.5:
                person.eldest_son = sons[0]
    return people[:size]


def _spelling(text: str, rng: random.Random) -> str:
    for old, new in rng.sample(SPELLING, len(SPELLING)):
        if old in text:
            return text.replace(old, new, 1)
    return text


def write_person(person: Person, record_id: str, rng: random.Random, noise_rate: float) -> Record:
    """One register's record of `person`, with some kinds of noise (each kept on the record)."""
    noise = [n for n in NOISE if rng.random() < noise_rate / 3]
    first, father, grandfather, family = (
        person.first,
        person.father,
        person.grandfather,
        person.family,
    )
    if "nickname" in noise and first in NICKNAME_OF:
        first = NICKNAME_OF[first]
    elif "nickname" in noise:
        noise.remove("nickname")
    if "spelling" in noise:
        first, father = _spelling(first, rng), _spelling(father, rng)
    if "missing_part" in noise:
        if rng.random() < 0.5:
            grandfather = ""
        else:
            family = ""
    birth = person.birth.isoformat()
    if "year_only" in noise:
        birth = str(person.birth.year)
    elif "july_first" in noise:
        birth = f"{person.birth.year}-07-01"
    elif (
        "day_month_swap" in noise
        and person.birth.day <= 12
        and person.birth.day != person.birth.month
    ):
        birth = dt.date(person.birth.year, person.birth.day, person.birth.month).isoformat()
    elif "day_month_swap" in noise:
        noise.remove("day_month_swap")
    governorate = rng.choice(GOVERNORATES) if "moved" in noise else person.governorate
    phone = f"+96478{rng.randint(10_000_000, 99_999_999)}" if "new_phone" in noise else person.phone
    if rng.random() < 0.15:
        phone = ""
    parts = [first, father, grandfather, family]
    full = " ".join(p for p in parts if p)
    if "kunya" in noise and person.eldest_son:
        full = f"{full} ({KUNYA_PREFIX} {person.eldest_son})"
    elif "kunya" in noise:
        noise.remove("kunya")
    if "title" in noise:
        full = f"{rng.choice(TITLES)} {full}"
    if "latin" in noise:
        full = " ".join(
            rng.choice(MALE.get(p) or FEMALE.get(p) or FAMILY.get(p) or (p,)) for p in parts if p
        )
        parts = ["", "", "", ""]
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        record_id=record_id,
        full_name=full,
        sex=person.sex,
        birth_date=birth,
        governorate=governorate,
        phone=phone,
    )
    if "full_name_only" not in noise and "latin" not in noise:
        row.update(
            first_name=parts[0],
            father_name=parts[1],
            grandfather_name=parts[2],
            family_name=parts[3],
            mother_name=person.mother,
        )
    return Record(row, person.key, noise)


@dataclass
class Pair:
    left: list[Record]
    right: list[Record]
    truth: list[tuple[str, str]]


def registers(size: int, *, overlap: float = 0.6, noise_rate: float = 0.5, seed: int = 1) -> Pair:
    """Two registers of `size` records each; `overlap` of the people are in both."""
    rng = random.Random(seed)  # noqa: S311  (test data)
    shared = int(size * overlap)
    people = population(2 * size - shared, rng)
    rng.shuffle(people)
    in_left = people[:size]
    in_right = people[:shared] + people[size : 2 * size - shared]
    left = [write_person(p, f"L{i}", rng, noise_rate) for i, p in enumerate(in_left)]
    right = [write_person(p, f"R{i}", rng, noise_rate) for i, p in enumerate(in_right)]
    by_person = {r.person: r.row["record_id"] for r in left}
    truth = [(by_person[r.person], r.row["record_id"]) for r in right if r.person in by_person]
    return Pair(left, right, truth)


def duplicated_register(
    size: int, *, duplicates: float = 0.3, noise_rate: float = 0.5, seed: int = 1
) -> tuple[list[Record], dict[str, int]]:
    """One register of `size` records in which some people appear two or three times."""
    rng = random.Random(seed)  # noqa: S311  (test data)
    people = population(size, rng)
    records: list[Record] = []
    for person in people:
        copies = 1 + (rng.random() < duplicates) + (rng.random() < duplicates / 4)
        for _ in range(copies):
            if len(records) < size:
                records.append(write_person(person, f"D{len(records)}", rng, noise_rate))
    return records, {r.row["record_id"]: r.person for r in records}


def write_csv(path: Path, records: list[Record]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(r.row for r in records)
