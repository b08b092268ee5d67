"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (factories, refresh_from_db) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _plain_http_server_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The live server's middleware reads its settings once, when the server starts (before any
    function-scoped `settings` fixture): plain HTTP, no secure-only cookies, static files from
    the finders."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STATIC_ROOT=tmp_path_factory.mktemp("live-static"),
    ):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_server_settings: None, live_server: object) -> object:
    return live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, tmp_path):
    """A fresh browser context (cookies, locale) per test; the page's console errors are
    collected, and each page's last state is left as a screenshot in the test's tmp dir."""
    contexts = []

    def make(locale: str = "ru-RU", width: int = 1280, height: int = 800, **options):
        """`options` go to the browser context (e.g. java_script_enabled=False)."""
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # JavaScript errors, and every response of 400 or more the page asked for.
        page.console_errors = []
        page.failed_responses = []

        def on_console(msg):
            if msg.type == "error":
                page.console_errors.append(msg.text)

        def on_response(response):
            if response.status >= 400:
                page.failed_responses.append(f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        return page

    yield make
    blocked = []
    for context in contexts:
        for n, page in enumerate(context.pages):
            page.screenshot(path=str(tmp_path / f"last-{n}.png"), full_page=True)
            blocked += [e for e in page.console_errors if "Content Security Policy" in e]
        context.close()
    # Whatever a journey did, the Content-Security-Policy never had to block anything
    assert blocked == [], blocked
