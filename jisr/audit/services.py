"""Writing to the audit log. Services call `audit_record` inside their own transaction, so a
change and its audit entry are committed together or not at all."""

from __future__ import annotations

from typing import Any

from django.db import models

from jisr.audit.models import Action, AuditEntry

# Values of these fields are never copied into the log, only the fact that they changed.
_SECRET_FIELDS = {"password"}


def object_type_of(target: models.Model) -> str:
    return target._meta.label_lower


def audit_record(
    *,
    actor: Any,
    action: Action,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    actor_user = actor if actor is not None and actor.is_authenticated else None
    if target is not None:
        object_type = object_type_of(target)
        object_id = str(target.pk)
    return AuditEntry.objects.create(
        actor=actor_user,
        organisation=getattr(actor_user, "organisation", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=str(target)[:200] if target is not None else "",
        changes=changes or {},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots of a record, for the `changes` of an entry."""
    changed: dict[str, Any] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changed[field] = "changed" if field in _SECRET_FIELDS else [old, new]
    return changed


def audit_exports(*, actor: Any, persons: list[Any], filters: dict[str, Any]) -> None:
    """An export of many records: one entry per record, written in one statement."""
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            organisation=actor.organisation,
            action=Action.EXPORT,
            object_type=object_type_of(person),
            object_id=str(person.pk),
            object_label=str(person)[:200],
            changes={"filters": {k: str(v) for k, v in filters.items() if v}},
        )
        for person in persons
    )
