"""Abstract building blocks shared by the domain apps (no tables of its own)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInThreeLanguages(models.Model):
    """A thing with a name in Arabic, Central Kurdish and English; `name` is the reader's."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_ckb = models.CharField(_("name in Central Kurdish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Arabic, then English."""
        language = (get_language() or "ar").split("-")[0]
        return str(getattr(self, f"name_{language}", "") or self.name_ar or self.name_en)


class RateLimitCounter(models.Model):
    """One rate-limited key of one bucket (see `jisr.core.ratelimit`): the time at which its
    bucket is empty again. The key is kept only as a keyed hash: the table is not a list of
    the phone numbers and addresses that asked for something."""

    bucket = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    # Seconds since the epoch: plain numbers compare and add alike on SQLite and PostgreSQL.
    tat = models.FloatField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "key"], name="ratelimitcounter_one_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.bucket}:{self.key[:8]}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one worker process (`jisr worker`), written by its watchdog
    every JISR_TASK_HEARTBEAT_SECONDS; the health check reads the latest (decision 0023)."""

    name = models.CharField(max_length=200, unique=True)  # host:pid
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.name


class KeyCheck(models.Model):
    """A known value encrypted with JISR_ENCRYPTION_KEYS, and a keyed digest made with the oldest
    key (the one blind indexes use): the health check proves the configured keys still read
    what is stored (`jisr.core.keycheck`). One row, written by a migration and `jisr reencrypt`."""

    token = models.TextField()
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return "key check"
