from __future__ import annotations

import sys

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from jisr.accounts import selectors as account_selectors
from jisr.accounts.decorators import AuthedRequest, permission, public
from jisr.accounts.forms import LanguageForm
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.accounts.services import user_language_set
from jisr.audit.selectors import audit_entry_list
from jisr.core.errors import (
    database_unavailable,
    error_page,
    query_timed_out,
    unavailable_page,
)
from jisr.core.health import health_checks
from jisr.places.selectors import governorate_list


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@permission(Perm.DASHBOARD_VIEW)
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {
        "organisation_count": account_selectors.organisation_list(fetched_by=user).count(),
        "governorates": governorate_list().annotate(
            organisation_count=Count("organisations", distinct=True)
        ),
    }
    if user.can(Perm.USER_VIEW):
        context["user_count"] = account_selectors.user_list(fetched_by=user).count()
    if user.can(Perm.AUDIT_VIEW):
        context["recent_audit"] = audit_entry_list(fetched_by=user)[:8]
    return render(request, "core/dashboard.html", context)


@public
@transaction.non_atomic_requests  # a database that is down is a check's answer, not a 500
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the proxy and monitoring: 200 when every check answers "ok", else 503 (see
    `jisr.core.health`). Anonymous: nothing in it is personal or secret."""
    checks = health_checks()
    healthy = all(answer == "ok" for answer in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503
    )


@public
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, plus remembering the choice on the user's account."""
    response = django_set_language(request)
    form = LanguageForm(request.POST)
    if isinstance(request.user, User) and form.is_valid():
        user_language_set(user=request.user, language=form.cleaned_data["language"])
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: an unreachable database is not a fault of
    # Jisr's but a moment to wait out (503, Retry-After); the next request opens a new
    # connection, so service comes back by itself with the database.
    # A statement stopped at the web's time limit (decision 0036) is the same moment to wait out,
    # said as such.
    error = sys.exc_info()[1]
    if database_unavailable(error):
        return unavailable_page(request, timed_out=query_timed_out(error))
    return _server_error_page(request)


@requires_csrf_token
def _server_error_page(request: HttpRequest) -> HttpResponse:
    # Rendered with the request so the page is in the reader's language and direction; any
    # failure in the page itself falls back to a plain text answer.
    try:
        return error_page(request, 500)
    except Exception:
        with translation.override(settings.LANGUAGE_CODE):
            return HttpResponse("500", status=500, content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403)
