"""Signals the registry sends, so that higher layers can follow a person's decisions without the
registry importing them (layers: registry below matching, cases and linkage)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a consent decision, with `event` (the new
# `ConsentEvent`) and `by` (who recorded it). A receiver that raises undoes the decision too:
# whatever copies a person's data under a consent must stop in the same transaction.
consent_recorded = Signal()
