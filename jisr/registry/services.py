"""Registering persons, changing their records and recording their consent.

Each function runs in one transaction with its audit entry. Registration needs the person's
consent to be registered: participation is voluntary.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jisr.accounts.access import forbidden, require
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record, diff
from jisr.lib.validation import invalid, validated_save
from jisr.registry.models import (
    ConsentChannel,
    ConsentEvent,
    ConsentStatus,
    Household,
    Person,
    Purpose,
    RecordStatus,
    Relationship,
)
from jisr.registry.selectors import persons_in_scope

PERSON_FIELDS = [
    "first_name", "father_name", "grandfather_name", "family_name", "mother_name", "latin_name",
    "aliases", "sex", "birth_year", "birth_date", "phone", "phone_2", "email", "national_id",
    "person_type", "country", "city", "governorate_id", "district_id", "relationship", "status",
]  # fmt: skip
# Shown in the audit log only as "changed": the log must not become a copy of identity numbers.
_SECRET = {"national_id"}


def _snapshot(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in PERSON_FIELDS:
        value = getattr(person, field)
        values[field] = (
            value if value is None or isinstance(value, (str, int, bool)) else str(value)
        )
    return values


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changes = diff(before, after)
    return {k: ("changed" if k in _SECRET else v) for k, v in changes.items()}


@transaction.atomic
def person_register(
    *,
    by: Any,
    consents: dict[Purpose, ConsentStatus],
    channel: ConsentChannel,
    household: Household | None = None,
    **fields: Any,
) -> Person:
    """A new person on the case form, in a new household (as its head) or an existing one."""
    require(by, Perm.PERSON_REGISTER)
    if consents.get(Purpose.REGISTRATION) != ConsentStatus.GIVEN:
        raise invalid({"consent_registration": [_("Registration needs the person's consent.")]})
    if household is not None and not persons_in_scope(by).filter(household=household).exists():
        raise forbidden()
    if household is None:
        household = Household.objects.create()
        fields["relationship"] = Relationship.HEAD
    elif fields.get("relationship") == Relationship.HEAD:
        raise invalid({"relationship": [_("This household already has a head.")]})
    person = Person(household=household, organisation=by.organisation, registered_by=by, **fields)
    validated_save(person)
    audit_record(
        actor=by, action=Action.CREATE, target=person, changes=_changes({}, _snapshot(person))
    )
    for purpose, status in consents.items():
        _record_consent(by=by, person=person, purpose=purpose, status=status, channel=channel)
    return person


@transaction.atomic
def person_update(*, by: Any, person: Person, **fields: Any) -> Person:
    require(by, Perm.PERSON_EDIT)
    if not persons_in_scope(by).filter(pk=person.pk).exists():
        raise forbidden()
    stored = Person.objects.get(pk=person.pk)
    before = _snapshot(stored)
    for name, value in fields.items():
        setattr(person, name, value)
    validated_save(person)
    changes = _changes(before, _snapshot(person))
    if changes:
        audit_record(actor=by, action=Action.UPDATE, target=person, changes=changes)
    return person


def _record_consent(
    *, by: Any, person: Person, purpose: Purpose, status: ConsentStatus, channel: ConsentChannel
) -> ConsentEvent:
    event = ConsentEvent.objects.create(
        person=person, purpose=purpose, status=status, channel=channel, recorded_by=by,
        form_version=person.form_version,
    )  # fmt: skip
    audit_record(
        actor=by, action=Action.UPDATE, target=person,
        changes={f"consent.{purpose.value}": [None, status.value]},
    )  # fmt: skip
    return event


@transaction.atomic
def consent_record(
    *, by: Any, person: Person, purpose: Purpose, status: ConsentStatus, channel: ConsentChannel
) -> ConsentEvent:
    """A person's decision about one purpose, in force from this moment. Withdrawing consent to
    be registered closes the record: it stays only as the law requires, out of every list."""
    is_self = person.account_id is not None and person.account_id == by.pk
    if not is_self:
        require(by, Perm.CONSENT_RECORD)
        if not persons_in_scope(by).filter(pk=person.pk).exists():
            raise forbidden()
    if (
        status == ConsentStatus.WITHDRAWN
        and not person.consent_events.filter(purpose=purpose, status=ConsentStatus.GIVEN).exists()
    ):
        raise invalid({"status": [_("Only a consent that was given can be withdrawn.")]})
    event = _record_consent(by=by, person=person, purpose=purpose, status=status, channel=channel)
    if purpose == Purpose.REGISTRATION and status != ConsentStatus.GIVEN:
        Person.objects.filter(pk=person.pk).update(status=RecordStatus.CLOSED)
        person.status = RecordStatus.CLOSED
    return event
