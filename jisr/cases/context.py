"""What every page's menu shows of cases."""

from __future__ import annotations

from django.http import HttpRequest

from jisr.accounts.models import User
from jisr.cases import selectors


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many notifications the signed-in user has not read (for the menu)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.notification_unread_count(fetched_by=user)}
