"""Staff must pass two-factor authentication before they reach anything but public pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jisr.accounts.apikeys import user_for_key
from jisr.accounts.decorators import PUBLIC, SIGNED_IN
from jisr.accounts.models import User
from jisr.accounts.selectors import two_factor_set_up
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.core.ratelimit import RateLimited, client_address, client_key, rate_limit_hit
from jisr.lib.errors import JisrError


def two_factor_required_error() -> JisrError:
    return JisrError(
        "two_factor_required",
        _("Sign in with two-factor authentication in the browser first."),
        status=403,
    )


def needs_two_factor(user: User | AnonymousUser) -> bool:
    return bool(
        settings.JISR_REQUIRE_2FA
        and isinstance(user, User)
        and user.is_authenticated
        and user.is_staff_member
        # is_verified() is added to the user by django-otp's middleware.
        and not user.is_verified()  # type: ignore[attr-defined]
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
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        # The API checks two-factor in its own authentication (apiauth.Allowed).
        if request.path.startswith("/api/"):
            return None
        if getattr(view_func, "jisr_access", None) in (PUBLIC, SIGNED_IN):
            return None
        user = request.user
        if not isinstance(user, User) or not needs_two_factor(user):
            return None
        has_device = two_factor_set_up(user=user)
        target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
        return HttpResponseRedirect(
            f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        )


class ApiCallerMiddleware:
    """Who calls the API, counted before the view's transaction opens (so a count commits at
    once and holds no lock through the request), and each key's calls in the audit log.

    - A call with an API key is counted against the key (`JISR_API_KEY_RATE_PER_MINUTE`) once
      the key is known to be genuine: someone who only knows a key's visible start cannot use
      up its allowance. The key is checked once here; `BearerApiKey` reuses the result.
    - A call with no session and no genuine key (the public HSDS and directory endpoints,
      wrong keys) is counted against the client's address (`JISR_API_ANONYMOUS_RATE_PER_MINUTE`).
    - Signed-in browsers are limited by their sign-in, two-factor and the pages they use.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        token = bearer_token(request)
        key_user = None
        try:
            if token is not None:
                key_user = user_for_key(token, client_address=client_address(request))
                request.jisr_key_user = (token, key_user)  # type: ignore[attr-defined]  # read by BearerApiKey
            if key_user is not None and key_user.api_key is not None:
                rate_limit_hit(
                    bucket="api:key",
                    key=key_user.api_key.prefix,
                    limit=settings.JISR_API_KEY_RATE_PER_MINUTE,
                    window=timedelta(minutes=1),
                    message=_("This API key has made too many calls."),
                )
            elif token is not None or not request.user.is_authenticated:
                rate_limit_hit(
                    bucket="api:anonymous",
                    key=client_key(request),
                    limit=settings.JISR_API_ANONYMOUS_RATE_PER_MINUTE,
                    window=timedelta(minutes=1),
                    message=_("Too many requests have come from your network."),
                )
        except RateLimited as error:
            refusal = JsonResponse(error.as_dict(), status=error.status)
            refusal["Retry-After"] = str(error.retry_after)
            return refusal
        response = self.get_response(request)
        if key_user is not None and key_user.api_key is not None:
            _audit_call(key_user, request, response)
        return response


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _space, token = str(request.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _audit_call(user: User, request: HttpRequest, response: HttpResponse) -> None:
    """One entry per call, with the path but not the query (a search may hold a name)."""
    key = user.api_key
    assert key is not None
    audit_record(
        actor=user,
        action=Action.API_CALL,
        target=key,
        changes={"method": request.method, "path": request.path, "status": response.status_code},
    )
