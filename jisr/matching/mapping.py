"""Supply and demand of skills: how many persons are available per occupation group and place,
against the places open in opportunities. Counts of persons below 10 are shown as "<10", and a
second cell is hidden where one hidden cell could be worked out from a total."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from django_countries import countries

from jisr.accounts.access import require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.matching.models import ProfileOccupation, Visibility
from jisr.matching.selectors import opportunity_list_open
from jisr.places.models import Governorate
from jisr.registry.models import ConsentEvent, ConsentStatus, Purpose, RecordStatus
from jisr.skills.models import IscoGroup

THRESHOLD = 10
ABROAD = "abroad"
IN_IRAQ = "iraq"
ANYWHERE = "*"


@dataclass
class Cell:
    supply: int
    demand: int
    hidden: bool = False

    @property
    def supply_shown(self) -> str:
        return f"<{THRESHOLD}" if self.hidden else str(self.supply)


@dataclass
class Row:
    group: str
    group_label: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def supply_total(self) -> int:
        return sum(c.supply for c in self.cells.values())

    @property
    def total_shown(self) -> str:
        total = self.supply_total
        return f"<{THRESHOLD}" if 0 < total < THRESHOLD else str(total)

    @property
    def demand_total(self) -> int:
        return sum(c.demand for c in self.cells.values())


@dataclass
class SkillsMap:
    places: list[tuple[str, str]]  # (key, name)
    rows: list[Row]


def skills_map(*, fetched_by: User, digits: int = 1, where: str = IN_IRAQ) -> SkillsMap:
    """Rows per ISCO-08 group (`digits` 1 or 2); columns per governorate (`where` "iraq") or per
    country of residence abroad ("abroad")."""
    require(fetched_by, Perm.SKILLS_MAP_VIEW)
    digits = 2 if digits == 2 else 1
    latest_matching = Subquery(
        ConsentEvent.objects.filter(
            person=OuterRef("profile__person"), purpose=Purpose.EMPLOYER_MATCHING
        )
        .order_by("-at", "-pk")
        .values("status")[:1]
    )
    available = (
        ProfileOccupation.objects.filter(profile__person__status=RecordStatus.ACTIVE)
        .exclude(profile__visibility=Visibility.HIDDEN)
        .annotate(consent=latest_matching, group=Substr("occupation__isco_group", 1, digits))
        .filter(consent=ConsentStatus.GIVEN)
    )
    if where == ABROAD:
        supply_rows = (
            available.exclude(profile__person__country="IQ")
            .values("group", place=F("profile__person__country"))
            .annotate(n=Count("profile", distinct=True))
        )
    else:
        supply_rows = (
            available.filter(profile__person__country="IQ")
            .values("group", place=F("profile__person__governorate__code"))
            .annotate(n=Count("profile", distinct=True))
        )
    demand_rows = (
        opportunity_list_open()
        .filter(occupation__isnull=False)
        .annotate(group=Substr("occupation__isco_group", 1, digits))
        .values("group", "remote", place=F("governorate__code"))
        .annotate(n=Sum("capacity"))
    )
    rows: dict[str, Row] = {}
    groups = IscoGroup.objects.annotate(length=Length("code")).filter(length=digits)
    labels = {g.code: g.label for g in groups}

    def row(group: str) -> Row:
        if group not in rows:
            rows[group] = Row(group, labels.get(group, group))
        return rows[group]

    for item in supply_rows:
        place = item["place"] or ANYWHERE
        cell = row(item["group"]).cells.setdefault(str(place), Cell(0, 0))
        cell.supply += item["n"]
    for item in demand_rows:
        place = (
            ANYWHERE if item["remote"] or not item["place"] or where == ABROAD else item["place"]
        )
        if where == ABROAD and not item["remote"]:
            continue  # abroad, only what can be done from abroad is demand
        cell = row(item["group"]).cells.setdefault(str(place), Cell(0, 0))
        cell.demand += item["n"] or 0
    for r in rows.values():
        _suppress(r)
    if where == ABROAD:
        codes = sorted({p for r in rows.values() for p in r.cells} - {ANYWHERE})
        places = [(code, str(countries.name(code)) or code) for code in codes]
    else:
        places = [(g.code, g.name) for g in Governorate.objects.order_by("name_en")]
    places.append((ANYWHERE, _("Remote or anywhere")))
    return SkillsMap(places=places, rows=[rows[g] for g in sorted(rows)])


def _suppress(row: Row) -> None:
    small = [c for c in row.cells.values() if 0 < c.supply < THRESHOLD]
    for cell in small:
        cell.hidden = True
    total = row.supply_total
    if len(small) == 1 and total >= THRESHOLD:
        # The one hidden cell would be the total minus the others: hide the next smallest too.
        others = sorted(
            (c for c in row.cells.values() if c.supply >= THRESHOLD), key=lambda c: c.supply
        )
        if others:
            others[0].hidden = True


def table(skills: SkillsMap) -> tuple[list[str], list[list[object]]]:
    """The map as rows for a CSV or XLSX export: one line per group and place."""
    headers = ["isco_group", "occupation_group", "place", "place_name", "available", "open_places"]
    lines: list[list[object]] = []
    for r in skills.rows:
        for key, name in skills.places:
            cell = r.cells.get(key)
            if cell is None:
                continue
            lines.append([r.group, r.group_label, key, name, cell.supply_shown, cell.demand])
    return headers, lines
