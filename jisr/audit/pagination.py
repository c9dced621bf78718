"""API pagination that records what each page showed (issue 12, finding 5): the page is read
once, audited as one entry listing its records, and returned."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from jisr.audit.services import audit_reads, person_of
from jisr.lib.pagination import CappedLimitOffsetPagination


class AuditedPagination(CappedLimitOffsetPagination):
    """`@paginate(AuditedPagination, context="api.persons")`; `person` finds the person each
    item is about when it is not the item's own `person_id`."""

    def __init__(
        self,
        *,
        context: str,
        person: Callable[[Any], int | Iterable[int | None] | None] = person_of,
        **kwargs: Any,
    ) -> None:
        self.context = context
        self.person = person
        super().__init__(**kwargs)

    def paginate_queryset(
        self,
        queryset: models.QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = audit_reads(
            actor=request.user,
            records=page[self.items_attribute],
            context=self.context,
            person=self.person,
        )
        return page
