"""Categorisation of persons by rules that are data (`CategoryRule`), with reasons in words.

A rule holds when every condition holds. A condition names a fact about the person, an operator
and a value. Facts are the person's own fields, a few derived ones (age, household size) and
every question of the case form. The reason kept for a category lists the facts that made it
hold, so a caseworker reads "Sex: Female · Relationship: Head of household · Household size: 4".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisr.lib.i18n import localise_digits
from jisr.registry.caseform import CASE_FORM, CHOICE, MULTI, YES_NO
from jisr.registry.models import CategoryRule, Person, PersonCategory, PersonType, Relationship, Sex

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
    return problems


def person_facts(person: Person, answers: dict[str, Any]) -> dict[str, Any]:
    facts = {name: getter(person) for name, (_label, getter, _display) in PERSON_FACTS.items()}
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


def reason_text(reason: list[dict[str, Any]]) -> str:
    """The stored reason, in the reader's language."""
    return " · ".join(
        f"{fact_label(r['fact'])}: {value_label(r['fact'], r['value'])}" for r in reason
    )


def matching_rules(
    person: Person, answers: dict[str, Any]
) -> list[tuple[CategoryRule, list[dict[str, Any]]]]:
    facts = person_facts(person, answers)
    found = []
    for rule in CategoryRule.objects.filter(is_active=True):
        if validate_conditions(rule.conditions):
            continue  # a rule saved broken never places anyone; its page shows why
        if all(OPERATORS[c["op"]](facts.get(c["fact"]), c["value"]) for c in rule.conditions):
            reason = [{"fact": c["fact"], "value": facts.get(c["fact"])} for c in rule.conditions]
            found.append((rule, json.loads(json.dumps(reason, default=str))))
    return found


def categorise(person: Person, answers: dict[str, Any]) -> None:
    PersonCategory.objects.filter(person=person).delete()
    PersonCategory.objects.bulk_create(
        PersonCategory(person=person, rule=rule, reason=reason)
        for rule, reason in matching_rules(person, answers)
    )
