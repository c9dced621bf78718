"""Personas of the linkage tests: an analyst of the Ministry of Labour (the owner of the
unemployment register), the Ministry of Migration's supervisor (carol, whose Jisr registry is
shared by agreement), and the Ministry of Planning's analyst, whose organisation has no agreement."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.conftest import make_user


@pytest.fixture
def labour(orgs: dict[str, Organisation]) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.MINISTRY, name_ar="وزارة العمل والشؤون الاجتماعية",
        name_en="Ministry of Labour and Social Affairs", acronym="MoLSA",
    )  # fmt: skip


@pytest.fixture
def labour_analyst(labour: Organisation) -> Any:
    return make_user(
        "analyst@molsa.example.org", labour, {Role.ANALYST: Scope.ORGANISATION}, language="en"
    )
