"""The ESCO taxonomy loads once and again without change, ships no ESCO descriptions, and the
command that codes job titles keeps its promised interface."""

from __future__ import annotations

import csv
import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jisr.skills.coding import forget_index
from jisr.skills.loading import DATA
from jisr.skills.models import IscoGroup, Occupation, OccupationSkill, Skill


@pytest.mark.slow  # loads the whole ESCO taxonomy, twice
@pytest.mark.django_db
def test_load_taxonomy_loads_esco_once_and_again_changes_nothing():
    out = StringIO()
    call_command("load_taxonomy", stdout=out)
    assert "European Commission" in out.getvalue()
    counts = (
        Occupation.objects.count(),
        Skill.objects.count(),
        OccupationSkill.objects.count(),
        IscoGroup.objects.count(),
    )
    assert counts == (3007, 13896, 123788, 619)
    civil = Occupation.objects.get(label_en="civil engineer")
    assert (civil.code, civil.isco_group) == ("2142.1", "2142")
    assert civil.label_ar
    essential = civil.skill_links.filter(essential=True).count()
    assert essential > 10
    assert IscoGroup.objects.get(code="2142").label_en == "Civil engineers"
    call_command("load_taxonomy", stdout=StringIO())
    assert (
        Occupation.objects.count(),
        Skill.objects.count(),
        OccupationSkill.objects.count(),
        IscoGroup.objects.count(),
    ) == counts
    with translation.override("en"):
        assert civil.label == "civil engineer"


def test_no_esco_description_text_is_shipped():
    for path in Path(DATA).glob("*.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = handle.readline()
        assert "description" not in header, path
        assert "definition" not in header, path


@pytest.mark.slow  # loads the whole ESCO taxonomy
@pytest.mark.django_db
def test_code_occupations_has_the_promised_interface(tmp_path):
    call_command("load_taxonomy", stdout=StringIO())
    forget_index()
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text\n1,مهندس مدني اعمل في شركة مقاولات\n2,civil engineer (structures)\n3,taxi driver\n4,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    call_command("code_occupations", str(source), out=str(out), top=5, stdout=StringIO())
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "rank", "code", "label", "score"]
    first = {r["id"]: r["code"] for r in rows if r["rank"] == "1"}
    assert first == {"1": "2142", "2": "2142", "3": "8322"}
    ranks = [int(r["rank"]) for r in rows if r["id"] == "1"]
    assert ranks == [1, 2, 3, 4, 5]
    assert len({r["code"] for r in rows if r["id"] == "1"}) == 5  # distinct ISCO groups
    assert all(len(r["code"]) == 4 for r in rows)


@pytest.mark.django_db
def test_code_occupations_explains_what_is_missing(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="load-taxonomy"):
        call_command("code_occupations", str(source), out=str(tmp_path / "o.csv"))
