from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from jisr.skills.models import IscoGroup, Occupation, OccupationSkill, Skill


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
    import gzip
    from pathlib import Path

    from jisr.skills.loading import DATA

    for path in Path(DATA).glob("*.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = handle.readline()
        assert "description" not in header, path
        assert "definition" not in header, path
