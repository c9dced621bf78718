"""Sending text messages through a configurable backend (`JISR_SMS_BACKEND`).

Development prints messages to the console; tests keep them in `outbox`; production plugs in
its operator's gateway with a class that has the same `send` method.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[tuple[str, str]] = []


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")


class MemoryBackend:
    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


def send_sms(to: str, text: str) -> None:
    backend = import_string(settings.JISR_SMS_BACKEND)()
    backend.send(to, text)
