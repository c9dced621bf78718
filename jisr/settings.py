"""Jisr's one settings module, driven by environment variables (see `.env.example`).

Defaults give a working development set-up with no server: SQLite, tasks run inline, e-mail
printed to the console. `JISR_ENV=production` turns on the safe production defaults and makes
the secrets mandatory; `jisr check --deploy` and the checks in `jisr.core.checks` report
anything left unsafe.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from jisr.lib.countries import COUNTRY_NAMES
from jisr.lib.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env_str("JISR_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

JISR_ENV = env_choice("JISR_ENV", "development", ["development", "production"])
PRODUCTION = JISR_ENV == "production"
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """Production must be given a key; a development install makes its own once and keeps it."""
    if PRODUCTION:
        return env_str("SECRET_KEY")
    given = env_str("SECRET_KEY", "")
    if given:
        return given
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[str]:
    """Fernet keys for sensitive fields, newest first (docs/operations.md: rotating them).

    Kept apart from SECRET_KEY so that rotating the session key never touches stored data.
    """
    from cryptography.fernet import Fernet

    keys = env_list("JISR_ENCRYPTION_KEYS", [])
    if not keys:
        if PRODUCTION:
            raise ConfigurationError("JISR_ENCRYPTION_KEYS must be set in production.")
        key_file = VAR_DIR / "encryption_key"
        if not key_file.exists():
            key_file.write_text(Fernet.generate_key().decode())
            key_file.chmod(0o600)
        keys = [key_file.read_text().strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigurationError(
                "JISR_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
            ) from None
    return keys


def _audit_key() -> str:
    """The key of the audit log's hash chain (decision 0017). It must live outside the
    database: whoever holds both could rewrite the log and its hashes together."""
    given = env_str("JISR_AUDIT_KEY", "")
    if PRODUCTION and len(given) < 32:
        raise ConfigurationError(
            "JISR_AUDIT_KEY must be set in production (32 characters or more)."
        )
    if given:
        return given
    key_file = VAR_DIR / "audit_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", None if PRODUCTION else "http://127.0.0.1:8000")
JISR_ENCRYPTION_KEYS = _encryption_keys()
JISR_AUDIT_KEY = _audit_key()

INSTALLED_APPS = [
    "jisr.core",
    "jisr.accounts",
    "jisr.audit",
    "jisr.places",
    "jisr.registry",
    "jisr.skills",
    "jisr.matching",
    "jisr.catalogue",
    "jisr.cases",
    "jisr.linkage",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    # Only for the API documentation's page and its Swagger UI files, served by Jisr itself:
    # without the app, django-ninja loads them from a CDN with an inline script.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jisr.core.middleware.SecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle time-out: the session saved when its last save is a minute old (decision 0046).
    "jisr.accounts.sessions.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body: a request past the limits gets a clear 413 unread.
    "jisr.core.uploads.UploadLimitMiddleware",
    "jisr.core.middleware.RejectNullCharactersMiddleware",
    "jisr.core.middleware.AsciiDigitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jisr.accounts.middleware.UserLanguageMiddleware",
    # API keys checked and API calls counted before the view's transaction opens.
    "jisr.accounts.middleware.ApiCallerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jisr.accounts.middleware.TwoFactorMiddleware",
    "jisr.core.middleware.JisrErrorMiddleware",
    # Axes must come last: it turns a lock-out raised during sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jisr.urls"
CSRF_FAILURE_VIEW = "jisr.core.views.csrf_failure"
WSGI_APPLICATION = "jisr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jisr.core.context_processors.jisr",
                "jisr.cases.context.unread_notifications",
            ],
            "builtins": ["jisr.core.templatetags.jisr"],
        },
    }
]

# Django's form renderer, with drop-down lists written in Python instead of a template per
# option (the same markup; issue 14: a list of districts cost as much as the rest of its page).
FORM_RENDERER = "jisr.lib.formrenderer.Renderer"

_database: dict[str, Any] = dict(
    dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jisr.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
)
DATABASES = {"default": _database}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a task writes; the timeout waits out short locks.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
# A request that fails part-way leaves nothing half-written.
_database["ATOMIC_REQUESTS"] = True
# A connection kept between requests (DATABASE_CONN_MAX_AGE) is tried before a request uses it:
# after the database restarted, or an administrator ended the session, the next request opens a
# new one instead of failing.
_database["CONN_HEALTH_CHECKS"] = True

# PostgreSQL stops a statement that runs past a limit (decision 0036): gunicorn kills a worker
# stuck past JISR_WEB_TIMEOUT_SECONDS (deploy/gunicorn.conf.py reads the same variable), but the
# query it was waiting on would run on in the database. The web's connections stop a statement a
# little before gunicorn gives up (by default five sixths of it: 25 s of 30), and the request
# answers a clean 503. The worker and the commands (migrate, backup, import-register) run long by
# design: their own limit, none by default. The web is the process that loads jisr/wsgi.py, which
# sets JISR_PROCESS=web before these settings are read; 0 turns a limit off.
JISR_WEB_TIMEOUT_SECONDS = env_int("JISR_WEB_TIMEOUT_SECONDS", 30, minimum=1)
JISR_DB_STATEMENT_TIMEOUT_MS = env_int(
    "JISR_DB_STATEMENT_TIMEOUT_MS", JISR_WEB_TIMEOUT_SECONDS * 1000 * 5 // 6, minimum=0
)
JISR_DB_COMMAND_STATEMENT_TIMEOUT_MS = env_int("JISR_DB_COMMAND_STATEMENT_TIMEOUT_MS", 0, minimum=0)
JISR_PROCESS = env_choice("JISR_PROCESS", "command", ["web", "command"])
if _database["ENGINE"].startswith("django.db.backends.postgresql"):
    _statement_timeout = (
        JISR_DB_STATEMENT_TIMEOUT_MS
        if JISR_PROCESS == "web"
        else JISR_DB_COMMAND_STATEMENT_TIMEOUT_MS
    )
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout={_statement_timeout}".strip()
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks: inline by default; a worker on Redis or on the database in production.
JISR_TASKS = env_choice("JISR_TASKS", "immediate", ["immediate", "database", "redis"])
TASKS: dict[str, dict[str, Any]]
if JISR_TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif JISR_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    # A page never waits long on a Redis that is gone: a connection is given up after 2 s.
    REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
    if "socket_connect_timeout" not in REDIS_URL:
        REDIS_URL += ("&" if "?" in REDIS_URL else "?") + "socket_connect_timeout=2"
    INSTALLED_APPS += ["django_rq"]
    # A linkage run of two national registers takes minutes: RQ's default of 3 minutes per job
    # would kill it.
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": env_int("JISR_TASK_TIMEOUT_SECONDS", 6 * 3600, minimum=60),
        }
    }
    # "waiting": tasks that could not reach Redis wait in the database until the worker hands
    # them to Redis (decision 0022).
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
        "waiting": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
# The worker's watchdog beats every JISR_TASK_HEARTBEAT_SECONDS, and so does a running task; a
# task silent for JISR_TASK_STALE_SECONDS is taken as dead (its worker was killed): it is run once
# more, then marked failed (decision 0023). The health check wants a worker beat as recent.
JISR_TASK_HEARTBEAT_SECONDS = env_int("JISR_TASK_HEARTBEAT_SECONDS", 15, minimum=1)
JISR_TASK_STALE_SECONDS = env_int(
    "JISR_TASK_STALE_SECONDS", 120, minimum=2 * JISR_TASK_HEARTBEAT_SECONDS
)

# Linkage runs on DuckDB inside the worker, or on Spark where a register outgrows one machine
# (decision 0033): the worker writes the registers as Parquet into JISR_SPARK_DATA_DIR, a folder
# every node of the cluster reads (empty: the system's temp folder, for a local Spark only), and
# connects to the cluster named by PYSPARK_SUBMIT_ARGS.
JISR_LINKAGE_BACKEND = env_choice("JISR_LINKAGE_BACKEND", "duckdb", ["duckdb", "spark"])
JISR_SPARK_DATA_DIR = env_str("JISR_SPARK_DATA_DIR", "")

# Authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jisr.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "jisr.accounts.hashers.Argon2idHasher",  # Argon2id, OWASP's parameters (decision 0028)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Two-factor authentication (TOTP) for every staff role. On in production; the development
# demo may turn it off, and then every page says so in a warning bar.
JISR_REQUIRE_2FA = env_bool("JISR_REQUIRE_2FA", PRODUCTION)
if PRODUCTION and (DEBUG or not JISR_REQUIRE_2FA):
    raise ConfigurationError("Production refuses DEBUG=1 and JISR_REQUIRE_2FA=0.")
OTP_TOTP_ISSUER = "Jisr"

# Lock-out after repeated failed sign-ins, per account whatever the address: many Iraqi mobile
# users share one address (carrier-grade NAT), so addresses alone are not locked.
AXES_FAILURE_LIMIT = env_int("JISR_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JISR_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns that without the address a lock can be dodged by rotating cookies or browsers; that
# holds for address-based locks only: a lock on the account itself follows no cookie.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "jisr.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "jisr.accounts.views.locked_out"
AXES_VERBOSE = False

# Codes and links sent to a phone or an e-mail address at the request of someone not signed in
# (self-registration, password reset, two-factor enrolment): per contact, tight, so that nobody
# floods a stranger's phone or inbox; per client address, generous, since many Iraqi mobile users
# share one address (carrier-grade NAT). See jisr/core/ratelimit.py.
JISR_RATE_CONTACT_PER_HOUR = env_int("JISR_RATE_CONTACT_PER_HOUR", 3, minimum=1)
JISR_RATE_CONTACT_PER_DAY = env_int("JISR_RATE_CONTACT_PER_DAY", 10, minimum=1)
JISR_RATE_ADDRESS_PER_HOUR = env_int("JISR_RATE_ADDRESS_PER_HOUR", 100, minimum=1)
# How many proxies of our own stand in front of Jisr and append the client's address to
# X-Forwarded-For (0: none, REMOTE_ADDR is the client). Never more than there really are: the
# header's other entries are written by the client.
JISR_TRUSTED_PROXY_COUNT = env_int("JISR_TRUSTED_PROXY_COUNT", 0, minimum=0)
# API calls per minute: per API key, and per client address for callers without a session or
# a genuine key (the public HSDS and directory endpoints).
JISR_API_KEY_RATE_PER_MINUTE = env_int("JISR_API_KEY_RATE_PER_MINUTE", 600, minimum=1)
JISR_API_ANONYMOUS_RATE_PER_MINUTE = env_int("JISR_API_ANONYMOUS_RATE_PER_MINUTE", 120, minimum=1)

# Sessions end after a period without activity, and when the browser closes. A session's expiry
# is pushed back when its last save is SESSION_REFRESH_SECONDS old, not on every request
# (jisr/accounts/sessions.py): it ends 29 to 30 minutes after its last request.
SESSION_COOKIE_AGE = env_int("JISR_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (decision 0020): an injected <script> or on*= handler does
# not run. The shape of Django 6's setting, so moving to its built-in middleware keeps it as is.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Jisr uses none of these browser features; a page that is subverted cannot ask for them.
JISR_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Languages: Arabic first (the default), Central Kurdish (Sorani), English.
LANGUAGE_CODE = "ar"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("ckb", _("Central Kurdish")),
    ("en", _("English")),
]
LANGUAGES_BIDI = ["ar", "ckb"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "jisr_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Baghdad"

# Country names come from CLDR through Babel, in all three languages (django-countries has
# no Central Kurdish catalogue); see jisr.lib.countries.
COUNTRIES_OVERRIDE = COUNTRY_NAMES

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the source folders: no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes (tests, drills).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Jisr <no-reply@jisr.localhost>")

# Text messages (codes to confirm a phone number): a class with send(to, text). Production
# sends through an operator's HTTP gateway (jisr/lib/sms.py); the console backend is refused there.
JISR_SMS_BACKEND = env_str(
    "JISR_SMS_BACKEND",
    "jisr.lib.sms.HttpGatewayBackend" if PRODUCTION else "jisr.lib.sms.ConsoleBackend",
)
JISR_SMS_HTTP_URL = env_str("JISR_SMS_HTTP_URL", "")
JISR_SMS_HTTP_METHOD = env_choice("JISR_SMS_HTTP_METHOD", "POST", ["POST", "PUT", "GET"])
JISR_SMS_HTTP_AUTH_HEADER = env_str("JISR_SMS_HTTP_AUTH_HEADER", "")
JISR_SMS_HTTP_BODY = env_str("JISR_SMS_HTTP_BODY", '{"to": "{to}", "text": "{text}"}')
JISR_SMS_HTTP_CONTENT_TYPE = env_str("JISR_SMS_HTTP_CONTENT_TYPE", "application/json")
JISR_SMS_HTTP_TIMEOUT = env_int("JISR_SMS_HTTP_TIMEOUT", 10, minimum=1)


def _http_statuses(name: str, default: list[str]) -> list[int]:
    values = env_list(name, default)
    if not all(value.isdigit() for value in values):
        raise ConfigurationError(f"{name} must be HTTP statuses separated by commas.")
    return [int(value) for value in values]


JISR_SMS_HTTP_SUCCESS = _http_statuses("JISR_SMS_HTTP_SUCCESS", ["200", "201", "202"])

# Personal data never goes to the logs: log lines carry ids, not names or numbers, and every
# record passes jisr.lib.logs.PersonalDataFilter (exceptions and messages masked). Production
# writes one JSON object a line for the log collector; Django's own records (requests, errors)
# go the same way, never by e-mail (its error e-mails quote a request's data).
JISR_LOG_FORMAT = env_choice("JISR_LOG_FORMAT", "json" if PRODUCTION else "text", ["json", "text"])
_LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "jisr.lib.logs.PersonalDataFilter"}},
    "formatters": {
        "json": {"()": "jisr.lib.logs.JsonFormatter"},
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_personal_data"],
            "formatter": JISR_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": _LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000  # a larger limit is refused (422), never sent to the database

# Uploads and spreadsheets (jisr/core/uploads.py, jisr/lib/spreadsheets.py): a request carrying
# files past JISR_UPLOAD_MAX_MB, or any other body past JISR_REQUEST_BODY_MAX_KB, is refused before
# it is read; a spreadsheet past these limits is refused before it is stored. Rows count the blank
# ones; a cell is a column's value in one row.
JISR_UPLOAD_MAX_BYTES = env_int("JISR_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JISR_REQUEST_BODY_MAX_KB", 2560, minimum=1) * 1024
FILE_UPLOAD_HANDLERS = [
    "jisr.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
JISR_SPREADSHEET_UNPACKED_MAX_BYTES = (
    env_int("JISR_SPREADSHEET_UNPACKED_MAX_MB", 100, minimum=1) * 1024 * 1024
)
JISR_SPREADSHEET_MAX_ROWS = env_int("JISR_SPREADSHEET_MAX_ROWS", 20_000, minimum=1)
# A register's upload through its page: the worker imports it (decision 0034); a larger
# register goes through `jisr import-register FILE`, read as a stream, with no limit.
JISR_REGISTER_UPLOAD_MAX_ROWS = env_int("JISR_REGISTER_UPLOAD_MAX_ROWS", 100_000, minimum=1)
JISR_SPREADSHEET_MAX_COLUMNS = env_int("JISR_SPREADSHEET_MAX_COLUMNS", 500, minimum=1)
JISR_SPREADSHEET_MAX_CELL_CHARS = env_int("JISR_SPREADSHEET_MAX_CELL_CHARS", 2000, minimum=1)
# All the text of a spreadsheet's cells together (a register of 20,000 rows takes about 5 million).
JISR_SPREADSHEET_MAX_TEXT_CHARS = env_int("JISR_SPREADSHEET_MAX_TEXT_CHARS", 50_000_000, minimum=1)

# Matching: each process keeps an in-memory index of profiles and open opportunities
# (jisr/matching/index.py); it is rebuilt after this many seconds, or sooner when more records
# than JISR_MATCHING_REBUILD_AFTER changed since (changed records always count at once).
JISR_MATCHING_INDEX_SECONDS = env_int("JISR_MATCHING_INDEX_SECONDS", 3600, minimum=1)
JISR_MATCHING_REBUILD_AFTER = env_int("JISR_MATCHING_REBUILD_AFTER", 2000, minimum=1)

# Reintegration plans: milestones in months after the return date.
JISR_PLAN_MILESTONES = [int(m) for m in env_list("JISR_PLAN_MILESTONES", ["1", "6", "24", "60"])]
