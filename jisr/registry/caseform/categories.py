"""Categorisation of persons by rules that are data (`CategoryRule`), with reasons in words.

A rule holds when every condition holds. A condition names a fact about the person, an operator
and a value. Facts are the person's own fields, a few derived ones (age, household size) and
every question of the case form. The reason kept for a category lists the facts that made it
hold, so a caseworker reads "Sex: Female · Relationship: Head of household · Household size: 4".

A person's categories are derived from their record: `categorise` recomputes them whenever the
record, their household or a rule changes (the registry's services call it, in their
transaction), so they are never edited by hand and carry no audit entry of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisr.accounts.roles import Sensitivity
from jisr.lib.i18n import localise_digits
from jisr.registry.caseform.questions import CASE_FORM, CHOICE, MULTI, YES_NO, Question
from jisr.registry.models import (
    CategoryRule,
    Household,
    Person,
    PersonCategory,
    PersonType,
    Relationship,
    Sex,
)

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda fact, value: fact == value,
    "in": lambda fact, value: fact in value,
    "gte": lambda fact, value: fact is not None and fact >= value,
    "lte": lambda fact, value: fact is not None and fact <= value,
    "contains": lambda fact, value: value in (fact or []),
}


def _age(person: Person) -> int | None:
    return timezone.localdate().year - person.birth_year if person.birth_year else None


PERSON_FACTS: dict[str, tuple[str | Promise, Callable[[Person], Any], dict[str, Any]]] = {
    "sex": (_("Sex"), lambda p: p.sex, dict(Sex.choices)),
    "age": (_("Age"), _age, {}),
    "relationship": (_("Relationship"), lambda p: p.relationship, dict(Relationship.choices)),
    "household_size": (_("Household size"), lambda p: p.household.members.count(), {}),
    "person_type": (_("Situation"), lambda p: p.person_type, dict(PersonType.choices)),
}


def known_facts() -> set[str]:
    return set(PERSON_FACTS) | set(CASE_FORM.by_key)


def fact_sensitivity(fact: str) -> tuple[Sensitivity, str]:
    """How sensitive a fact is, and the consent purpose it needs (if any)."""
    if fact in PERSON_FACTS:
        return Sensitivity.PERSONAL, ""
    section = CASE_FORM.section_of(fact)
    return section.sensitivity, section.needs_consent


_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "eq": (str, int, bool), "in": (list,), "gte": (int,), "lte": (int,), "contains": (str,),
}  # fmt: skip


def _value_suits(op: str, value: Any) -> bool:
    if not isinstance(value, _VALUE_TYPES[op]):
        return False
    items: list[Any] = value if isinstance(value, list) else []
    return op != "in" or all(isinstance(item, (str, int)) for item in items)


def validate_conditions(conditions: Any) -> list[str]:
    """Problems with a rule's conditions, in words; empty when it can be used."""
    if not isinstance(conditions, list) or not conditions:
        return [str(_("Give a list of at least one condition."))]
    problems = []
    for number, condition in enumerate(conditions, start=1):
        if not isinstance(condition, dict) or set(condition) != {"fact", "op", "value"}:
            problems.append(
                str(_("Condition %(n)s needs exactly fact, op and value.") % {"n": number})
            )
        elif condition["fact"] not in known_facts():
            problems.append(str(_("Condition %(n)s: unknown fact.") % {"n": number}))
        elif condition["op"] not in OPERATORS:
            problems.append(str(_("Condition %(n)s: unknown operator.") % {"n": number}))
        elif not _value_suits(condition["op"], condition["value"]):
            problems.append(
                str(_("Condition %(n)s: the value does not suit the operator.") % {"n": number})
            )
    return problems


def person_facts(
    person: Person, answers: dict[str, Any], household_size: int | None = None
) -> dict[str, Any]:
    """The facts rules read; `household_size` when the caller knows it (no query)."""
    facts = {
        name: household_size
        if name == "household_size" and household_size is not None
        else getter(person)
        for name, (_label, getter, _display) in PERSON_FACTS.items()
    }
    facts.update({key: answers.get(key) for key in CASE_FORM.by_key})
    return facts


