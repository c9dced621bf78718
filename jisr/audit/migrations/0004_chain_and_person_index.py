"""The hash chain, the index of persons named by each entry, and the redaction of the personal
values older versions copied into the log (decision 0017).

Existing entries are redacted first and only then chained, in id order: redacting after
chaining would break every hash. Entries about a person's record get that person in their
`person_ids`, so the person's access log keeps finding them. The append-only triggers are
lifted for this one pass (as the owner running migrations may) and put back, now on both tables.
"""

import json

import django.db.models.deletion
from django.db import migrations, models

from jisr.audit import chain, privacy

ENTRY = "audit_auditentry"
PERSON = "audit_auditentryperson"
BATCH = 1000


def _sqlite_triggers(schema_editor, table):
    schema_editor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    )


def chain_existing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # Adding the columns rebuilt the table on SQLite, which dropped its trigger anyway.
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {ENTRY}_no_update")
    elif vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {ENTRY} DISABLE TRIGGER {ENTRY}_append_only")
    Entry = apps.get_model("audit", "AuditEntry")
    Link = apps.get_model("audit", "AuditEntryPerson")
    previous, last = chain.GENESIS, 0
    while batch := list(Entry.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
        links = []
        for entry in batch:
            changes, entry.object_label = privacy.redact(
                entry.object_type, entry.changes or {}, entry.object_label
            )
            entry.changes = json.loads(json.dumps(changes))
            named = entry.object_type == "registry.person" and entry.object_id.isdigit()
            entry.person_ids = [int(entry.object_id)] if named else []
            entry.prev_hash = previous
            entry.hash = chain.digest(chain.record_of(entry), previous)
            previous = entry.hash
            links += [Link(entry_id=entry.pk, person_id=p) for p in entry.person_ids]
        Entry.objects.bulk_update(
            batch, ["changes", "object_label", "person_ids", "prev_hash", "hash"]
        )
        Link.objects.bulk_create(links)
        last = batch[-1].pk
    if vendor == "sqlite":
        _sqlite_triggers(schema_editor, ENTRY)
        _sqlite_triggers(schema_editor, PERSON)
    elif vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {ENTRY} ENABLE TRIGGER {ENTRY}_append_only")
        schema_editor.execute(
            f"CREATE TRIGGER {PERSON}_append_only BEFORE UPDATE OR DELETE ON {PERSON} "
            f"FOR EACH ROW EXECUTE FUNCTION jisr_audit_append_only();"
        )


def unchain(apps, schema_editor):
    """Going back drops the person index's trigger; the redaction cannot be undone."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {PERSON}_no_update")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {PERSON}_append_only ON {PERSON}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_api_keys'),
        ('audit', '0003_two_factor_reset_action'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='api_key',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.apikey', verbose_name='API key'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='person_ids',
            field=models.JSONField(blank=True, default=list, verbose_name='persons'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('view', 'Viewed'), ('view_list', 'Viewed in a list'), ('create', 'Created'), ('update', 'Changed'), ('deactivate', 'Deactivated'), ('export', 'Exported'), ('sign_in', 'Signed in'), ('sign_in_failed', 'Failed to sign in'), ('sign_out', 'Signed out'), ('two_factor_enrolled', 'Set up two-factor authentication'), ('two_factor_reset', 'Reset two-factor authentication'), ('password_changed', 'Changed password'), ('api_call', 'Called the API')], max_length=32, verbose_name='action'),
        ),
        migrations.CreateModel(
            name='AuditEntryPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_id', models.BigIntegerField()),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='person_links', to='audit.auditentry')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('person_id', 'entry'), name='audit_person_entry_once')],
            },
        ),
        migrations.RunPython(chain_existing, unchain),
    ]
