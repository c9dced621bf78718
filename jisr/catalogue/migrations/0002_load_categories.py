from django.db import migrations


def load(apps, schema_editor):
    from jisr.catalogue.taxonomy import CATEGORIES

    Category = apps.get_model("catalogue", "ServiceCategory")
    by_code = {}
    for order, (code, parent, ar, ckb, en, needs) in enumerate(CATEGORIES):
        by_code[code], _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent), "name_ar": ar, "name_ckb": ckb, "name_en": en,
                "needs": needs, "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
