from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for


def test_reset_link_arrives_in_the_users_language_and_sets_a_new_password(
    people, django_capture_on_commit_callbacks
):
    people["alice"].language = "en"
    people["alice"].save()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "Reset your Jisr password" in message.subject
    found = re.search(r"http://\S+", str(message.body))
    assert found is not None
    link = found.group(0)
    path = link.split("8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert done.status_code == 302
    people["alice"].refresh_from_db()
    assert people["alice"].check_password("a-new-long-passphrase")
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGED, actor=people["alice"]).exists()
    assert client.get(form_page.redirect_chain[-1][0]).context["validlink"] is False


def test_unknown_address_looks_the_same_and_sends_nothing(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_changing_password_needs_the_old_one(people):
    client = client_for(people["alice"])
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "x-new-pass-1234",
            "new_password2": "x-new-pass-1234",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]


def test_ten_resets_send_three_e_mails_and_answer_alike_for_unknown_addresses(
    people, django_capture_on_commit_callbacks
):
    def reset(address: str, n: int) -> Any:
        client = Client(headers={"accept-language": "en"}, REMOTE_ADDR=f"10.1.0.{n}")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/password/reset/", {"email": address})

    known = [reset("Alice@Example.org" if n % 2 else "alice@example.org", n) for n in range(10)]
    unknown = [reset("nobody@example.org", n) for n in range(10)]
    assert len(mail.outbox) == 3
    assert [r.status_code for r in known] == [302] * 3 + [429] * 7
    assert [r.status_code for r in unknown] == [302] * 3 + [429] * 7
    assert "Too many messages" in known[-1].content.decode()
    # Whether an account exists does not show: the same page, word for word.
    strip = re.compile(r"[A-Za-z0-9]{64}|nobody@example\.org|alice@example\.org", re.I)  # CSRF
    a, b = strip.sub("", known[-1].content.decode()), strip.sub("", unknown[-1].content.decode())
    assert a == b
