"""HSDS 3.0 documents for the import's tests: an organisation and a service of it that validate
against the official schemas and that Jisr takes in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jisr.accounts.models import Organisation
from jisr.audit.models import AuditEntry
from jisr.catalogue.hsds.taxonomies import attribute
from jisr.catalogue.models import (
    ImportedOrganisation,
    Location,
    Service,
    ServiceAtLocation,
    ServiceChange,
)

ORGANISATION = "0b6f5b1e-3c1d-4c55-9a8e-1d2f3a4b5c6d"
SERVICE = "1c7a6b2f-4d2e-4d66-8b9f-2e3a4b5c6d7e"
LOCATION = "2d8b7c3a-5e3f-4e77-9ca0-3f4b5c6d7e8f"
MODELS = (
    Organisation, ImportedOrganisation, Location, Service, ServiceAtLocation, ServiceChange,
    AuditEntry,
)  # fmt: skip


def organisation(**extra: Any) -> dict[str, Any]:
    return {"id": ORGANISATION, "name": "Iraqi Legal Aid", "description": "An NGO", **extra}


def location() -> dict[str, Any]:
    return {
        "id": LOCATION, "name": "Karrada office", "location_type": "physical",
        "addresses": [{
            "id": "3e9c8d4b-6f40-4f88-8db1-405c6d7e8f90", "address_1": "Karrada", "city": "Baghdad",
            "state_province": "IQ-BG", "postal_code": "", "country": "IQ",
            "address_type": "physical",
        }],
    }  # fmt: skip


def service(**extra: Any) -> dict[str, Any]:
    return {
        "id": SERVICE,
        "organization_id": ORGANISATION,
        "name": "Legal aid",
        "description": "Lawyers for returnees.",
        "status": "active",
        "minimum_age": 16,
        "service_at_locations": [
            {
                "id": "4fad9e5c-7051-4099-9ec2-516d7e8f9a01",
                "service_id": SERVICE,
                "location_id": LOCATION,
                "location": location(),
            }
        ],
        "attributes": [attribute(SERVICE, "service", "jisr-reintegration-services", "legal-aid")],
        **extra,
    }


def write(folder: Path, name: str, document: Any) -> None:
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


def counts() -> dict[str, int]:
    """The rows an import may write, by model."""
    return {model.__name__: model.objects.count() for model in MODELS}
