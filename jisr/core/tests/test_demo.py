"""`jisr demo`: every role's sign-in printed, every kind of record there, running it again changes
nothing. The demo is built once per test session (the `demo` fixture)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Role
from jisr.cases.models import Case, Flag, Referral
from jisr.catalogue.models import Service
from jisr.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, build_demo
from jisr.matching.models import Application, Opportunity, Profile


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Profile.objects.count(),
        Opportunity.objects.count(),
        Application.objects.count(),
        Service.objects.count(),
    )


@pytest.mark.slow
def test_demo_command_prints_a_sign_in_for_every_role_and_is_idempotent(demo):
    assert "http://127.0.0.1:8000" in demo.output
    assert DEMO_PASSWORD in demo.output
    for role in Role:
        assert f"{role.value} " in demo.output
    counts = _counts()
    again = StringIO()
    call_command("demo", stdout=again)
    assert _counts() == counts
    assert again.getvalue() == demo.output
    assert counts[0] >= 40  # ministries, their 18 governorate branches, partners
    assert counts[2] >= 50  # skills profiles
    assert counts[3] == 20  # opportunities of every kind
    assert counts[5] >= 280  # services across the governorates
    assert Service.objects.filter(published=True).count() > 250
    assert Profile.objects.filter(person__account__email=f"person@{DEMO_DOMAIN}").exists()
    assert Case.objects.count() >= 10
    assert Referral.objects.values("status").distinct().count() >= 4  # cases at every stage
    assert Flag.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.slow
def test_every_demo_account_signs_in(demo):
    accounts = build_demo().accounts  # already there: only looked up
    assert {account.role for account in accounts} == set(Role)
    for account in accounts:
        client = Client()
        response = client.post(
            "/accounts/sign-in/", {"username": account.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, account
        assert client.get(response["Location"]).status_code == 200, account
        assert User.objects.get(email=account.email).roles.keys() == {account.role}


@pytest.mark.slow
def test_staff_have_iraqi_names_in_arabic_script_from_the_seed(demo):
    names = list(User.objects.filter(email__startswith="momd.").values_list("full_name", flat=True))
    assert len(names) == 18 * 2  # two caseworkers in each governorate's branch
    assert all(len(name.split()) >= 4 for name in names)
    assert all("\u0600" <= name[0] <= "\u06ff" for name in names)


def test_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
