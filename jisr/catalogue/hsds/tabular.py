"""The HSDS documents as HSDS's tabular package: nested objects become rows of their own table,
linked by id, one CSV per table with a datapackage.json. The cells are written through the one
formula guard (`jisr.lib.spreadsheets.csv_writer`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jisr.lib.spreadsheets import csv_writer

TABLES = {
    "organization": "organizations.csv", "service": "services.csv", "location": "locations.csv",
    "service_at_location": "service_at_locations.csv", "address": "addresses.csv",
    "phone": "phones.csv", "service_area": "service_areas.csv", "language": "languages.csv",
    "required_document": "required_documents.csv", "cost_option": "cost_options.csv",
    "schedule": "schedules.csv", "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv",
}  # fmt: skip
# A service's nested lists and the table each goes to.
SERVICE_PARTS = {
    "phones": "phone", "service_areas": "service_area", "languages": "language",
    "required_documents": "required_document", "cost_options": "cost_option",
    "schedules": "schedule",
}  # fmt: skip


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not isinstance(v, (dict, list))}


def tables(found: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The documents (as `export.documents` gives them) as HSDS's tables."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    terms: dict[str, dict[str, Any]] = {}
    seen_locations: set[str] = set()

    def attributes(items: list[dict[str, Any]]) -> None:
        for attribute in items:
            term = attribute["taxonomy_term"]
            terms[term["id"]] = _flat(term)
            rows["attribute"].append({**_flat(attribute), "taxonomy_term_id": term["id"]})

    def location(document: dict[str, Any]) -> None:
        if document["id"] in seen_locations:
            return
        seen_locations.add(document["id"])
        rows["location"].append(_flat(document))
        rows["address"].extend(_flat(a) for a in document.get("addresses", []))
        attributes(document.get("attributes", []))

    for document in found["organizations"].values():
        rows["organization"].append(_flat(document))
        rows["phone"].extend(
            {**_flat(p), "organization_id": document["id"]} for p in document.get("phones", [])
        )
        attributes(document.get("attributes", []))
        for place in document.get("locations", []):
            location(place)
    for document in found["services"].values():
        rows["service"].append(_flat(document))
        for key, table in SERVICE_PARTS.items():
            rows[table].extend(_flat(item) for item in document.get(key, []))
        attributes(document.get("attributes", []))
        for sal in document.get("service_at_locations", []):
            rows["service_at_location"].append(_flat(sal))
            location(sal["location"])
    rows["taxonomy_term"] = sorted(terms.values(), key=lambda t: t["id"])
    return rows


def tables_write(folder: Path, found: dict[str, list[dict[str, Any]]]) -> None:
    """One CSV per table under `folder`, and the datapackage.json that lists them."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, rows in found.items():
        columns = sorted({key for row in rows for key in row})
        path = folder / TABLES[name]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(columns)
            writer.writerows([row.get(column) for column in columns] for row in rows)
        resources.append(
            {
                "name": name,
                "path": TABLES[name],
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
            }
        )
    package = {
        "name": "jisr-service-catalogue",
        "profile": "tabular-data-package",
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
