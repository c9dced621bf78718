from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.privacy import WITHHELD
from jisr.audit.selectors import audit_entry_list


def _value(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def described(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """Each field of an entry's changes with what the log kept of it, as text: nothing where
    only the fact of a change was kept, "old → new", or how many records a list showed."""
    rows = []
    for field, change in changes.items():
        if change == WITHHELD:
            text = ""
        elif field == "records" and isinstance(change, list):
            text = ngettext("%(count)s record", "%(count)s records", len(change)) % {
                "count": len(change)
            }
        elif isinstance(change, list) and len(change) == 2:
            text = f"{_value(change[0])} → {_value(change[1])}"
        elif isinstance(change, dict):
            text = ", ".join(change)
        else:
            text = _value(change)
        rows.append((field, text))
    return rows


@permission(Perm.AUDIT_VIEW)
def audit_log(request: AuthedRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    entries = audit_entry_list(
        fetched_by=request.user,
        object_type=request.GET.get("type", "").strip(),
        object_id=request.GET.get("id", "").strip(),
    )
    if action in Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_log.html",
        {
            "page": page,
            "rows": [(entry, described(entry.changes)) for entry in page],
            "actions": Action.choices,
            "action": action,
        },
    )
