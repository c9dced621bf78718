"""The HTTP gateway backend against a real HTTP server started here, and what a person sees
when their code cannot be sent."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings

from jisr.lib import sms
from jisr.registry.models import SelfRegistration
from jisr.registry.tests.factories import self_registration_answers

NUMBER = "+9647709998877"
TEXT = 'رمزك في جسر هو 123456 — "quoted" & <tagged>'


class Gateway:
    """A local SMS gateway that keeps what it receives and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                gateway.received.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length).decode(),
                    }
                )
                time.sleep(gateway.delay)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # Jisr stopped waiting (the timeout test): nobody reads the answer

            do_POST = do_GET = do_PUT = _handle  # http.server's naming

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Stopped at each test's end: look for the stop often, not every half second.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    server = Gateway()
    settings.JISR_SMS_BACKEND = "jisr.lib.sms.HttpGatewayBackend"
    settings.JISR_SMS_HTTP_URL = f"{server.url}/send"
    settings.JISR_SMS_HTTP_AUTH_HEADER = "Authorization: Bearer s3cret"
    settings.JISR_SMS_HTTP_BODY = '{"recipient": "{to}", "message": "{text}", "sender": "Jisr"}'
    settings.JISR_SMS_HTTP_CONTENT_TYPE = "application/json"
    settings.JISR_SMS_HTTP_TIMEOUT = 2
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_json_gateway_gets_the_number_and_the_text_escaped(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    sms.send_sms(NUMBER, TEXT)
    (request,) = gateway.received
    assert request["method"] == "POST"
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"recipient": NUMBER, "message": TEXT, "sender": "Jisr"}
    assert NUMBER not in caplog.text
    assert "123456" not in caplog.text


def test_a_form_gateway_with_the_number_in_its_address(gateway, settings):
    settings.JISR_SMS_HTTP_URL = f"{gateway.url}/api?dest={{to_digits}}&key=k"
    settings.JISR_SMS_HTTP_BODY = "to={to}&msg={text}"
    settings.JISR_SMS_HTTP_CONTENT_TYPE = "application/x-www-form-urlencoded"
    settings.JISR_SMS_HTTP_SUCCESS = [200]
    sms.send_sms(NUMBER, TEXT)
    (request,) = gateway.received
    assert parse_qs(urlsplit(request["path"]).query) == {"dest": [NUMBER[1:]], "key": ["k"]}
    assert parse_qs(request["body"]) == {"to": [NUMBER], "msg": [TEXT]}


@pytest.mark.parametrize("status", [201, 500, 401, 302])
def test_only_the_success_statuses_count_as_sent(gateway, settings, status, caplog):
    caplog.set_level(logging.DEBUG)
    settings.JISR_SMS_HTTP_SUCCESS = [200, 201]
    gateway.status = status
    if status == 201:
        sms.send_sms(NUMBER, TEXT)
        return
    with pytest.raises(sms.SmsError) as failed:
        sms.send_sms(NUMBER, TEXT)
    assert str(status) in str(failed.value)
    for secret in (NUMBER, NUMBER[1:], "123456", "s3cret"):
        assert secret not in str(failed.value)
        assert secret not in caplog.text


def test_a_gateway_that_does_not_answer_in_time_fails_clearly(gateway, settings):
    settings.JISR_SMS_HTTP_TIMEOUT = 0.3
    gateway.delay = 1
    with pytest.raises(sms.SmsError, match="did not answer"):
        sms.send_sms(NUMBER, TEXT)


def test_a_gateway_that_is_not_there_fails_clearly(settings):
    settings.JISR_SMS_BACKEND = "jisr.lib.sms.HttpGatewayBackend"
    settings.JISR_SMS_HTTP_URL = "http://127.0.0.1:9/send"  # the discard port: nobody listens
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.send_sms(NUMBER, TEXT)


def test_when_the_code_cannot_be_sent_nothing_is_half_done(
    gateway, db, django_capture_on_commit_callbacks
):
    gateway.status = 503
    client = Client(headers={"accept-language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", self_registration_answers())
    assert response.status_code == 503
    assert "could not send the text message" in response.content.decode()
    assert "زينب".encode() in response.content  # the answers are still in the form
    assert not SelfRegistration.objects.exists()
    # Once the gateway is back, asking again works at once: no "wait a minute", no count.
    gateway.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", self_registration_answers())
    assert response.status_code == 302
    assert len(gateway.received) == 2


@override_settings(PRODUCTION=True, JISR_SMS_BACKEND="jisr.lib.sms.ConsoleBackend")
def test_production_refuses_the_console_backend(capsys):
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "jisr.E004" in ids
    with pytest.raises(sms.SmsError):
        sms.send_sms(NUMBER, TEXT)
    assert NUMBER not in capsys.readouterr().out


@override_settings(
    PRODUCTION=True, JISR_SMS_BACKEND="jisr.lib.sms.HttpGatewayBackend", JISR_SMS_HTTP_URL=""
)
def test_production_needs_the_gateway_address():
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "jisr.E005" in ids
    assert "jisr.E004" not in ids
