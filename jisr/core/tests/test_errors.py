from __future__ import annotations

from django.test import Client, override_settings

from jisr.conftest import client_for


def test_not_found_page_is_translated(db):
    response = Client(headers={"accept-language": "ckb"}).get("/no-such-page/")
    assert response.status_code == 404
    assert b'dir="rtl"' in response.content
    assert b"404" in response.content


def test_forbidden_page_is_translated(people):
    response = client_for(people["alice"]).get("/audit/", headers={"accept-language": "en"})
    assert response.status_code == 403
    assert b"You cannot open this page" in response.content


def test_forged_form_without_csrf_token_is_refused_kindly(people):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(people["admin"])
    response = client.post("/accounts/organisations/new/", {"name_ar": "x", "kind": "ngo"})
    assert response.status_code == 403
    assert b"You cannot open this page" in response.content


@override_settings(DEBUG=False)
def test_server_error_page_is_translated(db):
    from django.urls import path

    from jisr.accounts.decorators import public

    @public
    def explode(request):
        raise RuntimeError("boom")

    from jisr import urls

    urlconf = type(
        "urls",
        (),
        {"urlpatterns": [*urls.urlpatterns, path("boom/", explode)], "handler500": urls.handler500},
    )
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    with override_settings(ROOT_URLCONF=urlconf):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_a_null_character_is_refused_clearly_everywhere(people):
    api = Client().get("/api/v1/places/districts?governorate=a%00b")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "malformed"
    page = client_for(people["admin"]).get("/accounts/users/?q=a%00b")
    assert page.status_code == 400
    body = '{"name_ar": "a\\u0000b", "kind": "ngo"}'
    response = client_for(people["admin"]).post(
        "/api/v1/organisations", data=body, content_type="application/json"
    )
    assert response.status_code == 400
