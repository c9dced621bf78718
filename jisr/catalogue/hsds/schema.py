"""Checking a document against HSDS 3.0's compiled JSON Schemas (the folder of
`service.json`, `organization.json`, ... that Open Referral publishes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_OF = {
    "service": "service.json", "organization": "organization.json",
    "service_at_location": "service_at_location.json", "service_list": "service_list.json",
    "organization_list": "organization_list.json",
    "service_at_location_list": "service_at_location_list.json",
}  # fmt: skip


def validation_errors(document: dict[str, Any], kind: str, schemas: Path) -> list[str]:
    """What keeps `document` from validating against HSDS 3.0's compiled schema for its kind."""
    schema = json.loads((schemas / SCHEMA_OF[kind]).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}"
        for error in sorted(
            validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
