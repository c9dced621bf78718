"""Every list of organisations, accounts and API keys, page or API, reads the database the same
number of times with a few rows as with many (no query per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from jisr.accounts.models import ApiKey, Organisation, OrganisationKind, User
from jisr.accounts.roles import Role, Scope
from jisr.conftest import client_for, make_user, queries_to_get
from jisr.places.models import Governorate

pytestmark = pytest.mark.django_db

BASRA = "IQ-BA"


def _branches(orgs: dict[str, Organisation], count: int) -> None:
    """Branches of the Basra office, each with a caseworker holding two roles."""
    basra = Governorate.objects.get(code=BASRA)
    for _ in range(count):
        number = Organisation.objects.count()
        branch = Organisation.objects.create(
            kind=OrganisationKind.GOVERNMENT_OFFICE,
            name_ar=f"فرع {number}",
            name_en=f"Branch {number}",
            parent=orgs["momd_basra"],
            governorate=basra,
        )
        make_user(
            f"staff{number}@example.org",
            branch,
            {Role.CASEWORKER: Scope.ORGANISATION, Role.PROTECTION_OFFICER: Scope.OWN},
        )


def _keys(people: dict[str, User], count: int) -> None:
    """Keys made by carol, half of them revoked by the administrator, each replacing the last."""
    carol = people["carol"]
    assert carol.organisation is not None
    last = ApiKey.objects.filter(created_by=carol).order_by("pk").last()
    for number in range(count):
        last = ApiKey.objects.create(
            organisation=carol.organisation,
            name=f"system {number}",
            prefix=f"{ApiKey.objects.count():010d}",
            secret_hash=f"hash {ApiKey.objects.count()}",
            permissions=["person.view", "case.view"],
            scope=Scope.ORGANISATION,
            clearance=20,
            created_by=carol,
            expires_at=timezone.now() + dt.timedelta(days=30),
            revoked_at=timezone.now() if number % 2 else None,
            revoked_by=people["admin"] if number % 2 else None,
            replaces=last,
        )


def _same_queries_with_more_rows(
    client_user: User, url: str, add: Callable[[int], None], **extra: str
) -> None:
    client = client_for(client_user)
    add(2)
    queries_to_get(client, url, **extra)  # the first answer fills the caches
    few = queries_to_get(client, url, **extra)
    add(12)
    assert queries_to_get(client, url, **extra) == few


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/accounts/organisations/", {}),
        ("/accounts/organisations/", {"HTTP_HX_REQUEST": "true"}),
        ("/api/v1/organisations", {}),
    ],
)
def test_the_organisations(people, orgs, url, extra):
    _same_queries_with_more_rows(people["admin"], url, lambda n: _branches(orgs, n), **extra)


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/accounts/users/", {}),
        ("/accounts/users/", {"HTTP_HX_REQUEST": "true"}),
        ("/api/v1/users", {}),
    ],
)
def test_the_accounts(people, orgs, url, extra):
    _same_queries_with_more_rows(people["carol"], url, lambda n: _branches(orgs, n), **extra)


def test_an_organisations_branches_and_members(people, orgs):
    url = f"/accounts/organisations/{orgs['momd_basra'].pk}/"
    _same_queries_with_more_rows(people["carol"], url, lambda n: _branches(orgs, n))


@pytest.mark.parametrize("url", ["/accounts/api-keys/", "/api/v1/api-keys"])
def test_the_api_keys(people, url):
    _same_queries_with_more_rows(people["carol"], url, lambda n: _keys(people, n))
