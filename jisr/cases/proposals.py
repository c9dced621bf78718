"""Which services fit a person's needs, best first, and why.

A service fits when it offers the kind of help, reaches where the person lives (its areas, or
all of Iraq, or remotely) and the person is eligible (age, sex, situation, registry categories,
not full). Among those that fit, nearer, sooner and in the person's language come first.
All of a case's needs are answered together, with a handful of queries whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.catalogue.models import (
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
)
from jisr.lib.i18n import format_number
from jisr.matching.models import Language
from jisr.places.models import District, Governorate
from jisr.registry.models import CaseAnswers, Person, PersonCategory

PLACE_SCORE = {"district": 1.0, "governorate": 0.8, "remote": 0.6, "national": 0.4}
FIELDS = (
    "pk", "minimum_age", "maximum_age", "sex", "person_types", "eligible_categories",
    "capacity_per_month", "wait_days", "languages", "free", "remote",
)  # fmt: skip


@dataclass
class Proposal:
    service: Service
    score: float
    reasons: list[str]


def _facts(person: Person) -> tuple[int | None, set[str], set[str]]:
    age = timezone.localdate().year - person.birth_year if person.birth_year else None
    categories = set(
        PersonCategory.objects.filter(person=person).values_list("rule__key", flat=True)
    )
    answers = CaseAnswers.objects.filter(person=person).values_list("answers", flat=True).first()
    spoken = set((answers or {}).get("languages") or [])
    return age, categories, spoken


def proposals_for(*, person: Person, category: ServiceCategory, limit: int = 5) -> list[Proposal]:
    return proposals_for_needs(person=person, categories=[category], limit=limit)[category.pk]


def proposals_for_needs(
    *, person: Person, categories: list[ServiceCategory], limit: int = 5
) -> dict[int, list[Proposal]]:
    """For each category (a need's kind of help), the best services, by category id."""
    wanted: dict[int, set[int]] = {}  # category asked -> it and its children
    children: dict[int, list[int]] = defaultdict(list)
    for child, parent in ServiceCategory.objects.exclude(parent=None).values_list(
        "pk", "parent_id"
    ):
        children[parent].append(child)
    for category in categories:
        wanted[category.pk] = {category.pk, *children.get(category.pk, [])}
    every = set().union(*wanted.values()) if wanted else set()
    links: dict[int, set[int]] = defaultdict(set)
    for service_id, category_id in Service.categories.through.objects.filter(
        servicecategory_id__in=every,
        service__published=True, service__status=ServiceStatus.ACTIVE,
    ).filter(
        Q(service__areas=person.governorate_id) | Q(service__areas__isnull=True) | Q(service__remote=True)
    ).values_list("service_id", "servicecategory_id"):  # fmt: skip
        links[service_id].add(category_id)
    age, person_categories, spoken = _facts(person)
    rows = {row["pk"]: row for row in Service.objects.filter(pk__in=list(links)).values(*FIELDS)}
    eligible = {pk for pk, row in rows.items() if _eligible(row, person, age, person_categories)}
    places = _places(eligible, person)
    scored: dict[int, list[tuple[float, int]]] = {}
    for asked, codes in wanted.items():
        scored[asked] = sorted(
            ((-_score(rows[pk], places[pk], spoken), pk) for pk in eligible if links[pk] & codes),
        )[:limit]
    chosen = Service.objects.select_related("organisation").in_bulk(
        {pk for found in scored.values() for _, pk in found}
    )
    result: dict[int, list[Proposal]] = {}
    for asked, found in scored.items():
        result[asked] = [
            Proposal(chosen[pk], round(-score, 3), _reasons(rows[pk], places[pk], spoken))
            for score, pk in found
        ]
    return result


def _eligible(row: dict[str, Any], person: Person, age: int | None, categories: set[str]) -> bool:
    if row["capacity_per_month"] == 0:
        return False
    if age is not None:
        if row["minimum_age"] is not None and age < row["minimum_age"]:
            return False
        if row["maximum_age"] is not None and age > row["maximum_age"]:
            return False
    if row["sex"] and row["sex"] != person.sex:
        return False
    if row["person_types"] and person.person_type not in row["person_types"]:
        return False
    return not row["eligible_categories"] or bool(categories & set(row["eligible_categories"]))


def _places(services: set[int], person: Person) -> dict[int, tuple[str, str]]:
    """How near each service is to the person: its offices, its areas, remote, or national."""
    offices: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for service_id, governorate_id, district_id in ServiceAtLocation.objects.filter(
        service__in=services
    ).values_list("service_id", "location__governorate_id", "location__district_id"):
        offices[service_id].append((governorate_id, district_id))
    areas: dict[int, set[int]] = defaultdict(set)
    for service_id, area_id in Service.areas.through.objects.filter(
        service__in=services
    ).values_list("service_id", "governorate_id"):
        areas[service_id].add(area_id)
    remote = set(Service.objects.filter(pk__in=services, remote=True).values_list("pk", flat=True))
    here = Governorate.objects.filter(pk=person.governorate_id or 0).first()
    district = District.objects.filter(pk=person.district_id or 0).first()
    here_name = here.name if here else ""
    places = {}
    for service in services:
        if district is not None and any(d == district.pk for _, d in offices[service]):
            places[service] = (
                "district",
                _("In %(place)s") % {"place": f"{here_name} · {district.name}"},
            )
        elif any(g == person.governorate_id for g, _ in offices[service]):
            places[service] = ("governorate", _("In %(place)s") % {"place": here_name})
        elif service in remote:
            places[service] = ("remote", _("Remotely, by phone or online"))
        elif person.governorate_id in areas[service]:
            places[service] = ("governorate", _("Serves %(place)s") % {"place": here_name})
        else:
            places[service] = ("national", _("Serves the whole of Iraq"))
    return places


def _score(row: dict[str, Any], place: tuple[str, str], spoken: set[str]) -> float:
    score = PLACE_SCORE[place[0]]
    if row["wait_days"] is not None:
        score += 0.3 / (1 + row["wait_days"] / 30)
    if any(code in spoken for code in row["languages"]):
        score += 0.2
    if row["free"]:
        score += 0.05
    return score


def _reasons(row: dict[str, Any], place: tuple[str, str], spoken: set[str]) -> list[str]:
    reasons = [place[1]]
    if row["wait_days"] is not None:
        reasons.append(
            ngettext(
                "Usually within %(days)s day", "Usually within %(days)s days", row["wait_days"]
            )
            % {"days": format_number(row["wait_days"])}
        )
    common = [
        str(Language(code).label)
        for code in row["languages"]
        if code in spoken and code in Language.values
    ]
    if common:
        reasons.append(_("Speaks %(languages)s") % {"languages": _(", ").join(common)})
    if row["free"]:
        reasons.append(_("Free of charge"))
    if row["person_types"] or row["eligible_categories"] or row["sex"]:
        reasons.append(_("The person meets its conditions"))
    return reasons
