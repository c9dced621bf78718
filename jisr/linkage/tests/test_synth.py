"""The register generator: known truth, the structure of Iraqi families, and each noise kind."""

from __future__ import annotations

import csv
import random
from collections import Counter
from io import StringIO

from django.core.management import call_command

from jisr.linkage import synth
from jisr.linkage.engine.names import NICKNAMES


def test_two_registers_with_their_truth():
    pair = synth.registers(2000, overlap=0.5, noise_rate=0.6, seed=3)
    assert len(pair.left) == len(pair.right) == 2000
    assert len(pair.truth) == 1000
    left = {r.row["record_id"]: r for r in pair.left}
    right = {r.row["record_id"]: r for r in pair.right}
    for left_id, right_id in pair.truth:
        assert left[left_id].person == right[right_id].person
    kinds = Counter(kind for r in pair.left + pair.right for kind in r.noise)
    assert set(kinds) == set(synth.NOISE)  # every kind of noise occurs
    latin = next(r for r in pair.left + pair.right if "latin" in r.noise)
    assert latin.row["full_name"].isascii()
    assert latin.row["first_name"] == ""
    nick = next(r for r in pair.left + pair.right if "nickname" in r.noise)
    assert nick.row["first_name"] in NICKNAMES
    year_only = next(r for r in pair.left if "year_only" in r.noise)
    assert len(year_only.row["birth_date"]) == 4


def test_siblings_and_namesakes_make_it_hard():
    people = synth.population(3000, random.Random(5))  # noqa: S311  (test data)
    triples = Counter((p.father, p.grandfather, p.family) for p in people)
    assert max(triples.values()) >= 2  # brothers and sisters share them
    names = Counter((p.first, p.father, p.grandfather) for p in people)
    assert any(count >= 2 for count in names.values())  # and some are namesakes


def test_the_command_writes_the_files(tmp_path):
    out = StringIO()
    call_command("synth_registers", out=str(tmp_path), size=300, stdout=out)
    assert "true links" in out.getvalue()
    with (tmp_path / "left.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == synth.COLUMNS
    with (tmp_path / "dedupe_truth.csv").open(encoding="utf-8") as handle:
        people = Counter(row["person"] for row in csv.DictReader(handle))
    assert any(count > 1 for count in people.values())  # duplicates to find
