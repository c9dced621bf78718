from django.db import migrations

# The categories the reintegration vision names (source 003: categorisation of returnees).
RULES = [
    ("highly_skilled", "ذو مهارات عالية", "خاوەن شارەزایی باڵا", "Highly skilled",
     [{"fact": "education_level", "op": "in", "value": ["bachelor", "master", "doctorate"]}]),
    ("low_skilled", "محدود المهارات", "شارەزایی کەم", "Low skilled",
     [{"fact": "education_level", "op": "in", "value": ["none", "primary", "intermediate"]}]),
    ("female_head_of_household", "امرأة معيلة لأسرة", "ژنی سەرۆکی خێزان", "Female head of household",
     [{"fact": "sex", "op": "eq", "value": "F"}, {"fact": "relationship", "op": "eq", "value": "head"},
      {"fact": "household_size", "op": "gte", "value": 2}]),
    ("unaccompanied_minor", "قاصر غير مصحوب", "منداڵی بێ سەرپەرشت", "Unaccompanied minor",
     [{"fact": "age", "op": "lte", "value": 17}, {"fact": "relationship", "op": "eq", "value": "head"}]),
    ("person_with_disability", "شخص ذو إعاقة", "کەسی خاوەن پێداویستی تایبەت", "Person with disability",
     [{"fact": "disability", "op": "eq", "value": True}]),
    ("rejected_asylum_seeker", "طالب لجوء مرفوض", "داواکاری پەنابەری ڕەتکراوە", "Rejected asylum seeker",
     [{"fact": "asylum", "op": "eq", "value": "rejected"}]),
    ("older_person", "كبير في السن", "بەساڵاچوو", "Older person",
     [{"fact": "age", "op": "gte", "value": 60}]),
    ("jobseeker", "باحث عن عمل", "بەدوای کاردا دەگەڕێت", "Looking for work",
     [{"fact": "employment_status", "op": "eq", "value": "seeking"}]),
]  # fmt: skip


def load(apps, schema_editor):
    CategoryRule = apps.get_model("registry", "CategoryRule")
    for order, (key, ar, ckb, en, conditions) in enumerate(RULES):
        CategoryRule.objects.update_or_create(
            key=key,
            defaults={"label_ar": ar, "label_ckb": ckb, "label_en": en, "conditions": conditions, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_case_answers_and_categories")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
