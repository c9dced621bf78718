from __future__ import annotations

from django.db.models import QuerySet

from jisr.places.models import District, Governorate


def governorate_list() -> QuerySet[Governorate]:
    return Governorate.objects.all()


def district_list(*, governorate: Governorate | None = None) -> QuerySet[District]:
    districts = District.objects.select_related("governorate")
    return districts.filter(governorate=governorate) if governorate else districts
