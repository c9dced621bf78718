"""Make the trimmed ESCO files Jisr ships, from the published ESCO downloads.

    python scripts/trim_esco.py ../shared/data/esco jisr/skills/data

Keeps codes, labels and relations (ESCO's terms allow reuse with acknowledgement of the source;
description texts are not kept). Concepts are numbered so the relations file stays small.
Source: ESCO v1.1.1 classification and relations (English), ESCO v1.0 Arabic occupation labels,
European Commission (Commission Decision 2011/833/EU on the reuse of Commission documents).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

csv.field_size_limit(10_000_000)


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    with archive.open(name) as handle:
        return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


def _uuid(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _alt(labels: str) -> str:
    return "|".join(sorted({line.strip() for line in labels.splitlines() if line.strip()}))


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=9) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main(source: Path, target: Path) -> None:
    classification = zipfile.ZipFile(source / "esco-v1.1.1-classification-en-csv.zip")
    relations = zipfile.ZipFile(source / "esco-v1.1.1-relations-csv.zip")
    with (source / "esco-v1.0-occupations-ar.csv").open(encoding="utf-8") as handle:
        arabic = {row["conceptUri"]: row["preferredLabel"] for row in csv.DictReader(handle)}

    occupations = sorted(_rows(classification, "occupations_en.csv"), key=lambda r: r["code"])
    occupation_ids = {row["conceptUri"]: number for number, row in enumerate(occupations, start=1)}
    _write(
        target / "occupations.csv.gz",
        ["id", "uuid", "code", "isco_group", "label_en", "alt_labels_en", "label_ar"],
        [
            [
                occupation_ids[r["conceptUri"]],
                _uuid(r["conceptUri"]),
                r["code"],
                r["iscoGroup"],
                r["preferredLabel"],
                _alt(r["altLabels"]),
                arabic.get(r["conceptUri"], ""),
            ]
            for r in occupations
        ],
    )

    skills = sorted(_rows(classification, "skills_en.csv"), key=lambda r: r["conceptUri"])
    skill_ids = {row["conceptUri"]: number for number, row in enumerate(skills, start=1)}
    _write(
        target / "skills.csv.gz",
        ["id", "uuid", "skill_type", "reuse_level", "label_en", "alt_labels_en"],
        [
            [
                skill_ids[r["conceptUri"]],
                _uuid(r["conceptUri"]),
                r["skillType"],
                r["reuseLevel"].rsplit("/", 1)[-1],
                r["preferredLabel"],
                _alt(r["altLabels"]),
            ]
            for r in skills
        ],
    )

    links = [
        [
            occupation_ids[r["occupationUri"]],
            skill_ids[r["skillUri"]],
            "e" if r["relationType"] == "essential" else "o",
        ]
        for r in _rows(relations, "occupationSkillRelations.csv")
        if r["occupationUri"] in occupation_ids and r["skillUri"] in skill_ids
    ]
    _write(target / "occupation_skills.csv.gz", ["occupation", "skill", "relation"], sorted(links))

    groups = _rows(classification, "ISCOGroups_en.csv")
    _write(
        target / "isco_groups.csv.gz",
        ["code", "label_en"],
        sorted([r["code"], r["preferredLabel"]] for r in groups),
    )
    print(f"{len(occupations)} occupations, {len(skills)} skills,", end=" ")
    print(f"{len(links)} relations, {len(groups)} ISCO groups")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
