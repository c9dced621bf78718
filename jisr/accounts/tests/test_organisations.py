from __future__ import annotations

from jisr.accounts.models import Organisation
from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for
from jisr.places.models import Governorate


def test_administrator_adds_and_edits_an_organisation_in_three_languages(people, orgs):
    client = client_for(people["admin"])
    erbil = Governorate.objects.get(code="IQ-AR")
    response = client.post(
        "/accounts/organisations/new/",
        {
            "name_ar": "مركز أربيل للتدريب",
            "name_ckb": "سەنتەری ڕاهێنانی هەولێر",
            "name_en": "Erbil Training Centre",
            "kind": "training_centre",
            "governorate": erbil.pk,
            "country": "IQ",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    centre = Organisation.objects.get(name_en="Erbil Training Centre")
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(centre.pk)).exists()

    response = client.post(
        f"/accounts/organisations/{centre.pk}/edit/",
        {
            "name_ar": "مركز أربيل للتدريب المهني",
            "name_ckb": centre.name_ckb,
            "name_en": centre.name_en,
            "kind": "training_centre",
            "governorate": erbil.pk,
            "country": "IQ",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    change = AuditEntry.objects.get(action=Action.UPDATE, object_id=str(centre.pk))
    assert change.changes == {"name_ar": ["مركز أربيل للتدريب", "مركز أربيل للتدريب المهني"]}

    page = client.get(f"/accounts/organisations/{centre.pk}/", headers={"accept-language": "ckb"})
    assert "سەنتەری ڕاهێنانی هەولێر".encode() in page.content


def test_an_organisation_cannot_become_its_own_branch(people, orgs):
    client = client_for(people["admin"])
    momd = orgs["momd"]
    response = client.post(
        f"/accounts/organisations/{momd.pk}/edit/",
        {
            "name_ar": momd.name_ar,
            "kind": "ministry",
            "parent": orgs["momd_basra"].pk,
            "country": "IQ",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    momd.refresh_from_db()
    assert momd.parent is None


def test_missing_name_is_refused(people):
    client = client_for(people["admin"])
    response = client.post("/accounts/organisations/new/", {"kind": "ngo", "country": "IQ"})
    assert response.status_code == 200
    assert "name_ar" in response.context["form"].errors


def test_directory_search_and_query_count(people, orgs, django_assert_max_num_queries):
    client = client_for(people["alice"])
    # Ten for the page, one for the unread notifications in the menu.
    with django_assert_max_num_queries(11):
        response = client.get("/accounts/organisations/?q=Basra")
    names = [o.name_en for o in response.context["page"]]
    assert names == ["MoMD Basra"]


def test_an_organisations_website_is_a_web_address_or_nothing(people, orgs):
    client = client_for(people["admin"])
    for website in ("javascript:alert(1)", "ftp://files.example.org/"):
        response = client.put(
            f"/api/v1/organisations/{orgs['ngo'].pk}",
            data={"name_ar": "منظمة", "kind": "ngo", "website": website},
            content_type="application/json",
        )
        assert response.status_code == 422, website
        assert "website" in response.json()["error"]["fields"]
    orgs["ngo"].refresh_from_db()
    assert orgs["ngo"].website == ""
