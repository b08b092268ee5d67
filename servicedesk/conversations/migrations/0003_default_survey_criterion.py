from django.db import migrations


def create(apps, schema_editor):
    criterion = apps.get_model("conversations", "SurveyCriterion")
    criterion.objects.get_or_create(
        code="quality",
        defaults={
            "name_ru": "Качество выполненных работ",
            "name_en": "Quality of work",
            "sort_order": 10,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0002_participants_surveys")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
