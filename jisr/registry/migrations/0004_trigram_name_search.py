"""On PostgreSQL, a trigram index makes "name contains" searches fast on millions of persons.
SQLite (development) has no such index and needs none at its scale."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_person_name_key_trgm "
        "ON registry_person USING gin (name_key gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_person_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_default_category_rules")]
    operations = [migrations.RunPython(create, drop)]
