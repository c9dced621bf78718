"""The referral inbox reads an organisation's newest referrals from an index, in order, instead
of sorting all of them for each page (issue 14: 40,000 referrals to one provider cost 53 ms of
PostgreSQL's CPU a page; ten times that at a million cases)."""

from __future__ import annotations

import pytest
from django.db import connection

from jisr.cases import selectors, services
from jisr.cases.models import ReferralStatus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's plan (SQLite plans its own way)"
    ),
]


@pytest.mark.parametrize("status", ["", ReferralStatus.SENT])
def test_the_inbox_page_is_read_in_order_from_an_index(people, world, status):
    services.referral_send(by=people["alice"], need=world["need"], service=world["training"])
    found = selectors.referral_inbox(fetched_by=world["trainer"], status=status)
    sql, params = found[:50].query.sql_with_params()  # the inbox's first page
    with connection.cursor() as cursor:
        # As if the table were large: a small one is cheaper to read whole.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_referral_inbox" in plan, plan
    assert "Sort" not in plan, plan
