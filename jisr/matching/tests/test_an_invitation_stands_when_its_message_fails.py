"""A text message that cannot be sent does not undo, or hide, the change it was telling about:
the invitation is made and the employer gets their answer; the failure goes to the log."""

from __future__ import annotations

import logging

from jisr.conftest import client_for, register_person
from jisr.lib.sms import SmsError
from jisr.matching.models import Application
from jisr.matching.references import candidate_reference
from jisr.matching.tests.factories import build_profile, post


class FailingGateway:
    def send(self, to: str, text: str) -> None:
        raise SmsError("The SMS gateway answered HTTP 503.")


def test_an_invitation_stands_when_its_text_message_fails(
    people, orgs, taxonomy, settings, caplog, django_capture_on_commit_callbacks
):
    orgs["company"].verified = True
    orgs["company"].save()
    settings.JISR_SMS_BACKEND = f"{__name__}.FailingGateway"
    person = register_person(people["alice"], first_name="مرشح", phone="+9647711112222")
    build_profile(people["alice"], person, occupation=taxonomy["civil"])
    opportunity = post(people["employer"], occupation=taxonomy["civil"], title="Site engineer")
    reference = candidate_reference(person.pk, orgs["company"].pk)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["employer"]).post(
            f"/matching/opportunities/{opportunity.pk}/candidates/{reference}/invite/",
            {"message": ""},
        )
    assert response.status_code == 302
    assert Application.objects.get(person=person).status == "invited"
    assert "not sent" in caplog.text
    assert "+9647711112222" not in caplog.text
