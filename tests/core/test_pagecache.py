"""Whole pages from the cache (core/pagecache.py): a page opened again comes back without a
query while nothing on it changed, and every kind of change that shows on a page makes it
again — for the person who changed it and for everyone else who sees it. Tenant isolation
holds on cached pages: losing a company, or a ticket moving away, is a 404 at once."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import Membership
from servicedesk.conversations.models import SurveyCriterion
from servicedesk.conversations.services import conversation_read, message_post
from servicedesk.conversations.survey_services import survey_submit
from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket, TicketView
from tests.conftest import World, login
from tests.factories import MembershipFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/portal/?view=company"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def warm(client: Client, url: str) -> str:
    """Open the page until it comes from the cache (the first visit may read a conversation or
    remember a visit, which moves a version the page holds to), then once more to check."""
    for _ in range(3):
        page(client, url)
    with CaptureQueriesContext(connection) as queries:
        html = page(client, url)
    # The session and the user only: the page itself cost nothing.
    assert len(queries) <= 2, [q["sql"] for q in queries]
    return html


@pytest.fixture
def ticket(world: World) -> Ticket:
    return TicketFactory(
        number="00007001",
        company=world.companies["A"],
        contact=world.users["cust_a"],
        subject="Компрессор шумит",
    )


@pytest.fixture
def customer(world: World) -> Client:
    return login(Client(headers={"accept-language": "en"}), world.users["cust_a"])


@pytest.fixture
def staff(world: World) -> Client:
    return login(Client(headers={"accept-language": "en"}), world.users["dispatcher"])


def detail(ticket: Ticket) -> str:
    return reverse("portal:ticket_detail", args=[ticket.number])


def staff_page(ticket: Ticket) -> str:
    return reverse("backoffice:ticket_detail", args=[ticket.number])


def test_a_page_opened_again_costs_no_query(customer: Client, ticket: Ticket) -> None:
    html = warm(customer, LIST)
    assert "Компрессор шумит" in html


def test_off_without_a_shared_cache(settings: Any, customer: Client, ticket: Ticket) -> None:
    settings.PAGE_CACHE = False
    page(customer, LIST)
    page(customer, LIST)
    with CaptureQueriesContext(connection) as queries:
        page(customer, LIST)
    assert len(queries) > 2


def _rename(world: World, ticket: Ticket) -> str:
    services.ticket_update(
        by=world.users["dispatcher"], ticket=ticket, changes={"subject": "Компрессор молчит"}
    )
    return "Компрессор молчит"


def _new_ticket(world: World, ticket: Ticket) -> str:
    TicketFactory(company=world.companies["A"], contact=world.users["cust_a"], subject="Новая")
    return "Новая"


def _assignee_renamed(world: World, ticket: Ticket) -> str:
    services.ticket_assign(
        by=world.users["dispatcher"], ticket=ticket, assignee=world.users["engineer"]
    )
    engineer = world.users["engineer"]
    engineer.full_name = "Пётр Инженеров"
    engineer.save()
    return "Пётр Инженеров"


def _company_renamed(world: World, ticket: Ticket) -> str:
    company = world.companies["A"]
    company.name = "Альфа Переименована"
    company.save()
    return "Альфа Переименована"


def _staff_message(world: World, ticket: Ticket) -> str:
    message_post(by=world.users["dispatcher"], ticket=ticket, body="Выезжаем завтра")
    return "Выезжаем завтра"


def _customer_message(world: World, ticket: Ticket) -> str:
    message_post(by=world.users["cust_a"], ticket=ticket, body="Ждём вас")
    return "Ждём вас"


def _resolved(world: World, ticket: Ticket) -> str:
    dispatcher = world.users["dispatcher"]
    ticket = services.ticket_assign(by=dispatcher, ticket=ticket, assignee=dispatcher)
    services.ticket_transition(
        by=dispatcher, ticket=ticket, code="resolve", resolution="Заменили подшипник"
    )
    return "Заменили подшипник"


CHANGES: dict[str, Callable[[World, Ticket], str]] = {
    "subject edited": _rename,
    "ticket filed": _new_ticket,
    "assignee renamed": _assignee_renamed,
    "company renamed": _company_renamed,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_the_customer_list_shows_every_change(
    world: World, customer: Client, ticket: Ticket, change: str
) -> None:
    assert "Компрессор шумит" in warm(customer, LIST)
    shown = CHANGES[change](world, ticket)
    assert shown in page(customer, LIST)


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_the_staff_queue_shows_every_change(
    world: World, staff: Client, ticket: Ticket, change: str
) -> None:
    url = "/backoffice/tickets/?view=all"
    warm(staff, url)
    shown = CHANGES[change](world, ticket)
    assert shown in page(staff, url)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ticket_filed_through_the_form_shows_on_every_cached_list(
    world: World, customer: Client, staff: Client, ticket: Ticket
) -> None:
    # Given the customer's list and the staff queue in the cache
    queue = "/backoffice/tickets/?view=all"
    warm(customer, LIST)
    warm(staff, queue)
    # When the customer files a ticket through the form, in a transaction that really commits:
    # filing moves the versions after the commit only (core/stamps.py: only_after_commit)
    response = customer.post(
        reverse("portal:ticket_new"),
        {
            "ticket_type": TicketType.objects.first().pk,
            "criticality": Criticality.objects.first().pk,
            "subject": "Подана через портал",
            "company": world.companies["A"].pk,
        },
    )
    assert response.status_code == 302
    # Then both lists show it at once
    assert "Подана через портал" in page(customer, LIST)
    assert "Подана через портал" in page(staff, queue)


TICKET_CHANGES: dict[str, Callable[[World, Ticket], str]] = {
    "subject edited": _rename,
    "staff reply": _staff_message,
    "customer message": _customer_message,
    "resolved": _resolved,
    "assignee renamed": _assignee_renamed,
}


@pytest.mark.parametrize("change", TICKET_CHANGES, ids=list(TICKET_CHANGES))
def test_the_ticket_pages_show_every_change(
    world: World, customer: Client, staff: Client, ticket: Ticket, change: str
) -> None:
    warm(customer, detail(ticket))
    warm(staff, staff_page(ticket))
    shown = TICKET_CHANGES[change](world, ticket)
    assert shown in page(customer, detail(ticket))
    assert shown in page(staff, staff_page(ticket))


def test_an_internal_note_shows_to_staff_and_never_to_the_customer(
    world: World, customer: Client, staff: Client, ticket: Ticket
) -> None:
    warm(customer, detail(ticket))
    warm(staff, staff_page(ticket))
    message_post(by=world.users["engineer"], ticket=ticket, body="Секретная заметка", internal=True)
    assert "Секретная заметка" in page(staff, staff_page(ticket))
    assert "Секретная заметка" not in page(customer, detail(ticket))


@pytest.mark.usefixtures("media")
def test_files_and_ratings_show(world: World, customer: Client, ticket: Ticket) -> None:
    warm(customer, detail(ticket))
    services.ticket_attachments_add(
        by=world.users["dispatcher"],
        ticket=ticket,
        files=[SimpleUploadedFile("schema.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")],
    )
    assert "schema.pdf" in page(customer, detail(ticket))
    _resolved(world, ticket)
    html = warm(customer, detail(ticket))
    assert 'data-testid="survey-form"' in html
    assert 'data-testid="survey-given"' not in html
    scores = dict.fromkeys(SurveyCriterion.objects.values_list("pk", flat=True), 4)
    survey_submit(ticket=ticket, respondent=world.users["cust_a"], scores=scores)
    assert 'data-testid="survey-given"' in page(customer, detail(ticket))


def test_the_inbox_shows_new_messages_and_reads(
    world: World, customer: Client, ticket: Ticket
) -> None:
    message_post(by=world.users["dispatcher"], ticket=ticket, body="Первое")
    html = warm(customer, "/portal/messages/")
    assert "Первое" in html
    message_post(by=world.users["dispatcher"], ticket=ticket, body="Второе")
    assert "Второе" in page(customer, "/portal/messages/")
    assert 'data-testid="nav-badge-messages"' in page(customer, "/portal/messages/?filter=unread")
    conversation_read(user=world.users["cust_a"], ticket=ticket)
    assert "Второе" not in page(customer, "/portal/messages/?filter=unread")


def test_losing_the_company_hides_its_cached_pages_at_once(
    world: World, customer: Client, ticket: Ticket
) -> None:
    warm(customer, detail(ticket))
    assert "Компрессор шумит" in warm(customer, LIST)
    # Deleted one by one (signals), as the people pages do; no other row changes meanwhile.
    for membership in Membership.objects.filter(user=world.users["cust_a"]):
        membership.delete()
    assert customer.get(detail(ticket)).status_code == 404
    assert "Компрессор шумит" not in page(customer, LIST)


def test_a_company_switched_off_hides_its_cached_pages(
    world: World, customer: Client, ticket: Ticket
) -> None:
    warm(customer, detail(ticket))
    company = world.companies["A"]
    company.is_active = False
    company.save()
    assert customer.get(detail(ticket)).status_code == 404


def test_a_ticket_moved_to_another_company_is_gone_from_the_cached_page(
    world: World, customer: Client, ticket: Ticket
) -> None:
    warm(customer, detail(ticket))
    ticket.company = world.companies["B"]
    ticket.save()
    assert customer.get(detail(ticket)).status_code == 404


def test_each_person_and_session_gets_their_own_page(
    world: World, customer: Client, ticket: Ticket
) -> None:
    html = warm(customer, detail(ticket))
    colleague = MembershipFactory(company=world.companies["A"]).user
    other = login(Client(headers={"accept-language": "en"}), colleague)
    # Not the first customer's page: their own (their name in the menu, their CSRF token).
    assert colleague.email in page(other, detail(ticket))
    # A new session (signed in again) gets a page with its own CSRF token.
    again = login(Client(headers={"accept-language": "en"}), world.users["cust_a"])
    token = 'name="csrfmiddlewaretoken" value="'
    fresh = page(again, detail(ticket))
    assert html.split(token)[1][:64] != fresh.split(token)[1][:64]
    response = again.post(
        reverse("portal:ticket_follow", args=[ticket.number]),
        {"csrfmiddlewaretoken": fresh.split(token)[1].split('"')[0]},
    )
    assert response.status_code == 302


def test_the_language_and_the_profile_change_the_page(
    world: World, customer: Client, ticket: Ticket
) -> None:
    warm(customer, LIST)
    user = world.users["cust_a"]
    user.language = "ru"
    user.save()
    assert "Заявки компании" in page(customer, LIST)
    user.full_name = "Анна Новофамильная"
    user.save()
    assert "Анна Новофамильная" in page(customer, LIST)


def test_a_flash_message_is_shown_not_a_cached_page(
    world: World, customer: Client, ticket: Ticket
) -> None:
    follow = reverse("portal:ticket_follow", args=[ticket.number])
    customer.post(follow, {"action": "follow"})
    assert "You follow this ticket now." in page(customer, detail(ticket))
    warm(customer, detail(ticket))
    # Following again changes nothing (no version moves) but says so: not the cached page.
    assert customer.post(follow, {"action": "follow"}).status_code == 302
    assert "You follow this ticket now." in page(customer, detail(ticket))
    # Shown once; then the cached page again.
    assert "You follow this ticket now." not in warm(customer, detail(ticket))


def test_a_cached_ticket_page_still_counts_as_viewed(world: World, customer: Client) -> None:
    first = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    second = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    warm(customer, detail(first))
    warm(customer, detail(second))
    recent = "/portal/?view=recent"
    html = page(customer, recent)
    assert html.index(second.number) < html.index(first.number)
    # Straight from the cache: still moves to the top of "recently viewed".
    with CaptureQueriesContext(connection) as queries:
        page(customer, detail(first))
    assert any("tickets_ticketview" in q["sql"] for q in queries)
    html = page(customer, recent)
    assert html.index(first.number) < html.index(second.number)
    assert TicketView.objects.filter(user=world.users["cust_a"]).count() == 2


def test_a_cached_list_is_still_remembered(world: World, customer: Client, ticket: Ticket) -> None:
    warm(customer, "/portal/?view=mine")
    page(customer, LIST)
    page(customer, "/portal/?view=mine")  # from the cache: remembered all the same
    response = customer.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].endswith("?view=mine")


def test_the_htmx_part_and_the_whole_page_are_kept_apart(customer: Client, ticket: Ticket) -> None:
    whole = warm(customer, LIST)
    part = customer.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in whole
    assert "<html" not in part
    assert "<html" in page(customer, LIST)


def test_a_deadline_passing_shows_at_once(world: World, customer: Client) -> None:
    """Nothing is saved when a deadline passes: the page is kept only until then."""
    with time_machine.travel("2026-10-14 09:00:00+00:00", tick=False) as clock:
        due = timezone.now() + timedelta(seconds=20)
        late = TicketFactory(
            company=world.companies["A"], contact=world.users["cust_a"], due_at=due
        )
        assert 'data-testid="overdue"' not in warm(customer, LIST)
        assert "· overdue" not in warm(customer, detail(late))
        clock.shift(timedelta(seconds=21))  # well within PAGE_CACHE_SECONDS
        assert 'data-testid="overdue"' in page(customer, LIST)
        assert "· overdue" in page(customer, detail(late))


def test_the_staff_page_follows_workloads_and_new_staff_not_every_edit(
    world: World, staff: Client, ticket: Ticket
) -> None:
    engineer = world.users["engineer"]
    html = warm(staff, staff_page(ticket))
    assert f"{engineer.full_name} — 0 open" in html
    # Another ticket assigned to the engineer: their open count moves.
    other = TicketFactory(company=world.companies["B"], contact=world.users["cust_b"])
    services.ticket_assign(by=world.users["dispatcher"], ticket=other, assignee=engineer)
    assert f"{engineer.full_name} — 1 open" in warm(staff, staff_page(ticket))
    # An edit of another ticket that changes nobody's workload: still from the cache.
    services.ticket_update(by=world.users["dispatcher"], ticket=other, changes={"subject": "x"})
    with CaptureQueriesContext(connection) as queries:
        page(staff, staff_page(ticket))
    assert len(queries) <= 2
    # A new engineer can be chosen at once.
    newcomer = UserFactory(engineer=True, full_name="Новый Инженер")
    assert f"{newcomer.full_name} — 0 open" in page(staff, staff_page(ticket))
