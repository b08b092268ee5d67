"""The 400, 403, 404 and 500 pages: styled like the product, in the reader's language; the 500
page renders with nothing but the template (no database, no session, no user)."""

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.conftest import login

pytestmark = pytest.mark.django_db

STYLED = ("bootstrap.min.css", "css/app.css", "Servicedesk", 'data-testid="error-page"')


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Page not found"), ("ru", "Страница не найдена")],
)
def test_a_missing_page(client: Client, language: str, heading: str) -> None:
    response = client.get("/no/such/page/", headers={"accept-language": language})
    html = response.content.decode()
    assert response.status_code == 404
    assert heading in html and f'lang="{language}"' in html
    for part in STYLED:
        assert part in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Page not found"), ("ru", "Страница не найдена")],
)
def test_another_companys_ticket_is_the_same_styled_404(
    world: Any, language: str, heading: str
) -> None:
    from tests.factories import TicketFactory

    ticket = TicketFactory(company=world.companies["B"])
    client = login(Client(headers={"accept-language": language}), world.users["cust_a"])
    response = client.get(f"/portal/tickets/{ticket.number}/")
    assert response.status_code == 404
    assert heading in response.content.decode()
    assert ticket.subject not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "The page has expired"), ("ru", "Страница устарела")]
)
def test_a_form_posted_without_its_token(world: Any, language: str, heading: str) -> None:
    client = Client(enforce_csrf_checks=True, headers={"accept-language": language})
    login(client, world.users["cust_a"])
    response = client.post("/portal/tickets/new/", {"subject": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert heading in html
    for part in STYLED:
        assert part in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Something went wrong on our side"), ("ru", "Что-то пошло не так")],
)
def test_the_server_error_page_needs_no_database(
    language: str, heading: str, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert heading in html
    for part in STYLED:
        assert part in html
