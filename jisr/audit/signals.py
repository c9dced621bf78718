"""Signing in and out are recorded in the audit log."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from jisr.accounts.backends import find_user
from jisr.accounts.models import User
from jisr.audit.models import Action
from jisr.audit.services import audit_record


@receiver(user_logged_in)
def _record_sign_in(sender: type[User], request: HttpRequest, user: User, **kwargs: object) -> None:
    audit_record(actor=user, action=Action.SIGN_IN, target=user)


@receiver(user_login_failed)
def _record_failed_sign_in(
    sender: str,
    credentials: dict[str, object],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    """Recorded against the account it tried, when there is one; the typed text is not kept."""
    user = find_user(str(credentials.get("username") or ""))
    if user is not None:
        audit_record(actor=None, action=Action.SIGN_IN_FAILED, target=user)


@receiver(user_logged_out)
def _record_sign_out(
    sender: type[User], request: HttpRequest, user: User | None, **kwargs: object
) -> None:
    if user is not None:
        audit_record(actor=user, action=Action.SIGN_OUT, target=user)
