"""Records grouped into people from scored pairs, without a database: `jisr dedupe` groups a
register's records with it, and the golden record (`linkage/golden.py`) every register's."""

from __future__ import annotations

from typing import TypeVar

# Two groups of records are not joined while any compared pair across them scores below this:
# a chain of strong links must not make one person of two who were told apart.
AGAINST = 0.5


Record = TypeVar("Record", str, int)


def clusters(
    record_ids: list[Record], scored: list[tuple[float, Record, Record]], threshold: float
) -> dict[Record, Record]:
    """Each record's cluster (the id of the first record of its group): pairs at or above the
    threshold join their groups, strongest first, unless a pair across the two groups scored
    below `AGAINST`. Splink's connected components would join them regardless."""
    against: dict[Record, set[Record]] = {}
    for probability, left, right in scored:
        if probability < AGAINST:
            against.setdefault(left, set()).add(right)
            against.setdefault(right, set()).add(left)
    root = {record_id: record_id for record_id in record_ids}
    members = {record_id: {record_id} for record_id in record_ids}

    def find(node: Record) -> Record:
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for _probability, left, right in sorted((p for p in scored if p[0] >= threshold), reverse=True):
        a, b = find(left), find(right)
        if a == b:
            continue
        small, large = sorted((a, b), key=lambda r: len(members[r]))
        if any(
            other in members[large]
            for record in members[small]
            for other in against.get(record, ())
        ):
            continue
        root[small] = large
        members[large] |= members.pop(small)
    first = {group: min(records) for group, records in members.items()}
    return {record_id: first[find(record_id)] for record_id in record_ids}
