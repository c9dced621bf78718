from django.db import migrations


def load(apps, schema_editor):
    from jisr.cases.warnings import load_default_rules

    load_default_rules(apps.get_model("cases", "WarningRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_plans_follow_ups_warnings")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
