"""Suggestions beside the portal's new-ticket form, deflection, and the staff ticket page's
suggestions with one-click attach."""

from collections.abc import Callable

import pytest
from django.test import Client

from servicedesk.accounts.models import User
from servicedesk.conversations.models import Message
from servicedesk.knowledge.models import Article, Deflection, SearchQuery, TicketArticle
from tests.conftest import World
from tests.factories import TicketFactory
from tests.knowledge.conftest import load_articles

ClientFor = Callable[[User], Client]


@pytest.fixture
def articles(world: World) -> dict[str, Article]:
    return load_articles(world.companies)


def _suggest(client: Client, subject: str, description: str = "") -> str:
    response = client.get(
        "/portal/tickets/new/suggest/",
        {"subject": subject, "description": description},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_new_ticket_page_has_the_suggestion_panel(
    world: World, client_for: ClientFor, db: None
) -> None:
    page = client_for(world.users["cust_a"]).get("/portal/tickets/new/").content.decode()
    assert "data-kb-suggest" in page and 'hx-get="/portal/tickets/new/suggest/"' in page
    assert "js/kb_suggest.js" in page


def test_suggestions_for_what_the_customer_types(
    world: World, articles: dict[str, Article], client_for: ClientFor
) -> None:
    html = _suggest(client_for(world.users["cust_b"]), "Принтеры не печатают", "с утра")
    assert "Принтер не печатает" in html
    assert f"/portal/kb/{articles['printer_not_printing'].pk}/" in html
    assert "<mark>печать</mark>" in html  # the highlighted fragment, unescaped once
    # all the subject's words first: the two articles about printers that do not print
    assert html.count('data-testid="kb-suggestion"') == 2
    # Nothing the customer may not read: internal, drafts, archived, another company's
    for slug in ["secret_internal", "secret_draft", "secret_archived", "secret_company_a"]:
        assert f"/portal/kb/{articles[slug].pk}/" not in html
    assert SearchQuery.objects.get().source == "suggest"


def test_suggestions_empty_states(
    world: World, articles: dict[str, Article], client_for: ClientFor
) -> None:
    client = client_for(world.users["cust_a"])
    assert "Начните вводить тему" in _suggest(client, "", "")
    assert SearchQuery.objects.count() == 0  # nothing typed: nothing searched
    html = _suggest(client, "квантовый телепорт")
    assert 'data-testid="kb-no-suggestions"' in html
    html = _suggest(client, "'); DROP TABLE x; -- \" * NEAR(", "a" * 20_000)
    assert "kb-suggestions" in html


def test_suggestions_query_count(
    world: World,
    articles: dict[str, Article],
    client_for: ClientFor,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = client_for(world.users["cust_a"])
    _suggest(client, "принтер")  # warm the caches
    with django_assert_max_num_queries(12):  # type: ignore[attr-defined]
        _suggest(client, "Принтер не печатает, замятие бумаги", "очередь печати")


def test_suggestions_need_a_customer(world: World, db: None) -> None:
    response = Client().get("/portal/tickets/new/suggest/", {"subject": "принтер"})
    assert response.status_code == 302
    assert SearchQuery.objects.count() == 0


def test_deflection(world: World, articles: dict[str, Article], client_for: ClientFor) -> None:
    article = articles["printer_not_printing"]
    response = client_for(world.users["cust_a"]).post(
        f"/portal/tickets/new/deflect/{article.pk}/",
        {"subject": "Принтер не печатает"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'data-testid="kb-deflected"' in response.content.decode()
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.article, deflection.subject) == (
        world.users["cust_a"],
        article,
        "Принтер не печатает",
    )


@pytest.mark.parametrize(
    ("who", "slug"),
    [("cust_b", "secret_company_a"), ("cust_a", "secret_internal"), ("cust_a", "secret_draft")],
)
def test_no_deflection_through_an_article_the_customer_cannot_read(
    world: World, articles: dict[str, Article], client_for: ClientFor, who: str, slug: str
) -> None:
    response = client_for(world.users[who]).post(
        f"/portal/tickets/new/deflect/{articles[slug].pk}/", {"subject": "x"}
    )
    assert response.status_code == 404
    assert Deflection.objects.count() == 0


# --- The staff ticket page ---------------------------------------------------------------------


@pytest.fixture
def ticket(world: World, articles: dict[str, Article]) -> object:
    return TicketFactory(
        company=world.companies["B"],
        contact=world.users["cust_b"],
        subject="Принтер не печатает",
        description="Печать не работает, сервисный код не помогает",
    )


def test_staff_see_suggestions_and_what_the_customer_cannot_read(
    world: World, articles: dict[str, Article], ticket: object, client_for: ClientFor
) -> None:
    page = client_for(world.users["engineer"]).get(f"/backoffice/tickets/{ticket.number}/")  # type: ignore[attr-defined]
    assert f'hx-get="/backoffice/tickets/{ticket.number}/kb/"' in page.content.decode()  # type: ignore[attr-defined]
    html = (
        client_for(world.users["engineer"])
        .get(f"/backoffice/tickets/{ticket.number}/kb/")
        .content.decode()
    )  # type: ignore[attr-defined]
    assert html.count('data-testid="kb-staff-suggestion"') == 5
    assert "Принтер не печатает: сервисный код инженера" in html  # staff read internal ones
    assert 'data-testid="kb-not-for-customer"' in html  # ... not attachable for customer B
    assert SearchQuery.objects.get().source == "staff"


def test_one_click_attach_tells_the_customer(
    world: World, articles: dict[str, Article], ticket: object, client_for: ClientFor
) -> None:
    article = articles["printer_not_printing"]
    client = client_for(world.users["engineer"])
    url = f"/backoffice/tickets/{ticket.number}/kb/{article.pk}/attach/"  # type: ignore[attr-defined]
    html = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="kb-attached-note"' in html and 'data-testid="kb-attached"' in html
    link = TicketArticle.objects.get()
    assert (link.ticket, link.article, link.attached_by) == (
        ticket,
        article,
        world.users["engineer"],
    )
    message = Message.objects.get()
    assert not message.is_internal
    assert f"/portal/kb/{article.pk}/)" in message.body and "Принтер не печатает" in message.body
    # The customer sees it on the ticket's «Статьи» tab
    tab = client_for(world.users["cust_b"]).get(f"/portal/tickets/{ticket.number}/articles/")  # type: ignore[attr-defined]
    assert "Принтер не печатает" in tab.content.decode()
    # Attaching again changes nothing
    client.post(url)
    assert TicketArticle.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.parametrize("slug", ["secret_internal", "secret_company_a"])
def test_an_article_the_customer_cannot_read_is_not_attached(
    world: World, articles: dict[str, Article], ticket: object, client_for: ClientFor, slug: str
) -> None:
    url = f"/backoffice/tickets/{ticket.number}/kb/{articles[slug].pk}/attach/"  # type: ignore[attr-defined]
    html = client_for(world.users["engineer"]).post(url).content.decode()
    assert 'data-testid="kb-attach-error"' in html
    assert TicketArticle.objects.count() == 0 and Message.objects.count() == 0


def test_customers_cannot_attach(
    world: World, articles: dict[str, Article], ticket: object, client_for: ClientFor
) -> None:
    url = f"/backoffice/tickets/{ticket.number}/kb/{articles['printer_not_printing'].pk}/attach/"  # type: ignore[attr-defined]
    response = client_for(world.users["cust_b"]).post(url)
    assert response.status_code in (302, 403, 404)
    assert TicketArticle.objects.count() == 0 and Message.objects.count() == 0


# --- Similar tickets on the staff ticket page ---------------------------------------------------


def test_staff_see_the_tickets_most_like_this_one(
    world: World, ticket: object, client_for: ClientFor
) -> None:
    # Given earlier tickets sharing two words, one word and none of the subject's words
    both = TicketFactory(
        company=world.companies["A"],
        contact=world.users["cust_a"],
        subject="Принтеры в бухгалтерии не печатают",
        resolution="Заменили фьюзер",
    )
    one = TicketFactory(
        company=world.companies["B"], contact=world.users["cust_b"], subject="Новый принтер"
    )
    none = TicketFactory(
        company=world.companies["B"], contact=world.users["cust_b"], subject="Течь в котельной"
    )
    # When an engineer opens the ticket's knowledge card
    html = (
        client_for(world.users["engineer"])
        .get(f"/backoffice/tickets/{ticket.number}/kb/")  # type: ignore[attr-defined]
        .content.decode()
    )
    # Then the ticket matching both words («принтер», «печата») comes first, with how it was solved
    assert html.count('data-testid="similar-ticket"') == 2
    assert html.index(both.number) < html.index(one.number)
    assert none.number not in html and f'/backoffice/tickets/{ticket.number}/"' not in html  # type: ignore[attr-defined]
    assert "Заменили фьюзер" in html and "Alphacorp" in html


def test_no_similar_tickets(world: World, client_for: ClientFor, db: None) -> None:
    lonely = TicketFactory(
        company=world.companies["B"], contact=world.users["cust_b"], subject="Скрипит дверь"
    )
    TicketFactory(company=world.companies["B"], contact=world.users["cust_b"], subject="Течь")
    html = (
        client_for(world.users["dispatcher"])
        .get(f"/backoffice/tickets/{lonely.number}/kb/")
        .content.decode()
    )
    assert 'data-testid="no-similar-tickets"' in html and 'similar-ticket"' not in html


def test_similar_tickets_query_count(
    world: World,
    ticket: object,
    client_for: ClientFor,
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    for n in range(12):
        TicketFactory(
            company=world.companies["A" if n % 2 else "B"],
            contact=world.users["cust_a" if n % 2 else "cust_b"],
            subject=f"Принтер не печатает {n}",
        )
    client = client_for(world.users["engineer"])
    # the card's 18 (session, user, ticket and its lists, the article search) and two for the
    # similar tickets (the FTS candidates, then the tickets), however many there are
    with django_assert_max_num_queries(20):  # type: ignore[attr-defined]
        html = client.get(f"/backoffice/tickets/{ticket.number}/kb/").content.decode()  # type: ignore[attr-defined]
    assert html.count('data-testid="similar-ticket"') == 5


@pytest.mark.parametrize("probe", [0, 200])
def test_similar_tickets_are_the_same_from_the_index_or_the_walk(
    world: World, ticket: object, monkeypatch: pytest.MonkeyPatch, probe: int
) -> None:
    """PostgreSQL takes the candidates from the index when at most PROBE tickets match, else
    walks the newest matches; SQLite always asks FTS5. The same tickets, in the same order."""
    from servicedesk.tickets.models import Ticket
    from servicedesk.tickets.search import similar_tickets

    monkeypatch.setattr("servicedesk.tickets.search.PROBE", probe)
    both = TicketFactory(
        company=world.companies["A"], contact=world.users["cust_a"], subject="Принтер не печатает"
    )
    one = TicketFactory(
        company=world.companies["B"], contact=world.users["cust_b"], subject="Принтер в холле"
    )
    TicketFactory(company=world.companies["B"], contact=world.users["cust_b"], subject="Течь")
    staff = Ticket.objects.visible_to(world.users["dispatcher"])
    assert similar_tickets(staff, ticket) == [both, one]  # type: ignore[arg-type]
    # A customer's scope narrows them: company B's person never gets company A's ticket
    assert similar_tickets(Ticket.objects.visible_to(world.users["cust_b"]), ticket) == [one]  # type: ignore[arg-type]
