from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from jisr.accounts.models import User
from jisr.accounts.roles import Perm


def jisr(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    staff = isinstance(user, User) and user.is_staff_member
    return {
        "PERM": Perm,
        "two_factor_off": not settings.JISR_REQUIRE_2FA,
        "is_staff_member": staff,
    }
