"""What the audit log keeps of an entry about someone (decision 0017).

The log is read by people who may not see persons (an administrator), and it outlives a closed
account, so it must not become a second copy of anyone's data. It keeps which fields changed;
values only for records that hold nobody's personal data (an organisation, a service, a rule)
and, for the rest, only for keys that say a state or point at another record by its id. An
unknown record type counts as personal: a new model is withheld until someone decides
otherwise here.
"""

from __future__ import annotations

from typing import Any

WITHHELD = "changed"

# Record types that hold nobody's personal data: their entries keep values and labels.
IMPERSONAL_TYPES = frozenset(
    {
        "accounts.organisation",
        "accounts.apikey",
        "catalogue.service",
        "catalogue.location",
        "catalogue.stakeholder_map",
        "registry.categoryrule",
        "cases.warningrule",
        "matching.opportunity",
        "matching.skills_map",
        "linkage.register",
        "linkage.linkagerun",
        "linkage.sharingagreement",
        "linkage.cross_reference",
    }
)
# Keys whose values are a state, a choice, an organisation, or ids of other records: kept in
# entries about persons too.
KEPT_KEYS = frozenset(
    {
        "status", "review", "outcome", "is_active", "roles", "devices", "share_contact",
        "same_person", "shared_with", "organisation", "to", "service", "fields", "referral",
        "case", "person", "category", "records", "context", "cluster", "candidates", "left",
        "right", "retrain", "refreshed", "proof",
    }
)  # fmt: skip
KEPT_PREFIXES = ("consent.",)


def is_personal(object_type: str) -> bool:
    return object_type not in IMPERSONAL_TYPES


def _kept(key: str) -> bool:
    return key in KEPT_KEYS or key.startswith(KEPT_PREFIXES)


def _withheld(key: str, value: Any) -> Any:
    if _kept(key):
        return value
    if isinstance(value, dict) and value:
        return _withhold(value)
    return WITHHELD


def _withhold(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: _withheld(key, value) for key, value in changes.items()}


def redact(object_type: str, changes: dict[str, Any], label: str) -> tuple[dict[str, Any], str]:
    """The changes and label an entry may keep. A person's record is named by its type and id
    only: a label would be their name."""
    if not is_personal(object_type):
        return changes, label
    return _withhold(changes), ""
