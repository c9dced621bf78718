"""The idle time-out without a session write on every request (decision 0046).

A session ends `SESSION_COOKIE_AGE` after it was last saved (its `expire_date`). Saving it on
every request (`SESSION_SAVE_EVERY_REQUEST`) cost every signed-in page an UPDATE and a commit of
its own. `IdleTimeoutMiddleware` saves it only when the last save is more than
`SESSION_REFRESH_SECONDS` old: a session then ends between `SESSION_COOKIE_AGE` minus that and
`SESSION_COOKIE_AGE` after its last request (29 to 30 minutes by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

# When the session was last saved by this middleware, in seconds since the epoch.
REFRESHED = "_jisr_refreshed"


class IdleTimeoutMiddleware:
    """After `SessionMiddleware`: mark a session that exists for saving when its last refresh
    is older than `SESSION_REFRESH_SECONDS` (SessionMiddleware saves it with a new expiry)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # A visitor without a session keeps having none; one signed out now has none to keep.
        if session.session_key is not None and not session.is_empty():
            now = int(time.time())
            refreshed = session.get(REFRESHED)
            if (
                not isinstance(refreshed, int)
                or now - refreshed >= settings.SESSION_REFRESH_SECONDS
            ):
                session[REFRESHED] = now
        return response


@receiver(user_logged_in, dispatch_uid="jisr.accounts.sessions.signed_in")
def _signed_in(sender: object, request: HttpRequest | None = None, **_kwargs: object) -> None:
    """Signing in saves the session: it counts as a refresh, so the next request needs none."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED] = int(time.time())
