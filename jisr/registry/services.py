"""Registering persons, changing their records and case form answers, recording their consent,
sharing their records, changing category rules, and the person's own changes to their record.

Each function runs in one transaction with its audit entry. Registration needs the person's
consent to be registered: participation is voluntary.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm, Sensitivity
from jisr.audit.models import Action
from jisr.audit.services import audit_record, diff
from jisr.core.tasks import enqueue_on_commit
from jisr.lib.validation import invalid, validated_save
from jisr.registry.caseform.categories import recategorise_household, validate_conditions
from jisr.registry.caseform.questions import CASE_FORM, VERSION, clean_answer
from jisr.registry.models import (
    CaseAnswers,
    CategoryRule,
    ConsentChannel,
    ConsentEvent,
    ConsentStatus,
    Household,
    Person,
    PersonShare,
    Purpose,
    RecordStatus,
    Relationship,
)
from jisr.registry.selectors import has_consent, persons_in_scope
from jisr.registry.signals import consent_recorded
from jisr.registry.tasks import recategorise_all_task

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


def person_created_changes(person: Person) -> dict[str, Any]:
    """What the audit entry of a new person's record keeps of it."""
    return _changes({}, _snapshot(person))


@transaction.atomic
def person_register(
    *,
    by: User,
    consents: dict[Purpose, ConsentStatus],
    channel: ConsentChannel,
    household: Household | None = None,
    **fields: Any,
) -> Person:
    """A new person on the case form, in a new household (as its head) or an existing one."""
    require(by, Perm.PERSON_REGISTER)
    if by.organisation is None:  # staff register for their organisation; a person has none
        raise forbidden()
    if consents.get(Purpose.REGISTRATION) != ConsentStatus.GIVEN:
        raise invalid({"consent_registration": [_("Registration needs the person's consent.")]})
    if (
        household is not None
        and not persons_in_scope(fetched_by=by).filter(household=household).exists()
    ):
        raise forbidden()
    return _create(
        by=by,
        organisation=by.organisation,
        consents=consents,
        channel=channel,
        household=household,
        fields=fields,
    )


def _create(
    *,
    by: User,
    organisation: Organisation,
    consents: dict[Purpose, ConsentStatus],
    channel: ConsentChannel,
    household: Household | None,
    fields: dict[str, Any],
    account: User | None = None,
) -> Person:
    """Shared by caseworker and self-registration: the record, its consents and categories."""
    if household is None:
        household = Household.objects.create()
        fields["relationship"] = Relationship.HEAD
    elif fields.get("relationship") == Relationship.HEAD:
        raise invalid({"relationship": [_("This household already has a head.")]})
    person = Person(
        household=household,
        organisation=organisation,
        account=account,
        registered_by=by if account is None else None,
        **fields,
    )
    validated_save(person)
    audit_record(
        actor=by, action=Action.CREATE, target=person, changes=person_created_changes(person)
    )
    for purpose, status in consents.items():
        _record_consent(by=by, person=person, purpose=purpose, status=status, channel=channel)
    recategorise_household(person.household)
    return person


@transaction.atomic
def person_update(*, by: User, person: Person, **fields: Any) -> Person:
    require(by, Perm.PERSON_EDIT)
    if not persons_in_scope(fetched_by=by).filter(pk=person.pk).exists():
        raise forbidden()
    return _change(actor=by, person=person, fields=fields)


def _change(*, actor: User, person: Person, fields: dict[str, Any]) -> Person:
    """Apply, validate and save changes to a record, audited against what was stored."""
    before = _snapshot(Person.objects.get(pk=person.pk))
    for name, value in fields.items():
        setattr(person, name, value)
    validated_save(person)
    changes = _changes(before, _snapshot(person))
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, target=person, changes=changes)
    recategorise_household(person.household)
    return person


