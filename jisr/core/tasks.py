"""Background tasks of general use. Each task takes plain values and calls a function that does
the work, so it runs the same inline (development) or on a worker (production)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email_task(subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients)


def send_email_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue an e-mail once the surrounding transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: send_email_task.enqueue(subject, body, recipients))
