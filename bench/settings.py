"""The benchmark's settings: the product's own (config.settings, whatever tree is on the path)
plus the dev-only bench app, the floor's URL and the query-count header. Never in production."""

from config.settings import *  # noqa: F403
from config.settings import ACCOUNT_RATE_LIMITS, INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"
# bench/run.py signs in 220 people from one address before it measures anything; allauth's
# default of 30 logins a minute per address would make that take eight minutes. Only the login
# POST is limited by this; no measured request passes through it.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "100000/m/ip"}