@transaction.atomic
def case_answers_save(*, by: User, person: Person, answers: dict[str, Any]) -> CaseAnswers:
    """Merge answers to the case form into the person's record, section by section.

    Nobody writes answers they would not be allowed to read; protection needs are recorded only
    while the person consents to it. Empty answers clear a question.
    """
    is_self = person.account_id is not None and person.account_id == by.pk
    if not is_self:
        require(by, Perm.PERSON_EDIT)
        if not persons_in_scope(fetched_by=by).filter(pk=person.pk).exists():
            raise forbidden()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        question = CASE_FORM.by_key.get(key)
        if question is None:
            errors[key] = [_("Not a question of the case form.")]
            continue
        section = CASE_FORM.section_of(key)
        if not is_self and not by.can_see(section.sensitivity):
            errors[key] = [_("Your role may not record this.")]
        elif section.needs_consent and not has_consent(person, Purpose(section.needs_consent)):
            errors[key] = [_("The person has not consented to this being recorded.")]
        else:
            try:
                cleaned[key] = clean_answer(question, value)
            except ValueError as error:
                errors[key] = [str(error)]
    if errors:
        raise invalid(errors)
    record, _created = CaseAnswers.objects.get_or_create(
        person=person, defaults={"form_version": VERSION}
    )
    before = person.case_form_answers()
    merged = {k: v for k, v in {**before, **cleaned}.items() if v not in (None, [], "")}
    _store(record, merged)
    changes = diff(before, merged)
    secret = {k for k in changes if CASE_FORM.section_of(k).sensitivity >= Sensitivity.SENSITIVE}
    if changes:
        audit_record(
            actor=by,
            action=Action.UPDATE,
            target=person,
            changes={f"answers.{k}": ("changed" if k in secret else v) for k, v in changes.items()},
        )
    recategorise_household(person.household)
    return record


def _store(record: CaseAnswers, answers: dict[str, Any]) -> None:
    sensitive = {
        k: v
        for k, v in answers.items()
        if CASE_FORM.section_of(k).sensitivity >= Sensitivity.SENSITIVE
    }
    record.answers = {k: v for k, v in answers.items() if k not in sensitive}
    record.sensitive_answers = json.dumps(sensitive, ensure_ascii=False) if sensitive else None
    record.form_version = VERSION
    record.education_level = answers.get("education_level", "")
    record.employment_status = answers.get("employment_status", "")
    record.return_date = answers.get("return_date")
    record.save()


def _record_consent(
    *, by: User, person: Person, purpose: Purpose, status: ConsentStatus, channel: ConsentChannel
) -> ConsentEvent:
    event = ConsentEvent.objects.create(
        person=person,
        purpose=purpose,
        status=status,
        channel=channel,
        recorded_by=by,
        form_version=person.form_version,
    )
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=person,
        changes={f"consent.{purpose.value}": [None, status.value]},
    )
    consent_recorded.send(sender=ConsentEvent, event=event, by=by)
    return event


@transaction.atomic
def consent_record(
    *, by: User, person: Person, purpose: Purpose, status: ConsentStatus, channel: ConsentChannel
) -> ConsentEvent:
    """A person's decision about one purpose, in force from this moment. Withdrawing consent to
    be registered closes the record: it stays only as the law requires, out of every list."""
    is_self = person.account_id is not None and person.account_id == by.pk
    if not is_self:
        require(by, Perm.CONSENT_RECORD)
        if not persons_in_scope(fetched_by=by).filter(pk=person.pk).exists():
            raise forbidden()
    if (
        status == ConsentStatus.WITHDRAWN
        and not person.consent_events.filter(purpose=purpose, status=ConsentStatus.GIVEN).exists()
    ):
        raise invalid({"status": [_("Only a consent that was given can be withdrawn.")]})
    event = _record_consent(by=by, person=person, purpose=purpose, status=status, channel=channel)
    if purpose == Purpose.PROTECTION and status != ConsentStatus.GIVEN:
        _erase_protection_answers(person)
    if purpose in (Purpose.SHARING, Purpose.REGISTRATION) and status != ConsentStatus.GIVEN:
        _end_shares(by=by, person=person)
    if purpose == Purpose.REGISTRATION and status != ConsentStatus.GIVEN:
        Person.objects.filter(pk=person.pk).update(status=RecordStatus.CLOSED)
        person.status = RecordStatus.CLOSED
    return event


def _erase_protection_answers(person: Person) -> None:
    """Without consent, protection needs are not kept: withdrawing it erases them at once."""
    record = CaseAnswers.objects.filter(person=person).first()
    if record is None:
        return
    protection = {q.key for s in CASE_FORM.sections if s.needs_consent for q in s.questions}
    answers = {k: v for k, v in person.case_form_answers().items() if k not in protection}
    _store(record, answers)
    recategorise_household(person.household)


