"""System checks that refuse or warn about unsafe configuration (`jisr check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if not settings.PRODUCTION:
        return problems
    if settings.DEBUG:
        problems.append(Error("DEBUG is on in production.", hint="Unset DEBUG.", id="jisr.E001"))
    if not settings.JISR_REQUIRE_2FA:
        problems.append(
            Error(
                "Two-factor authentication for staff is off in production.",
                hint="Unset JISR_REQUIRE_2FA or set it to 1.",
                id="jisr.E002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            CheckWarning(
                "Production is running on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database.",
                id="jisr.W001",
            )
        )
    if settings.JISR_TASKS == "immediate":
        problems.append(
            CheckWarning(
                "Background tasks run inside web requests.",
                hint="Set JISR_TASKS=redis (or database) and run `jisr worker`.",
                id="jisr.W002",
            )
        )
    if settings.JISR_TRUSTED_PROXY_COUNT == 0:
        # Production sits behind a TLS proxy (SECURE_PROXY_SSL_HEADER): without counting it,
        # every client has the proxy's address, and the per-address limits become one limit
        # for the whole country, which one client can use up.
        problems.append(
            CheckWarning(
                "Rate limits per client address count the proxy's address, not the client's.",
                hint="Set JISR_TRUSTED_PROXY_COUNT to the number of proxies of your own in front "
                "of Jisr that append to X-Forwarded-For (1 for one nginx).",
                id="jisr.W003",
            )
        )
    problems.extend(_statement_timeout_problems())
    problems.extend(_sms_problems())
    return problems


def _statement_timeout_problems() -> list[Any]:
    """The web's statement timeout must stop a query before gunicorn kills the worker waiting on
    it, or the query runs on in PostgreSQL with nobody to read it (decision 0036)."""
    if not settings.DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
        return []
    timeout_ms = settings.JISR_DB_STATEMENT_TIMEOUT_MS
    web_ms = settings.JISR_WEB_TIMEOUT_SECONDS * 1000
    if timeout_ms == 0:
        message = "The web's database statements have no time limit."
    elif timeout_ms >= web_ms:
        message = (
            f"The web's statement timeout ({timeout_ms} ms) is not under gunicorn's timeout "
            f"({web_ms} ms)."
        )
    else:
        return []
    return [
        CheckWarning(
            message,
            hint="A worker gunicorn kills leaves its query running in PostgreSQL. Unset "
            "JISR_DB_STATEMENT_TIMEOUT_MS (five sixths of JISR_WEB_TIMEOUT_SECONDS) or set it "
            "a few seconds under JISR_WEB_TIMEOUT_SECONDS, which deploy/gunicorn.conf.py reads.",
            id="jisr.W004",
        )
    ]


def _sms_problems() -> list[Any]:
    backend = settings.JISR_SMS_BACKEND
    if backend in ("jisr.lib.sms.ConsoleBackend", "jisr.lib.sms.MemoryBackend"):
        return [
            Error(
                "Text messages (sign-up codes) would be printed to the log, not sent.",
                hint="Set JISR_SMS_BACKEND=jisr.lib.sms.HttpGatewayBackend and JISR_SMS_HTTP_URL "
                "(see .env.example).",
                id="jisr.E004",
            )
        ]
    if backend == "jisr.lib.sms.HttpGatewayBackend" and not settings.JISR_SMS_HTTP_URL:
        return [
            Error(
                "The SMS gateway has no address.",
                hint="Set JISR_SMS_HTTP_URL and the other JISR_SMS_HTTP_ variables.",
                id="jisr.E005",
            )
        ]
    return []


@register()
def check_languages(app_configs: Any, **kwargs: Any) -> list[Any]:
    codes = [code for code, _ in settings.LANGUAGES]
    if codes[:1] != ["ar"] or set(codes) != {"ar", "ckb", "en"}:
        return [
            Error("LANGUAGES must be Arabic (first), Central Kurdish and English.", id="jisr.E003")
        ]
    return []
