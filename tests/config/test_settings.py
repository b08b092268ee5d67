"""Deployment settings, checked in fresh processes as gunicorn and `manage.py check` see them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def run(args, tmp_path, **env_overrides):
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), **env_overrides}
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set for Playwright by tests/browser/conftest.py; the deploy check rightly refuses it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env():
    return {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)[:50]}


CHECK_DEPLOY = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
IMPORT_WSGI = [
    "-c",
    "import sys\n"
    "from django.core.exceptions import ImproperlyConfigured\n"
    "try:\n"
    "    import config.wsgi\n"
    "except ImproperlyConfigured as exc:\n"
    "    print('ImproperlyConfigured:', exc)\n"
    "    sys.exit(3)\n"
    "print('application' in vars(config.wsgi))\n"
    "import gc, sys\n"
    "print(gc.get_freeze_count() > 10_000, 'servicedesk.portal.tickets.create' in sys.modules)\n",
]


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(CHECK_DEPLOY, tmp_path, **production_env(), ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    assert "WARNING" not in result.stderr
    assert "ERROR" not in result.stderr
    # The test's own VAR_DIR was used, not the developer's var/
    assert (tmp_path / "var").is_dir()


def test_deploy_check_refuses_the_public_development_key(tmp_path):
    result = run(CHECK_DEPLOY, tmp_path, DEBUG="false", SECRET_KEY=None)
    assert result.returncode == 1
    assert "servicedesk.E001" in result.stderr
    assert "SECRET_KEY is the public development key while DEBUG is off." in result.stderr


def test_development_key_is_fine_with_debug_on(tmp_path):
    result = run(["manage.py", "check"], tmp_path, DEBUG="true", SECRET_KEY=None)
    assert result.returncode == 0, result.stderr
    assert "servicedesk.E001" not in result.stdout + result.stderr


def test_wsgi_refuses_to_start_with_the_public_key(tmp_path):
    result = run(IMPORT_WSGI, tmp_path, DEBUG="false", SECRET_KEY=None)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith(
        "ImproperlyConfigured: SECRET_KEY is the public development key while DEBUG is off."
    )


def test_wsgi_starts_with_a_real_key(tmp_path):
    result = run(IMPORT_WSGI, tmp_path, **production_env())
    assert result.returncode == 0, result.stderr
    # and with every view imported, and what was loaded kept out of the collector's passes
    assert result.stdout.split() == ["True", "True", "True"]


def test_tests_run_with_the_development_defaults_we_expect():
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert settings.ACCOUNT_PREVENT_ENUMERATION is True


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SESSION_COOKIE_HTTPONLY", True),
        ("X_FRAME_OPTIONS", "DENY"),
        ("SECURE_PROXY_SSL_HEADER", ("HTTP_X_FORWARDED_PROTO", "https")),
    ],
)
def test_security_settings(name, expected):
    assert getattr(settings, name) == expected


PREFIXES = [
    "-c",
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.core.cache import cache\n"
    "key = os.environ['TEST_KEY']\n"
    "print(settings.INSTALLATION_NAME, settings.HUEY['name'], cache.get(key))\n"
    # ten minutes: the three runs may take minutes on a busy machine
    "cache.set(key, settings.INSTALLATION_NAME, 600)\n",
]


def test_two_installations_on_one_redis_keep_their_keys_and_queues_apart(tmp_path):
    # Given two installations with their own databases and one Redis
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/14", "TEST_KEY": secrets.token_hex(8)}
    one = {**redis, "DATABASE_URL": "postgres://u@127.0.0.1:5432/desk_one"}
    two = {**redis, "DATABASE_URL": "postgres://u@127.0.0.1:5432/desk_two"}
    # When each writes the same cache key, the first one twice
    first = run(PREFIXES, tmp_path, **one)
    second = run(PREFIXES, tmp_path, **two)
    again = run(PREFIXES, tmp_path, **one)
    # Then each one's keys and queue are named after its database, and neither sees the other's
    assert first.stdout.split() == ["desk_one", "desk_one", "None"], first.stderr
    assert second.stdout.split() == ["desk_two", "desk_two", "None"], second.stderr
    assert again.stdout.split() == ["desk_one", "desk_one", "desk_one"], again.stderr
    # and a name set for the installation wins
    named = run(PREFIXES, tmp_path, **redis, INSTALLATION_NAME="acme")
    assert named.stdout.split()[:2] == ["acme", "acme"], named.stderr


DATABASE_OPTIONS = [
    "-c",
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
    "from django.conf import settings\n"
    "print(repr(settings.DATABASES['default'].get('OPTIONS', {}).get('options')))\n",
]


def test_postgresql_connections_run_without_jit(tmp_path):
    # Given PostgreSQL, with and without options of its own in the URL
    plain = run(DATABASE_OPTIONS, tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/desk")
    own = run(
        DATABASE_OPTIONS,
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/desk?options=-c%20statement_timeout%3D5000",
    )
    sqlite = run(DATABASE_OPTIONS, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    # Then each connection turns JIT off, the URL's own options after (they win), SQLite none
    assert plain.stdout.strip() == "'-c jit=off'", plain.stderr
    assert own.stdout.strip() == "'-c jit=off -c statement_timeout=5000'", own.stderr
    assert sqlite.stdout.strip() == "None", sqlite.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_test_database_connection_has_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
