"""The JSON API at /api/v1/: the one NinjaAPI, its one error shape, and every app's router.

This module only assembles: who may call an operation is declared in each app's `api.py` with
`auth=allowed(perm)` from `jisr.accounts.apiauth` (or `auth=None` for the few public ones),
which also says how callers sign in (an API key or the browser's session); the test that walks
the API as every role reads the same declaration. Errors always look like
`{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from jisr.accounts.api import router as accounts_router
from jisr.accounts.apiauth import NOBODY, allowed
from jisr.audit.api import router as audit_router
from jisr.cases.api import router as cases_router
from jisr.catalogue.api import router as catalogue_router
from jisr.lib.digits import numeric_ascii_json
from jisr.lib.errors import JisrError
from jisr.linkage.api import router as linkage_router
from jisr.matching.api import router as matching_router
from jisr.places.api import router as places_router
from jisr.registry.api import router as registry_router
from jisr.skills.api import router as skills_router

__all__ = ["api"]

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": {"type": "string", "description": "In the caller's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "What is wrong with each field (`__all__`: the whole).",
                },
            },
        }
    },
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
# Every error an operation can answer, in the one shape. 401 and 403 only where a caller must
# sign in; 413 and 422 only where there is something to send.
ERROR_RESPONSES: dict[str, dict[str, Any]] = {
    "400": {"description": "Malformed (`malformed`), or refused by a rule of the record."},
    "401": {"description": "Not signed in, or an API key that is wrong, revoked or expired."},
    "403": {
        "description": "Without the permission (`forbidden`), two-factor not passed, or a "
        "session's CSRF token missing (`csrf_failed`)."
    },
    "404": {"description": "No such record, or none within the caller's scope (`not_found`)."},
    "409": {"description": "In conflict with the record's current state."},
    "413": {"description": "The request's body or files are too large."},
    "422": {"description": "Some fields need correcting (`invalid`; `fields` says which)."},
    "429": {"description": "Too many requests (`too_many_requests`).", "headers": _RETRY_AFTER},
    "503": {
        "description": "The database cannot be reached (`unavailable`), or the request took too "
        "long and was stopped (`timeout`): try again shortly.",
        "headers": _RETRY_AFTER,
    },
}


class _AsciiDigitsParser(Parser):
    """JSON bodies with dates and numbers sent as strings of Arabic-Indic or Persian digits read
    as ASCII, as the pages' forms are (`jisr.core.middleware.AsciiDigitsMiddleware`)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        parsed: Any = numeric_ascii_json(super().parse_body(request))
        if not isinstance(parsed, dict):  # every body the API reads is an object, never `null`
            raise JisrError("malformed", _("The request could not be read: send a JSON object."))
        return parsed


class JisrNinjaAPI(NinjaAPI):
    """django-ninja's API whose OpenAPI document also declares every error it answers."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                has_input = bool(operation.get("parameters") or operation.get("requestBody"))
                for status, response in ERROR_RESPONSES.items():
                    if status in ("401", "403") and not operation.get("security"):
                        continue
                    if status in ("413", "422") and not has_input:
                        continue
                    operation["responses"].setdefault(
                        status,
                        {
                            **response,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
        return schema


api = JisrNinjaAPI(
    title="Jisr API",
    version="1",
    description=(
        "Jisr: registry, skills, services, referrals and record linkage "
        "for Iraqi returnees and the diaspora."
    ),
    # An operation that forgets to say who may call it is refused to everyone.
    auth=allowed(NOBODY),
    urls_namespace="api",
    parser=_AsciiDigitsParser(),
)


def _error(request: HttpRequest, error: JisrError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(JisrError)
def _jisr_error(request: HttpRequest, exc: JisrError) -> HttpResponse:
    response = _error(request, exc)
    if (retry_after := getattr(exc, "retry_after", None)) is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(location) or "__all__", []).append(str(item.get("msg", "")))
    return _error(
        request, JisrError("invalid", _("Some fields need correcting."), status=422, fields=fields)
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, JisrError):  # the parser's own refusal, which ninja wraps
        return _error(request, exc.__cause__)
    if exc.status_code == 400:
        error = JisrError("malformed", _("The request could not be read: send valid JSON."))
    elif exc.status_code == 429:
        error = JisrError(
            "too_many_requests", _("Too many requests: wait and try again."), status=429
        )
    else:
        error = JisrError(
            "http_error", _("The request could not be carried out."), status=exc.status_code
        )
    return _error(request, error)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, JisrError("not_signed_in", _("Sign in first."), status=401))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(
        request, JisrError("forbidden", _("You do not have permission to do this."), status=403)
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, JisrError("not_found", _("Not found."), status=404))


for prefix, router in [
    ("/", accounts_router),
    ("/audit", audit_router),
    ("/places", places_router),
    ("/", registry_router),
    ("/", skills_router),
    ("/", matching_router),
    ("/", catalogue_router),
    ("/", cases_router),
    ("/", linkage_router),
]:
    api.add_router(prefix, router)
