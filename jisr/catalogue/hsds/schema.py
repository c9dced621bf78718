"""Checking a document against HSDS 3.0's compiled JSON Schemas, shipped with Jisr in `schemas/`
(Open Referral's `service.json`, `organization.json`, ... gzipped, unchanged: see its README).
Every import is checked; there is no way to skip it."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SCHEMA_OF = {
    "service": "service.json", "organization": "organization.json",
    "service_at_location": "service_at_location.json", "service_list": "service_list.json",
    "organization_list": "organization_list.json",
    "service_at_location_list": "service_at_location_list.json", "tabular": "tabular.json",
}  # fmt: skip


@cache
def schema(kind: str) -> dict[str, Any]:
    """HSDS 3.0's compiled schema for `kind` (a key of `SCHEMA_OF`), read once per process."""
    with gzip.open(SCHEMAS / f"{SCHEMA_OF[kind]}.gz", "rt", encoding="utf-8") as handle:
        found: dict[str, Any] = json.load(handle)
    return found


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind), format_checker=FormatChecker())


def _pointer(path: Any) -> str:
    """Where in a document, as a JSON Pointer (RFC 6901): `/contents/3/minimum_age`."""
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def validation_errors(document: Any, kind: str, *, at: str = "") -> list[str]:
    """What keeps `document` from validating against HSDS 3.0's compiled schema for its kind,
    each as "place: reason", the place a JSON Pointer (under `at`, the pointer of `document`
    in its file)."""
    return [
        f"{f'{at}{_pointer(error.absolute_path)}' or '/'}: {_short(error.message)}"
        for error in sorted(
            _validator(kind).iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
