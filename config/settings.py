"""All of Servicedesk's settings.

Every value comes from the environment (or a `.env` file beside manage.py) and has a safe embedded
default: SQLite under var/, a file-backed Huey queue, local media, email written to var/mail.
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to Redis for the queue and the cache.
"""

import re
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.utils.translation import gettext_lazy as _

# Lets `admin.ModelAdmin[Company]` and other generic annotations work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# django-ninja's package folder (its docs page's template and static files), located without
# importing it.
_NINJA_SPEC = find_spec("ninja")
if _NINJA_SPEC is None or not _NINJA_SPEC.submodule_search_locations:  # pragma: no cover
    raise RuntimeError("django-ninja is not installed")
NINJA_DIR = Path(next(iter(_NINJA_SPEC.submodule_search_locations)))
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
# The embedded defaults (database, queue, media, mail) live here; Huey opens its file on import.
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# The development key is public: the `servicedesk.core` system check refuses to run with it
# when DEBUG is off (see servicedesk/core/checks.py and config/wsgi.py).
DEV_SECRET_KEY = "django-insecure-servicedesk-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "servicedesk.core.admin_config.ServicedeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "import_export",
    "django_countries",
    "phonenumber_field",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "rules.apps.AutodiscoverRulesConfig",
    "servicedesk.core",
    "servicedesk.accounts",
    "servicedesk.customers",
    "servicedesk.tickets",
    "servicedesk.works",
    "servicedesk.sla",
    "servicedesk.conversations",
    "servicedesk.notifications",
    "servicedesk.mail",
    "servicedesk.acts",
    "servicedesk.reports",
    "servicedesk.knowledge",
    "servicedesk.intake",
    "servicedesk.webhooks",
    "servicedesk.portal",
    "servicedesk.backoffice",
    "servicedesk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicedesk.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "servicedesk.core.middleware.PrivatePagesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "servicedesk.accounts.middleware.AccountGateMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Content-Security-Policy on every response (django-csp): scripts only from our own static
# files — no inline script, no eval (htmx's trigger filters are not used: static/js/app.js),
# nothing may frame the pages. Inline *styles* stay allowed: templates colour badges and bars
# from data (`style="color: …"`) and htmx adds its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]
# Text that is not HTML — email subjects and plain-text parts — from the same templates, with
# nothing escaped (servicedesk/core/mail.py: render_text); HTML escapes only in HTML.
_TEMPLATE_OPTIONS: dict[str, Any] = TEMPLATES[0]["OPTIONS"]  # type: ignore[assignment]
TEMPLATES.append(
    {**TEMPLATES[0], "NAME": "text", "OPTIONS": {**_TEMPLATE_OPTIONS, "autoescape": False}}
)
# Jinja2 for the fragments Django's engine was measured too slow for: a list's rows
# (servicedesk/core/jinja2.py; templates in <app>/jinja2/).
TEMPLATES.append(
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "servicedesk.core.jinja2.environment"},
    }
)

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while one of them writes; IMMEDIATE
    # transactions make writers queue up instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT off: the app runs short OLTP queries, and PostgreSQL compiles a plan whenever its cost
    # estimate is high (a sort over many rows), which added 16-335 ms to the staff queue's pages
    # at 1M tickets and never paid back. Options given in DATABASE_URL come after, so they win.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"-c jit=off {_pg_options.get('options', '')}".rstrip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and queue ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Two installations may share one Redis: each one's cache keys (counts, throttles) and queue are
# kept apart under this name. By default the database's name (a file's name for SQLite).
INSTALLATION_NAME = env.str(
    "INSTALLATION_NAME",
    default=re.sub(r"[^\w.-]+", "-", Path(str(DATABASES["default"]["NAME"])).stem) or "servicedesk",
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": INSTALLATION_NAME,
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env.str("HUEY_NAME", default=INSTALLATION_NAME),
        "url": REDIS_URL,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "servicedesk",
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "servicedesk",
        "filename": str(VAR_DIR / "huey.sqlite3"),
    }
