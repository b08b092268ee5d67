from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's dev-only app (bench/settings.py): `manage.py bench_data`, the floor view
    and the query-count header. The product (servicedesk/, config/) never imports it."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
