"""Jisr's own middleware: the security headers Django 5.2 does not send, NUL characters refused
at the door, dates and numbers typed in Arabic-Indic digits read as ASCII, and a JisrError that
reaches a page turned into the translated error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext_lazy as _

from jisr.core.errors import error_page
from jisr.lib.digits import numeric_ascii
from jisr.lib.errors import JisrError

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


class SecurityPolicyMiddleware:
    """A Content-Security-Policy (from `SECURE_CSP`) and a Permissions-Policy on every response:
    pages, API, static files and errors. Django 6 sends the policy itself from the same setting
    (`django.middleware.csp.ContentSecurityPolicyMiddleware`); moving to it deletes this class.
    A response that already carries a policy keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(
            " ".join([directive, *sources]) for directive, sources in settings.SECURE_CSP.items()
        )
        self.permissions = settings.JISR_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class RejectNullCharactersMiddleware:
    """A NUL character has no place in any text Jisr keeps, and PostgreSQL refuses it; refuse
    it at the door with a clear 400 instead of failing deep inside a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_null(request):
            error = JisrError(
                "malformed", _("The request contains a character that is not allowed.")
            )
            if request.path.startswith("/api/"):
                return JsonResponse(error.as_dict(), status=400)
            return error_page(request, 400, str(error.message))
        return self.get_response(request)

    @staticmethod
    def _has_null(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith(("application/json", "application/x-www-form-urlencoded")):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body
        return False


class AsciiDigitsMiddleware:
    """A date, a year or a number typed with Arabic-Indic or Persian digits (٢٠٢٤-٠٣-١٥,
    ۱۹۹۰) in a form or a query parameter is read as ASCII by every form field and filter after
    this: only values made of digits and the punctuation of dates and numbers change
    (`jisr.lib.digits.numeric_ascii`), never a name or a note, and never a password. The API's
    JSON bodies get the same from its parser (`jisr.api`)."""

    _FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _ascii_query(request.GET)
        if request.method == "POST" and request.META.get("CONTENT_TYPE", "").startswith(
            self._FORMS
        ):
            request.POST = _ascii_query(request.POST)
        return self.get_response(request)


def _ascii_query(query: QueryDict) -> _ImmutableQueryDict:
    changed = {
        key: converted
        for key, values in query.lists()
        if "password" not in key and (converted := [numeric_ascii(v) for v in values]) != values
    }
    if not changed:
        return cast("_ImmutableQueryDict", query)
    copy = query.copy()
    for key, values in changed.items():
        copy.setlist(key, values)
    copy._mutable = False
    return cast("_ImmutableQueryDict", copy)


class JisrErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, JisrError):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                exception.as_dict(),
                status=exception.status,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = error_page(request, exception.status, str(exception.message))
        retry_after = getattr(exception, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
