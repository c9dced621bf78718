from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm
from jisr.audit.models import AuditEntry
from jisr.audit.selectors import audit_entry_list
from jisr.lib.pagination import BoundedLimitOffsetPagination

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    api_key_id: int | None = Field(description="The API key the actor called with, if any.")
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    person_ids: list[int] = Field(description="The persons whose data the entry shows or changes.")
    prev_hash: str = Field(description="The hash of the entry before it (jisr audit verify).")
    hash: str

    @staticmethod
    def resolve_actor_name(entry: AuditEntry) -> str:
        """Empty for a person acting on their own account: the log does not name persons."""
        return entry.actor_name


@router.get("/entries", response=list[AuditEntryOut], auth=allowed(Perm.AUDIT_VIEW))
@paginate(BoundedLimitOffsetPagination)
def entries(
    request: AuthedRequest, object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEntry]:
    """Audit entries within the caller's scope, newest first."""
    return audit_entry_list(fetched_by=request.user, object_type=object_type, object_id=object_id)
