"""Loading the shipped governorate and district tables, idempotently."""

from __future__ import annotations

import csv
from pathlib import Path

from jisr.places.models import District, Governorate

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_places(governorate_model: type[Governorate], district_model: type[District]) -> None:
    """Create or update every governorate and district; takes the models, so that a migration
    passes its historical ones (shaped like these)."""
    by_code = {}
    for row in read_rows("governorates.csv"):
        governorate, _ = governorate_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_ar": row["name_ar"],
                "name_ckb": row["name_ckb"],
                "name_en": row["name_en"],
            },
        )
        by_code[governorate.code] = governorate
    for row in read_rows("districts.csv"):
        district_model.objects.update_or_create(
            governorate=by_code[row["governorate"]],
            name_en=row["name_en"],
            defaults={"name_ar": row["name_ar"], "name_ckb": row["name_ckb"]},
        )
