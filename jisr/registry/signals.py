"""Signals the registry sends, so that higher layers can follow a person's decisions without the
registry importing them (layers: registry below matching, cases and linkage)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a consent decision, with `event` (the new
# `ConsentEvent`) and `by` (who recorded it). A receiver that raises undoes the decision too:
# whatever copies a person's data under a consent must stop in the same transaction.
consent_recorded = Signal()

# Sent inside the transaction that records many consent decisions at once (an import: each
# person's decisions as they are registered), with `events` (the new `ConsentEvent`s) and `by`.
# What a receiver of `consent_recorded` does for one decision it does here for each of them.
consents_recorded = Signal()

# Sent inside the transaction that imports a chunk of persons from a spreadsheet, with `persons`
# (a list of (person, occupation): the job title as the file wrote it, or "") and `by` (who
# imported them). Matching codes the titles and starts each person's skills profile with one.
persons_imported = Signal()
