"""Reference data kept per process: the governorates, districts, service categories and person
categories that forms offer on every page that shows them (decision 0046).

They change a few times a year, by an administrator; reading them cost each page with a form
its queries and a few milliseconds of the web's CPU (the directory's 108 districts). `rows()`
gives a queryset of one of these models from this process's memory, read again:

- at once in the process that changed a row (`post_save`, `post_delete`, a many-to-many change),
  and again when its transaction commits;
- after `TTL_SECONDS` in every other process: a change by an administrator shows in the other
  web workers' forms within a minute. A change made without Django's signals (raw SQL,
  `QuerySet.update`, a migration) shows within that minute too.

Only what forms offer is read here; what a request records or validates (a chosen district,
a person's categories) is read from the database, as before. Rows are shared by the requests of
a process: they are read, never changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, TypeVar

from django import forms
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.forms.models import ModelChoiceIterator

TTL_SECONDS = 60
# The models whose rows are reference data, by their label.
MODELS = {
    "places.Governorate",
    "places.District",
    "catalogue.ServiceCategory",
    "registry.CategoryRule",
}

R = TypeVar("R")
_lock = threading.Lock()
_kept: dict[tuple[Any, ...], tuple[float, list[Any]]] = {}


def is_reference(model: type[models.Model]) -> bool:
    return model._meta.label in MODELS


def rows(queryset: models.QuerySet[Any, R]) -> list[R]:
    """The rows of `queryset`: from memory for reference data (read at most `TTL_SECONDS`
    ago, or since a change in this process), from the database for anything else."""
    if not is_reference(queryset.model):
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    key = (queryset.db, getattr(queryset, "_prefetch_related_lookups", ()), sql, params)
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and now - kept[0] < TTL_SECONDS:
        return kept[1]
    found = list(queryset)
    with _lock:
        _kept[key] = (now, found)
    return found


def forget(*_args: Any, **_kwargs: Any) -> None:
    """Read every reference list again at its next use (in this process)."""
    with _lock:
        _kept.clear()


def _changed(sender: type[models.Model], **kwargs: Any) -> None:
    if is_reference(sender) or (kwargs.get("model") is not None and is_reference(kwargs["model"])):
        forget()
        # Read once more after the commit: a read between the change and the commit, by
        # another request of this process, would otherwise keep what was there before.
        transaction.on_commit(forget, using=kwargs.get("using"))


def connect() -> None:
    """Forget the lists when a reference row changes (called once, when the apps are ready)."""
    post_save.connect(_changed, dispatch_uid="jisr.lib.reference.save")
    post_delete.connect(_changed, dispatch_uid="jisr.lib.reference.delete")
    m2m_changed.connect(_changed, dispatch_uid="jisr.lib.reference.m2m")


class ReferenceChoiceIterator(ModelChoiceIterator):
    """A ModelChoiceField's options from `rows()`: the same options, without a query for
    reference data."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in rows(self.queryset):
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(rows(self.queryset)) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(rows(self.queryset))


class ReferenceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    """A ModelChoiceField whose options come from `rows()` (a chosen value is still checked
    against the database)."""

    iterator = ReferenceChoiceIterator
