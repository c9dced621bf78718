from django.db import migrations


def load(apps, schema_editor):
    from jisr.places.loading import load_places

    load_places(apps.get_model("places", "Governorate"), apps.get_model("places", "District"))


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
