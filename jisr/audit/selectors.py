from __future__ import annotations

from django.db.models import Q, QuerySet

from jisr.accounts.access import require, scope_filter
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.audit.models import AuditEntry, AuditEntryPerson


def audit_entry_list(
    *, fetched_by: User, object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEntry]:
    """Entries made by people of the organisations within the reader's audit scope."""
    require(fetched_by, Perm.AUDIT_VIEW)
    entries = AuditEntry.objects.select_related("actor", "organisation", "api_key").filter(
        scope_filter(
            fetched_by,
            Perm.AUDIT_VIEW,
            organisation="organisation",
            governorate="organisation__governorate",
            owner="actor",
        )
    )
    if object_type == "registry.person" and object_id.isdigit():
        # A person's record: its own entries and every list or record that showed it. The
        # entries naming the person are read first, by their index: OR-ed with a subquery,
        # PostgreSQL would read the whole log to test each entry against it.
        naming = list(
            AuditEntryPerson.objects.filter(person_id=int(object_id)).values_list(
                "entry_id", flat=True
            )
        )
        return entries.filter(Q(object_type=object_type, object_id=object_id) | Q(pk__in=naming))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries


def audit_entry_list_naming(*, person_id: int) -> QuerySet[AuditEntry]:
    """Every entry that shows or changes the person's data, through the index of persons (one
    indexed lookup, however long the log)."""
    return AuditEntry.objects.filter(person_links__person_id=person_id)
