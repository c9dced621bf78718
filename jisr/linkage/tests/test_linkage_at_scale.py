"""What makes two registers of a million link in minutes (issue 14, decision 0043): names cut into
words once per text, and expectation maximisation on a sample of a block past its cap."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.linkage.engine import prepare


def test_a_text_cut_into_words_once_gives_every_caller_its_own_list():
    first, kunya = prepare.words("الحاج عبد الله (أبو علي)")
    assert (first, kunya) == (["عبدالله"], "علي")
    first.append("changed")
    assert prepare.words("الحاج عبد الله (أبو علي)") == (["عبدالله"], "علي")
    # A part moved from the first name's field does not move in the next record's.
    rows = [{"record_id": str(n), "first_name": "محمد علي حسين"} for n in range(2)]
    assert [prepare.prepared(row)["father"] for row in rows] == ["علي", "علي"]


@pytest.mark.slow
def test_expectation_maximisation_past_its_cap_trains_on_a_sample_and_links_as_well(
    tmp_path, monkeypatch
):
    import splink.internals.em_training_session as session
    from splink.internals.em_sampling import resolve_em_sample_threshold as resolve

    from jisr.linkage import synth
    from jisr.linkage.engine import splink_model

    pair = synth.registers(3000, seed=5)
    synth.write_csv(tmp_path / "left.csv", pair.left)
    synth.write_csv(tmp_path / "right.csv", pair.right)
    truth = set(pair.truth)
    decided: list[dict[str, Any]] = []

    def recorded(**kwargs: Any) -> Any:
        threshold, modulus, info = resolve(**kwargs)
        decided.append(info)
        return threshold, modulus, info

    monkeypatch.setattr(session, "resolve_em_sample_threshold", recorded)

    def links() -> set[tuple[str, str]]:
        found = splink_model.link(tmp_path / "left.csv", tmp_path / "right.csv", say=lambda _: None)
        return {(a, b) for a, b, _p in found}

    whole = links()
    assert len(decided) == 2
    assert not any(info["sampling_applied"] for info in decided)  # small blocks: every pair

    decided.clear()
    monkeypatch.setattr(splink_model, "EM_MAX_PAIRS", 150)
    monkeypatch.setattr(splink_model, "EM_PROBE", 1.0)
    sampled = links()
    assert [info["sampling_applied"] for info in decided] == [True, True]
    assert all(info["expected_pairs_after_sampling"] < 200 for info in decided)

    def f1(found: set[tuple[str, str]]) -> float:
        hits = len(found & truth)
        return 2 * hits / (len(found) + len(truth))

    assert f1(sampled) >= f1(whole) - 0.01
    assert f1(sampled) > 0.95
