"""Fixtures of the matching tests: a fresh matching index for every test, a small taxonomy
(`factories.py` holds them, for the other apps' tests too), and the employer's organisation
verified (verified organisations see profiles whose owners show them to verified employers)."""

from typing import Any

import pytest

from jisr.matching.tests.factories import _fresh_index, taxonomy

__all__ = ["_fresh_index", "taxonomy"]


@pytest.fixture
def verified_company(orgs: dict[str, Any]) -> Any:
    orgs["company"].verified = True
    orgs["company"].save()
    return orgs["company"]
