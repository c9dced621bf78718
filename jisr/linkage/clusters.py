"""The golden record: records joined by links are one person.

A link is a pair the latest run of its registers put above the threshold, unless a reviewer's
latest decision says the two are different people; or any pair a reviewer's latest decision
says is the same person. Each record in a group gets the smallest record id of the group as its
`cluster`; a record linked to nothing has none.
"""

from __future__ import annotations

from django.db import transaction

from jisr.linkage.models import CandidatePair, PairDecision, RegisterRecord


def _find(parent: dict[int, int], node: int) -> int:
    root = node
    while parent.get(root, root) != root:
        root = parent[root]
    while parent.get(node, node) != root:  # path compression keeps later finds short
        parent[node], node = root, parent[node]
    return root


def links() -> set[tuple[int, int]]:
    latest: dict[tuple[int, int], bool] = {}
    for left, right, same in PairDecision.objects.order_by("decided_at", "id").values_list(
        "left_id", "right_id", "same_person"
    ):
        latest[(min(left, right), max(left, right))] = same
    found = {
        (min(left, right), max(left, right))
        for left, right in CandidatePair.objects.filter(band=CandidatePair.Band.LINK).values_list(
            "left_id", "right_id"
        )
    }
    found -= {pair for pair, same in latest.items() if not same}
    return found | {pair for pair, same in latest.items() if same}


@transaction.atomic
def recluster() -> int:
    """Bring every record's `cluster` up to date; the number of records changed."""
    parent: dict[int, int] = {}
    for left, right in links():
        a, b = _find(parent, left), _find(parent, right)
        if a != b:
            parent[max(a, b)] = min(a, b)
            parent.setdefault(min(a, b), min(a, b))
    wanted = {node: _find(parent, node) for node in parent}
    current = dict(
        RegisterRecord.objects.filter(cluster__isnull=False).values_list("pk", "cluster")
    )
    changed = 0
    for node in set(current) - set(wanted):
        RegisterRecord.objects.filter(pk=node).update(cluster=None)
        changed += 1
    by_cluster: dict[int, list[int]] = {}
    for node, root in wanted.items():
        if current.get(node) != root:
            by_cluster.setdefault(root, []).append(node)
    for root, nodes in by_cluster.items():
        for start in range(0, len(nodes), 900):
            RegisterRecord.objects.filter(pk__in=nodes[start : start + 900]).update(cluster=root)
        changed += len(nodes)
    return changed
