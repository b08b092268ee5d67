"""The reference lists every installation starts with; admins edit them afterwards."""

from django.db import migrations

TICKET_TYPES = [
    ("repair", "Заявка на ремонт", "Repair request"),
    ("warranty", "Гарантийный ремонт", "Warranty repair"),
    ("task", "Задача", "Task"),
    ("maintenance", "Плановое обслуживание", "Planned maintenance"),
]
CRITICALITIES = [
    ("urgent", "Срочная", "Urgent", "#dc3545", False),
    ("normal", "Несрочная", "Non-urgent", "#0d6efd", True),
]
WORK_TYPES = [
    ("repair", "Ремонт", "Repair"),
    ("installation", "Монтаж", "Installation"),
    ("diagnostics", "Диагностика", "Diagnostics"),
    ("maintenance", "Обслуживание", "Maintenance"),
]


def create(apps, schema_editor):
    for model_name, rows in (("TicketType", TICKET_TYPES), ("WorkType", WORK_TYPES)):
        model = apps.get_model("customers", model_name)
        for order, (code, ru, en) in enumerate(rows, start=1):
            model.objects.get_or_create(
                code=code, defaults={"name_ru": ru, "name_en": en, "sort_order": order * 10}
            )
    criticality = apps.get_model("customers", "Criticality")
    for order, (code, ru, en, color, is_default) in enumerate(CRITICALITIES, start=1):
        criticality.objects.get_or_create(
            code=code,
            defaults={
                "name_ru": ru,
                "name_en": en,
                "color": color,
                "is_default": is_default,
                "sort_order": order * 10,
            },
        )


def remove(apps, schema_editor):
    for model_name, codes in (
        ("TicketType", [r[0] for r in TICKET_TYPES]),
        ("WorkType", [r[0] for r in WORK_TYPES]),
        ("Criticality", [r[0] for r in CRITICALITIES]),
    ):
        apps.get_model("customers", model_name).objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
