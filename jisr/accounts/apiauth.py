"""Who may call an API operation, and how a caller proves who they are.

Every operation declares `auth=allowed(perm)` (or `auth=None` for the few public ones). A caller
signs in one of two ways, tried in this order:

- an API key in `Authorization: Bearer jisr_...` (`BearerApiKey`): a ministry's system, acting
  for the administrator who made the key and narrowed to what the key was given; no cookie, so
  no CSRF token and no two-factor code (the key is itself the second secret);
- the browser's session (`Allowed`), with its CSRF token, after two-factor for staff.

A request that presents a key which is wrong, revoked or expired is refused (401) and never falls
back to a session.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from jisr.accounts.access import forbidden
from jisr.accounts.apikeys import user_for_key
from jisr.accounts.decorators import SELF
from jisr.accounts.middleware import needs_two_factor, two_factor_required_error
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.core.ratelimit import client_address
from jisr.lib.errors import JisrError

NOBODY = "nobody"


def _check_access(user: User, access: Perm | str) -> None:
    if access == NOBODY or (access != SELF and not user.can(Perm(access))):
        raise forbidden()


class Allowed(SessionAuth):
    """A signed-in browser session: a permission, or SELF (any signed-in user, about themself).

    Checked as the operation's authentication, so a caller without the permission is refused
    before the request body is even read. Staff who have not passed two-factor are refused.
    """

    def __init__(self, access: Perm | str) -> None:
        super().__init__(csrf=True)
        self.access = access

    def _get_key(self, request: HttpRequest) -> str | None:
        """The session's cookie, once the CSRF token is checked. A caller without a session is
        simply not signed in (401); a signed-in session without its token is told so
        (`csrf_failed`, 403)."""
        key: str | None = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is None or not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise JisrError(
                "csrf_failed",
                _("The form's security token is missing or out of date: reload and try again."),
                status=403,
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if needs_two_factor(user):
            raise two_factor_required_error()
        _check_access(user, self.access)
        return user  # type: ignore[no-any-return]  # request.user is typed loosely


class BearerApiKey(HttpBearer):
    """An organisation's system calling with its API key (decision 0021). Operations about one's
    own account (SELF) are for people, not keys."""

    def __init__(self, access: Perm | str) -> None:
        super().__init__()
        self.access = access

    def authenticate(self, request: HttpRequest, token: str) -> User:
        checked: tuple[str, User | None] | None = getattr(request, "jisr_key_user", None)
        if checked is not None and checked[0] == token.strip():  # ApiCallerMiddleware checked it
            user = checked[1]
        else:
            user = user_for_key(token, client_address=client_address(request))
        if user is None:
            raise AuthenticationError()
        if self.access == SELF:
            raise forbidden()
        _check_access(user, self.access)
        request.user = user
        return user


def allowed(access: Perm | str) -> list[BearerApiKey | Allowed]:
    return [BearerApiKey(access), Allowed(access)]
