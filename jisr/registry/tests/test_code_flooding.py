"""Codes cannot be used to flood a phone or an inbox: sends are counted per contact (however it
is spelled, whatever the draft) and per client address, and refused past the limit with a
message that says when to try again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from jisr.registry.models import SelfRegistration
from jisr.registry.tests.factories import self_registration_answers as answers


def register(client: Client, capture, **extra):
    with capture(execute=True):
        return client.post("/registry/register/", answers(**extra))


def test_eight_registrations_to_one_phone_send_three_codes(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    spellings = ["07709998877", "+9647709998877", "00964 770 999 8877", "0770 999 8877"]
    answers_seen = []
    for attempt in range(8):
        # A new browser and a new draft each time: the limit follows the phone, not the draft.
        client = Client(headers={"accept-language": "en"}, REMOTE_ADDR=f"10.0.0.{attempt}")
        answers_seen.append(register(client, django_capture_on_commit_callbacks,
                                     contact=spellings[attempt % 4]))  # fmt: skip
    assert len(sms_outbox) == 3
    assert [r.status_code for r in answers_seen] == [302] * 3 + [429] * 5
    refused = answers_seen[-1]
    assert "Too many messages" in refused.content.decode()
    assert "Try again in 20 minutes" in refused.content.decode()


def test_ten_e_mail_registrations_send_three(db, django_capture_on_commit_callbacks):
    for _ in range(10):
        register(Client(), django_capture_on_commit_callbacks, contact="Zainab@Example.org")
    assert len(mail.outbox) == 3


def test_one_address_cannot_spray_many_phones(
    db, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.JISR_RATE_ADDRESS_PER_HOUR = 4
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        register(attacker, django_capture_on_commit_callbacks, contact=f"0770999880{n}").status_code
        for n in range(6)
    ]
    assert statuses == [302] * 4 + [429] * 2
    # Another client behind another address is not held back by the first one.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        register(other, django_capture_on_commit_callbacks, contact="07709998870").status_code
        == 302
    )
    assert len(sms_outbox) == 5


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_limit(
    db, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.JISR_RATE_ADDRESS_PER_HOUR = 2
    statuses = []
    for n in range(4):
        client = Client(REMOTE_ADDR="203.0.113.9", headers={"x-forwarded-for": f"192.0.2.{n}"})
        statuses.append(
            register(
                client, django_capture_on_commit_callbacks, contact=f"0770999880{n}"
            ).status_code
        )
    assert statuses == [302, 302, 429, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(
    db, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.JISR_RATE_ADDRESS_PER_HOUR = 2
    settings.JISR_TRUSTED_PROXY_COUNT = 1
    statuses = []
    for n in range(4):
        # The client forges the left part; the proxy appends the address it really saw.
        client = Client(
            REMOTE_ADDR="10.0.0.2", headers={"x-forwarded-for": f"192.0.2.{n}, 203.0.113.9"}
        )
        statuses.append(
            register(
                client, django_capture_on_commit_callbacks, contact=f"0770999880{n}"
            ).status_code
        )
    assert statuses == [302, 302, 429, 429]
    # Two people behind the same proxy, at different addresses, are counted apart.
    other = Client(REMOTE_ADDR="10.0.0.2", headers={"x-forwarded-for": "198.51.100.7"})
    assert (
        register(other, django_capture_on_commit_callbacks, contact="07709998870").status_code
        == 302
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_counts_are_committed_even_though_the_refused_request_rolls_back(
    sms_outbox, django_capture_on_commit_callbacks
):
    """ATOMIC_REQUESTS: the requests commit for real here. Each send's count is committed with
    the send; the refusal changes nothing, so its rollback loses nothing."""
    from jisr.core.models import RateLimitCounter

    for _ in range(3):
        assert register(Client(), django_capture_on_commit_callbacks).status_code == 302
    counted = {(c.bucket, c.tat) for c in RateLimitCounter.objects.all()}
    assert counted
    for _ in range(2):
        assert register(Client(), django_capture_on_commit_callbacks).status_code == 429
    assert {(c.bucket, c.tat) for c in RateLimitCounter.objects.all()} == counted
    assert len(sms_outbox) == 3


def test_aliases_of_one_inbox_share_its_allowance(db, django_capture_on_commit_callbacks):
    """name+1@, name+2@ and (at Gmail) n.a.m.e@ all land in one inbox."""
    aliases = [
        "zainab+1@example.org", "Zainab+jisr@example.org", "zainab@example.org",
        "zainab+x@example.org", "z.ainab@gmail.com", "zainab+2@googlemail.com",
        "zainab@gmail.com", "za.inab+3@gmail.com",
    ]  # fmt: skip
    sent = [
        register(Client(), django_capture_on_commit_callbacks, contact=alias).status_code
        for alias in aliases
    ]
    assert sent == [302, 302, 302, 429, 302, 302, 302, 429]
    assert len(mail.outbox) == 6


def test_asking_again_for_a_code_neither_resets_tries_nor_floods(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    response = register(client, django_capture_on_commit_callbacks)
    draft = SelfRegistration.objects.get()
    for _ in range(5):
        client.post(response["Location"], {"code": "000001"})
    again = client.post("/registry/register/", answers(draft=draft.token))
    assert again.status_code == 200  # too soon for another message
    assert len(sms_outbox) == 1
    draft.refresh_from_db()
    assert draft.attempts == 5
