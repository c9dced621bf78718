"""Fixtures of the matching tests: a fresh matching index for every test, and a small taxonomy
(`factories.py` holds them, for the other apps' tests too)."""

from jisr.matching.tests.factories import _fresh_index, taxonomy

__all__ = ["_fresh_index", "taxonomy"]
