from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Role
from jisr.core.demo import DEMO_PASSWORD, build_demo


@pytest.mark.django_db
def test_demo_command_prints_a_sign_in_for_every_role_and_is_idempotent():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert DEMO_PASSWORD in text
    for role in Role:
        assert role.value in text
    from jisr.catalogue.models import Service
    from jisr.matching.models import Application, Opportunity, Profile

    counts = (
        Organisation.objects.count(), User.objects.count(), Profile.objects.count(),
        Opportunity.objects.count(), Application.objects.count(), Service.objects.count(),
    )  # fmt: skip
    call_command("demo", stdout=StringIO())
    assert (
        Organisation.objects.count(), User.objects.count(), Profile.objects.count(),
        Opportunity.objects.count(), Application.objects.count(), Service.objects.count(),
    ) == counts  # fmt: skip
    assert counts[0] >= 40  # ministries, their 18 governorate branches, partners
    assert counts[2] >= 50  # skills profiles
    assert counts[3] == 20  # opportunities of every kind
    assert counts[5] >= 280  # services across the governorates
    assert Service.objects.filter(published=True).count() > 250
    assert Profile.objects.filter(person__account__email="person@demo.jisr.iq").exists()
    from jisr.cases.models import Case, Flag, Referral

    assert Case.objects.count() >= 10
    assert Referral.objects.values("status").distinct().count() >= 4  # cases at every stage
    assert Flag.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_every_demo_account_signs_in():
    result = build_demo(seed=7, staff_per_branch=1, with_catalogues=False)
    for account in result.accounts:
        client = Client()
        response = client.post(
            "/accounts/sign-in/", {"username": account.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, account
        assert client.get(response["Location"]).status_code == 200, account
        assert User.objects.get(email=account.email).roles.keys() == {account.role}


@pytest.mark.django_db
def test_staff_have_iraqi_names_in_arabic_script_from_the_seed():
    build_demo(seed=11, staff_per_branch=1, with_catalogues=False)
    names = list(User.objects.filter(email__startswith="momd.").values_list("full_name", flat=True))
    assert len(names) == 18
    assert all(len(name.split()) >= 4 for name in names)
    assert all("\u0600" <= name[0] <= "\u06ff" for name in names)


def test_demo_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
