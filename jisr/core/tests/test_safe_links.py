"""A stored URL becomes a link only when it is http(s) (or a path on this site): the `safe_url`
filter, used by every template that puts stored data in an href, so that a `javascript:` URL
already in the database cannot run; and a service's website must be http(s) to be stored."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from jisr.accounts.models import Organisation
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for
from jisr.core.templatetags.jisr import safe_url

SCRIPTS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "/\\evil.example/",
    "ftp://example.org/",
    "https:alert(1)",
    "",
    None,
]


@pytest.mark.parametrize("value", SCRIPTS)
def test_anything_but_an_http_link_renders_no_link(value):
    assert safe_url(value) == ""


@pytest.mark.parametrize(
    "value", ["https://example.org/a?b=c", "http://example.org", "HTTPS://EXAMPLE.ORG", "/cases/1/"]
)
def test_http_links_and_paths_on_this_site_are_kept(value):
    assert safe_url(value) == value


def test_every_stored_url_in_an_href_goes_through_the_filter():
    hrefs = []
    for path in sorted((Path(settings.BASE_DIR) / "jisr" / "templates").rglob("*.html")):
        for found in re.finditer(r'href="\{\{(.*?)\}\}', path.read_text(encoding="utf-8")):
            hrefs.append((path.name, found.group(1).strip()))
    assert hrefs, "the check found nothing to check"
    assert [h for h in hrefs if "|safe_url" not in h[1].replace(" ", "")] == []


def test_old_bad_data_does_not_run_on_the_public_page_or_the_organisation_page(people, orgs):
    service = Service.objects.create(organisation=orgs["ngo"], name_en="Aid", published=True)
    Service.objects.filter(pk=service.pk).update(url="javascript:alert(1)")
    Organisation.objects.filter(pk=orgs["ngo"].pk).update(website="javascript:alert(2)")
    page = client_for(None).get(f"/services/{service.uuid}/").content.decode()
    assert "javascript:alert(1)" in page  # shown as text
    assert 'href="javascript' not in page
    response = client_for(people["admin"]).get(f"/accounts/organisations/{orgs['ngo'].pk}/")
    assert response.status_code == 200
    assert "javascript:alert(2)" in response.content.decode()
    assert 'href="javascript' not in response.content.decode()


def test_a_provider_cannot_store_a_link_other_than_http(people):
    ServiceCategory.objects.filter(code="legal-aid").get()
    client = client_for(people["charlie"])
    for url in ("javascript:alert(1)", "ftp://example.org/file"):
        response = client.post(
            "/api/v1/catalogue/services",
            json.dumps({"name_en": "Aid", "categories": ["legal-aid"], "url": url}),
            content_type="application/json",
        )
        assert response.status_code == 422, url
        assert "url" in response.json()["error"]["fields"]
    assert not Service.objects.exists()
