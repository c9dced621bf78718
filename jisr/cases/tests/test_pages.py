"""A case through the real URLs: open, record a need, refer to a proposed service, and the
provider answers from its inbox."""

from __future__ import annotations

import pytest

from jisr.cases.models import Case, Referral
from jisr.cases.tests.test_referrals import world  # noqa: F401
from jisr.conftest import client_for

pytestmark = pytest.mark.django_db


def test_open_record_refer_and_the_provider_answers(people, world):  # noqa: F811
    alice = client_for(people["alice"])
    person = world["person"]
    Case.objects.all().delete()
    assert alice.post(f"/cases/open/{person.pk}/").status_code == 302
    case = Case.objects.get(person=person)
    page = alice.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    alice.post(
        f"/cases/{case.pk}/",
        {
            "action": "need",
            "category": "economic-vocational-training",
            "priority": "1",
            "version": case.version,
        },
    )
    need = case.needs.get()
    text = alice.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-proposal="{world["training"].pk}"' in text
    case.refresh_from_db()
    stale = case.version
    alice.post(
        f"/cases/{case.pk}/",
        {
            "action": "refer",
            "need": need.pk,
            "service": world["training"].pk,
            "version": case.version,
        },
    )
    referral = Referral.objects.get()
    # A second click on an old page is refused, not applied twice.
    response = alice.post(
        f"/cases/{case.pk}/",
        {"action": "refer", "need": need.pk, "service": world["far"].pk, "version": stale},
        follow=True,
    )
    assert Referral.objects.count() == 1
    assert (
        "Reload" in response.content.decode()
        or "أعد" in response.content.decode()
        or response.status_code == 200
    )
    trainer = client_for(world["trainer"])
    assert str(referral.pk) in trainer.get("/cases/referrals/").content.decode()
    detail = trainer.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert person.full_name in detail
    trainer.post(
        f"/cases/referrals/{referral.pk}/", {"status": "accepted", "version": referral.version}
    )
    referral.refresh_from_db()
    trainer.post(
        f"/cases/referrals/{referral.pk}/",
        {"status": "completed", "outcome": "met", "version": referral.version},
    )
    referral.refresh_from_db()
    need.refresh_from_db()
    assert (referral.status, need.status) == ("completed", "met")
    assert client_for(people["charlie"]).get(f"/cases/referrals/{referral.pk}/").status_code == 404
    assert client_for(people["bob"]).get(f"/cases/{case.pk}/").status_code == 404
