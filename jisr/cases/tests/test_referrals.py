"""Cases, needs and referrals: the state machine step by step, consent, what providers see,
optimistic locking and proposals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import translation

from jisr.audit.models import AuditEntry
from jisr.cases import proposals, selectors, services
from jisr.cases.letter import referral_letter
from jisr.cases.models import (
    REFERRAL_TRANSITIONS,
    CaseStatus,
    NeedStatus,
    Notification,
    ReferralStatus,
)
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for
from jisr.lib.errors import JisrError
from jisr.registry.models import ConsentChannel, ConsentStatus, Purpose
from jisr.registry.services import consent_record

pytestmark = pytest.mark.django_db


def test_proposals_fit_place_and_eligibility_with_reasons(world):
    found = proposals.proposals_for(person=world["person"], category=world["need"].category)
    assert [p.service for p in found] == [
        world["training"],
        world["far"],
    ]  # not the women's, not Basra's
    assert any("10" in r or "١٠" in r for r in found[0].reasons)


def _send(people, world):
    return services.referral_send(by=people["alice"], need=world["need"], service=world["training"])


def test_every_legal_transition_and_every_illegal_one(people, world):
    statuses = list(ReferralStatus)
    for start in statuses:
        for target in statuses:
            referral = _send(people, world)
            # Walk the referral to `start` along legal steps first.
            path = {
                ReferralStatus.SENT: [],
                ReferralStatus.ACCEPTED: ["accepted"],
                ReferralStatus.IN_PROGRESS: ["accepted", "in_progress"],
                ReferralStatus.DECLINED: ["declined"],
                ReferralStatus.COMPLETED: ["accepted", "completed"],
                ReferralStatus.CANCELLED: ["cancelled"],
                ReferralStatus.EXPIRED: ["expired"],
            }[start]
            for step in path:
                _move(people, world, referral, step)
            legal = target in REFERRAL_TRANSITIONS[start]
            if legal:
                _move(people, world, referral, target)
                referral.refresh_from_db()
                assert referral.status == target
            else:
                with pytest.raises(JisrError) as error:
                    _move(people, world, referral, target)
                assert error.value.code in ("illegal_transition", "forbidden")
                referral.refresh_from_db()
                assert referral.status == start
            if referral.status in ("sent", "accepted", "in_progress"):
                services.referral_move(by=people["alice"], referral=referral, status="cancelled")


def _move(people, world, referral, status):
    side = REFERRAL_TRANSITIONS.get(referral.status, {}).get(status, "receiver")
    by = {"receiver": world["trainer"], "sender": people["alice"], "platform": None}[side]
    extra: dict[str, Any] = (
        {"reason": "لا مقاعد"}
        if status == "declined"
        else {"outcome": "met"}
        if status == "completed"
        else {}
    )
    return services.referral_move(by=by, referral=referral, status=status, **extra)


def test_only_the_right_side_moves_a_referral(people, world):
    referral = _send(people, world)
    with pytest.raises(JisrError):
        services.referral_move(
            by=people["alice"], referral=referral, status="accepted"
        )  # the sender
    with pytest.raises(JisrError):
        services.referral_move(
            by=people["charlie"], referral=referral, status="accepted"
        )  # another provider
    with pytest.raises(JisrError):
        services.referral_move(
            by=world["trainer"], referral=referral, status="declined"
        )  # no reason
    services.referral_move(
        by=world["trainer"], referral=referral, status="declined", reason="الدورة ممتلئة"
    )
    world["need"].refresh_from_db()
    assert world["need"].status == NeedStatus.IDENTIFIED  # free to refer elsewhere
    assert (
        AuditEntry.objects.filter(object_type="cases.referral", object_id=str(referral.pk)).count()
        == 2
    )


def test_a_referral_without_consent_is_refused_with_a_clear_message(people, world):
    consent_record(
        by=people["alice"],
        person=world["person"],
        purpose=Purpose.REFERRAL,
        status=ConsentStatus.WITHDRAWN,
        channel=ConsentChannel.PHONE,
    )
    with pytest.raises(JisrError) as error:
        _send(people, world)
    assert error.value.code == "no_consent"

    with translation.override("en"):
        assert "has not consented to being referred" in str(error.value.message)
    with translation.override("ar"):
        assert "لم يوافق الشخص على إحالته" in str(error.value.message)


def test_the_provider_sees_only_the_fields_shared(people, world):
    referral = services.referral_send(
        by=people["alice"],
        need=world["need"],
        service=world["training"],
        shared_fields=["full_name", "phone"],
    )
    shown = dict(selectors.referral_shared_view(referral=referral))
    assert len(shown) == 2
    assert world["person"].full_name in shown.values()
    assert selectors.referral_list_received(fetched_by=world["trainer"]).get() == referral
    assert not selectors.referral_list_received(fetched_by=people["charlie"]).exists()
    exported = AuditEntry.objects.get(
        object_type="registry.person", object_id=str(world["person"].pk), action="export"
    )
    assert exported.changes["fields"] == ["full_name", "phone"]


def test_two_caseworkers_never_silently_overwrite_each_other(people, world):
    case = world["case"]
    seen = case.version
    services.need_add(
        by=people["alice"],
        case=case,
        category=ServiceCategory.objects.get(code="legal-aid"),
        version=seen,
    )
    with pytest.raises(JisrError) as error:
        services.need_add(
            by=people["alice"],
            case=case,
            category=ServiceCategory.objects.get(code="health-primary"),
            version=seen,
        )
    assert error.value.code == "conflict"
    assert case.needs.count() == 2


def test_unanswered_referrals_expire(people, world):

    referral = _send(people, world)
    assert services.referrals_expire(today=referral.due_on) == 0
    assert services.referrals_expire(today=referral.due_on + dt.timedelta(days=1)) == 1
    referral.refresh_from_db()
    assert referral.status == "expired"
    assert referral.events.last().by is None


def test_the_api_sends_and_answers_referrals(people, world):

    def call(client, method, url, body=None):
        return client.generic(
            method, url, data=json.dumps(body or {}), content_type="application/json"
        )

    alice, trainer = client_for(people["alice"]), client_for(world["trainer"])
    case, need = world["case"], world["need"]
    offered = call(alice, "GET", f"/api/v1/cases/{case.pk}/needs/{need.pk}/proposals").json()
    assert offered[0]["service_id"] == world["training"].pk
    assert offered[0]["reasons"]
    sent = call(
        alice,
        "POST",
        f"/api/v1/cases/{case.pk}/needs/{need.pk}/referrals",
        {"service_id": world["training"].pk, "shared_fields": ["full_name", "phone"]},
    )
    assert sent.status_code == 201, sent.json()
    referral = sent.json()
    assert set(referral["person"]) == {"full_name", "phone"}
    received = call(trainer, "GET", "/api/v1/referrals/received").json()
    assert [r["id"] for r in received] == [referral["id"]]
    stale = call(
        trainer,
        "POST",
        f"/api/v1/referrals/{referral['id']}/status",
        {"status": "accepted", "version": 99},
    )
    assert stale.status_code == 409
    declined = call(
        trainer, "POST", f"/api/v1/referrals/{referral['id']}/status", {"status": "declined"}
    )
    assert declined.status_code == 422
    assert "reason" in declined.json()["error"]["fields"]
    done = call(
        trainer,
        "POST",
        f"/api/v1/referrals/{referral['id']}/status",
        {"status": "declined", "reason": "ممتلئ"},
    )
    assert done.json()["status"] == "declined"
    again = call(
        trainer, "POST", f"/api/v1/referrals/{referral['id']}/status", {"status": "accepted"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    assert (
        call(
            client_for(people["charlie"]), "GET", f"/api/v1/referrals/{referral['id']}"
        ).status_code
        == 404
    )


def test_closing_and_transferring_a_case(people, world, orgs):

    case = world["case"]
    referral = services.referral_send(
        by=people["alice"], need=world["need"], service=world["training"]
    )
    with pytest.raises(JisrError):
        services.case_set_status(by=people["alice"], case=case, status="closed")  # no reason
    consent_record(
        by=people["alice"],
        person=world["person"],
        purpose=Purpose.SHARING,
        status=ConsentStatus.WITHDRAWN,
        channel=ConsentChannel.PHONE,
    )
    with pytest.raises(JisrError) as error:
        services.case_transfer(by=people["alice"], case=case, organisation=orgs["momd_basra"])
    assert error.value.code == "no_consent"
    consent_record(
        by=people["alice"],
        person=world["person"],
        purpose=Purpose.SHARING,
        status=ConsentStatus.GIVEN,
        channel=ConsentChannel.PHONE,
    )
    services.case_transfer(by=people["alice"], case=case, organisation=orgs["momd_basra"])
    assert (
        selectors.case_list(fetched_by=people["bob"]).filter(pk=case.pk).exists()
    )  # now Basra's to work
    assert world["person"].shares.filter(organisation=orgs["momd_basra"], ended_at=None).exists()
    services.case_set_status(
        by=people["bob"], case=case, status=CaseStatus.CLOSED, reason="عاد إلى الخارج"
    )
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    with pytest.raises(JisrError):
        services.need_add(by=people["bob"], case=case, category=world["need"].category)


def test_the_referral_letter_is_a_pdf_in_the_persons_language(people, world):

    referral = services.referral_send(
        by=people["alice"], need=world["need"], service=world["training"]
    )
    body = referral_letter(referral)
    assert body.startswith(b"%PDF")
    response = client_for(world["trainer"]).get(
        f"/cases/referrals/{referral.pk}/letter.pdf?language=ckb"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"Naskh" in response.content  # the Arabic-script font is embedded
    assert (
        client_for(people["charlie"]).get(f"/cases/referrals/{referral.pk}/letter.pdf").status_code
        == 404
    )


def test_people_are_told_in_the_app_and_by_e_mail(
    people, world, mailoutbox, django_capture_on_commit_callbacks
):

    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_send(
            by=people["alice"], need=world["need"], service=world["training"]
        )
    told = Notification.objects.get(user=world["trainer"])
    assert str(referral.pk) in told.url
    assert any("trainer@example.org" in m.to for m in mailoutbox)
    services.referral_move(
        by=world["trainer"], referral=referral, status="declined", reason="ممتلئ"
    )
    assert Notification.objects.filter(user=people["alice"]).count() == 1  # the caseworker
    client = client_for(people["alice"])
    page = client.get("/cases/notifications/").content.decode()
    assert "notifications" in page
    client.post("/cases/notifications/")
    assert not Notification.objects.filter(user=people["alice"], read_at__isnull=True).exists()


def test_one_organisations_same_service_in_many_places_is_proposed_once(people, world):
    copy = Service.objects.create(
        organisation=world["far"].organisation,
        name_ar=world["far"].name_ar,
        published=True,
        remote=True,
        wait_days=90,
    )
    copy.categories.set(world["far"].categories.all())
    found = proposals.proposals_for(person=world["person"], category=world["need"].category)
    assert [p.service.name_ar for p in found].count(world["far"].name_ar) == 1
