"""`jisr check --deploy`: in production the web role must not be able to rewrite the audit log.

Triggers refuse UPDATE and DELETE, but a table's owner (or a superuser, or a member of the
owner's role) can disable them, and TRUNCATE never fires them; the hash chain finds what they
did, this check keeps them from doing it (docs/operations.md: the database roles).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import connection

TABLES = ("audit_auditentry", "audit_auditentryperson")
# Privileges the web role must not hold on the audit tables (it needs SELECT and INSERT only).
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


@register(Tags.security, deploy=True)
def check_audit_log_protected(app_configs: Any, **kwargs: Any) -> list[Any]:
    if not settings.PRODUCTION:
        return []
    if connection.vendor == "sqlite":
        return [
            CheckWarning(
                "On SQLite the web process can rewrite the audit log: it owns the database file.",
                hint="Run production on PostgreSQL with the roles of docs/operations.md; "
                "`jisr audit verify` still finds changes.",
                id="jisr.W010",
            )
        ]
    if connection.vendor != "postgresql":
        return []
    try:
        return _postgresql_problems()
    # A check reports what it could not check; it must not crash `jisr check`.
    except Exception as error:
        return [
            CheckWarning(
                f"Could not check who may change the audit log: {error}",
                hint="Run `jisr check --deploy` where the database can be reached.",
                id="jisr.W011",
            )
        ]


def _postgresql_problems() -> list[Any]:
    problems: list[Any] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            problems.append(
                Error(
                    "Jisr connects to PostgreSQL as a superuser, which can rewrite the audit log.",
                    hint="Connect as the web role of docs/operations.md.",
                    id="jisr.E010",
                )
            )
        for table in TABLES:
            cursor.execute(
                "SELECT pg_has_role(current_user, c.relowner, 'MEMBER') "
                "FROM pg_class c WHERE c.oid = to_regclass(%s)",
                [table],
            )
            owns = cursor.fetchone()
            if owns and owns[0]:
                problems.append(
                    Error(
                        f"Jisr's database role owns {table} (or is a member of its owner), so it "
                        "can disable the triggers that keep the audit log append-only.",
                        hint="Run migrations as the owner role and the web and worker processes "
                        "as a role without it (docs/operations.md).",
                        id="jisr.E011",
                    )
                )
                continue
            held = []
            for privilege in FORBIDDEN:
                cursor.execute(
                    "SELECT has_table_privilege(current_user, %s, %s)", [table, privilege]
                )
                if cursor.fetchone()[0]:
                    held.append(privilege)
            if held:
                problems.append(
                    Error(
                        f"Jisr's database role holds {', '.join(held)} on {table}.",
                        hint=f"REVOKE {', '.join(held)} ON {table} FROM the web role "
                        "(docs/operations.md).",
                        id="jisr.E012",
                    )
                )
    return problems
