"""Staff must pass two-factor authentication before they reach anything but public pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.decorators import PUBLIC, SIGNED_IN
from jisr.lib.errors import JisrError


def two_factor_required_error() -> JisrError:
    return JisrError(
        "two_factor_required",
        _("Sign in with two-factor authentication in the browser first."),
        status=403,
    )


def needs_two_factor(user: Any) -> bool:
    return bool(
        settings.JISR_REQUIRE_2FA
        and user.is_authenticated
        and user.is_staff_member
        and not user.is_verified()
    )


class UserLanguageMiddleware:
    """A signed-in user's saved language applies when the request names none (no language cookie
    and no Accept-Language: scripts and API clients), so their errors come in their language.
    Browsers get it through the cookie set at sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and "HTTP_ACCEPT_LANGUAGE" not in request.META
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # The API checks two-factor in its own authentication (jisr.api.Allowed).
        if request.path.startswith("/api/"):
            return None
        if getattr(view_func, "jisr_access", None) in (PUBLIC, SIGNED_IN):
            return None
        if not needs_two_factor(request.user):
            return None
        has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
        return HttpResponseRedirect(
            f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        )
