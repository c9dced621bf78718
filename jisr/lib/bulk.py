"""Inserting many new rows of one model fast: what imports and the audit log's append do with
thousands of rows at a time.

Django's `bulk_create` compiles every value of every row through its SQL compiler (a dozen
calls per value); for an import's audit entries that was a third of the import's time. Here each
value is prepared once by its field, as Django would (`pre_save`, `get_db_prep_save`: encryption,
JSON), and the rows go in multi-row INSERT statements that return their keys. Only for plain new
rows: no parents, no conflicts to ignore, no database defaults (the callers' models have none).

On PostgreSQL the rows go as one array a column (`INSERT ... SELECT * FROM UNNEST(...)`, as
Django's own `bulk_create` does since 5.2): psycopg reads a statement's text to bind its
parameters, and for a statement of thousands of `%s` that reading was a third of a person
import's time; a dozen arrays are read in no time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models
from django.db.models import Field

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


# The most rows one statement sends as arrays (PostgreSQL), to bound its memory.
_UNNEST_ROWS = 5000


def _array_types(fields: Sequence[Field[Any, Any]], connection: Any) -> list[str] | None:
    """PostgreSQL: each column's array type, when every field can travel as one array (Django's
    conditions for its own UNNEST inserts); None where the rows must go as VALUES."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = getattr(field, "target_field", field) if field.is_relation else field
        if (
            hasattr(field, "get_placeholder")
            or target.get_internal_type() not in connection.data_types
        ):
            return None
        # varchar, not varchar(64): the column's own type checks the length.
        types.append(str(field.db_type(connection)).split("(")[0])
    return types


def _statements(
    table: str, columns: Sequence[str], rows: int, types: list[str] | None, connection: Any
) -> tuple[str, int]:
    """The INSERT's text up to its rows (with arrays, all of it) and how many rows one takes."""
    quote = connection.ops.quote_name
    # Names are the model's own, quoted; every value is a parameter.
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
    if types is not None:
        arrays = ", ".join(f"(%s)::{kind}[]" for kind in types)
        # The types are the fields' own database types.
        return f"{head}SELECT * FROM UNNEST({arrays})", _UNNEST_ROWS  # noqa: S608
    return head + "VALUES ", rows


def _values_sql(columns: int, rows: int) -> str:
    one_row = "(" + ", ".join(["%s"] * columns) + ")"
    return ", ".join([one_row] * rows)


def insert_new(rows: Sequence[models.Model], *, using: str = "default") -> None:
    """Insert `rows` (new instances of one model) in their order, setting each one's key."""
    if not rows:
        return
    meta = type(rows[0])._meta
    assert meta.pk is not None
    assert not meta.parents, "plain models only"
    connection = connections[using]
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
    # A thousand rows of ten fields are ten thousand values: most need no preparation.
    plain = [(f, f.attname, type(f) in _AS_IS_FIELDS) for f in fields]
    # One row goes as VALUES: arrays save nothing there (Django's rule too).
    types = _array_types(fields, connection) if len(rows) > 1 else None
    head, size = _statements(
        meta.db_table,
        [str(f.column) for f in fields],
        max(1, connection.ops.bulk_batch_size(fields, list(rows))),
        types,
        connection,
    )
    tail = f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            values = [
                [
                    value
                    if as_is and type(value := getattr(row, attname)) in _AS_IS_VALUES
                    else field.get_db_prep_save(field.pre_save(row, True), connection)
                    for field, attname, as_is in plain
                ]
                for row in part
            ]
            if types is not None:
                cursor.execute(head + tail, [list(column) for column in zip(*values, strict=True)])
            else:
                params = [value for row_values in values for value in row_values]
                cursor.execute(head + _values_sql(len(fields), len(part)) + tail, params)
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
    # Only the model's own columns (an unknown name raises FieldDoesNotExist); values are
    # parameters.
    fields = [model._meta.get_field(name) for name in columns]
    concrete = [field for field in fields if isinstance(field, Field)]
    assert len(concrete) == len(fields), "columns of the table only"
    types = _array_types(concrete, connection) if len(values) > 1 else None
    # Multi-row statements of up to 1,000 rows (fewer where the database takes fewer
    # parameters): a list's fifty persons in one statement, not one each.
    head, size = _statements(
        model._meta.db_table,
        [str(field.column) for field in concrete],
        max(1, min(1000, connection.ops.bulk_batch_size(fields, list(values)))),
        types,
        connection,
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            part = values[start : start + size]
            if types is not None:
                cursor.execute(head, [list(column) for column in zip(*part, strict=True)])
            else:
                params = [value for row in part for value in row]
                cursor.execute(head + _values_sql(len(columns), len(part)), params)
