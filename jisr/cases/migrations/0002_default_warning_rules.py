from django.db import migrations


def load(apps, schema_editor):
    from jisr.cases.warnings import load_default_rules

    load_default_rules(apps.get_model("cases", "WarningRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
