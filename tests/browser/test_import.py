"""A dispatcher imports customers in a real browser: a file with a bad row is refused with the
row's error and no Apply button; the corrected file is applied and the summary shown."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from servicedesk.accounts.models import Membership, User
from tests.browser.test_shell import sign_in
from tests.factories import CompanyFactory, UserFactory
from tests.fixtures.imports import csv_bytes, xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GOOD = [
    ["Ivanov", "Ivan", "ivan@alfa.test", "+7 912 345-67-89", "customer", "", "alfa", "Buyer"],
    ["Petrova", "Maria", "maria@beta.test", "", "customer", "", "beta; alfa", ""],
]
BAD = [*GOOD[:1], ["Petrova", "Maria", "maria@beta", "", "customer", "", "beta; alfa", ""]]


def test_dispatcher_fixes_a_bad_row_and_applies_the_import(live_server, page_for, tmp_path):
    CompanyFactory(code="alfa", name="Alfa Retail")
    CompanyFactory(code="beta", name="Beta Works")
    UserFactory(dispatcher=True, email="dispatcher@provider.test", language="en")
    bad_file = tmp_path / "people-bad.csv"
    bad_file.write_bytes(csv_bytes(BAD))
    good_file = tmp_path / "people.csv"
    good_file.write_bytes(csv_bytes(GOOD))
    page = page_for(locale="en-US")
    sign_in(page, live_server.url, "dispatcher@provider.test")
    expect(page).to_have_url(re.compile(r"/backoffice/$"))

    # Given the import page, when the dispatcher uploads a file with a bad row
    page.goto(f"{live_server.url}/backoffice/people/import/")
    expect(page.locator("#id_send_invitations")).to_be_checked()
    page.locator("#id_file").set_input_files(str(bad_file))
    page.locator("[data-testid=check-file]").click()

    # Then the row's error is shown, and there is no Apply button
    bad_row = page.locator("[data-testid=preview-row][data-line='3']")
    expect(bad_row).to_have_attribute("data-action", "error")
    expect(bad_row.locator("[data-testid=row-errors]")).to_have_text(
        "Email: “maria@beta” is not a valid address."
    )
    expect(page.locator("[data-testid=preview-errors]")).to_contain_text("1 row has errors.")
    expect(page.locator("[data-testid=apply]")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "import-bad-row.png"), full_page=True)
    assert User.objects.filter(role="customer").count() == 0

    # When they upload the corrected file
    page.locator("#id_file").set_input_files(str(good_file))
    page.locator("[data-testid=check-file]").click()

    # Then both rows will be created and the Apply button is there
    rows = page.locator("[data-testid=preview-row]")
    expect(rows).to_have_count(2)
    for n in range(2):
        expect(rows.nth(n)).to_have_attribute("data-action", "create")
    expect(page.locator("[data-testid=invitations-note]")).to_have_text(
        "Invitations will be sent to 2 new customers."
    )
    page.screenshot(path=str(tmp_path / "import-preview.png"), full_page=True)
    page.locator("[data-testid=apply]").click()

    # Then the summary counts them, and they exist with their companies and invitations
    expect(page).to_have_url(re.compile(r"/backoffice/people/import/done/$"))
    expect(page.locator("[data-testid=count-created]")).to_have_text("2")
    expect(page.locator("[data-testid=count-invited]")).to_have_text("2")
    expect(page.locator("[data-testid=created-list] li")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "import-done.png"), full_page=True)
    memberships = Membership.objects.order_by("user__email", "company__code")
    assert [(m.user.email, m.company.code) for m in memberships] == [
        ("ivan@alfa.test", "alfa"),
        ("maria@beta.test", "alfa"),
        ("maria@beta.test", "beta"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ivan@alfa.test", "maria@beta.test"]
    assert page.console_errors == []
    assert page.failed_responses == []


# Rows that each fail, with long texts: Cyrillic names, long emails, unknown companies.
LONG_BAD = [
    [
        "Константинопольская-Старобельская",
        "Александра-Мария",
        "aleksandra.konstantinopolskaya-starobelskaya.logistics@very-long-subdomain.alfa.example.com",
        "+7 912 345-67-89",
        "customer",
        "",
        "Альфа-Ритейл; Холдинг «Северо-Западный региональный дистрибьюторский центр»",
        "Главный специалист отдела материально-технического снабжения",
    ],
    [
        "Петрова",
        "Мария",
        "maria.petrova.departamento-de-compras@beta",
        "+7 999",
        "customer",
        "engineer",
        "Несуществующая-Компания-С-Очень-Длинным-Названием-Без-Пробелов",
        "",
    ],
    ["Сидоров", "", "", "", "Сотрудник-Подрядчик-Субподрядчик", "Главный", "Бета-Логистик", ""],
    [
        "Иванов",
        "Иван",
        "ivan.ivanovich.ivanov.the.third.from.the.moscow.region.department@alfa.test",
        "",
        "customer",
        "",
        "",
        "Кладовщик",
    ],
]

READABLE = """() => {
  // Measured at one moment: every error list's cell shows all of its text, inside the
  // viewport and inside the table's scrolling box; the page itself does not scroll sideways.
  const width = document.documentElement.clientWidth;
  const box = document.querySelector("[data-testid=preview-table]").parentElement;
  const outer = box.getBoundingClientRect();
  const problems = [];
  if (document.documentElement.scrollWidth > width) { problems.push("the page scrolls sideways"); }
  if (box.scrollWidth > box.clientWidth) { problems.push("the table is wider than its box"); }
  document.querySelectorAll("[data-testid=row-errors]").forEach((list) => {
    const cell = list.closest("td");
    const r = cell.getBoundingClientRect();
    const name = cell.textContent.trim().slice(0, 40);
    if (cell.scrollWidth > cell.clientWidth) { problems.push(name + ": wider than its cell"); }
    if (r.left < 0 || r.right > width) { problems.push(name + ": out of the viewport"); }
    if (r.left < outer.left - 0.5 || r.right > outer.right + 0.5) {
      problems.push(name + ": out of the table's box");
    }
  });
  return problems;
}"""


@pytest.mark.parametrize(
    ("language", "width", "kind"), [("en", 1366, "csv"), ("ru", 390, "xlsx"), ("ru", 1366, "xlsx")]
)
def test_every_error_of_the_preview_is_readable(
    live_server, page_for, tmp_path, language, width, kind
):
    # Given a file whose rows all fail, with long names, emails and error texts
    CompanyFactory(code="alfa", name="Альфа-Ритейл")
    CompanyFactory(code="beta", name="Бета-Логистик")
    UserFactory(dispatcher=True, email="dispatcher@provider.test", language=language)
    data = csv_bytes(LONG_BAD) if kind == "csv" else xlsx_bytes(LONG_BAD)
    upload = tmp_path / f"people-long.{kind}"
    upload.write_bytes(data)
    page = page_for(locale=f"{language}-{language.upper()}", width=width, height=900)
    sign_in(page, live_server.url, "dispatcher@provider.test")
    expect(page).to_have_url(re.compile(r"/backoffice/$"))

    # When it is checked
    page.goto(f"{live_server.url}/backoffice/people/import/")
    page.locator("#id_file").set_input_files(str(upload))
    page.locator("[data-testid=check-file]").click()

    # Then every row's errors are there in full, wrapped inside the page, nothing cut off
    expect(page.locator("[data-testid=row-errors]")).to_have_count(len(LONG_BAD))
    first = page.locator("[data-testid=preview-row][data-line='2'] [data-testid=row-errors]")
    expect(first).to_contain_text("Северо-Западный региональный дистрибьюторский центр")
    assert page.evaluate(READABLE) == []
    page.screenshot(path=str(tmp_path / f"import-errors-{language}-{width}.png"), full_page=True)
    assert User.objects.filter(role="customer").count() == 0
    assert page.console_errors == []
