from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from jisr.accounts.models import User
from jisr.accounts.roles import Role
from jisr.registry.models import Person, Purpose, SelfRegistration
from jisr.registry.selectors import has_consent
from jisr.registry.tests.factories import code_from
from jisr.registry.tests.factories import self_registration_answers as answers


def test_a_person_registers_confirms_their_phone_and_gets_an_account(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client(headers={"accept-language": "ar"})
    assert client.get("/registry/register/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers())
    assert response.status_code == 302
    assert not Person.objects.exists()  # nothing is kept until the phone is confirmed
    ((to, text),) = sms_outbox
    assert to == "+9647709998877"
    confirm_url = response["Location"]
    assert client.post(confirm_url, {"code": "000000"}).status_code == 200
    response = client.post(confirm_url, {"code": code_from(text)})
    assert response.status_code == 302
    assert response["Location"] == "/registry/my-record/"
    person = Person.objects.get()
    account = person.account
    assert account is not None
    assert account.phone == "+9647709998877"
    assert account.roles == {Role.PERSON: 10}
    assert has_consent(person, Purpose.REFERRAL)
    assert not has_consent(person, Purpose.RESEARCH)
    assert set(person.consent_events.values_list("channel", flat=True)) == {"online"}
    assert not SelfRegistration.objects.exists()
    assert client.get("/registry/my-record/").status_code == 200


def test_e_mail_confirmation_works_too(db, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers(contact="Zainab@Example.org"))
    message = mail.outbox[0]
    assert message.to == ["zainab@example.org"]
    response = client.post(response["Location"], {"code": code_from(str(message.body))})
    assert response.status_code == 302
    account = User.objects.get(email="zainab@example.org")
    assert Person.objects.get(account=account).first_name == "زينب"


def test_a_draft_is_saved_and_can_be_finished_later(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    response = client.post(
        "/registry/register/draft/", {"first_name": "زينب", "contact": "07709998877"}
    )
    assert response.status_code == 302
    draft = SelfRegistration.objects.get()
    assert draft.data["first_name"] == "زينب"
    page = Client().get(response["Location"])  # from another phone, with the link
    assert "زينب".encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers(draft=draft.token))
    assert SelfRegistration.objects.count() == 1
    assert response["Location"].startswith(f"/registry/register/{draft.token}/")


def test_registration_needs_consent_a_valid_contact_and_matching_passwords(db):
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        "/registry/register/",
        answers(
            consent_registration="refused", contact="12", password2="different", governorate=""
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"consent_registration", "contact", "password2", "governorate"} <= set(errors)
    assert not SelfRegistration.objects.exists()


def test_an_existing_account_is_not_revealed_and_gets_no_code(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/registry/register/", answers(contact="07701234567")
        )  # alice's phone
    assert response.status_code == 302  # the same answer as for a new number
    ((_to, text),) = sms_outbox
    assert not re.search(r"\b\d{6}\b", text)
    assert client.post(response["Location"], {"code": "123456"}).status_code == 200
    assert not Person.objects.exists()


def test_guessing_the_code_stops_after_five_tries(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers())
    ((_to, text),) = sms_outbox
    right = code_from(text)
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(5):
        client.post(response["Location"], {"code": wrong})
    assert client.post(response["Location"], {"code": right}).status_code == 200
    assert not Person.objects.exists()


def test_an_unknown_or_old_draft_link_is_not_found(db):
    assert Client().get("/registry/register/?draft=nope").status_code == 404
    assert Client().get("/registry/register/nope/confirm/").status_code == 404


def test_asking_for_another_code_at_once_says_to_wait(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    client = Client(headers={"accept-language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/registry/register/", answers())
    token = first["Location"].rstrip("/").split("/")[-2]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/registry/register/?draft={token}", answers())
    assert "Wait a minute before asking for another" in again.content.decode()
    assert len(sms_outbox) == 1


def test_a_code_cannot_confirm_another_contact(db, sms_outbox, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registry/register/", answers(contact="07709998877"))
    code = code_from(sms_outbox[-1][1])
    draft = SelfRegistration.objects.get()
    client.post(
        "/registry/register/draft/",
        {"draft": draft.token, "contact": "victim@example.org", "first_name": "x"},
    )
    assert client.post(response["Location"], {"code": code}).status_code == 200
    assert not Person.objects.exists()


def test_saving_a_draft_keeps_the_page_the_person_sees(db):
    """The "Save and continue later" button posts to its own address; a visit there leads back
    to the page, and a draft that is not valid shows the page with its errors."""
    client = Client(headers={"accept-language": "en"})
    assert client.get("/registry/register/draft/")["Location"] == "/registry/register/"
    refused = client.post("/registry/register/draft/", {"first_name": "زينب", "contact": "12"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["contact"]
    assert not SelfRegistration.objects.exists()
