"""A case through the real URLs: open, record a need, refer to a proposed service, and the
provider answers from its inbox; plans, follow-ups and early warning; each action its own URL,
and bad input refused with a message, never read as 0."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from jisr.accounts.roles import Role, Scope
from jisr.audit.models import AuditEntry
from jisr.cases.models import Case, Flag, FollowUp, Need, Notification, Referral
from jisr.cases.services import need_add, plan_create, referral_send
from jisr.catalogue.models import ServiceCategory
from jisr.conftest import client_for, make_user

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
        f"/cases/{case.pk}/needs/",
        {"category": "economic-vocational-training", "priority": "1", "version": case.version},
    )
    need = case.needs.get()
    assert need.priority == 1
    text = alice.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-proposal="{world["training"].pk}"' in text
    case.refresh_from_db()
    stale = case.version
    alice.post(
        f"/cases/{case.pk}/referrals/",
        {"need": need.pk, "service": world["training"].pk, "version": case.version},
    )
    referral = Referral.objects.get()
    # A second click on an old page is refused, not applied twice.
    response = alice.post(
        f"/cases/{case.pk}/referrals/",
        {"need": need.pk, "service": world["far"].pk, "version": stale},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert Referral.objects.count() == 1
    assert "Someone else changed this case" in response.content.decode()
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


def test_bad_input_is_refused_with_a_message_never_read_as_zero(people, world):
    alice = client_for(people["alice"])
    case = world["case"]
    url = f"/cases/{case.pk}/needs/"
    for bad in (
        {"category": "legal-aid", "priority": "urgent"},
        {"category": "legal-aid", "version": "yesterday"},
        {"category": "no-such-kind"},
        {"category": "legal-aid", "note": "x" * 501},
    ):
        response = alice.post(url, bad, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert 'class="alert alert-danger"' in response.content.decode(), bad
    assert list(case.needs.values_list("category__code", flat=True)) == [
        "economic-vocational-training"
    ]
    missing = alice.post(url, {}, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Choose the kind of help needed." in missing
    # Someone else's need, or a service that does not exist, is "not found": nothing is sent.
    elsewhere = alice.post(
        f"/cases/{case.pk}/referrals/",
        {"need": 999_999, "service": world["training"].pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Not found." in elsewhere.content.decode()
    assert not Referral.objects.exists()
    rules = client_for(people["admin"])
    rules.post("/cases/warnings/rules/", {"rule": 999_999, "threshold": "1", "action_ar": "ا"})
    assert client_for(people["admin"]).get("/cases/warnings/rules/").status_code == 200


def test_each_action_has_its_own_url_and_the_case_page_only_shows(people, world):
    alice = client_for(people["alice"])
    case = world["case"]
    assert alice.post(f"/cases/{case.pk}/", {"action": "need"}).status_code == 405
    for action in ("needs/", "referrals/", "referrals/waiting/", "status/", "transfer/"):
        assert alice.get(f"/cases/{case.pk}/{action}").status_code == 405
    alice.post(f"/cases/{case.pk}/status/", {"status": "on_hold", "version": case.version})
    case.refresh_from_db()
    assert case.status == "on_hold"
    need = case.needs.get()
    alice.post(
        f"/cases/{case.pk}/needs/status/",
        {"need": need.pk, "status": "declined", "version": case.version},
    )
    need.refresh_from_db()
    assert need.status == "declined"
    # Someone who may read cases but not change them is refused every action.
    carol = client_for(people["carol"])
    assert carol.post(f"/cases/{case.pk}/needs/", {"category": "legal-aid"}).status_code == 403


def test_plan_follow_up_and_the_worklist_through_the_pages(people, world, orgs):
    alice = client_for(people["alice"])
    case = world["case"]
    returned = timezone.localdate() - dt.timedelta(days=70)
    alice.post(
        f"/cases/{case.pk}/plan/", {"return_date": returned.isoformat(), "version": case.version}
    )
    plan = case.plan
    assert plan.milestones.count() == 4
    # The scan runs over every case of the platform: a supervisor of all records runs it.
    overseer = make_user("overseer@example.org", orgs["platform"], {Role.SUPERVISOR: Scope.ALL})
    everyone = client_for(overseer)
    assert 'id="scan"' in everyone.get("/cases/warnings/").content.decode()
    everyone.post("/cases/warnings/scan/")
    carol = client_for(people["carol"])  # the supervisor, whose organisation reaches the case
    worklist = carol.get("/cases/warnings/").content.decode()
    assert 'data-flag="follow_up_missed"' in worklist
    first = plan.milestones.get(months=1)
    alice.post(
        f"/cases/{case.pk}/follow-ups/",
        {"milestone": first.pk, "channel": "phone", "working": "yes", "wellbeing": "4"},
    )
    assert FollowUp.objects.get().scores["overall"] > 0
    everyone.post("/cases/warnings/scan/")
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


def test_only_a_supervisor_of_all_records_runs_the_scan_and_it_is_audited(people, world, orgs):
    carol, alice = client_for(people["carol"]), client_for(people["alice"])
    for reader in (carol, alice):
        assert 'id="scan"' not in reader.get("/cases/warnings/").content.decode()
        assert reader.post("/cases/warnings/scan/").status_code == 403
    assert not AuditEntry.objects.filter(object_type="cases.warningrule").exists()
    overseer = make_user("overseer@example.org", orgs["platform"], {Role.SUPERVISOR: Scope.ALL})
    Need.objects.filter(pk=world["need"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    response = client_for(overseer).post("/cases/warnings/scan/", follow=True)
    assert response.redirect_chain[-1][0] == "/cases/warnings/"
    entry = AuditEntry.objects.get(object_type="cases.warningrule", actor=overseer)
    assert entry.changes == {"scan": {"raised": 1, "resolved": 0}}


def test_every_waiting_need_referred_in_one_step(people, world):
    case = world["case"]
    need_add(
        by=people["alice"], case=case, category=ServiceCategory.objects.get(code="social-housing")
    )  # nothing fits
    case.refresh_from_db()
    client_for(people["alice"]).post(
        f"/cases/{case.pk}/referrals/waiting/", {"version": case.version}
    )
    assert list(Referral.objects.values_list("service_id", flat=True)) == [world["training"].pk]


def test_notifications_are_marked_read_by_their_reader_only(people, world):

    referral_send(by=people["alice"], need=world["need"], service=world["training"])
    assert Notification.objects.filter(user=world["trainer"], read_at=None).count() == 1
    client_for(people["charlie"]).post("/cases/notifications/")
    assert Notification.objects.filter(user=world["trainer"], read_at=None).count() == 1
    client_for(world["trainer"]).post("/cases/notifications/")
    assert not Notification.objects.filter(user=world["trainer"], read_at=None).exists()


def test_the_title_of_every_cases_page_is_short_and_holds_no_form(people, world):

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