def fact_label(fact: str) -> str:
    if fact in PERSON_FACTS:
        return str(PERSON_FACTS[fact][0])
    return str(CASE_FORM.by_key[fact].label)


def value_label(fact: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return localise_digits(str(value))
    if fact in PERSON_FACTS:
        return str(PERSON_FACTS[fact][2].get(value, value))
    question = CASE_FORM.by_key[fact]
    if question.kind == YES_NO:
        return str(_("Yes") if value else _("No"))
    if question.kind == CHOICE:
        return question.choice_label(value)
    if question.kind == MULTI:
        return "، ".join(question.choice_label(v) for v in value or [])
    return str(value)


def answer_text(question: Question, value: Any) -> str:
    """An answer as text in the reader's language ("" when unanswered)."""
    if value in (None, "", []):
        return ""
    return value_label(question.key, value)


def _reason_value(fact: str, facts: dict[str, Any]) -> Any:
    """The value that placed the person, unless it is sensitive: the category already says it."""
    return facts.get(fact) if fact_sensitivity(fact)[0] <= Sensitivity.PERSONAL else None


def _holds(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    try:
        return bool(OPERATORS[condition["op"]](facts.get(condition["fact"]), condition["value"]))
    except TypeError:  # a fact missing or of another type never places anyone
        return False


def reason_text(reason: list[dict[str, Any]]) -> str:
    """The stored reason, in the reader's language (a sensitive fact by its name alone)."""
    return " · ".join(
        f"{fact_label(r['fact'])}: {value_label(r['fact'], r['value'])}"
        if r["value"] is not None
        else fact_label(r["fact"])
        for r in reason
    )


def matching_rules(
    person: Person,
    answers: dict[str, Any],
    *,
    rules: list[CategoryRule] | None = None,
    household_size: int | None = None,
) -> list[tuple[CategoryRule, list[dict[str, Any]]]]:
    """The active rules the person falls under, with their reasons; `rules` when the caller
    has read them already (one read for many persons)."""
    facts = person_facts(person, answers, household_size)
    found = []
    for rule in CategoryRule.objects.filter(is_active=True) if rules is None else rules:
        if validate_conditions(rule.conditions):
            continue  # a rule saved broken never places anyone; its page shows why
        if all(_holds(c, facts) for c in rule.conditions):
            # Sensitive values are not copied into the reason: the category already says it.
            reason = [
                {"fact": c["fact"], "value": _reason_value(c["fact"], facts)}
                for c in rule.conditions
            ]
            found.append((rule, json.loads(json.dumps(reason, default=str))))
    return found


def categorise(person: Person) -> None:
    """The person's categories again, from their record and their answers as stored now."""
    PersonCategory.objects.filter(person=person).delete()
    PersonCategory.objects.bulk_create(
        PersonCategory(person=person, rule=rule, reason=reason)
        for rule, reason in matching_rules(person, person.case_form_answers())
    )


def categorise_new_heads(persons: list[Person]) -> None:
    """Categories of persons just registered, each alone in a new household and with no answers
    yet, written in one statement: what `recategorise_household` gives each of them, without a
    query per person (an import registers thousands)."""
    rules = list(CategoryRule.objects.filter(is_active=True))
    PersonCategory.objects.bulk_create(
        (
            PersonCategory(person=person, rule=rule, reason=reason)
            for person in persons
            for rule, reason in matching_rules(person, {}, rules=rules, household_size=1)
        ),
        batch_size=1000,
    )


def recategorise_household(household: Household) -> None:
    """Categories of every member (one's household size or headship can change another's)."""
    for member in Person.objects.filter(household=household).select_related("household"):
        categorise(member)


def recategorise_all() -> int:
    """Every person's categories again, household by household (after a rule changed); each
    household in its own transaction. Returns the number of households."""
    done = 0
    for household in Household.objects.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            recategorise_household(household)
        done += 1
    return done
