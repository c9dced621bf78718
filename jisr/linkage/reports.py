"""The cross-reference report as a table, for the CSV and XLSX files (the export and its audit
are `services.cross_reference_export`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jisr.linkage.selectors import CrossReference

Table = tuple[list[str], list[list[object]]]


def table(report: CrossReference) -> Table:
    headers = [
        _("Person (golden record)"),
        *[f"{report.base.display_name}: {field}" for field in report.base_fields],
        *[f"{report.other.display_name}: {field}" for field in report.other_fields],
    ]
    rows: list[list[object]] = [
        [row["cluster"], *row["base"]["fields"].values(), *row["other"]["fields"].values()]
        for row in report.rows
    ]
    return headers, rows
