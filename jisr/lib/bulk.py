"""Inserting many new rows of one model fast: what imports and the audit log's append do with
thousands of rows at a time.

Django's `bulk_create` compiles every value of every row through its SQL compiler (a dozen
calls per value); for an import's audit entries that was a third of the import's time. Here each
value is prepared once by its field, as Django would (`pre_save`, `get_db_prep_save`: encryption,
JSON), and the rows go in multi-row INSERT statements that return their keys. Only for plain new
rows: no parents, no conflicts to ignore, no database defaults (the callers' models have none).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models

# Fields whose value goes to the database as it is when it is a str, an int, a bool or None:
# Django's own preparation returns such a value unchanged on SQLite and PostgreSQL. Exact types
# only, so that an encrypted or other subclass is always prepared by its own field; a value of
# another type (a date, a UUID, a lazy text) is prepared by its field too.
_AS_IS_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.ForeignKey,
)
_AS_IS_VALUES = (str, int, bool, type(None))


def insert_new(rows: Sequence[models.Model], *, using: str = "default") -> None:
    """Insert `rows` (new instances of one model) in their order, setting each one's key."""
    if not rows:
        return
    meta = type(rows[0])._meta
    assert meta.pk is not None
    assert not meta.parents, "plain models only"
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
    # A thousand rows of ten fields are ten thousand values: most need no preparation.
    plain = [(f, f.attname, type(f) in _AS_IS_FIELDS) for f in fields]
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names are the model's own, quoted; every value is a parameter.
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    )
    tail = f" RETURNING {quote(meta.pk.column)}"
    size = max(1, connection.ops.bulk_batch_size(fields, list(rows)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            params: list[Any] = [
                value
                if as_is and type(value := getattr(row, attname)) in _AS_IS_VALUES
                else field.get_db_prep_save(field.pre_save(row, True), connection)
                for row in part
                for field, attname, as_is in plain
            ]
            cursor.execute(head + ", ".join([one_row] * len(part)) + tail, params)
            keys = cursor.fetchall()
            for row, (key,) in zip(part, keys, strict=True):
                row.pk = key
                row._state.adding = False
                row._state.db = using


def insert_values(
    model: type[models.Model],
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> None:
    """Insert rows given as plain values of plain columns (ids, numbers, text) of `model`'s table,
    when no instance is needed afterwards: an index's rows."""
    if not values:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    # Only the model's own columns (an unknown name raises FieldDoesNotExist); values are
    # parameters.
    fields = [model._meta.get_field(name) for name in columns]
    names = [quote(str(getattr(field, "column", ""))) for field in fields]
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) VALUES "  # noqa: S608
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Multi-row statements of up to 1,000 rows (fewer where the database takes fewer
    # parameters): a list's fifty persons in one statement, not one each.
    size = max(1, min(1000, connection.ops.bulk_batch_size(fields, list(values))))
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            part = values[start : start + size]
            cursor.execute(
                head + ", ".join([one_row] * len(part)), [value for row in part for value in row]
            )
