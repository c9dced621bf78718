"""The append-only audit log: who read or changed protected data, when, and for which
organisation. Rows are never updated or deleted: the model refuses, and database triggers
(created by the migration) refuse changes even by raw SQL. Every entry is chained to the one
before it by a keyed hash (`chain.py`), so what the database cannot refuse (a table owner's raw
SQL, a restored back-up) is found by `jisr audit verify`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisr.audit import chain, privacy
from jisr.lib.bulk import insert_new, insert_values


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    VIEW_LIST = "view_list", _("Viewed in a list")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DEACTIVATE = "deactivate", _("Deactivated")
    EXPORT = "export", _("Exported")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed to sign in")
    SIGN_OUT = "sign_out", _("Signed out")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Set up two-factor authentication")
    TWO_FACTOR_RESET = "two_factor_reset", _("Reset two-factor authentication")
    PASSWORD_CHANGED = "password_changed", _("Changed password")
    API_CALL = "api_call", _("Called the API")


class AppendOnlyError(Exception):
    pass


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntryQuerySet(AppendOnlyQuerySet["AuditEntry"]):
    def bulk_create(  # type: ignore[override]  # the chain needs the entries in order
        self, objs: Iterable[AuditEntry], batch_size: int | None = None, **kwargs: Any
    ) -> list[AuditEntry]:
        """Many entries in one go, chained like single ones (an export writes thousands)."""
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise AppendOnlyError("Audit entries are only ever added.")
        entries = list(objs)
        _append(entries, using=self.db, insert=lambda rows: insert_new(rows, using=self.db))
        return entries


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_label = models.CharField(_("record label"), max_length=200, blank=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    # Set when the actor called through one of their organisation's API keys (decision 0021).
    api_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    # The persons whose data the entry shows or changes, so each person's access log finds it
    # (`AuditEntryPerson` indexes them); part of the hashed content.
    person_ids = models.JSONField(_("persons"), default=list, blank=True)
    prev_hash = models.CharField(max_length=64, default="", editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        using = kwargs.get("using") or router.db_for_write(AuditEntry, instance=self)
        _append([self], using=using, insert=lambda rows: _insert_one(rows[0], using))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def actor_name(self) -> str:
        """Staff by name. A person acting on their own account (no organisation) is not named:
        the log is read by people who may not see persons."""
        if self.actor is None or self.actor.organisation_id is None:
            return ""
        return self.actor.full_name

    def record(self) -> dict[str, Any]:
        """The entry as the chain hashes and exports it."""
        return chain.record_of(self)


class AuditEntryPerson(models.Model):
    """Which entries name which person: the index behind a person's access log. Written with
    its entry, append-only like it, and checked against the entry's `person_ids` by
    `jisr audit verify`."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="person_links")
    person_id = models.BigIntegerField()

    objects = AppendOnlyQuerySet["AuditEntryPerson"].as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_id", "entry"], name="audit_person_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.person_id}"


def _insert_one(entry: AuditEntry, using: str) -> None:
    models.Model.save(entry, using=using)


@dataclass
class _Hold:
    """Entries kept to be appended when a block ends (`held_to_the_end`)."""

    using: str
    # Entries made inside a savepoint the block opened are appended at once, not kept: a
    # savepoint rolled back must take its entries with it, and a kept entry would outlive it.
    # `whole` keeps them all (a block whose failure fails its whole transaction).
    whole: bool
    base: int  # the savepoints already open when the block began
    entries: list[AuditEntry] = field(default_factory=list)

    def keeps(self, using: str) -> bool:
        connection = connections[using]
        if using != self.using or not connection.in_atomic_block:
            return False
        return self.whole or all(sid is None for sid in connection.savepoint_ids[self.base :])


_hold: ContextVar[_Hold | None] = ContextVar("audit_hold", default=None)


@contextmanager
def held_to_the_end(*, using: str = "default", whole: bool = True) -> Iterator[None]:
    """Keep the entries written in the block and append them together when it ends, still in
    its transaction, so that the chain's lock (held from the first append to the commit) is
    taken as late as possible. When the block raises, or its transaction is already doomed,
    nothing is appended (the transaction rolls back). Entries kept have no key until then."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("held_to_the_end is for a block inside a transaction")
    hold = _Hold(using=using, whole=whole, base=len(connection.savepoint_ids))
    token = _hold.set(hold)
    try:
        yield
    finally:
        _hold.reset(token)
    if hold.entries and not connection.needs_rollback:
        AuditEntry.objects.using(using).bulk_create(hold.entries)


def _append(
    entries: Sequence[AuditEntry], *, using: str, insert: Callable[[list[AuditEntry]], Any]
) -> None:
    """Redact, chain and insert entries after the last one, holding the append lock until the
    transaction ends (a later writer then reads these as the last)."""
    if not entries:
        return
    hold = _hold.get()
    if hold is not None and hold.keeps(using):
        hold.entries.extend(entries)
        return
    # No savepoint: an entry that cannot be written fails the whole change or read with it.
    with transaction.atomic(using=using, savepoint=False):
        chain.lock(connections[using])
        previous = (
            AuditEntry.objects.using(using).order_by("-pk").values_list("hash", flat=True).first()
        ) or chain.GENESIS
        now = timezone.now()
        for entry in entries:
            entry.at = now
            # What a system does with its key is the key's, as well as its maker's.
            key = getattr(entry._state.fields_cache.get("actor"), "api_key", None)
            if entry.api_key_id is None and key is not None:
                entry.api_key = key
            changes, entry.object_label = privacy.redact(
                entry.object_type, entry.changes or {}, entry.object_label
            )
            # Hashed as the database will give it back (tuples become lists, and so on).
            entry.changes = json.loads(json.dumps(changes))
            entry.person_ids = sorted({int(p) for p in entry.person_ids or []})
            entry.prev_hash = previous
            entry.hash = chain.digest(entry.record(), previous)
            previous = entry.hash
        insert(list(entries))
        insert_values(
            AuditEntryPerson,
            ["entry", "person_id"],
            [(e.pk, p) for e in entries for p in e.person_ids],
            using=using,
        )
