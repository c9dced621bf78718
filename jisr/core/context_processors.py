from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from jisr.accounts.roles import Perm


def jisr(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_staff_member)
    return {
        "PERM": Perm,
        "two_factor_off": not settings.JISR_REQUIRE_2FA,
        "is_staff_member": staff,
    }
