"""Turns a JisrError that reaches a page into the translated error page for its status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jisr.lib.errors import JisrError


class JisrErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, JisrError):
            return None
        from jisr.core.views import error_page

        return error_page(request, exception.status, str(exception.message))
