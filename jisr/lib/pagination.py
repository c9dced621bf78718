"""Pagination that never counts more than it must.

Counting every match of a broad search over millions of persons costs more than finding the
first page; people need "more than 1,000, refine your search", not the exact number.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from ninja.pagination import LimitOffsetPagination

COUNT_CAP = 1000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # generic only in the stubs
    @cached_property
    def count(self) -> int:
        matches: Any = self.object_list
        return int(matches[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """`count` stops at 1,001: that value means "more than 1,000"."""

    def _items_count(self, queryset: Any) -> int:
        return int(queryset[: COUNT_CAP + 1].count())
