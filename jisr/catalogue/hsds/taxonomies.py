"""The taxonomies Jisr's HSDS documents use, and the ids derived from a record's.

Parts Jisr keeps no row for (a service's areas, languages, documents, phone; terms and attributes)
get ids derived from their owner's, so that the same catalogue always gives the same documents.
"""

from __future__ import annotations

import uuid
from typing import Any

NAMESPACE = uuid.UUID("6f1c3c1e-8e7a-4f0e-9a52-2b8f7d0c9a11")
CATEGORIES = "jisr-reintegration-services"
TRANSLATIONS = "jisr-translations"
ELIGIBILITY = "jisr-eligibility"
DELIVERY = "jisr-delivery"
ORGANISATION_KIND = "jisr-organisation-kind"
LANGUAGES = ("ar", "ckb", "en")

# The taxonomies as `/api/hsds/taxonomies` lists them.
DESCRIPTIONS = (
    (CATEGORIES, "Jisr's two-level taxonomy of reintegration services."),
    (TRANSLATIONS, "A text of the record in Arabic, Central Kurdish or English."),
    (ELIGIBILITY, "Who a service is for: sex, situation, registry category."),
    (DELIVERY, "How a service is delivered: remote, free, capacity per month."),
)


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def taxonomy_term(taxonomy: str, code: str, name: str) -> dict[str, Any]:
    return {
        "id": derived_id("term", taxonomy, code),
        "code": code,
        "name": name,
        "description": name,
        "taxonomy": taxonomy,
    }


def attribute(owner: str, entity: str, taxonomy: str, code: str, value: str = "") -> dict[str, Any]:
    """An attribute of `owner` (an HSDS entity such as "service") under one of Jisr's terms."""
    return {
        "id": derived_id(owner, taxonomy, code),
        "link_id": owner,
        "link_type": entity,
        "link_entity": entity,
        "value": value,
        "taxonomy_term": taxonomy_term(taxonomy, code, code),
    }


def attributes_of(document: dict[str, Any], taxonomy: str) -> dict[str, str]:
    """A document's attributes under one taxonomy: code -> value."""
    found = {}
    for item in document.get("attributes") or []:
        term = item.get("taxonomy_term") or {}
        if term.get("taxonomy") == taxonomy and term.get("code"):
            found[str(term["code"])] = str(item.get("value") or "")
    return found
