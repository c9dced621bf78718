"""Turns a JisrError that reaches a page into the translated error page for its status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

from jisr.lib.errors import JisrError

_PAGES = {400: "400", 403: "403", 404: "404"}


class JisrErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, JisrError):
            return None
        page = _PAGES.get(exception.status, "400")
        template = loader.get_template(f"errors/{page}.html")
        body = template.render({"message": str(exception.message)}, request)
        return HttpResponse(body, status=exception.status)
