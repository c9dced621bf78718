"""Request bodies capped at the door.

`UploadLimitMiddleware` refuses, with a translated 413 (the error page, or the JSON error shape
under /api/), a request whose declared length is past the limit before a byte of its body is read:
`JISR_UPLOAD_MAX_BYTES` for a request carrying files, Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` for
any other body (forms, the API's JSON). `CappedUploadHandler`, first of `FILE_UPLOAD_HANDLERS`,
counts the bytes of the files as they arrive and stops the upload past the limit whatever the
request declared; the middleware parses uploads itself so that this too ends in the 413.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from jisr.core.errors import error_page
from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_size


class UploadTooLarge(RequestDataTooBig):
    """The files of a request passed JISR_UPLOAD_MAX_BYTES. A SuspiciousOperation: should it ever
    escape the middleware, Django still answers 400 and keeps nothing."""


class CappedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.JISR_UPLOAD_MAX_BYTES
        self.received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # Django's name
        content_length: int,
        boundary: bytes | str,
        encoding: str | None = None,
    ) -> None:
        if content_length > self.limit:
            raise UploadTooLarge

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers keep the file


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        files = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.JISR_UPLOAD_MAX_BYTES if files else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            return too_large(request, files=files)
        if files and request.method == "POST":
            try:
                request.FILES  # noqa: B018  # parsed here, so that the handler's stop is a 413
            except UploadTooLarge:
                return too_large(request, files=True)
            except RequestDataTooBig:
                return too_large(request, files=False)
        return self.get_response(request)


def too_large(request: HttpRequest, *, files: bool) -> HttpResponse:
    if files:
        message = _("The file is larger than %(limit)s.") % {
            "limit": format_size(settings.JISR_UPLOAD_MAX_BYTES)
        }
    else:
        message = _("The request is larger than %(limit)s.") % {
            "limit": format_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    if request.path.startswith("/api/"):
        error = JisrError("too_large", message, status=413)
        return JsonResponse(error.as_dict(), status=413, json_dumps_params={"ensure_ascii": False})
    return error_page(request, 413, message)
