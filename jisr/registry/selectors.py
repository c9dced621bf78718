"""Authorised reads of the registry.

A function that reads for someone takes who is asking (`fetched_by`, keyword-only), checks their
permission and scope, and audits what it shows. The few that take a record the caller has
already read through one of them (`has_consent`, `consent_state`, `person_shares`,
`person_access_log`, `person_export`) derive from that record alone.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jisr.accounts.access import not_found, require, scope_filter
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action, AuditEntry
from jisr.audit.selectors import audit_entry_list_naming
from jisr.audit.services import audit_reads, audit_record
from jisr.lib.arabic import normalise_name
from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_datetime
from jisr.lib.phones import normalise_phone
from jisr.registry.caseform.categories import (
    answer_text,
    fact_label,
    fact_sensitivity,
    reason_text,
    value_label,
)
from jisr.registry.caseform.questions import CASE_FORM, Question, Section
from jisr.registry.encryption import blind_index
from jisr.registry.models import (
    CategoryRule,
    ConsentEvent,
    ConsentStatus,
    Person,
    PersonCategory,
    PersonImport,
    PersonShare,
    Purpose,
    RecordStatus,
)


def persons_in_scope(*, fetched_by: User, shared: bool = False) -> QuerySet[Person]:
    """Active persons the user reaches by their scope, to read and change; with `shared`, also
    those shared with their organisation (to read only). A closed record is on legal hold
    (decision 0019): no member of staff reaches it, for any purpose."""
    return _reached(fetched_by, shared=shared).filter(status=RecordStatus.ACTIVE)


def persons_in_scope_through(*, fetched_by: User, relation: str) -> Q:
    """The filter of `persons_in_scope` (without shares), on another model's records whose
    person is reached through `relation` (e.g. "person"). A join on the person, not
    `person__in=<subquery>`: PostgreSQL cannot hash a subquery that is OR-ed with another
    condition, and then reads every person for every row (a case list of a million cases took
    minutes)."""
    return scope_filter(
        fetched_by,
        Perm.PERSON_VIEW,
        organisation=f"{relation}__organisation",
        governorate=f"{relation}__governorate",
        owner=f"{relation}__registered_by",
    ) & Q(**{f"{relation}__status": RecordStatus.ACTIVE})


def _reached(user: User, *, shared: bool) -> QuerySet[Person]:
    reach = scope_filter(
        user,
        Perm.PERSON_VIEW,
        organisation="organisation",
        governorate="governorate",
        owner="registered_by",
    )
    if shared and user.organisation_id and user.can(Perm.PERSON_VIEW):
        shares = PersonShare.objects.filter(organisation=user.organisation_id, ended_at=None)
        reach |= Q(pk__in=shares.values("person_id"))
    return Person.objects.filter(reach)


def record_closed() -> JisrError:
    return JisrError(
        "record_closed",
        _(
            "This record is closed at the person's request. Jisr keeps it only for as long as "
            "the law requires, and nobody may open, change, list or export it."
        ),
        status=403,
    )


def person_shares(person: Person) -> QuerySet[PersonShare]:
    return person.shares.filter(ended_at=None).select_related("organisation")


def person_list(
    *,
    fetched_by: User,
    search: str = "",
    governorate: int | None = None,
    person_type: str = "",
    category: str = "",
) -> QuerySet[Person]:
    """Active persons in the reader's scope. The search matches every part of a name in any spelling
    variant (see jisr.lib.arabic), a phone number, or an ID number exactly."""
    require(fetched_by, Perm.PERSON_VIEW)
    persons = persons_in_scope(fetched_by=fetched_by, shared=True)
    if search:
        persons = persons.filter(_search(search))
    if governorate:
        persons = persons.filter(governorate_id=governorate)
    if person_type:
        persons = persons.filter(person_type=person_type)
    rule = CategoryRule.objects.filter(key=category).first() if category else None
    if category and (rule is None or not _rule_visible(rule, fetched_by)):
        return persons.none()
    if category:
        persons = persons.filter(
            pk__in=PersonCategory.objects.filter(rule__key=category).values("person_id")
        )
    return persons.select_related("governorate", "organisation")


def _search(text: str) -> Q:
    condition = Q()
    for token in normalise_name(text).split():
        condition &= Q(name_key__contains=token)
    with contextlib.suppress(ValueError):
        condition |= Q(phone=normalise_phone(text))
    if index := blind_index(text):
        condition |= Q(national_id_index=index)
    return condition


def person_get(*, fetched_by: User, person_id: int) -> Person:
    """One person's record, its reading recorded in the audit log."""
    require(fetched_by, Perm.PERSON_VIEW)
    person = (
        persons_in_scope(fetched_by=fetched_by, shared=True)
        .select_related("governorate", "district", "organisation", "household")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        # Those who reached the record before it closed are told why it is gone.
        if _reached(fetched_by, shared=True).filter(pk=person_id).exists():
            raise record_closed()
        raise not_found()
    audit_record(actor=fetched_by, action=Action.VIEW, target=person)
    return person


def person_duplicate_list(
    *, fetched_by: User, first_name: str, family_name: str, birth_year: int | None, phone: str
) -> list[Person]:
    """Records in the reader's scope that may be the same person: same phone, or the same first
    and family name (any spelling) born within a year of each other."""
    require(fetched_by, Perm.PERSON_REGISTER)
    condition = Q(pk__in=[])
    if phone:
        condition |= Q(phone=phone)
    first, family = normalise_name(first_name), normalise_name(family_name)
    if first:
        same_name = Q(name_key__startswith=first + " ")
        if family:
            same_name &= Q(name_key__contains=family)
        if birth_year:
            same_name &= Q(birth_year__range=(birth_year - 1, birth_year + 1)) | Q(
                birth_year__isnull=True
            )
        condition |= same_name
    return audit_reads(
        actor=fetched_by,
        records=persons_in_scope(fetched_by=fetched_by, shared=True)
        .filter(condition)
        .select_related("governorate")[:10],
        context="registry.possible_duplicates",
    )


def consent_state(person: Person) -> dict[Purpose, ConsentEvent | None]:
    """The decision in force for each purpose (the latest), or None where none was asked."""
    state: dict[Purpose, ConsentEvent | None] = dict.fromkeys(Purpose)
    for event in person.consent_events.select_related("recorded_by").order_by("at", "pk"):
        state[Purpose(event.purpose)] = event
    return state


def has_consent(person: Person, purpose: Purpose) -> bool:
    """True only while the person's latest decision for `purpose` is "given"."""
    return _given(person.consent_events.filter(purpose=purpose).order_by("-at", "-pk").first())


def _given(event: ConsentEvent | None) -> bool:
    return event is not None and event.status == ConsentStatus.GIVEN


def case_form_sections(*, fetched_by: User, person: Person) -> list[Section]:
    """The sections `fetched_by` may read and answer for `person`: the person all of their own;
    staff those within their clearance. Protection questions only while the person consents."""
    own = person.account_id is not None and person.account_id == fetched_by.pk
    return [
        section
        for section in CASE_FORM.sections
        if (own or fetched_by.can_see(section.sensitivity))
        and (not section.needs_consent or has_consent(person, Purpose(section.needs_consent)))
    ]


def case_answers_get(
    *, fetched_by: User, person: Person
) -> list[tuple[Section, list[tuple[Question, str]]]]:
    """The answers the reader may see, section by section, as text in the reader's language
    (sections of `case_form_sections` only)."""
    answers = person.case_form_answers()
    return [
        (section, [(q, answer_text(q, answers.get(q.key))) for q in section.questions])
        for section in case_form_sections(fetched_by=fetched_by, person=person)
    ]


def _rule_visible(rule: CategoryRule, reader: User, consented: set[Purpose] | None = None) -> bool:
    """A category shows only to readers cleared for every fact it rests on (and, for a person's
    protection facts, only while the person consents: `consented` holds their purposes), so it
    never reveals what its facts would not."""
    for condition in rule.conditions:
        sensitivity, purpose = fact_sensitivity(condition.get("fact", ""))
        if not reader.can_see(sensitivity):
            return False
        if purpose and consented is not None and Purpose(purpose) not in consented:
            return False
    return True


def person_category_list(*, fetched_by: User, person: Person) -> list[tuple[str, str, str]]:
    """(key, label, reason) of each category the person is in, in the reader's language; for a
    reader other than the person, only categories whose facts that reader may see."""
    own = person.account_id is not None and person.account_id == fetched_by.pk
    return _categories(person, reader=None if own else fetched_by)


def _categories(person: Person, *, reader: User | None) -> list[tuple[str, str, str]]:
    """All of the person's categories (`reader` None: the person themself), or those `reader`
    may see; the person's consents are read once for all of them."""
    placed = list(person.categories.select_related("rule").order_by("rule__order"))
    if reader is not None:
        consented = {p for p, event in consent_state(person).items() if _given(event)}
        placed = [c for c in placed if _rule_visible(c.rule, reader, consented)]
    return [(c.rule.key, c.rule.label, reason_text(c.reason)) for c in placed]


def category_rule_list(*, fetched_by: User) -> QuerySet[CategoryRule]:
    require(fetched_by, Perm.CATEGORY_MANAGE)
    return CategoryRule.objects.all()


def category_rule_get(*, fetched_by: User, rule_id: int) -> CategoryRule:
    rule = category_rule_list(fetched_by=fetched_by).filter(pk=rule_id).first()
    if rule is None:
        raise not_found()
    return rule


def person_import_get(*, fetched_by: User, import_id: int, rows: bool = True) -> PersonImport:
    """Only whoever uploaded a spreadsheet sees it: it holds personal data not yet in scope.
    Without `rows`, the file's cells are not read (its progress, asked for every few seconds)."""
    require(fetched_by, Perm.PERSON_REGISTER)
    imports = PersonImport.objects.filter(pk=import_id, created_by=fetched_by)
    found = (imports if rows else imports.defer("rows", "headers")).first()
    if found is None:
        raise not_found()
    return found


def own_person_get(*, fetched_by: User) -> Person:
    """The record of the signed-in person (their self-service account), or not found."""
    person = (
        Person.objects.select_related("governorate", "district", "organisation", "household")
        .filter(account=fetched_by, account__isnull=False)
        .first()
    )
    if person is None:
        raise not_found()
    return person


def person_access_log(person: Person) -> QuerySet[AuditEntry]:
    """Every reading and change of the person's data by staff, newest first: their record, and
    every list, case, referral or letter that showed it. The person sees which organisation
    acted, and when; staff names stay private, for staff safety."""
    return (
        audit_entry_list_naming(person_id=person.pk)
        .exclude(actor=person.account_id)
        .select_related("organisation", "api_key")
    )


def person_export(person: Person) -> dict[str, Any]:
    """Everything Jisr holds about a person, for their own download."""
    fields = [
        "first_name", "father_name", "grandfather_name", "family_name", "mother_name",
        "latin_name", "aliases", "sex", "birth_year", "birth_date", "phone", "phone_2", "email",
        "national_id", "person_type", "city", "relationship", "status", "form_version",
    ]  # fmt: skip
    record = {field: getattr(person, field) for field in fields}
    record["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    record["country"] = str(person.country.code)
    record["governorate"] = person.governorate.code if person.governorate else None
    record["district"] = person.district.name_en if person.district else None
    record["registered_by"] = person.organisation.name
    record["registered_at"] = person.created_at.isoformat()
    answers = person.case_form_answers()
    return {
        "person": record,
        "case_form": {
            key: {"question": fact_label(key), "answer": value_label(key, value), "value": value}
            for key, value in answers.items()
        },
        "consents": [
            {
                "purpose": e.purpose,
                "purpose_label": e.get_purpose_display(),
                "decision": e.status,
                "decision_label": e.get_status_display(),
                "how": e.channel,
                "at": e.at.isoformat(),
                "when": format_datetime(e.at),
                "form_version": e.form_version,
            }
            for e in person.consent_events.order_by("at", "pk")
        ],
        "categories": [
            {"category": label, "reason": reason}
            for _key, label, reason in _categories(person, reader=None)
        ],
        "access_log": [
            {
                "at": e.at.isoformat(),
                "when": format_datetime(e.at),
                "organisation": e.organisation.name if e.organisation else None,
                "system": e.api_key.name if e.api_key else None,
                "action": e.action,
                "action_label": e.get_action_display(),
            }
            for e in person_access_log(person)
        ],
    }
