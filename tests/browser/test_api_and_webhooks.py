"""An administrator, in Chromium, in Russian: makes a personal API token in the profile (shown
once; it works against the API), registers a webhook in the back office (its secret shown once,
then only a hint), presses «Отправить тестовый ping» and sees the delivery in the log — received
by a local HTTP receiver that checks its signature with the secret it was shown."""

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.accounts.models import ApiToken
from servicedesk.webhooks.models import PING, Webhook, WebhookDelivery
from tests.api.conftest import ApiClient
from tests.browser.test_people import sign_in
from tests.factories import UserFactory
from tests.webhooks.conftest import local_allowed, receiver  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("local_allowed"),
]


def test_an_admin_makes_a_token_and_a_webhook_and_pings_it(
    live_server,
    page_for,
    receiver,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    UserFactory(admin=True, email="admin@provider.test", full_name="Анна Админ", language="ru")
    page: Page = page_for()
    sign_in(page, live_server.url, "admin@provider.test")

    # A personal token, from the profile: shown once, and it opens the API.
    page.goto(f"{live_server.url}/me/profile/")
    page.locator("[data-testid=api-tokens]").click()
    expect(page.locator("h1")).to_have_text("Токены API")
    form = page.locator("[data-testid=api-token-form]")
    form.locator("input[name=name]").fill("Мониторинг")
    form.get_by_role("button", name="Создать токен").click()
    secret = page.locator("[data-testid=api-token-value]").inner_text().strip()
    assert secret.startswith("sdt_")
    expect(page.locator("[data-testid=api-token-row]")).to_contain_text("Мониторинг")
    page.screenshot(path=str(tmp_path / "api-token.png"), full_page=True)
    assert ApiClient(secret).get("/api/v1/me").json()["email"] == "admin@provider.test"
    page.goto(f"{live_server.url}/me/api-tokens/")  # opened again: the list, no secret
    expect(page.locator("[data-testid=api-token-row]")).to_have_count(1)
    expect(page.locator("[data-testid=api-token-secret]")).to_have_count(0)
    assert secret not in page.content()
    assert ApiToken.objects.get().name == "Мониторинг"

    # A webhook, in the back office: its secret shown once.
    page.goto(f"{live_server.url}/backoffice/webhooks/")
    page.locator("[data-testid=webhook-new]").click()
    form = page.locator("[data-testid=webhook-form]")
    form.locator("input[name=name]").fill("ERP")
    form.locator("input[name=url]").fill(receiver.url())
    form.locator("[data-testid=save]").click()
    expect(page).to_have_url(re.compile(r"/backoffice/webhooks/\d+/$"))
    shown = page.locator("[data-testid=secret]").inner_text().strip()
    webhook = Webhook.objects.get()
    assert shown.startswith("whsec_") and shown == webhook.secret
    assert shown not in webhook.secret_encrypted  # kept encrypted
    receiver.secret = shown
    expect(page.locator("[data-testid=no-deliveries]")).to_be_visible()

    # «Отправить тестовый ping»: the receiver gets it, signed; the log shows it delivered.
    page.locator("[data-testid=ping]").click()
    rows = page.locator("[data-testid=delivery-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(PING)
    expect(rows.first.locator("[data-testid=code]")).to_have_text("200")
    expect(rows.first).to_contain_text("Доставлено")
    expect(page.locator("[data-testid=secret-once]")).to_have_count(0)  # once only
    expect(page.locator("[data-testid=secret-hint]")).to_have_text(f"{shown[:10]}…{shown[-4:]}")
    page.screenshot(path=str(tmp_path / "webhook-ping.png"), full_page=True)
    assert receiver.events() == [PING] and receiver.signature_ok == [True]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_code) == (WebhookDelivery.State.SUCCEEDED, 200)
    assert page.failed_responses == [] and page.console_errors == []
