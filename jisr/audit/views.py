from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.selectors import audit_entry_list


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
        {"page": page, "actions": Action.choices, "action": action},
    )
