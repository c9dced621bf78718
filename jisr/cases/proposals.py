"""Which services fit a person's needs, best first, and why.

A service fits when it offers the kind of help, reaches where the person lives (its areas, or
all of Iraq, or remotely) and the person is eligible (age, sex, situation, registry categories,
not full). Among those that fit, nearer, sooner and in the person's language come first.
All of a case's needs are answered together, with a handful of queries whatever their number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.catalogue.models import (
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
)
from jisr.lib import reference
from jisr.lib.i18n import format_number
from jisr.matching.models import Language
from jisr.places.models import District, Governorate
from jisr.registry.models import CaseAnswers, Person, PersonCategory

P = TypeVar("P", Governorate, District)

PLACE_SCORE = {"district": 1.0, "governorate": 0.8, "remote": 0.6, "national": 0.4}
# Read for every candidate; the lists stored as JSON come as text, decoded only when not empty
# (most are), which keeps a catalogue of 50,000 services quick to search.
COLUMNS = (
    "pk", "sex", "wait_days", "free", "remote", "categories", "in_area", "office_here",
    "office_near", "types_text", "eligible_text", "languages_text", "organisation_id", "name_ar",
    "name_en",
)  # fmt: skip
LISTS = {
    "types_text": "person_types",
    "eligible_text": "eligible_categories",
    "languages_text": "languages",
}


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


def _reference_place(places: QuerySet[P], pk: int | None) -> P | None:
    """A governorate or district by its key, from the reference lists kept per process."""
    return next((place for place in reference.rows(places) if place.pk == pk), None)


def proposals_for(*, person: Person, category: ServiceCategory, limit: int = 5) -> list[Proposal]:
    return proposals_for_needs(person=person, categories=[category], limit=limit)[category.pk]


def proposals_for_needs(
    *, person: Person, categories: list[ServiceCategory], limit: int = 5
) -> dict[int, list[Proposal]]:
    """For each category (a need's kind of help), the best services, by category id. One query
    finds every service that offers one of the kinds and reaches the person, with where it is."""
    if not categories:
        return {}
    wanted: dict[int, set[int]] = {}  # category asked -> it and its children
    children: dict[int, list[int]] = defaultdict(list)
    kinds = ServiceCategory.objects.exclude(parent=None).values_list("pk", "parent_id")
    for child, parent in reference.rows(kinds):  # reference data, kept per process
        children[parent].append(child)
    for category in categories:
        wanted[category.pk] = {category.pk, *children.get(category.pk, [])}
    every = set().union(*wanted.values()) if wanted else set()
    if not every:
        return {}
    areas = Service.areas.through.objects.filter(service_id=OuterRef("pk"))
    offices = ServiceAtLocation.objects.filter(service_id=OuterRef("pk"))
    age, person_categories, spoken = _facts(person)
    found = (
        Service.objects.filter(published=True, status=ServiceStatus.ACTIVE, categories__in=every)
        .annotate(
            in_area=Exists(areas.filter(governorate_id=person.governorate_id or 0)),
            national=~Exists(areas),
            office_here=Exists(offices.filter(location__governorate_id=person.governorate_id or 0)),
            office_near=Exists(offices.filter(location__district_id=person.district_id or 0)),
        )
        .filter(Q(in_area=True) | Q(national=True) | Q(remote=True))
        .exclude(capacity_per_month=0)
        .exclude(sex__in=[s for s in ("F", "M") if s != person.sex])
    )
    if age is not None:
        found = found.exclude(minimum_age__gt=age).exclude(maximum_age__lt=age)
    rows: dict[int, dict[str, Any]] = {}
    links: dict[int, set[int]] = defaultdict(set)
    found = found.annotate(
        types_text=Cast("person_types", TextField()),
        eligible_text=Cast("eligible_categories", TextField()),
        languages_text=Cast("languages", TextField()),
    )
    # The rows as the database gives them: Django's per-value converters cost more than the
    # query at this size, and none is needed for these columns.
    sql, params = found.values_list(*COLUMNS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for values in fetched:
        row = dict(zip(COLUMNS, values, strict=True))
        links[row["pk"]].add(row["categories"])
        if row["pk"] not in rows:
            for text, name in LISTS.items():
                raw = row.pop(text)
                row[name] = json.loads(raw) if raw and raw != "[]" else []
            rows[row["pk"]] = row
    eligible = [pk for pk, row in rows.items() if _eligible(row, person, age, person_categories)]
    here = _reference_place(Governorate.objects.all(), person.governorate_id)
    district = _reference_place(District.objects.all(), person.district_id)
    # Words are written only for the services proposed; the kind of place is enough to rank.
    places = {pk: (_place_kind(rows[pk], district), "") for pk in eligible}
    scored: dict[int, list[tuple[float, int]]] = {}
    for asked, codes in wanted.items():
        ranked = sorted(
            (-_score(rows[pk], places[pk], spoken), pk) for pk in eligible if links[pk] & codes
        )
        # The same service of one organisation, offered in several places, is proposed once:
        # at its nearest.
        seen: set[tuple[Any, ...]] = set()
        scored[asked] = []
        for score, pk in ranked:
            key = (rows[pk]["organisation_id"], rows[pk]["name_ar"], rows[pk]["name_en"])
            if key not in seen:
                seen.add(key)
                scored[asked].append((score, pk))
                if len(scored[asked]) == limit:
                    break
    chosen = Service.objects.select_related("organisation").in_bulk(
        {pk for found_here in scored.values() for _, pk in found_here}
    )
    return {
        asked: [
            Proposal(
                chosen[pk],
                round(-score, 3),
                _reasons(rows[pk], _place(rows[pk], here, district), spoken),
            )
            for score, pk in found_here
        ]
        for asked, found_here in scored.items()
    }


def _eligible(row: dict[str, Any], person: Person, age: int | None, categories: set[str]) -> bool:
    # Capacity, age and sex are already checked by the query; the lists held as JSON here.
    if row["person_types"] and person.person_type not in row["person_types"]:
        return False
    return not row["eligible_categories"] or bool(categories & set(row["eligible_categories"]))


def _place_kind(row: dict[str, Any], district: District | None) -> str:
    if row["office_near"] and district is not None:
        return "district"
    if row["office_here"]:
        return "governorate"
    if row["remote"]:
        return "remote"
    return "governorate" if row["in_area"] else "national"


def _place(
    row: dict[str, Any], here: Governorate | None, district: District | None
) -> tuple[str, str]:
    """How near a service is to the person: an office in their district or governorate, the
    areas it serves, remote, or the whole of Iraq."""
    here_name = here.name if here else ""
    if row["office_near"] and district is not None:
        return "district", _("In %(place)s") % {"place": f"{here_name} · {district.name}"}
    if row["office_here"]:
        return "governorate", _("In %(place)s") % {"place": here_name}
    if row["remote"]:
        return "remote", _("Remotely, by phone or online")
    if row["in_area"]:
        return "governorate", _("Serves %(place)s") % {"place": here_name}
    return "national", _("Serves the whole of Iraq")


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
