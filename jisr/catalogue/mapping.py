"""Stakeholder mapping: per governorate and kind of service, the active services, their monthly
capacity and who offers them, against the persons of the registry who need that kind of help;
a gap is a need with no service. Counts of persons below 10 are shown as "<10"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jisr.accounts.access import require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.catalogue.models import Service, ServiceCategory, ServiceStatus
from jisr.places.models import Governorate
from jisr.registry.models import CaseAnswers, RecordStatus

THRESHOLD = 10


@dataclass
class Cell:
    services: int = 0
    capacity: int = 0
    persons: int = 0

    @property
    def gap(self) -> bool:
        return self.persons > 0 and self.services == 0

    @property
    def persons_shown(self) -> str:
        return f"<{THRESHOLD}" if 0 < self.persons < THRESHOLD else str(self.persons)


@dataclass
class StakeholderMap:
    governorates: list[Governorate]
    categories: list[ServiceCategory]
    cells: dict[tuple[str, str], Cell]  # (governorate code, category code)
    organisations: dict[str, list[str]] = field(default_factory=dict)  # governorate -> names

    def cell(self, governorate: str, category: str) -> Cell:
        return self.cells.get((governorate, category)) or Cell()

    @property
    def gaps(self) -> list[tuple[Governorate, ServiceCategory, Cell]]:
        return [
            (g, c, self.cells[(g.code, c.code)])
            for g in self.governorates
            for c in self.categories
            if (g.code, c.code) in self.cells and self.cells[(g.code, c.code)].gap
        ]


def shows_need(answers: dict[str, Any], needs: list[str]) -> bool:
    """Whether case-form answers show any of the needs ("question:value")."""
    for need in needs:
        question, _, value = need.partition(":")
        given = answers.get(question)
        if given == value or (isinstance(given, list) and value in given):
            return True
    return False


def stakeholder_map(*, fetched_by: User, level: str = "domain") -> StakeholderMap:
    """`level` "domain" (legal, economic, ...) or "category" (the kinds within them)."""
    require(fetched_by, Perm.DASHBOARD_VIEW)
    governorates = list(Governorate.objects.order_by("name_en"))
    everywhere = [g.code for g in governorates]
    if level == "category":
        categories = list(ServiceCategory.objects.exclude(parent=None))
    else:
        categories = list(ServiceCategory.objects.filter(parent=None))
    domain_of = {
        c.code: (c.parent.code if c.parent else c.code)
        for c in ServiceCategory.objects.select_related("parent")
    }
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    organisations: dict[str, set[str]] = defaultdict(set)
    active = (
        Service.objects.filter(published=True, status=ServiceStatus.ACTIVE)
        .select_related("organisation")
        .prefetch_related("areas", "categories")
    )
    for service in active:
        places = [g.code for g in service.areas.all()] or everywhere
        codes = {c.code for c in service.categories.all()}
        if level != "category":
            codes = {domain_of[c] for c in codes}
        for place in places:
            organisations[place].add(service.organisation.name)
            for code in codes:
                cell = cells[(place, code)]
                cell.services += 1
                cell.capacity += service.capacity_per_month or 0
    rows = CaseAnswers.objects.filter(
        person__status=RecordStatus.ACTIVE, person__governorate__isnull=False
    ).values_list("person__governorate__code", "answers")
    for place, answers in rows.iterator(chunk_size=5000):
        for category in categories:
            if category.needs and shows_need(answers or {}, category.needs):
                cells[(place, category.code)].persons += 1
    return StakeholderMap(
        governorates=governorates,
        categories=categories,
        cells=dict(cells),
        organisations={k: sorted(v) for k, v in organisations.items()},
    )


def table(found: StakeholderMap) -> tuple[list[str], list[list[object]]]:
    headers = [
        "governorate", "governorate_name", "category", "category_name", "active_services",
        "capacity_per_month", "persons_in_need", "gap",
    ]  # fmt: skip
    rows: list[list[object]] = []
    for g in found.governorates:
        for c in found.categories:
            cell = found.cell(g.code, c.code)
            rows.append(
                [
                    g.code,
                    g.name,
                    c.code,
                    c.name,
                    cell.services,
                    cell.capacity,
                    cell.persons_shown,
                    "yes" if cell.gap else "",
                ]
            )
    return headers, rows
