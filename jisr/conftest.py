"""Personas shared by every app's tests.

- alice: caseworker at the Ministry of Migration's Baghdad branch (governorate scope)
- bob: caseworker at the same ministry's Basra branch
- carol: supervisor at the ministry's headquarters (organisation scope: HQ and its branches)
- charlie: an outsider, staff of an NGO in Baghdad (service-provider role)
- admin: platform administrator (all records); analyst, employer, protection officer, person
"""

from __future__ import annotations

import fcntl
import os
import pickle
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import DjangoDbBlocker, blocking_manager_key

from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import Role, Scope
from jisr.lib import reference, sms
from jisr.places.models import Governorate
from jisr.registry.models import ConsentChannel, ConsentStatus, Person, PersonType, Purpose, Sex
from jisr.registry.services import person_register

# Property tests (hypothesis): a few examples each in the everyday run, thousands with
# JISR_HYPOTHESIS=long (README, "Run the tests"). Examples share the test's fixtures and database
# transaction, which each import leaves as it found it when it refuses. No example database is
# written into the tree.
for _name, _examples in (("fast", 15), ("long", 2000)):
    hypothesis_settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
hypothesis_settings.load_profile(os.environ.get("JISR_HYPOTHESIS", "fast"))

PASSWORD = "correct-horse-battery"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flushes(item: pytest.Item) -> bool:
    """Whether the test runs outside a transaction, so that Django empties every table after it
    (the tests against a live server, and those that need two real connections)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(fixtures)
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """After a test that empties the tables, put back what the migrations load (governorates,
    categories, rules) before a test that expects it. A single process runs such tests last
    anyway; pytest-xdist's workers run them in the middle of their share."""
    result = yield
    if nextitem is not None and _flushes(item) and not _flushes(nextitem):
        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language, as in a fresh process: a request through the
    test client leaves its answer's language active, and pytest-xdist's workers run the tests
    in another order than one process."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data_read_again() -> None:
    """Each test reads the reference lists (governorates, categories) from its own database:
    another test's rows, rolled back, are not kept (jisr/lib/reference.py)."""
    reference.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _api_calls_unlimited(settings: Any) -> None:
    # Walking every API operation makes hundreds of calls a minute from one address; the tests
    # of the API's limits set their own.
    settings.JISR_API_KEY_RATE_PER_MINUTE = 1_000_000
    settings.JISR_API_ANONYMOUS_RATE_PER_MINUTE = 1_000_000


@pytest.fixture(autouse=True)
def sms_outbox(settings: Any) -> list[tuple[str, str]]:
    settings.JISR_SMS_BACKEND = "jisr.lib.sms.MemoryBackend"
    sms.outbox.clear()
    return sms.outbox


def make_user(
    email: str, organisation: Organisation | None, roles: dict[Role, Scope], **extra: Any
) -> User:
    user = User.objects.create_user(
        email=email,
        full_name=extra.pop("full_name", email.split("@")[0].title()),
        password=PASSWORD,
        organisation=organisation,
        **extra,
    )
    for role, scope in roles.items():
        RoleGrant.objects.create(user=user, role=role, scope=scope)
    return user


@pytest.fixture
def orgs(db: None) -> dict[str, Organisation]:
    baghdad = Governorate.objects.get(code="IQ-BG")
    basra = Governorate.objects.get(code="IQ-BA")
    momd = Organisation.objects.create(
        kind=OrganisationKind.MINISTRY,
        name_ar="وزارة الهجرة والمهجرين",
        name_en="Ministry of Migration and Displaced",
        acronym="MoMD",
        governorate=baghdad,
    )
    return {
        "platform": Organisation.objects.create(kind=OrganisationKind.PLATFORM, name_ar="منصة جسر"),
        "momd": momd,
        "momd_baghdad": Organisation.objects.create(
            kind=OrganisationKind.GOVERNMENT_OFFICE,
            name_ar="فرع بغداد",
            name_en="MoMD Baghdad",
            parent=momd,
            governorate=baghdad,
        ),
        "momd_basra": Organisation.objects.create(
            kind=OrganisationKind.GOVERNMENT_OFFICE,
            name_ar="فرع البصرة",
            name_en="MoMD Basra",
            parent=momd,
            governorate=basra,
        ),
        "ngo": Organisation.objects.create(
            kind=OrganisationKind.NGO, name_ar="منظمة", name_en="Helping NGO", governorate=baghdad
        ),
        "planning": Organisation.objects.create(
            kind=OrganisationKind.MINISTRY, name_ar="وزارة التخطيط", name_en="Ministry of Planning"
        ),
        "company": Organisation.objects.create(
            kind=OrganisationKind.EMPLOYER, name_ar="شركة", name_en="Company", governorate=basra
        ),
    }