@transaction.atomic
def category_rule_update(*, by: User, rule: CategoryRule, **fields: Any) -> CategoryRule:
    """Change a rule; everyone is recategorised in the background once the change commits."""
    require(by, Perm.CATEGORY_MANAGE)
    if problems := validate_conditions(fields.get("conditions", rule.conditions)):
        raise invalid({"conditions": problems})
    fields_tracked = ["label_ar", "label_ckb", "label_en", "conditions", "is_active", "order"]
    stored = CategoryRule.objects.get(pk=rule.pk)
    before = {f: getattr(stored, f) for f in fields_tracked}
    for name, value in fields.items():
        setattr(rule, name, value)
    validated_save(rule)
    changes = diff(before, {f: getattr(rule, f) for f in fields_tracked})
    if changes:
        audit_record(actor=by, action=Action.UPDATE, target=rule, changes=changes)
        enqueue_on_commit(recategorise_all_task)
    return rule


SELF_EDITABLE = [
    "first_name", "father_name", "grandfather_name", "family_name", "mother_name", "latin_name",
    "aliases", "phone", "phone_2", "email", "country", "city", "governorate", "district",
]  # fmt: skip


def _check_own(by: User, person: Person) -> None:
    if person.account_id is None or person.account_id != by.pk:
        raise forbidden()


@transaction.atomic
def own_record_update(*, by: User, person: Person, **fields: Any) -> Person:
    """A person corrects their own record; every change is in their access log like any other."""
    _check_own(by, person)
    if set(fields) - set(SELF_EDITABLE):
        raise invalid({"__all__": [_("Some of these fields cannot be changed here.")]})
    return _change(actor=by, person=person, fields=fields)


@transaction.atomic
def own_account_close(*, by: User, person: Person) -> None:
    """The person leaves: every consent withdrawn, the record closed, the account switched off."""
    _check_own(by, person)
    for purpose in Purpose:
        if has_consent(person, purpose):
            _record_consent(
                by=by,
                person=person,
                purpose=purpose,
                status=ConsentStatus.WITHDRAWN,
                channel=ConsentChannel.ONLINE,
            )
    _erase_protection_answers(person)
    _end_shares(by=by, person=person)
    Person.objects.filter(pk=person.pk).update(status=RecordStatus.CLOSED)
    User.objects.filter(pk=by.pk).update(is_active=False)
    audit_record(actor=by, action=Action.DEACTIVATE, target=person)


@transaction.atomic
def person_share(*, by: User, person: Person, organisation: Organisation) -> PersonShare:
    """Share the record with another organisation: only with the person's consent to sharing."""
    require(by, Perm.PERSON_EDIT)
    if not persons_in_scope(fetched_by=by).filter(pk=person.pk).exists():
        raise forbidden()
    if not has_consent(person, Purpose.SHARING):
        raise invalid(
            {"organisation": [_("The person has not consented to sharing their record.")]}
        )
    if organisation.pk == person.organisation_id or not organisation.is_active:
        raise invalid({"organisation": [_("Choose another, active organisation.")]})
    share, created = PersonShare.objects.get_or_create(
        person=person, organisation=organisation, ended_at=None, defaults={"shared_by": by}
    )
    if created:
        audit_record(
            actor=by,
            action=Action.UPDATE,
            target=person,
            changes={"shared_with": [None, organisation.name]},
        )
    return share


@transaction.atomic
def person_unshare(*, by: User, share: PersonShare) -> None:
    require(by, Perm.PERSON_EDIT)
    if not persons_in_scope(fetched_by=by).filter(pk=share.person_id).exists():
        raise forbidden()
    PersonShare.objects.filter(pk=share.pk).update(ended_at=timezone.now())
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=share.person,
        changes={"shared_with": [share.organisation.name, None]},
    )


def _end_shares(*, by: User, person: Person) -> None:
    """Consent to sharing withdrawn: every share ends now."""
    for share in PersonShare.objects.filter(person=person, ended_at=None).select_related(
        "organisation"
    ):
        PersonShare.objects.filter(pk=share.pk).update(ended_at=timezone.now())
        audit_record(
            actor=by,
            action=Action.UPDATE,
            target=person,
            changes={"shared_with": [share.organisation.name, None]},
        )
