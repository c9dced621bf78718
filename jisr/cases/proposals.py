"""Which services fit a person's need, best first, and why.

A service fits when it offers the kind of help, reaches where the person lives (its areas, or
all of Iraq, or remotely) and the person is eligible (age, sex, situation, registry categories,
not full). Among those that fit, nearer, sooner and in the person's language come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.catalogue.models import Service, ServiceCategory, ServiceStatus
from jisr.lib.i18n import format_number
from jisr.matching.models import Language
from jisr.registry.models import CaseAnswers, Person, PersonCategory

PLACE_SCORE = {"district": 1.0, "governorate": 0.8, "remote": 0.6, "national": 0.4}


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
    codes = [category.pk, *category.children.values_list("pk", flat=True)]
    found = (
        Service.objects.filter(published=True, status=ServiceStatus.ACTIVE, categories__in=codes)
        .filter(Q(areas=person.governorate_id) | Q(areas__isnull=True) | Q(remote=True))
        .distinct()
        .select_related("organisation")
        .prefetch_related(
            "areas", "at_locations__location__governorate", "at_locations__location__district"
        )
    )
    age, categories, spoken = _facts(person)
    proposals = []
    for service in found:
        if not _eligible(service, person, age, categories):
            continue
        place, where = _place(service, person)
        score = PLACE_SCORE[place]
        reasons = [where]
        if service.wait_days is not None:
            score += 0.3 / (1 + service.wait_days / 30)
            reasons.append(
                ngettext(
                    "Usually within %(days)s day", "Usually within %(days)s days", service.wait_days
                )
                % {"days": format_number(service.wait_days)}
            )
        common = [code for code in service.languages if code in spoken]
        if common:
            score += 0.2
            names = [str(Language(code).label) for code in common if code in Language.values]
            reasons.append(_("Speaks %(languages)s") % {"languages": _(", ").join(names)})
        if service.free:
            score += 0.05
            reasons.append(_("Free of charge"))
        if service.person_types or service.eligible_categories or service.sex:
            reasons.append(_("The person meets its conditions"))
        proposals.append(Proposal(service, round(score, 3), reasons))
    proposals.sort(key=lambda p: (-p.score, p.service.pk))
    return proposals[:limit]


def _eligible(service: Service, person: Person, age: int | None, categories: set[str]) -> bool:
    if service.capacity_per_month == 0:
        return False
    if age is not None:
        if service.minimum_age is not None and age < service.minimum_age:
            return False
        if service.maximum_age is not None and age > service.maximum_age:
            return False
    if service.sex and service.sex != person.sex:
        return False
    if service.person_types and person.person_type not in service.person_types:
        return False
    return not service.eligible_categories or bool(categories & set(service.eligible_categories))


def _place(service: Service, person: Person) -> tuple[str, str]:
    for link in service.at_locations.all():
        location = link.location
        if person.district_id and location.district_id == person.district_id:
            return "district", _("In %(place)s") % {
                "place": f"{location.governorate.name} · {location.district.name}"
                if location.district
                else location.governorate.name
            }
    for link in service.at_locations.all():
        if link.location.governorate_id == person.governorate_id:
            return "governorate", _("In %(place)s") % {"place": link.location.governorate.name}
    if service.remote:
        return "remote", _("Remotely, by phone or online")
    if any(area.pk == person.governorate_id for area in service.areas.all()):
        return "governorate", _("Serves %(place)s") % {
            "place": person.governorate.name if person.governorate else ""
        }
    return "national", _("Serves the whole of Iraq")
