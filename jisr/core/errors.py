"""The error pages: the translated page for a status, or the one JSON error shape under /api/.

Apart from the views, so that the middleware that turns errors into pages needs nothing else."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy

from jisr.lib.errors import JisrError

_ERROR_PAGES = {400, 403, 404, 500}


_API_MESSAGES = {
    400: gettext_lazy("The request could not be read."),
    403: gettext_lazy("You do not have permission to do this."),
    404: gettext_lazy("Not found."),
    500: gettext_lazy("Something went wrong on our side. Try again later."),
}


# How long a client is asked to wait before trying again when the database is unreachable.
RETRY_AFTER_SECONDS = 30


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or by an operator's
# pg_cancel_backend): query_canceled.
_QUERY_CANCELED = "57014"


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database cannot be reached (down, restarting, refusing
    connections, or the connection lost), or stopped the statement at its time limit (decision
    0036), as opposed to a fault in a query."""
    return isinstance(error, (OperationalError, InterfaceError))


def query_timed_out(error: BaseException | None) -> bool:
    """Whether `error` is a statement the database stopped at its time limit."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and (
        getattr(cause, "sqlstate", None) == _QUERY_CANCELED
    )


def unavailable_page(request: HttpRequest, *, timed_out: bool = False) -> HttpResponse:
    """503, translated, built without reading the database (no session, user or messages):
    the JSON error under /api/, a page of its own elsewhere. `timed_out`: the database answered
    but stopped the request's query at its time limit (decision 0036)."""
    response: HttpResponse
    if timed_out:
        code = "timeout"
        message = gettext_lazy(
            "This took too long and was stopped. Nothing was half-saved. Try again in a minute, "
            "or ask for less at once."
        )
    else:
        code = "unavailable"
        message = gettext_lazy("The database cannot be reached. Try again in a minute.")
    if request.path.startswith("/api/"):
        error = JisrError(code, message, status=503)
        response = JsonResponse(
            error.as_dict(), status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        body = loader.render_to_string(
            "errors/503.html", {"request_path": request.path, "timed_out": timed_out}
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The translated error page for `status` (a status without its own page shows the 400 one)."""
    if request.path.startswith("/api/"):
        # Outside django-ninja too (the HSDS API), an API answers in the one JSON error shape.
        codes = {400: "malformed", 403: "forbidden", 404: "not_found", 500: "server_error"}
        error = JisrError(
            codes.get(status, "error"), message or _API_MESSAGES.get(status, ""), status=status
        )
        return JsonResponse(
            error.as_dict(), status=status, json_dumps_params={"ensure_ascii": False}
        )
    page = status if status in _ERROR_PAGES else 400
    template = loader.get_template(f"errors/{page}.html")
    return HttpResponse(template.render({"message": message}, request), status=status)
