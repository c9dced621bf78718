"""The catalogue through its real URLs: a provider proposes, an administrator publishes, anyone
finds it; providers touch only their own organisation's services."""

from __future__ import annotations

import pytest

from jisr.accounts.roles import Role, Scope
from jisr.catalogue.models import ChangeStatus, Location, Service, ServiceCategory
from jisr.catalogue.services import change_approve, service_propose
from jisr.conftest import client_for, make_user, register_person
from jisr.lib.errors import JisrError
from jisr.places.models import District, Governorate
from jisr.registry.services import case_answers_save

pytestmark = pytest.mark.django_db

FORM = {
    "name_ckb": "ناسنامەی نیشتمانی بۆ گەڕاوەکان",
    "name_en": "National ID cards for returnees",
    "description_en": "Help to get the unified national ID card.",
    "how_to_access_en": "Come to the office with your old documents.",
    "categories": ["legal-documentation"],
    "status": "active",
    "areas": ["IQ-BG"],
    "free": "on",
    "minimum_age": "18",
    "required_documents": ["civil_status_id"],
    "languages": ["ar", "ckb"],
}


def test_a_provider_proposes_an_administrator_publishes_anyone_finds(people):
    charlie = client_for(people["charlie"])
    assert charlie.get("/catalogue/new/").status_code == 200
    response = charlie.post("/catalogue/new/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get()
    assert service.organisation == people["charlie"].organisation
    assert not service.published
    public = client_for(None)
    assert "National ID" not in public.get("/services/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert public.get(f"/services/{service.uuid}/").status_code == 404
    admin = client_for(people["admin"])
    change = service.changes.get()
    assert str(change.pk) in admin.get("/catalogue/review/").content.decode()
    assert admin.post(f"/catalogue/review/{change.pk}/approve/").status_code == 302
    service.refresh_from_db()
    assert service.published
    found = public.get(
        "/services/",
        {"category": "legal", "governorate": Governorate.objects.get(code="IQ-BG").pk, "age": "30"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert str(service.uuid) in found.content.decode()
    assert str(service.uuid) not in public.get("/services/", {"age": "12"}).content.decode()
    assert (
        str(service.uuid) not in public.get("/services/", {"category": "health"}).content.decode()
    )
    page = public.get(f"/services/{service.uuid}/", HTTP_ACCEPT_LANGUAGE="ckb").content.decode()
    assert "ناسنامەی نیشتمانی" in page
    assert "how-to-access" in page


def test_a_change_shows_only_once_approved_and_a_rejection_says_why(people):
    charlie = people["charlie"]
    change = service_propose(by=charlie, data={"name_en": "Legal aid", "categories": ["legal-aid"]})
    service = change_approve(by=people["admin"], change=change)
    client = client_for(charlie)
    client.post(
        f"/catalogue/{service.pk}/edit/",
        {**FORM, "name_en": "Free legal aid", "categories": ["legal-aid"]},
    )
    service.refresh_from_db()
    assert service.name_en == "Legal aid"  # the public still sees the published version
    pending = service.changes.get(status=ChangeStatus.PENDING)
    admin = client_for(people["admin"])
    assert admin.post(f"/catalogue/review/{pending.pk}/reject/", {"reason": ""}).status_code == 200
    admin.post(f"/catalogue/review/{pending.pk}/reject/", {"reason": "أضف رقم الهاتف"})
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.REJECTED
    assert "أضف رقم الهاتف" in client.get("/catalogue/").content.decode()
    assert service.changes.count() == 2  # the history is kept


def test_providers_cannot_touch_another_organisations_services(people, orgs):
    change = service_propose(
        by=people["charlie"], data={"name_ar": "خدمة", "categories": ["legal-aid"]}
    )
    other = make_user(
        "other@example.org", orgs["company"], {Role.PROVIDER_STAFF: Scope.ORGANISATION}
    )
    client = client_for(other)
    assert client.get(f"/catalogue/{change.service_id}/edit/").status_code == 404
    assert client.post(f"/catalogue/{change.service_id}/edit/", FORM).status_code == 404
    with pytest.raises(JisrError):
        service_propose(
            by=other, service=change.service, data={"name_ar": "x", "categories": ["legal-aid"]}
        )
    assert client_for(people["charlie"]).get("/catalogue/review/").status_code == 403
    change.service.refresh_from_db()
    assert change.service.name_ar == "خدمة"


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(people):
    client = client_for(people["charlie"])
    response = client.post(
        "/catalogue/new/",
        {**FORM, "name_ckb": "", "name_en": "", "minimum_age": "40", "maximum_age": "20"},
    )
    assert response.status_code == 200
    assert not Service.objects.exists()
    with pytest.raises(JisrError) as error:
        service_propose(
            by=people["charlie"],
            data={"name_ar": "x", "categories": ["no-such"], "languages": ["xx"]},
        )
    assert set(error.value.fields) >= {"categories", "languages"}
    assert not Service.objects.exists()


def test_locations_are_the_providers_own(people, orgs):
    client = client_for(people["charlie"])
    baghdad = Governorate.objects.get(code="IQ-BG")
    response = client.post(
        "/catalogue/locations/new/",
        {"name_ar": "مكتب الكرادة", "governorate": baghdad.pk, "address": "شارع 52"},
    )
    assert response.status_code == 302
    location = Location.objects.get()
    change = service_propose(
        by=people["charlie"],
        data={"name_ar": "خدمة", "categories": ["legal-aid"], "locations": [str(location.uuid)]},
    )
    assert change.service.at_locations.get().location == location
    other = make_user(
        "other@example.org", orgs["company"], {Role.PROVIDER_STAFF: Scope.ORGANISATION}
    )
    with pytest.raises(JisrError):
        service_propose(
            by=other,
            data={"name_ar": "x", "categories": ["legal-aid"], "locations": [str(location.uuid)]},
        )
    assert client_for(other).get(f"/catalogue/locations/{location.pk}/edit/").status_code == 404


def test_the_taxonomy_has_two_levels_in_three_languages():
    domains = ServiceCategory.objects.filter(parent=None)
    assert {d.code for d in domains} >= {
        "legal",
        "economic",
        "social",
        "psychosocial",
        "health",
        "protection",
        "information",
    }
    for category in ServiceCategory.objects.all():
        assert category.name_ar
        assert category.name_ckb
        assert category.name_en
        assert category.parent is None or category.parent.parent is None
    assert "needs:documentation" in ServiceCategory.objects.get(code="legal-documentation").needs


def _api(client, method, url, body=None):
    import json

    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def test_the_api_proposes_reviews_and_serves_the_directory(people, orgs):
    charlie = client_for(people["charlie"])
    body = {
        "name_en": "Psychosocial support",
        "name_ckb": "پاڵپشتیی دەروونی",
        "categories": ["psychosocial-counselling"],
        "areas": ["IQ-NI"],
    }
    created = _api(charlie, "POST", "/api/v1/catalogue/services", body)
    assert created.status_code == 201, created.json()
    change_id, service_id = created.json()["id"], created.json()["service_id"]
    assert _api(client_for(None), "GET", "/api/v1/services").json() == []
    admin = client_for(people["admin"])
    assert [c["id"] for c in _api(admin, "GET", "/api/v1/catalogue/changes").json()] == [change_id]
    published = _api(admin, "POST", f"/api/v1/catalogue/changes/{change_id}/approve")
    assert published.json()["published"] is True
    listed = _api(
        client_for(None), "GET", "/api/v1/services?category=psychosocial&governorate=IQ-NI"
    ).json()
    assert [s["id"] for s in listed] == [service_id]
    # Another organisation's provider: refused, and nothing changes.
    other = make_user(
        "other@example.org", orgs["company"], {Role.PROVIDER_STAFF: Scope.ORGANISATION}
    )
    refused = _api(
        client_for(other),
        "PUT",
        f"/api/v1/catalogue/services/{service_id}",
        {**body, "name_en": "Hijacked"},
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert Service.objects.get(pk=service_id).name_en == "Psychosocial support"
    wrong = _api(
        charlie, "POST", "/api/v1/catalogue/services", {"name_en": "x", "categories": ["nope"]}
    )
    assert wrong.status_code == 422
    assert "categories" in wrong.json()["error"]["fields"]
    assert (
        _api(charlie, "POST", f"/api/v1/catalogue/changes/{change_id}/approve").status_code == 403
    )


def test_the_gaps_page_lists_needs_with_no_service(people):

    alice = people["alice"]
    for number in range(3):
        person = register_person(alice, first_name=f"ش{number}")
        case_answers_save(by=alice, person=person, answers={"needs": ["documentation", "shelter"]})
    change = service_propose(
        by=people["charlie"],
        data={"name_ar": "وثائق", "categories": ["legal-documentation"], "areas": ["IQ-BG"]},
    )
    change_approve(by=people["admin"], change=change)
    client = client_for(people["carol"])
    page = client.get("/catalogue/map/").content.decode()
    assert 'data-gap="IQ-BG/social"' in page  # shelter needed in Baghdad, no service
    assert 'data-gap="IQ-BG/legal"' not in page
    detail = client.get("/catalogue/map/?level=category").content.decode()
    assert 'data-gap="IQ-BG/social-housing"' in detail
    export = client.get("/catalogue/map/?format=csv").content.decode("utf-8-sig")
    assert "IQ-BG,Baghdad,legal" in export or "IQ-BG" in export
    assert ",3," not in export  # three persons: shown as <10
    assert client_for(people["person"]).get("/catalogue/map/").status_code == 403


def test_the_directory_finds_services_by_district(people):
    baghdad = Governorate.objects.get(code="IQ-BG")
    karkh, rusafa = District.objects.filter(governorate=baghdad).order_by("pk")[:2]
    place = Location.objects.create(
        organisation=people["charlie"].organisation,
        name_ar="مكتب",
        governorate=baghdad,
        district=karkh,
    )
    change = service_propose(
        by=people["charlie"],
        data={"name_ar": "خدمة الحي", "categories": ["legal-aid"], "locations": [str(place.uuid)]},
    )
    service = change_approve(by=people["admin"], change=change)
    public = client_for(None)
    assert str(service.uuid) in public.get("/services/", {"district": karkh.pk}).content.decode()
    assert (
        str(service.uuid) not in public.get("/services/", {"district": rusafa.pk}).content.decode()
    )


def test_the_directory_filters_by_situation_and_language_on_whole_codes(people):
    def published(name: str, person_types: list[str], languages: list[str]) -> Service:
        change = service_propose(
            by=people["charlie"], data={"name_en": name, "categories": ["legal-aid"]}
        )
        service = change_approve(by=people["admin"], change=change)
        Service.objects.filter(pk=service.pk).update(person_types=person_types, languages=languages)
        return service

    for_displaced = published("For displaced returnees", ["idp_returnee"], ["ar"])
    for_everyone = published("For everyone", [], ["ar", "ckb"])
    for_returnees = published("For returnees", ["returnee"], ["en"])
    public = client_for(None)

    def shown(**filters: str) -> set[str]:
        page = public.get("/services/", filters).content.decode()
        return {
            s.name_en for s in (for_displaced, for_everyone, for_returnees) if str(s.uuid) in page
        }

    # "returnee" must not match inside "idp_returnee".
    assert shown(person_type="returnee") == {"For everyone", "For returnees"}
    assert shown(person_type="idp_returnee") == {"For everyone", "For displaced returnees"}
    assert shown(language="ckb") == {"For everyone"}
    assert shown(person_type="returnee", language="en") == {"For returnees"}
