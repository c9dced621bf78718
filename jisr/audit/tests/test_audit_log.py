from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from jisr.audit.models import Action, AppendOnlyError, AuditEntry
from jisr.audit.services import audit_record
from jisr.conftest import client_for


@pytest.fixture
def entry(people):
    return audit_record(actor=people["alice"], action=Action.VIEW, target=people["bob"])


def test_entries_record_who_when_what_and_for_which_organisation(entry, people, orgs):
    assert entry.actor == people["alice"]
    assert entry.organisation == orgs["momd_baghdad"]
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(people["bob"].pk)
    assert entry.at is not None


def test_entries_cannot_be_changed_or_deleted_through_django(entry):
    entry.action = Action.UPDATE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.UPDATE)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_raw_updates(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'create' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == Action.VIEW


def test_a_failed_change_leaves_no_audit_entry(people, orgs):
    from jisr.accounts.services import organisation_create
    from jisr.lib.errors import JisrError

    before = AuditEntry.objects.count()
    with pytest.raises(JisrError):
        organisation_create(by=people["admin"], kind="ngo", name_ar="")
    assert AuditEntry.objects.count() == before


def test_a_supervisor_sees_entries_of_her_organisation_only(people):
    audit_record(actor=people["alice"], action=Action.VIEW, target=people["bob"])
    audit_record(actor=people["charlie"], action=Action.VIEW, target=people["charlie"])
    response = client_for(people["carol"]).get("/audit/")
    actors = {e.actor.full_name for e in response.context["page"]}
    assert "Alice" in actors
    assert "Charlie" not in actors
    api = client_for(people["carol"]).get("/api/v1/audit/entries")
    assert {e["actor_name"] for e in api.json()["items"]} == actors


def test_the_log_can_be_filtered_to_one_record(people):
    audit_record(actor=people["alice"], action=Action.VIEW, target=people["bob"])
    audit_record(actor=people["alice"], action=Action.VIEW, target=people["alice"])
    response = client_for(people["admin"]).get(
        f"/audit/?type=accounts.user&id={people['bob'].pk}&action=view"
    )
    assert [e.object_id for e in response.context["page"]] == [str(people["bob"].pk)]
