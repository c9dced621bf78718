"""Sharing a record with another organisation: only with the person's consent, read-only for
the organisation it is shared with, ended by the caseworker or by the person's withdrawal."""

from __future__ import annotations

import json

from jisr.audit.models import AuditEntry
from jisr.conftest import client_for, register_person
from jisr.registry.models import PersonShare


def test_sharing_opens_a_record_to_another_branch_until_consent_is_withdrawn(
    people, basra_person, orgs
):
    alice, bob = client_for(people["alice"]), client_for(people["bob"])
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 404
    response = bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    assert response.status_code == 302
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 200
    assert AuditEntry.objects.filter(changes__shared_with=[None, "فرع بغداد"]).exists()
    # The person withdraws consent to sharing: the share ends at once.
    bob.post(
        f"/registry/persons/{basra_person.pk}/consent/",
        {"purpose": "sharing", "status": "withdrawn", "channel": "phone"},
    )
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 404
    refused = bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    assert refused.status_code == 200
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 404


def test_sharing_can_be_stopped(people, basra_person, orgs):
    bob = client_for(people["bob"])
    bob.post(f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["ngo"].pk})
    assert (
        client_for(people["charlie"]).get(f"/registry/persons/{basra_person.pk}/").status_code
        == 403
    )  # no role to view persons
    share = basra_person.shares.get()
    page = bob.get(f"/registry/persons/{basra_person.pk}/share/").content.decode()
    assert f'action="/registry/persons/{basra_person.pk}/share/end/"' in page
    assert f'name="share" value="{share.pk}"' in page
    ended = bob.post(f"/registry/persons/{basra_person.pk}/share/end/", {"share": share.pk})
    assert ended["Location"] == f"/registry/persons/{basra_person.pk}/share/"
    share.refresh_from_db()
    assert share.ended_at is not None
    assert AuditEntry.objects.filter(changes__has_key="shared_with").count() == 2  # on, then off


def test_only_a_share_of_the_record_can_be_ended_there(people, basra_person, orgs):
    bob = client_for(people["bob"])
    other = register_person(people["bob"], first_name="سلمى", sex="F", phone="")
    bob.post(f"/registry/persons/{other.pk}/share/", {"organisation": orgs["ngo"].pk})
    share = other.shares.get()
    wrong = bob.post(f"/registry/persons/{basra_person.pk}/share/end/", {"share": share.pk})
    assert wrong.status_code == 404
    assert bob.post(f"/registry/persons/{basra_person.pk}/share/end/", {}).status_code == 404
    share.refresh_from_db()
    assert share.ended_at is None
    assert bob.get(f"/registry/persons/{basra_person.pk}/share/end/").status_code == 302


def test_closing_an_account_or_withdrawing_registration_ends_every_share(
    people, basra_person, orgs
):
    bob = client_for(people["bob"])
    bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    basra_person.account = people["person"]
    basra_person.save()
    client_for(people["person"]).post("/registry/my-record/close/")
    assert not PersonShare.objects.filter(ended_at=None).exists()
    assert client_for(people["alice"]).get(f"/api/v1/persons/{basra_person.pk}").status_code == 404
    refused = bob.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["ngo"].pk}
    )
    assert refused.status_code == 403  # a closed record: not even its caseworker opens it
    assert not PersonShare.objects.filter(ended_at=None).exists()


def test_a_shared_record_is_read_only_for_the_organisation_it_is_shared_with(
    people, basra_person, orgs
):
    client_for(people["bob"]).post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["momd_baghdad"].pk}
    )
    alice = client_for(people["alice"])
    assert alice.get(f"/registry/persons/{basra_person.pk}/").status_code == 200
    reshare = alice.post(
        f"/registry/persons/{basra_person.pk}/share/", {"organisation": orgs["ngo"].pk}
    )
    assert reshare.status_code == 403
    share = basra_person.shares.get()
    unshare = alice.post(f"/registry/persons/{basra_person.pk}/share/end/", {"share": share.pk})
    assert unshare.status_code == 403
    consent = alice.post(
        f"/api/v1/persons/{basra_person.pk}/consents",
        data=json.dumps({"purpose": "registration", "status": "withdrawn"}),
        content_type="application/json",
    )
    assert consent.status_code == 403
    assert PersonShare.objects.filter(ended_at=None).count() == 1
