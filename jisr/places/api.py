from django.http import HttpRequest
from ninja import Router, Schema

from jisr.places.models import District, Governorate
from jisr.places.selectors import district_list, governorate_list

router = Router(tags=["places"])


class GovernorateOut(Schema):
    code: str
    name: str
    name_ar: str
    name_ckb: str
    name_en: str


class DistrictOut(Schema):
    id: int
    governorate: str
    name: str
    name_ar: str
    name_ckb: str
    name_en: str

    @staticmethod
    def resolve_governorate(district: District) -> str:
        return district.governorate.code


@router.get("/governorates", response=list[GovernorateOut], auth=None)
def governorates(request: HttpRequest) -> list[Governorate]:
    """Iraq's governorates with ISO 3166-2 codes; `name` is in the request's language."""
    return list(governorate_list())


@router.get("/districts", response=list[DistrictOut], auth=None)
def districts(request: HttpRequest, governorate: str = "") -> list[District]:
    selected = Governorate.objects.filter(code=governorate).first() if governorate else None
    return list(district_list(governorate=selected))
