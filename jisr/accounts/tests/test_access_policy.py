from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command

from jisr.accounts.access import scope_filter
from jisr.accounts.models import User
from jisr.accounts.roles import (
    ROLE_MAX_SCOPE,
    ROLE_PERMISSIONS,
    STAFF_ROLES,
    Perm,
    Role,
    Scope,
    Sensitivity,
)
from jisr.conftest import make_user


def test_every_role_has_a_permission_set_a_scope_limit_and_a_clearance():
    for role in Role:
        assert role in ROLE_PERMISSIONS
        assert role in ROLE_MAX_SCOPE
    assert Role.PERSON not in STAFF_ROLES
    # A person reaches their own record through self-service pages; the one permission they
    # hold is to browse open opportunities.
    assert ROLE_PERMISSIONS[Role.PERSON] == frozenset({Perm.OPPORTUNITY_VIEW})


def test_sensitive_field_groups_are_seen_only_with_clearance(people):
    assert people["protection"].can_see(Sensitivity.PROTECTION)
    assert not people["alice"].can_see(Sensitivity.PROTECTION)
    assert people["alice"].can_see(Sensitivity.SENSITIVE)
    assert not people["analyst"].can_see(Sensitivity.PERSONAL)
    assert not people["employer"].can_see(Sensitivity.PERSONAL)
    assert not people["person"].can_see(Sensitivity.INTERNAL)
    people["alice"].is_active = False
    assert not people["alice"].can_see(Sensitivity.PUBLIC)


def _reach(user: User, perm: Perm) -> set[str]:
    query = scope_filter(
        user, perm, organisation="organisation", governorate="organisation__governorate", owner="pk"
    )
    return {str(email) for email in User.objects.filter(query).values_list("email", flat=True)}


def test_scopes_reach_own_organisation_governorate_or_all(people, orgs):
    # Carol, at the ministry's headquarters with organisation scope, reaches its branches too.
    carol_reach = _reach(people["carol"], Perm.USER_VIEW)
    assert {"alice@example.org", "bob@example.org", "carol@example.org"} <= carol_reach
    assert "charlie@example.org" not in carol_reach
    assert _reach(people["admin"], Perm.USER_VIEW) == set(
        User.objects.values_list("email", flat=True)
    )
    # A governorate-wide supervisor in Baghdad reaches Baghdad's NGO staff but not Basra's branch.
    dana = make_user("dana@example.org", orgs["momd_baghdad"], {Role.SUPERVISOR: Scope.GOVERNORATE})
    dana_reach = _reach(dana, Perm.USER_VIEW)
    assert {"alice@example.org", "charlie@example.org"} <= dana_reach
    assert "bob@example.org" not in dana_reach
    # Without the permission, nothing at all.
    assert _reach(people["alice"], Perm.USER_VIEW) == set()


def test_the_widest_grant_wins_when_a_user_holds_several_roles(people):
    from jisr.accounts.models import RoleGrant

    RoleGrant.objects.create(user=people["alice"], role=Role.ANALYST, scope=Scope.ALL)
    alice = User.objects.get(pk=people["alice"].pk)
    assert alice.scope_for(Perm.ORGANISATION_VIEW) == Scope.ALL
    assert alice.scope_for(Perm.USER_VIEW) is None


@pytest.mark.django_db
def test_createsuperuser_makes_a_platform_administrator(monkeypatch):
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command(
        "createsuperuser",
        interactive=False,
        email="root@example.org",
        full_name="Root",
        stdout=StringIO(),
    )
    root = User.objects.get(email="root@example.org")
    assert root.roles == {Role.ADMINISTRATOR: Scope.ALL}
    assert root.organisation is not None
    assert root.can(Perm.USER_MANAGE)