@pytest.fixture
def people(orgs: dict[str, Organisation]) -> dict[str, User]:
    return {
        "admin": make_user("admin@example.org", orgs["platform"], {Role.ADMINISTRATOR: Scope.ALL}),
        "carol": make_user(
            "carol@example.org", orgs["momd"], {Role.SUPERVISOR: Scope.ORGANISATION}
        ),
        "alice": make_user(
            "alice@example.org",
            orgs["momd_baghdad"],
            {Role.CASEWORKER: Scope.GOVERNORATE},
            phone="+9647701234567",
            language="ar",
        ),
        "bob": make_user(
            "bob@example.org", orgs["momd_basra"], {Role.CASEWORKER: Scope.GOVERNORATE}
        ),
        "protection": make_user(
            "pro@example.org", orgs["momd_baghdad"], {Role.PROTECTION_OFFICER: Scope.GOVERNORATE}
        ),
        "charlie": make_user(
            "charlie@example.org", orgs["ngo"], {Role.PROVIDER_STAFF: Scope.ORGANISATION}
        ),
        "employer": make_user(
            "employer@example.org", orgs["company"], {Role.EMPLOYER: Scope.ORGANISATION}
        ),
        "analyst": make_user("analyst@example.org", orgs["planning"], {Role.ANALYST: Scope.ALL}),
        "person": make_user("person@example.org", None, {Role.PERSON: Scope.OWN}),
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def queries_to_get(client: Client, url: str, **extra: Any) -> int:
    """How many database queries answering `GET url` takes (the answer must be a success)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def person_search_url(client: Client, q: str = "", **filters: str) -> str:
    """The persons list's URL for a search, as the page makes it: the terms posted, the list at
    an opaque `?search=` id (no name or number in a URL, decision 0026)."""
    response = client.post("/registry/persons/", {"q": q, **filters})
    assert response.status_code == 302, response.status_code
    return str(response["Location"])


def register_person(by: User, **fields: Any) -> Person:
    """A person registered by `by`, with every consent given unless told otherwise."""
    consents = fields.pop("consents", dict.fromkeys(Purpose, ConsentStatus.GIVEN))
    defaults: dict[str, Any] = {
        "first_name": "حسين", "father_name": "علي", "grandfather_name": "كاظم",
        "family_name": "الساعدي", "sex": Sex.MALE, "birth_year": 1988,
        "person_type": PersonType.RETURNEE, "country": "IQ",
        "governorate": by.organisation.governorate if by.organisation else None,
    }  # fmt: skip
    defaults.update(fields)
    return person_register(by=by, consents=consents, channel=ConsentChannel.IN_PERSON, **defaults)


@pytest.fixture
def basra_person(people: dict[str, User]) -> Person:
    return register_person(people["bob"], first_name="مريم", sex="F", phone="+9647801112233")


# --- The demo, built once per test run -----------------------------------------------------
# `jisr demo` takes seconds (the ESCO taxonomy, the catalogue, cases, registers). It is built
# once, in a transaction rolled back at once, and the rows it added are kept; each test that asks
# for `demo` gets them inserted into its own transaction, in a fraction of the time. pytest-xdist's
# workers share one build: the first to need it builds it, the others read it from a file.


@dataclass(frozen=True)
class _Table:
    name: str
    columns: list[str]
    pk: str
    replaced: list[Any]  # primary keys of rows that were there before and that it changed
    rows: list[tuple[Any, ...]]  # database values: whatever the driver reads


@dataclass(frozen=True)
class Demo:
    output: str  # what `jisr demo` printed
    tables: list[_Table]


def _rows(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


def _storable(value: Any) -> Any:
    """A value read from the database, as a parameter to write back (psycopg reads JSON as
    Python lists and dicts, and writes them only when told they are JSON)."""
    if isinstance(value, (dict, list)) and connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb  # only on PostgreSQL, whose driver it is

        return Jsonb(value)
    return value


def _build_demo(django_db_blocker: DjangoDbBlocker) -> Demo:
    # Before any test's own settings: the accounts get the tests' fast hasher here too.
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        with connection.cursor() as cursor:
            names = connection.introspection.table_names(cursor)
        before = {name: set(_rows(name)) for name in names}
        output = StringIO()
        call_command("demo", stdout=output)
        tables = []
        for name in names:
            added = [row for row in _rows(name) if row not in before[name]]
            if not added:
                continue
            with connection.cursor() as cursor:
                description = connection.introspection.get_table_description(cursor, name)
                pk = connection.introspection.get_primary_key_column(cursor, name)
            columns = [column.name for column in description]
            assert pk is not None, name
            index = columns.index(pk)
            existed = {row[index] for row in before[name]}
            replaced = [row[index] for row in added if row[index] in existed]
            tables.append(_Table(name=name, columns=columns, pk=pk, replaced=replaced, rows=added))
        transaction.set_rollback(True)
    return Demo(output=output.getvalue(), tables=tables)


@pytest.fixture(scope="session")
def _demo_built(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Demo:
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build_demo(django_db_blocker)
    # The workers of one run share the parent of their temporary folders.
    shared = tmp_path_factory.getbasetemp().parent / "jisr-demo.pickle"
    with shared.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builds; the others wait, then read
        if shared.exists():
            built: Demo = pickle.loads(shared.read_bytes())  # noqa: S301  (written just now)
            return built
        demo = _build_demo(django_db_blocker)
        shared.write_bytes(pickle.dumps(demo))
        return demo


@pytest.fixture
def demo(db: None, _demo_built: Demo) -> Demo:
    """The database as `jisr demo` leaves it (built once per session); `output` is what the
    command printed."""
    quote = connection.ops.quote_name
    # In one transaction: a test outside one (a live server) would otherwise check each table's
    # references before the tables they point to are filled.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _demo_built.tables:
            if table.replaced:
                cursor.execute(
                    f"DELETE FROM {quote(table.name)} WHERE {quote(table.pk)} IN "  # noqa: S608
                    f"({', '.join(['%s'] * len(table.replaced))})",
                    table.replaced,
                )
            cursor.executemany(
                f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, table.columns))}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(table.columns))})",
                [[_storable(value) for value in row] for row in table.rows],
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    return _demo_built
