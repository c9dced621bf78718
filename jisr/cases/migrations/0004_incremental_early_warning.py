"""The early warning scans only what changed since its last scan (decision 0038).

Triggers on every table the rules read write the case they belong to into
`cases_warningtouch`, whatever writes the row (a service, a bulk update, the admin, raw SQL);
the next scan takes those cases and looks again at them alone. Two indexes let it find by range
what time alone made late since the last scan (needs too old, follow-ups missed).
"""

from django.db import migrations, models

# table -> the SQL that gives the case(s) of a row, `{row}` standing for NEW or OLD.
TOUCHES = {
    "cases_case": "SELECT {row}.id",
    "cases_need": "SELECT {row}.case_id",
    "cases_referral": "SELECT case_id FROM cases_need WHERE id = {row}.need_id",
    "cases_plan": "SELECT {row}.case_id",
    "cases_milestone": "SELECT case_id FROM cases_plan WHERE id = {row}.plan_id",
    "cases_followup": "SELECT {row}.case_id",
    "registry_caseanswers": "SELECT id FROM cases_case WHERE person_id = {row}.person_id",
}
INSERT = "INSERT INTO cases_warningtouch (case_id) "


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, cases in TOUCHES.items():
        new, old = cases.format(row="NEW"), cases.format(row="OLD")
        if vendor == "sqlite":
            for event, body in (
                ("INSERT", INSERT + new),
                ("UPDATE", f"{INSERT}{new}; {INSERT}{old}"),
                ("DELETE", INSERT + old),
            ):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_touch_{event.lower()} AFTER {event} ON {table} "
                    f"FOR EACH ROW BEGIN {body}; END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_touch() RETURNS trigger AS $$ BEGIN "
                f"IF TG_OP <> 'DELETE' THEN {INSERT}{new}; END IF; "
                f"IF TG_OP <> 'INSERT' THEN {INSERT}{old}; END IF; "
                "RETURN NULL; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_touch AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_touch();"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TOUCHES:
        if vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch_{event}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_touch()")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_list_newest_first_index"),
        ("registry", "0010_person_import_in_the_worker"),
    ]

    operations = [
        migrations.CreateModel(
            name="WarningTouch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("case_id", models.BigIntegerField()),
            ],
        ),
        migrations.AddField(
            model_name="warningrule",
            name="scanned_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="warningrule",
            name="scanned_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="warningrule",
            name="scanned_threshold",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(fields=["created_at"], name="cases_need_created_at"),
        ),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(fields=["due_on"], name="cases_milestone_due_on"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
