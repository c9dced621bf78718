"""Every page declares who may open it, with exactly one of these decorators.

The declaration is kept on the view (`jisr_access`) so that the two-factor middleware and the
test that walks every URL as every role read the same rule the view enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from jisr.accounts.models import User
from jisr.accounts.roles import Perm


class AuthedRequest(HttpRequest):
    """The request of a view that only signed-in users reach."""

    user: User


View = TypeVar("View", bound=Callable[..., HttpResponseBase])

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any signed-in user, before two-factor (sign-out, two-factor set-up)
SELF = "self"  # the signed-in user's own account, after two-factor for staff


def _declare(view: Any, access: str) -> None:
    view.jisr_access = access


def public(view: View) -> View:
    _declare(view, PUBLIC)
    return view


def signed_in(view: View) -> View:
    wrapped = login_required(view)
    _declare(wrapped, SIGNED_IN)
    return wrapped


def permission(perm: Perm) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped = login_required(checked)
        _declare(wrapped, perm)
        return wrapped  # type: ignore[return-value]  # same call signature as the view

    return decorator


def self_service(view: View) -> View:
    """Pages about the signed-in user's own account (verified when they are staff)."""
    wrapped = login_required(view)
    _declare(wrapped, SELF)
    return wrapped
