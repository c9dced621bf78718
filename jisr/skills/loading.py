"""Loading the shipped taxonomy files (`data/`), idempotently: run it again and nothing changes;
run it after the files change and the differences are written."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from jisr.skills.coding import coding_index_rebuild
from jisr.skills.models import IscoGroup, Occupation, OccupationSkill, Skill

DATA = Path(__file__).resolve().parent / "data"


def _read(name: str) -> Iterator[dict[str, str]]:
    path = DATA / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@dataclass
class Loaded:
    groups: int
    occupations: int
    skills: int
    relations: int
    iraqi_labels: int
    iraqi_skill_labels: int = 0


@transaction.atomic
def load_taxonomy() -> Loaded:
    IscoGroup.objects.bulk_create(
        [IscoGroup(code=r["code"], label_en=r["label_en"]) for r in _read("isco_groups.csv.gz")],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label_en"],
    )
    occupation_rows = list(_read("occupations.csv.gz"))
    Occupation.objects.bulk_create(
        [
            Occupation(
                uuid=r["uuid"],
                code=r["code"],
                isco_group=r["isco_group"],
                label_en=r["label_en"],
                label_ar=r["label_ar"],
                synonyms_en=r["alt_labels_en"],
            )
            for r in occupation_rows
        ],
        update_conflicts=True,
        unique_fields=["uuid"],
        update_fields=["code", "isco_group", "label_en", "synonyms_en"],
        batch_size=1000,
    )
    skill_rows = list(_read("skills.csv.gz"))
    Skill.objects.bulk_create(
        [
            Skill(
                uuid=r["uuid"],
                skill_type=r["skill_type"],
                reuse_level=r["reuse_level"],
                label_en=r["label_en"],
                synonyms_en=r["alt_labels_en"],
            )
            for r in skill_rows
        ],
        update_conflicts=True,
        unique_fields=["uuid"],
        update_fields=["skill_type", "reuse_level", "label_en", "synonyms_en"],
        batch_size=1000,
    )
    occupation_pk = dict(Occupation.objects.values_list("uuid", "pk"))
    skill_pk = dict(Skill.objects.values_list("uuid", "pk"))
    occupation_uuid = {r["id"]: r["uuid"] for r in occupation_rows}
    skill_uuid = {r["id"]: r["uuid"] for r in skill_rows}
    links = [
        OccupationSkill(
            occupation_id=occupation_pk[occupation_uuid[r["occupation"]]],
            skill_id=skill_pk[skill_uuid[r["skill"]]],
            essential=r["relation"] == "e",
        )
        for r in _read("occupation_skills.csv.gz")
    ]
    OccupationSkill.objects.bulk_create(
        links,
        update_conflicts=True,
        unique_fields=["occupation", "skill"],
        update_fields=["essential"],
        batch_size=2000,
    )
    iraqi = _apply_iraqi_labels()
    iraqi_skills = _apply_iraqi_skill_labels()
    _apply_iraqi_group_labels()
    # In the same transaction: the coding indexes kept always match the taxonomy (decision 0029).
    coding_index_rebuild()
    return Loaded(
        groups=IscoGroup.objects.count(),
        occupations=len(occupation_rows),
        skills=len(skill_rows),
        relations=len(links),
        iraqi_labels=iraqi,
        iraqi_skill_labels=iraqi_skills,
    )


def _apply_iraqi_labels() -> int:
    """The names used in Iraq (Arabic, Central Kurdish) for the most common occupations."""
    if not (DATA / "iraq_occupation_labels.csv").exists():
        return 0
    by_uuid = {o.uuid: o for o in Occupation.objects.all()}
    changed = []
    for row in _read("iraq_occupation_labels.csv"):
        occupation = by_uuid.get(row["uri"].rstrip("/").rsplit("/", 1)[-1])
        if occupation is None:
            continue
        occupation.label_ar = row["label_ar"] or occupation.label_ar
        occupation.label_ckb = row["label_ckb"]
        occupation.synonyms_ar = row["synonyms_ar"]
        occupation.synonyms_ckb = row["synonyms_ckb"]
        if row["synonyms_en"]:
            occupation.synonyms_en = "|".join(
                filter(None, [occupation.synonyms_en, row["synonyms_en"]])
            )
        changed.append(occupation)
    Occupation.objects.bulk_update(
        changed,
        ["label_ar", "label_ckb", "synonyms_ar", "synonyms_ckb", "synonyms_en"],
        batch_size=500,
    )
    return len(changed)


def _apply_iraqi_skill_labels() -> int:
    """Jisr's Arabic and Central Kurdish names for the skills of the common occupations."""
    if not (DATA / "iraq_skill_labels.csv").exists():
        return 0
    by_uuid = {s.uuid: s for s in Skill.objects.all()}
    changed = []
    for row in _read("iraq_skill_labels.csv"):
        skill = by_uuid.get(row["uuid"])
        if skill is None:
            continue
        skill.label_ar = row["label_ar"]
        skill.label_ckb = row["label_ckb"]
        skill.synonyms_ar = row["synonyms_ar"]
        skill.synonyms_ckb = row["synonyms_ckb"]
        changed.append(skill)
    Skill.objects.bulk_update(
        changed, ["label_ar", "label_ckb", "synonyms_ar", "synonyms_ckb"], batch_size=500
    )
    return len(changed)


def _apply_iraqi_group_labels() -> int:
    """Names of the ISCO-08 unit groups that have no ESCO occupation."""
    if not (DATA / "iraq_isco_group_labels.csv").exists():
        return 0
    groups = {g.code: g for g in IscoGroup.objects.all()}
    changed = []
    for row in _read("iraq_isco_group_labels.csv"):
        group = groups.get(row["isco_group"])
        if group is None:
            continue
        group.label_ar, group.label_ckb = row["label_ar"], row["label_ckb"]
        group.synonyms_ar, group.synonyms_ckb = row["synonyms_ar"], row["synonyms_ckb"]
        group.synonyms_en = row["synonyms_en"]
        changed.append(group)
    IscoGroup.objects.bulk_update(
        changed, ["label_ar", "label_ckb", "synonyms_ar", "synonyms_ckb", "synonyms_en"]
    )
    return len(changed)
