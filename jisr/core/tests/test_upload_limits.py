"""Request bodies are capped at the door: a file upload past JISR_UPLOAD_MAX_BYTES, or any other
body past DATA_UPLOAD_MAX_MEMORY_SIZE, is refused with a clear, translated 413 before the view
reads it, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jisr.conftest import client_for
from jisr.linkage.models import Register, RegisterUpload
from jisr.registry.models import PersonImport

LIMIT = 64 * 1024


def _big_csv(size: int = 2 * LIMIT) -> SimpleUploadedFile:
    content = ("name\n" + "x" * 60 + "\n") * (size // 66)
    return SimpleUploadedFile("big.csv", content.encode(), content_type="text/csv")


@override_settings(JISR_UPLOAD_MAX_BYTES=LIMIT)
def test_an_oversized_registry_import_gets_a_clear_413_and_nothing_is_kept(people):
    client = client_for(people["alice"])
    response = client.post(
        "/registry/import/", {"file": _big_csv()}, headers={"accept-language": "en"}
    )
    assert response.status_code == 413
    assert "The file is larger than 64 kB." in response.content.decode()
    assert not PersonImport.objects.exists()


@override_settings(JISR_UPLOAD_MAX_BYTES=LIMIT)
def test_an_oversized_register_upload_is_refused_on_the_page_and_in_the_api(people):
    carol = people["carol"]
    register = Register.objects.create(organisation=carol.organisation, name="R", kind="other")
    client = client_for(carol)
    page = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": _big_csv()},
        headers={"accept-language": "en"},
    )
    assert page.status_code == 413
    assert "The file is larger than 64 kB." in page.content.decode()
    api = client.post(
        f"/api/v1/linkage/registers/{register.pk}/uploads",
        {"file": _big_csv()},
        headers={"accept-language": "en"},
    )
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large"
    assert api.json()["error"]["message"] == "The file is larger than 64 kB."
    assert not RegisterUpload.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversized_api_body_gets_a_clear_413(people):
    client = client_for(people["carol"])
    body = json.dumps({"name": "x" * 2000, "kind": "other"})
    response = client.post(
        "/api/v1/linkage/registers",
        body,
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "The request is larger than 1 kB.",
        "fields": {},
    }
    assert not Register.objects.exists()


def test_the_upload_handler_stops_counting_past_the_limit(settings):
    from jisr.core.uploads import CappedUploadHandler, UploadTooLarge

    settings.JISR_UPLOAD_MAX_BYTES = 100
    handler = CappedUploadHandler()
    # A body that does not say its length (or says less) is counted as it comes.
    handler.handle_raw_input(None, {}, 0, b"boundary")
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(UploadTooLarge):
        handler.receive_data_chunk(b"x" * 60, 60)
    with pytest.raises(UploadTooLarge):
        CappedUploadHandler().handle_raw_input(None, {}, 101, b"boundary")
