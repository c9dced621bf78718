"""Pagination that never counts more than it must.

Counting every match of a broad search over millions of persons costs more than finding the
first page; people need "more than 1,000, refine your search", not the exact number.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from ninja import Field
from ninja.pagination import LimitOffsetPagination

COUNT_CAP = 1000
# Far past the end of any list; beyond 2**63 a database's OFFSET overflows (a 500, issue 14).
MAX_OFFSET = 2**31 - 1
# The largest record id a database holds (a 64-bit key): a larger one is refused, not queried.
MAX_ID = 2**63 - 1
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """django-ninja's `limit` and `offset`, the offset bounded (the limit is, by
    NINJA_PAGINATION_MAX_LIMIT): what no list reaches is refused with 422, never queried."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # generic only in the stubs
    @cached_property
    def count(self) -> int:
        matches: Any = self.object_list
        return int(matches[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class CappedLimitOffsetPagination(BoundedLimitOffsetPagination):
    """`count` stops at 1,001: that value means "more than 1,000"."""

    def _items_count(self, queryset: Any) -> int:
        return int(queryset[: COUNT_CAP + 1].count())
