"""A case through the real URLs: open, record a need, refer to a proposed service, and the
provider answers from its inbox."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from jisr.cases.models import Case, Referral
from jisr.conftest import client_for

pytestmark = pytest.mark.django_db


def test_open_record_refer_and_the_provider_answers(people, world):
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


def test_plan_follow_up_and_the_worklist_through_the_pages(people, world):
    import datetime as dt

    from django.utils import timezone

    from jisr.cases.models import Flag, FollowUp

    alice = client_for(people["alice"])
    case = world["case"]
    returned = timezone.localdate() - dt.timedelta(days=70)
    alice.post(
        f"/cases/{case.pk}/plan/",
        {"action": "plan", "return_date": returned.isoformat(), "version": case.version},
    )
    plan = case.plan
    assert plan.milestones.count() == 4
    carol = client_for(people["carol"])  # the supervisor, whose organisation reaches the case
    carol.post("/cases/warnings/")
    worklist = carol.get("/cases/warnings/").content.decode()
    assert 'data-flag="follow_up_missed"' in worklist
    first = plan.milestones.get(months=1)
    alice.post(
        f"/cases/{case.pk}/plan/",
        {
            "action": "follow_up",
            "milestone": first.pk,
            "channel": "phone",
            "working": "yes",
            "wellbeing": "4",
        },
    )
    assert FollowUp.objects.get().scores["overall"] > 0
    carol.post("/cases/warnings/")
    assert not Flag.objects.filter(rule__kind="follow_up_missed", resolved_at__isnull=True).exists()
    # The person sees their plan and answers a follow-up online.
    world["person"].account = people["person"]
    world["person"].save()
    person = client_for(people["person"])
    page = person.get("/cases/my-plan/").content.decode()
    assert 'data-milestone="6"' in page
    person.post(
        "/cases/my-plan/", {"milestone": plan.milestones.get(months=6).pk, "feels_safe": "5"}
    )
    assert FollowUp.objects.filter(channel="online").count() == 1
    assert client_for(people["charlie"]).get("/cases/warnings/").status_code == 403


def test_every_waiting_need_referred_in_one_step(people, world):
    from jisr.cases.models import Referral
    from jisr.cases.services import need_add
    from jisr.catalogue.models import ServiceCategory

    case = world["case"]
    need_add(
        by=people["alice"], case=case, category=ServiceCategory.objects.get(code="social-housing")
    )  # nothing fits
    case.refresh_from_db()
    client_for(people["alice"]).post(
        f"/cases/{case.pk}/", {"action": "refer_all", "version": case.version}
    )
    assert list(Referral.objects.values_list("service_id", flat=True)) == [world["training"].pk]


def test_the_title_of_every_cases_page_is_short_and_holds_no_form(people, world):
    from jisr.cases.services import plan_create, referral_send

    referral = referral_send(by=people["alice"], need=world["need"], service=world["training"])
    plan_create(by=people["alice"], case=world["case"], return_date=timezone.localdate())
    world["person"].account = people["person"]
    world["person"].save()
    pages = [
        ("alice", "/cases/"),
        ("alice", f"/cases/{world['case'].pk}/"),
        ("alice", "/cases/warnings/"),
        ("admin", "/cases/warnings/rules/"),
        ("person", "/cases/my-plan/"),
        ("alice", "/cases/notifications/"),
        ("trainer", "/cases/referrals/"),
        ("trainer", f"/cases/referrals/{referral.pk}/"),
    ]
    for persona, url in pages:
        user = world["trainer"] if persona == "trainer" else people[persona]
        text = client_for(user).get(url).content.decode()
        titles = re.findall(r"<title>(.*?)</title>", text, flags=re.DOTALL)
        assert len(titles) == 1, url
        assert len(titles[0]) < 120, (url, titles[0][:200])
        assert "<" not in titles[0], url
        assert "csrf" not in titles[0], url
    detail = client_for(people["alice"]).get(f"/cases/{world['case'].pk}/").content.decode()
    assert detail.count('id="case-admin"') == 1
    assert detail.count('id="plan"') == 1
