"""The golden record: records joined by links are one person.

A link is a pair the latest run of its registers put in its links, or a pair a reviewer's
latest decision says is the same person, between two records in force. Links join groups
strongest first, but never two groups between which a reviewer said "different people"
(`engine.clusters`): one wrong link cannot chain two people into one. Each record in a group gets
the smallest record id of the group as its `cluster`; a record linked to nothing has none.
"""

from __future__ import annotations

from django.db import transaction

from jisr.linkage.engine.clusters import clusters
from jisr.linkage.engine.splink_model import DEFAULT_THRESHOLD
from jisr.linkage.models import CandidatePair, PairDecision, RegisterRecord


def _scored() -> list[tuple[float, int, int]]:
    """Every pair that says something: links at their probability, a reviewer's latest "same"
    as certain, a reviewer's latest "different" as a pair that keeps two groups apart."""
    # A withdrawn record (no longer in its register, or a person's consent gone) links nothing:
    # no group is joined through it.
    in_force = {"left__withdrawn_at__isnull": True, "right__withdrawn_at__isnull": True}
    latest: dict[tuple[int, int], bool] = {}
    for left, right, same in (
        PairDecision.objects.filter(**in_force)
        .order_by("decided_at", "id")
        .values_list("left_id", "right_id", "same_person")
    ):
        latest[(min(left, right), max(left, right))] = same
    scored: list[tuple[float, int, int]] = []
    for left, right, probability in CandidatePair.objects.filter(
        band=CandidatePair.Band.LINK, **in_force
    ).values_list("left_id", "right_id", "probability"):
        key = (min(left, right), max(left, right))
        if key not in latest:
            # A run's link is a link whatever its probability: one that is the best of both
            # its records links from below the threshold (decision 0047).
            scored.append((max(probability, DEFAULT_THRESHOLD), *key))
    scored.extend((1.0 if same else 0.0, *key) for key, same in latest.items())
    return scored


@transaction.atomic
def clusters_recompute() -> int:
    """Bring every record's `cluster` up to date; the number of records changed."""
    scored = _scored()
    nodes = sorted({node for _p, left, right in scored for node in (left, right)})
    groups = clusters(nodes, scored, DEFAULT_THRESHOLD)
    sizes: dict[int, int] = {}
    for group in groups.values():
        sizes[group] = sizes.get(group, 0) + 1
    wanted = {node: group for node, group in groups.items() if sizes[group] > 1}
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
    for root, members in by_cluster.items():
        for start in range(0, len(members), 900):
            RegisterRecord.objects.filter(pk__in=members[start : start + 900]).update(cluster=root)
        changed += len(members)
    return changed
