"""A pair's evidence is read through the levels of its own run's model. It was read by the
position of its level in fixed lists, which stopped matching the model as levels were added: an
exact match of the father's name in a link (level 8 of 9) read "Missing on one side", and a
dedupe's levels are numbered otherwise than a link's."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from django.utils import translation

from jisr.linkage.engine import evidence
from jisr.linkage.engine.splink_model import _settings

KINDS: list[Literal["link_only", "dedupe_only"]] = ["link_only", "dedupe_only"]


def _model(link_type: Literal["link_only", "dedupe_only"]) -> dict[str, Any]:
    settings: dict[str, Any] = _settings(link_type).get_settings("duckdb").as_dict()
    return settings


def _level(settings: dict[str, Any] | None, name: str, gamma: int, language: str = "en") -> str:
    (row,) = evidence.described({name: [gamma, 1.0]}, settings)
    with translation.override(language):
        return str(row["level"])


@pytest.mark.parametrize("link_type", KINDS)
def test_the_best_level_of_every_name_reads_same_name(link_type):
    settings = _model(link_type)
    labels = evidence.level_labels(settings)
    for name in evidence.NAME_PARTS:
        assert _level(settings, name, max(labels[name])) == "Same name"
        assert _level(settings, name, 0) == "Different"
        assert _level(settings, name, -1) == "Missing on one side"


@pytest.mark.parametrize("link_type", KINDS)
def test_every_level_of_the_model_has_its_own_words_in_each_language(link_type):
    settings = _model(link_type)
    for name, levels in evidence.level_labels(settings).items():
        words = [_level(settings, name, gamma) for gamma in sorted(levels)]
        assert str(evidence.AGREES_IN_PART) not in words, (name, levels)
        assert len(set(words)) == len(words), (name, words)  # no two levels read alike
        for language in ("ar", "ckb"):
            translated = [_level(settings, name, gamma, language) for gamma in sorted(levels)]
            assert all(t != w for t, w in zip(translated, words, strict=True)), (language, name)


def test_a_link_and_a_dedupe_read_the_same_level_by_their_own_numbers():
    link, dedupe = _model("link_only"), _model("dedupe_only")
    # The father's "one letter apart" is level 5 in a link (two levels more: names exchanged,
    # the grandfather moved up) and level 3 in a dedupe.
    assert _level(link, "father", 5) == "One letter apart, a rare spelling"
    assert _level(dedupe, "father", 3) == "One letter apart, a rare spelling"
    assert _level(link, "father", 2) == "Exchanged with the first name"


def test_a_level_this_version_has_no_words_for_is_said_plainly():
    older = {
        "comparisons": [
            {
                "output_column_name": "father",
                "comparison_levels": [
                    {"label_for_charts": "father is NULL", "is_null_level": True},
                    {"label_for_charts": "Exact match on father"},
                    {"label_for_charts": "a level of an older model"},
                    {"label_for_charts": "All other comparisons"},
                ],
            }
        ]
    }
    assert _level(older, "father", 2) == "Same name"
    assert _level(older, "father", 1) == "Alike in part"
    assert _level(older, "father", 0) == "Different"
    assert _level(None, "father", 3) == "Alike in part"  # a run without its model
