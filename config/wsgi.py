import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# gunicorn does not run Django's system checks: run the ones that must stop a bad deployment.
from servicedesk.core.checks import refuse_to_start_if_insecure  # noqa: E402

refuse_to_start_if_insecure()

# Every view imported now rather than on the first request, then everything loaded so far — it
# lives as long as the process — kept out of the garbage collector's passes: a full pass went
# over ~150,000 objects (~80 ms, every thousand or so ticket creations: a stall in the p99).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
