"""Sending text messages through a configurable backend (`JISR_SMS_BACKEND`).

Development prints messages to the console; tests keep them in `outbox`; production sends them
through an operator's HTTP gateway (`HttpGatewayBackend`, configured by environment, since Iraqi
operators' gateways differ) or a class of its own with the same `send` method. The console and
memory backends refuse to run in production: the console printed sign-up codes to the log.

A backend raises SmsError when a message was not sent. Nothing here logs a number or a text,
and no error names them: they would reach the logs through the error.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    """A text message was not sent. The message names neither the number nor the text."""


def _refuse_in_production(backend: str) -> None:
    if settings.PRODUCTION:
        raise SmsError(f"The {backend} SMS backend does not send messages; set JISR_SMS_BACKEND.")


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        _refuse_in_production("console")
        sys.stdout.write(f"SMS to {to}: {text}\n")


class MemoryBackend:
    def send(self, to: str, text: str) -> None:
        _refuse_in_production("memory")
        outbox.append((to, text))


def _escaper(content_type: str) -> Callable[[str], str]:
    """How a value goes into a body of this type, inside the template's own quotes."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return lambda value: json.dumps(value, ensure_ascii=False)[1:-1]
    if kind == "application/x-www-form-urlencoded":
        return quote_plus
    if kind.endswith("/xml") or kind.endswith("+xml"):
        return lambda value: xml_escape(value, {'"': "&quot;", "'": "&apos;"})
    return lambda value: value


def _fill(template: str, values: dict[str, str], escape: Callable[[str], str]) -> str:
    # Plain replacement, not str.format: JSON bodies are full of braces.
    for name, value in values.items():
        template = template.replace("{" + name + "}", escape(value))
    return template


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer like any other: success only if listed


class HttpGatewayBackend:
    """POSTs (or JISR_SMS_HTTP_METHOD) JISR_SMS_HTTP_BODY to JISR_SMS_HTTP_URL.

    The URL and the body are templates with {to} (E.164, +9647701234567), {to_digits}
    (9647701234567) and {text}, each escaped for where it goes: the URL's query, or the body's
    content type (JSON strings, form fields, XML text). JISR_SMS_HTTP_AUTH_HEADER is one header,
    `Name: value`. The message is sent when the gateway answers with one of
    JISR_SMS_HTTP_SUCCESS within JISR_SMS_HTTP_TIMEOUT seconds; otherwise SmsError.
    """

    def send(self, to: str, text: str) -> None:
        if not settings.JISR_SMS_HTTP_URL:
            raise SmsError("JISR_SMS_HTTP_URL is not set.")
        if not settings.JISR_SMS_HTTP_URL.startswith(("https://", "http://")):
            raise SmsError("JISR_SMS_HTTP_URL must be an http(s) address.")
        values = {"to": to, "to_digits": to.lstrip("+"), "text": text}
        content_type = settings.JISR_SMS_HTTP_CONTENT_TYPE
        url = _fill(settings.JISR_SMS_HTTP_URL, values, lambda value: quote(value, safe=""))
        body = _fill(settings.JISR_SMS_HTTP_BODY, values, _escaper(content_type))
        method = settings.JISR_SMS_HTTP_METHOD.upper()
        request = urllib.request.Request(  # noqa: S310  # http(s) only, checked above
            url, data=body.encode() if method != "GET" else None, method=method
        )
        if method != "GET":
            request.add_header("Content-Type", content_type)
        if settings.JISR_SMS_HTTP_AUTH_HEADER:
            name, _colon, value = settings.JISR_SMS_HTTP_AUTH_HEADER.partition(":")
            request.add_header(name.strip(), value.strip())
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=settings.JISR_SMS_HTTP_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except TimeoutError:
            raise SmsError("The SMS gateway did not answer in time.") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise SmsError("The SMS gateway did not answer in time.") from None
            raise SmsError(
                f"The SMS gateway could not be reached ({type(reason).__name__})."
            ) from None
        if status not in settings.JISR_SMS_HTTP_SUCCESS:
            raise SmsError(f"The SMS gateway answered HTTP {status}.")


def send_sms(to: str, text: str) -> None:
    """Send now, or raise SmsError. Callers decide what the person sees when it fails."""
    backend = import_string(settings.JISR_SMS_BACKEND)()
    try:
        backend.send(to, text)
    except SmsError as error:
        logger.warning("A text message was not sent: %s", error)
        raise
