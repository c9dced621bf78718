"""Signals the registry sends, so that higher layers can follow a person's decisions without the
registry importing them (layers: registry below matching, cases and linkage)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a consent decision, with `event` (the new
# `ConsentEvent`) and `by` (who recorded it). A receiver that raises undoes the decision too:
# whatever copies a person's data under a consent must stop in the same transaction.
consent_recorded = Signal()

# Sent inside the transaction that imports a person from a spreadsheet, with `person`, `by` (who
# imported them) and `occupation` (the job title as the file wrote it, or ""). Matching codes
# the title and starts the person's skills profile with it.
person_imported = Signal()
