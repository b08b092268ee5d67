"""A customer types a new ticket's subject, sees a knowledge-base article beside the form,
and says it solved the problem: no ticket is sent, a deflection is counted."""

import pytest
from playwright.sync_api import expect

from servicedesk.knowledge.models import Article, Deflection, SearchQuery
from servicedesk.knowledge.search import index_article
from servicedesk.tickets.models import Ticket
from tests.browser.test_ticket_create import _reference_lists, sign_in  # noqa: F401
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _article(title: str, body: str, visibility: str = "customers") -> Article:
    article = Article.objects.create(
        title=title, body=body, status="published", visibility=visibility
    )
    index_article(article)
    return article


def test_a_suggestion_while_typing_deflects_the_ticket(live_server, page_for):
    # Given a customer, an article about printers that do not print, one about air
    # conditioners, and an internal one that also matches
    alfa = CompanyFactory(name="Alfa Retail")
    customer = UserFactory(email="nina@alfa.test", language="ru")
    MembershipFactory(user=customer, company=alfa)
    printer = _article("Принтер не печатает", "Если печать не работает, очистите очередь печати.")
    _article("Кондиционер течёт", "Проверьте дренаж кондиционера.")
    _article("Принтер: сервисный код", "Печать: только для инженеров.", visibility="internal")
    page = page_for(locale="ru-RU")
    sign_in(page, live_server.url, "nina@alfa.test")

    # When they open the form: the panel invites them to type
    page.goto(f"{live_server.url}/portal/tickets/new/")
    panel = page.get_by_test_id("kb-suggestions")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("kb-suggestion")).to_have_count(0)

    # and type the subject key by key: the matching article appears beside the form
    page.locator("#ticket-form input[name=subject]").press_sequentially(
        "Принтеры не печатают", delay=40
    )
    suggestion = panel.get_by_test_id("kb-suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Принтер не печатает")
    expect(suggestion.locator("mark").first).to_have_text("печать")

    # Then «Это решило мою проблему» gives the draft up and thanks them
    suggestion.get_by_test_id("kb-deflect").click()
    expect(page.get_by_test_id("kb-deflected")).to_be_visible()
    expect(page.get_by_test_id("ticket-form")).to_have_count(0)
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.article, deflection.subject) == (
        customer,
        printer,
        "Принтеры не печатают",
    )
    assert Ticket.objects.count() == 0
    # the debounce asked far fewer times than there were keystrokes
    assert 1 <= SearchQuery.objects.filter(source="suggest").count() < len("Принтеры не печатают")
    assert page.console_errors == []
    assert page.failed_responses == []
