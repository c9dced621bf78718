"""Signing in and out are recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from jisr.audit.models import Action
from jisr.audit.services import audit_record


@receiver(user_logged_in)
def _record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=Action.SIGN_IN, target=user)


@receiver(user_logged_out)
def _record_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=Action.SIGN_OUT, target=user)
