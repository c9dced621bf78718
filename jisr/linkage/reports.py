"""The cross-reference report as a table for export, and the audit of what was exported."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jisr.audit.models import Action, AuditEntry
from jisr.linkage.selectors import CrossReference


def table(report: CrossReference) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Person (golden record)"),
        *[f"{report.base.display_name}: {field}" for field in report.base_fields],
        *[f"{report.other.display_name}: {field}" for field in report.other_fields],
    ]
    rows = [
        [row["cluster"], *row["base"]["fields"].values(), *row["other"]["fields"].values()]
        for row in report.rows
    ]
    return headers, rows


def audit_export(user: Any, report: CrossReference) -> None:
    """One entry per exported record, on both sides, written in one statement."""
    filters = {"base": report.base.pk, "other": report.other.pk,
               "without_open_referral": report.without_open_referral}  # fmt: skip
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=user,
            organisation=user.organisation,
            action=Action.EXPORT,
            object_type="linkage.registerrecord",
            object_id=str(row[side]["id"]),
            object_label=f"{row[side]['register_name']}:{row[side]['fields'].get('source_id', '')}"[
                :200
            ],
            changes={"filters": filters},
            person_ids=[report.persons[row[side]["id"]]]
            if row[side]["id"] in report.persons
            else [],
        )
        for row in report.rows
        for side in ("base", "other")
    )