HUEY["immediate"] = env.bool("HUEY_IMMEDIATE", default=False)
HUEY["consumer"] = {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"}

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: authenticates and loads the session's user (login by email).
    "servicedesk.accounts.backends.EmailBackend",
    # Permissions by role (accounts/rules.py); authenticates nobody.
    "servicedesk.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Email is unique through a unique index on LOWER(email) (accounts.User.Meta), which Django's
# check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "servicedesk.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "servicedesk.accounts.login.LoginForm"}
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset asked for an address nobody has sends nothing (the page looks the same):
# otherwise the form is a way to make us mail anyone. On: the stranger is told how to ask for
# access instead.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = env.bool("PASSWORD_RESET_MAILS_UNKNOWN", default=False)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per client address and per account (the "key" is the email typed).
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    # Public forms of our own (servicedesk.accounts): asking for access, for a new invitation.
    "access_request": env.str("ACCESS_REQUEST_RATE_LIMIT", default="5/h/ip"),
    "invitation_renewal": env.str("INVITATION_RENEWAL_RATE_LIMIT", default="10/h/ip,3/h/key"),
    # The satisfaction survey from the email link (servicedesk.web.surveys).
    "survey": env.str("SURVEY_RATE_LIMIT", default="30/h/ip"),
    # «Была ли статья полезна?» on the public knowledge base (servicedesk.web.knowledge).
    "kb_feedback": env.str("KB_FEEDBACK_RATE_LIMIT", default="20/h/ip"),
    # The equipment passport (servicedesk.web.passport): tokens that open nothing (guessing),
    # and one-time codes sent (per address and per typed email or phone).
    "passport_miss": env.str("PASSPORT_MISS_RATE_LIMIT", default="20/h/ip"),
    "passport_code": env.str("PASSPORT_CODE_RATE_LIMIT", default="10/h/ip,3/h/key"),
    # Tickets filed from a passport without an account.
    "passport_guest": env.str("PASSPORT_GUEST_RATE_LIMIT", default="10/h/ip"),
    # A guest's status link (servicedesk.web.guest): opening pages, replies.
    "guest_link": env.str("GUEST_LINK_RATE_LIMIT", default="120/h/ip"),
    "guest_reply": env.str("GUEST_REPLY_RATE_LIMIT", default="20/h/ip"),
    # Every submission of a public web form, whatever the form's own limits say.
    "webform": env.str("WEBFORM_RATE_LIMIT", default="30/h/ip"),
}
USERSESSIONS_TRACK_ACTIVITY = False
# Invitations: how long a link stays valid.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Administrators must set up two-factor authentication before anything else.
MFA_REQUIRED_FOR_ADMINS = env.bool("MFA_REQUIRED_FOR_ADMINS", default=False)
# allauth refuses 2FA while an address is unverified, to stop someone who signed up with another
# person's address from locking them out. Nobody signs up here: accounts are created by the
# provider, and addresses are proven by the invitation link.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Servicedesk")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
# English dates in an unambiguous form (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
# django-countries' Russian catalogue gives a few names in the genitive («Либерии»): ours are
# the nominative (locale/ru), as a country list reads.
COUNTRIES_OVERRIDE = {
    "LR": _("Liberia"),
    "MM": _("Myanmar"),
    "NC": _("New Caledonia"),
}
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="RU")
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
COUNTRIES_FIRST = ["RU"]

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/signature_pad", BASE_DIR / "node_modules" / "signature_pad" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    # The API docs' Swagger UI (django-ninja's copy: the CSP allows no CDN), found without
    # importing ninja here (it is not an installed app: importing it costs every process start).
    NINJA_DIR / "static",
]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email --------------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Seconds an SMTP connection may take; a send that fails is retried by servicedesk.mail.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# How long an email a worker took for sending waits before another worker may try it (the first
# one died mid-send): longer than any SMTP conversation (EMAIL_TIMEOUT), no longer.
MAIL_CLAIM_SECONDS = env.int("MAIL_CLAIM_SECONDS", default=max(120, 2 * EMAIL_TIMEOUT))
# Outgoing mail (servicedesk.mail): every notification is kept in the outbound log and retried
# this many minutes after each failed attempt, then marked failed (admins see it and retry).
MAIL_RETRY_MINUTES = env.list("MAIL_RETRY_MINUTES", cast=int, default=[1, 5, 15, 60, 240, 720])
# Sent emails are kept in the outbound log this many days, then deleted (0: kept for ever).
MAIL_KEEP_DAYS = env.int("MAIL_KEEP_DAYS", default=90)
# The domain of Message-IDs and of each ticket's thread id; empty: DEFAULT_FROM_EMAIL's domain.
MAIL_MESSAGE_ID_DOMAIN = env.str("MAIL_MESSAGE_ID_DOMAIN", default="")
# An address the email channel reads (e.g. support@desk.example.com): notifications about a
# ticket then carry Reply-To: support+<signed ticket token>@desk.example.com. Empty: no Reply-To.
MAIL_REPLY_ADDRESS = env.str("MAIL_REPLY_ADDRESS", default="")
# The key secrets kept in the database are encrypted with (IMAP passwords, captcha secrets,
# webhooks' signing secrets; core/crypto.py derives one key per use from it). Empty: the earlier
# MAIL_SECRET_KEY, else SECRET_KEY. Old keys stay readable in the fallbacks of the key in use.
ENCRYPTION_KEY = env.str("ENCRYPTION_KEY", default="")
ENCRYPTION_KEY_FALLBACKS = env.list("ENCRYPTION_KEY_FALLBACKS", default=[])
# Its earlier name (incoming mail, issue 17), still read when ENCRYPTION_KEY is not set.
MAIL_SECRET_KEY = env.str("MAIL_SECRET_KEY", default="")
MAIL_SECRET_KEY_FALLBACKS = env.list("MAIL_SECRET_KEY_FALLBACKS", default=[])
# Limits on one incoming email: larger or deeper ones are kept (raw) but not turned into tickets.
MAIL_INBOUND_MAX_BYTES = env.int("MAIL_INBOUND_MAX_BYTES", default=30 * 1024 * 1024)
MAIL_INBOUND_MAX_ATTACHMENTS = env.int("MAIL_INBOUND_MAX_ATTACHMENTS", default=30)
MAIL_INBOUND_MAX_DEPTH = env.int("MAIL_INBOUND_MAX_DEPTH", default=10)
MAIL_INBOUND_MAX_HEADER = env.int("MAIL_INBOUND_MAX_HEADER", default=16 * 1024)
# Seconds an IMAP poll waits for the mail server before it gives up (shown on the health page).
MAIL_IMAP_TIMEOUT = env.int("MAIL_IMAP_TIMEOUT", default=30)
# A CA certificate file (PEM) trusted for IMAP servers besides the system's, e.g. a company CA.
MAIL_IMAP_CA_FILE = env.str("MAIL_IMAP_CA_FILE", default="")
# Daily message digests go out at this hour of each recipient's own time zone.
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=8)
# --- SMS ----------------------------------------------------------------------------------------
# servicedesk.core.sms: FileBackend (default, writes var/sms/), ConsoleBackend, or
# HttpGatewayBackend, which POSTs JSON {"to", "text", "sender"} to SMS_GATEWAY_URL with
# "Authorization: Bearer SMS_GATEWAY_TOKEN".
SMS_BACKEND = env.str("SMS_BACKEND", default="servicedesk.core.sms.FileBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="Servicedesk")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)

# --- Web forms and guests' status links (servicedesk.intake) ------------------------------------
# Where a web form's captcha answer is checked (one per provider; tests point them at a local
# server), and how long the check may take.
CAPTCHA_VERIFY_URLS = {
    "yandex": env.str(
        "CAPTCHA_YANDEX_URL", default="https://smartcaptcha.yandexcloud.net/validate"
    ),
    "hcaptcha": env.str("CAPTCHA_HCAPTCHA_URL", default="https://api.hcaptcha.com/siteverify"),
    "turnstile": env.str(
        "CAPTCHA_TURNSTILE_URL",
        default="https://challenges.cloudflare.com/turnstile/v0/siteverify",
    ),
}
CAPTCHA_VERIFY_TIMEOUT = env.float("CAPTCHA_VERIFY_TIMEOUT", default=5.0)
# Wrong status-link tokens one client address may try in an hour before every link answers 429.
GUEST_LINK_BAD_PER_HOUR = env.int("GUEST_LINK_BAD_PER_HOUR", default=20)
# A member of staff reopening the same passport within this many minutes adds no scan row
# (tickets/presence.py keeps a scan that an assignment since the last one needs).
PASSPORT_SCAN_DEDUP_MINUTES = env.int("PASSPORT_SCAN_DEDUP_MINUTES", default=10)

# --- Tickets ------------------------------------------------------------------------------------
# Numbers: a run of '#' is the counter (zero-padded to its length); {YYYY}, {YY}, {MM} are the
# creation date, and each distinct prefix counts on its own ("{YYYY}-#####" restarts yearly).
TICKET_NUMBER_MASK = env.str("TICKET_NUMBER_MASK", default="########")
# A resolved ticket the customer neither accepts nor answers closes by itself after this many
# days (tickets.tasks.tickets_auto_close, hourly); 0 turns that off.
TICKET_AUTO_CLOSE_DAYS = env.int("TICKET_AUTO_CLOSE_DAYS", default=7)
# How long the satisfaction survey link in an email works.
SURVEY_LINK_TTL_DAYS = env.int("SURVEY_LINK_TTL_DAYS", default=30)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENTS_PER_UPLOAD = env.int("ATTACHMENTS_PER_UPLOAD", default=10)
ATTACHMENT_EXTENSIONS = env.list(
    "ATTACHMENT_EXTENSIONS",
    default=[
        "jpg", "jpeg", "png", "gif", "webp", "heic", "pdf", "txt", "log", "csv",
        "doc", "docx", "xls", "xlsx", "odt", "ods", "zip", "7z", "mp4", "mov",
    ],
)  # fmt: skip
# SLA (servicedesk.sla): dispatchers are warned this many minutes before a first-response or
# resolution deadline (and told again when it passes); the check runs every minute.
SLA_WARNING_MINUTES = env.int("SLA_WARNING_MINUTES", default=60)
# Knowledge base: a link alone in its paragraph to a video on one of these hosts becomes an
# embedded player (knowledge/rendering.py builds the player's address; other hosts stay links).
KNOWLEDGE_VIDEO_HOSTS = env.list(
    "KNOWLEDGE_VIDEO_HOSTS",
    default=[
        "youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
        "vimeo.com", "www.vimeo.com", "player.vimeo.com",
        "rutube.ru", "www.rutube.ru",
        "vk.com", "m.vk.com", "vk.ru", "vkvideo.ru", "www.vkvideo.ru",
    ],
)  # fmt: skip
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API (servicedesk/api) ------------------------------------------------------------------
# Calls allowed per token (a signed-in session counts as its person) and per client address, in
# fixed windows: "<count>/<s|min|hour|day>"; empty: no limit. Over it: 429 with Retry-After.
API_RATE_PER_TOKEN = env.str("API_RATE_PER_TOKEN", default="600/min")
API_RATE_PER_ADDRESS = env.str("API_RATE_PER_ADDRESS", default="1200/min")
# Wrong bearer tokens allowed per client address per window; over it every token from that
# address gets 429 until the window ends (guessing tokens). Empty: no limit.
API_TOKEN_FAILURE_LIMIT = env.str("API_TOKEN_FAILURE_LIMIT", default="20/10min")

# --- Import and export ----------------------------------------------------------------------------
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
PEOPLE_IMPORT_MAX_BYTES = env.int("PEOPLE_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# Applied in the request: ~1,000 rows take about 5 s (measured on SQLite); keep well under the
# web server's timeout.
PEOPLE_IMPORT_MAX_ROWS = env.int("PEOPLE_IMPORT_MAX_ROWS", default=1000)

# --- Outgoing webhooks (servicedesk.webhooks; docs/decisions/0029-webhooks.md) ----------------
# Receivers at private, loopback, link-local, multicast or reserved addresses are refused (after
# DNS resolution, on saving and on every delivery) unless this is on: a development desk, tests.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# The ports a webhook's URL may name (http and https only); empty: any port.
WEBHOOKS_PORTS = env.list("WEBHOOKS_PORTS", cast=int, default=[80, 443, 8080, 8443])
# Seconds to connect, and to wait for the receiver's answer, per delivery attempt.
WEBHOOKS_TIMEOUT = env.int("WEBHOOKS_TIMEOUT", default=10)
# Seconds after each failed attempt before the next (exponential), then the delivery fails.
WEBHOOKS_RETRY_SECONDS = env.list(
    "WEBHOOKS_RETRY_SECONDS", cast=int, default=[60, 300, 1800, 7200, 28800]
)
# A webhook whose deliveries failed this many times in a row is paused and its owner told.
WEBHOOKS_PAUSE_AFTER = env.int("WEBHOOKS_PAUSE_AFTER", default=20)
# Delivered and failed deliveries are deleted from the log after this many days, every night
# (pending ones stay); 0 keeps them all.
WEBHOOK_DELIVERY_RETENTION_DAYS = env.int("WEBHOOK_DELIVERY_RETENTION_DAYS", default=30)

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Servicedesk <servicedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"
X_FRAME_OPTIONS = "DENY"

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The Huey consumer installs its own handler.
        "huey": {"propagate": False},
    },
}
