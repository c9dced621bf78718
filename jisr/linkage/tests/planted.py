"""Hand-written pairs of records planted among generated registers, then linked by the engine of
`jisr link`: what a test of one kind of difference between two records needs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Row = dict[str, str]


def planted_links(
    folder: Path, pairs: Sequence[tuple[Row, Row]], *, seed: int, common: Row | None = None
) -> set[tuple[str, str]]:
    """Plant `pairs` (left record, right record; `common` fields under each) as LX<n> and RX<n>
    among 1,500 generated records a side, link the two registers and return the links found."""
    from jisr.linkage import synth
    from jisr.linkage.engine.splink_model import link

    registers = synth.registers(1500, seed=seed)
    for number, (left, right) in enumerate(pairs):
        registers.left.append(
            synth.Record({**(common or {}), **left, "record_id": f"LX{number}"}, -1)
        )
        registers.right.append(
            synth.Record({**(common or {}), **right, "record_id": f"RX{number}"}, -1)
        )
    synth.write_csv(folder / "left.csv", registers.left)
    synth.write_csv(folder / "right.csv", registers.right)
    found = link(folder / "left.csv", folder / "right.csv", say=lambda _text: None)
    return {(left_id, right_id) for left_id, right_id, _probability in found}


def planted(numbers: range) -> set[tuple[str, str]]:
    """The planted pairs with these numbers."""
    return {(f"LX{n}", f"RX{n}") for n in numbers}
