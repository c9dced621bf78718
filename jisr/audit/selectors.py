from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jisr.accounts.access import require, scope_filter
from jisr.accounts.roles import Perm
from jisr.audit.models import AuditEntry


def audit_entry_list(
    *, fetched_by: Any, object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEntry]:
    """Entries made by people of the organisations within the reader's audit scope."""
    require(fetched_by, Perm.AUDIT_VIEW)
    entries = AuditEntry.objects.select_related("actor", "organisation").filter(
        scope_filter(
            fetched_by,
            Perm.AUDIT_VIEW,
            organisation="organisation",
            governorate="organisation__governorate",
            owner="actor",
        )
    )
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries
