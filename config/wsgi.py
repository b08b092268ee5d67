import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# gunicorn does not run Django's system checks: run the ones that must stop a bad deployment.
from servicedesk.core.checks import refuse_to_start_if_insecure  # noqa: E402

refuse_to_start_if_insecure()
