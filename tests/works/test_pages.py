"""The «Works» tab of the staff ticket page, through the test client: the list with amounts, the
forms without JavaScript (rows added by the server, errors beside their fields, what was typed
kept), who may do what, customers kept out of every address, a fixed number of queries."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets.models import Status, TicketEvent
from servicedesk.works.models import CompletedWork, WorkEngineer, WorkPhoto
from servicedesk.works.services import EngineerLine, work_add
from tests.conftest import PNG, login
from tests.core.test_english_pages import cyrillic_in
from tests.factories import TicketFactory
from tests.works.conftest import Works, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
EN = {"accept-language": "en"}


def url(name: str, works: Works, *args: Any) -> str:
    return reverse(f"backoffice:{name}", args=[works.ticket.number, *args])


def page(client: Client, address: str) -> str:
    response = client.get(address, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def form_data(works: Works, **overrides: Any) -> dict[str, Any]:
    """What the form posts for a repair by the engineer (10:00–11:35) and the dispatcher
    (10:00–10:30, at 450/h), with 3 seals of the list and 2.5 m of a typed hose."""
    data: dict[str, Any] = {
        "work_type": works.repair.pk,
        "comment": "Replaced the pump seal.",
        "internal_note": "Ring twice.",
        "engineers-TOTAL_FORMS": "2",
        "engineers-INITIAL_FORMS": "1",
        "engineers-0-engineer": works.engineer.pk,
        "engineers-0-hourly_rate": "",
        "engineers-0-started_at": "2026-03-02T10:00",
        "engineers-0-finished_at": "2026-03-02T11:35",
        "engineers-1-engineer": works.dispatcher.pk,
        "engineers-1-hourly_rate": "450",
        "engineers-1-started_at": "2026-03-02T10:00",
        "engineers-1-finished_at": "2026-03-02T10:30",
        "materials-TOTAL_FORMS": "3",
        "materials-INITIAL_FORMS": "1",
        "materials-0-material": works.seal.pk,
        "materials-0-quantity": "3",
        "materials-1-material": "",
        "materials-1-name": "Hose",
        "materials-1-quantity": "2.5",
        "materials-1-unit": "m",
        "materials-1-price": "10.10",
        # a spare row left empty
        "materials-2-material": "",
        "materials-2-name": "",
        "materials-2-quantity": "",
        "materials-2-unit": "",
        "materials-2-price": "",
    }
    return data | overrides


# --- The list ------------------------------------------------------------------------------------


def test_the_tab_lists_each_work_with_its_amounts_and_the_total(
    works: Works, client: Client
) -> None:
    works.add()
    works.add(
        work_type=works.diagnostics,
        engineers=[EngineerLine(works.dispatcher, at(9), at(9, 20))],
        materials=[],
        internal_note="",
    )
    login(client, works.dispatcher)
    html = page(client, url("ticket_works", works))
    assert html.count('data-testid="work"') == 2
    assert html.index("Diagnostics") < html.index("Repair")  # oldest first
    # 500 ₽/h × 1 h 35 min → 2 h → 1,000.00; 3 × 120.50 = 361.50; 1,500 + 1,000 + 361.50
    assert 'data-testid="engineer-hours">2 h<' in html
    assert 'data-testid="engineer-amount">1,000.00\xa0₽<' in html
    assert 'data-testid="material-amount">361.50\xa0₽<' in html
    assert 'data-testid="work-amount">2,861.50\xa0₽<' in html
    assert 'data-testid="work-amount">1,200.00\xa0₽<' in html  # 800 + 1 h × 400
    assert 'data-testid="works-total">4,061.50\xa0₽<' in html
    assert "Pump seal" in html and "3 pcs" in html
    assert "Replaced the pump seal." in html
    note = html[html.index('data-testid="work-note"') :]
    assert "Internal note" in note[:400] and "Customer&#x27;s cat bites." in note[:600]
    assert html.count('data-testid="work-edit"') == 2
    assert f"{works.ticket.equipment}" in html  # the place, shown


def test_the_ticket_page_has_the_tab_with_the_count(works: Works, client: Client) -> None:
    works.add()
    login(client, works.dispatcher)
    html = page(client, url("ticket_detail", works))
    assert 'data-testid="works-count">1<' in html
    assert url("ticket_works", works) in html
    # And its timeline tells staff of the work
    assert "Work added" in html and "Repair, 2 h" in html


@pytest.mark.parametrize("count", [1, 10])
def test_the_tab_runs_the_same_queries_whatever_the_number_of_works(
    works: Works, client: Client, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        works.add()
    login(client, works.dispatcher)
    reference_rows(WorkType)  # warm, as every other page leaves it
    client.get(url("ticket_works", works), headers=EN)  # the session's first request
    with django_assert_num_queries(QUERIES):
        html = page(client, url("ticket_works", works))
    assert html.count('data-testid="work"') == count


# The session, the user, the ticket, its site, its equipment and the equipment's site
# (tickets/access.py), the works, their engineers, materials and photos (works/selectors.py),
# and the ticket's act.
QUERIES = 11


def test_an_empty_tab_invites_to_record_the_first_work(works: Works, client: Client) -> None:
    login(client, works.engineer)
    html = page(client, url("ticket_works", works))
    assert 'data-testid="works-empty"' in html
    assert 'data-testid="work-add"' in html
    assert 'data-testid="works-total">0.00\xa0₽<' in html


# --- Recording without JavaScript ----------------------------------------------------------------


def test_the_engineer_records_a_work_with_two_engineers_and_materials(
    works: Works, client: Client
) -> None:
    login(client, works.engineer)
    html = page(client, url("work_new", works))
    # The ticket's place is shown, not chosen; the assignee is the first engineer, with their rate
    assert 'data-testid="work-place"' in html and str(works.ticket.equipment) in html
    assert f'<option value="{works.engineer.pk}" selected data-rate="500.00">' in html

    photo = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    response = client.post(url("work_new", works), form_data(works, photos=[photo]))

    assert response.status_code == 302
    work = CompletedWork.objects.get()
    assert response["location"] == f"{url('ticket_works', works)}#work-{work.pk}"
    assert [(e.engineer, e.hourly_rate, e.hours) for e in work.engineers.all()] == [
        (works.engineer, Decimal("500.00"), 2),
        (works.dispatcher, Decimal("450.00"), 1),
    ]
    assert [(m.name, m.quantity, m.unit, m.price) for m in work.materials.all()] == [
        ("Уплотнение", Decimal("3.000"), "pcs", Decimal("120.50")),
        ("Hose", Decimal("2.500"), "m", Decimal("10.10")),
    ]
    assert (work.comment, work.internal_note) == ("Replaced the pump seal.", "Ring twice.")
    assert WorkPhoto.objects.get().name == "before.png"
    html = page(client, url("ticket_works", works))
    assert 'data-testid="work-amount">3,336.75\xa0₽<' in html  # 1500+1000+450+361.50+25.25
    photo_url = url("work_photo", works, work.pk, WorkPhoto.objects.get().pk)
    assert photo_url in html
    shown = client.get(photo_url + "?inline=1")
    assert shown.status_code == 200 and shown["content-type"] == "image/png"


@pytest.mark.parametrize("prefix", ["engineers", "materials"])
def test_add_a_row_without_javascript_keeps_what_was_typed(
    works: Works, client: Client, prefix: str
) -> None:
    login(client, works.engineer)
    data = form_data(works, add_row=prefix, comment="Half-typed comment")
    response = client.post(url("work_new", works), data, headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    total = int(data[f"{prefix}-TOTAL_FORMS"]) + 1
    assert f'name="{prefix}-TOTAL_FORMS" value="{total}"' in html
    assert f'name="{prefix}-{total - 1}-' in html
    assert "Half-typed comment" in html
    assert 'data-testid="row-error"' not in html
    assert not CompletedWork.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"engineers-0-finished_at": "2026-03-02T09:00"},
            "The end is before the start.",
            "finished_at",
        ),
        (
            {"engineers-0-finished_at": "2026-03-03T10:01"},
            "More than 24 hours for one engineer in one work",
            "finished_at",
        ),
        ({"engineers-1-hourly_rate": "-5"}, "Ensure this value is greater than", "hourly_rate"),
        ({"engineers-1-hourly_rate": "1000000"}, "Ensure this value is less than", "hourly_rate"),
        ({"materials-1-quantity": "0"}, "The quantity must be more than zero.", "quantity"),
        ({"materials-1-quantity": "1000000"}, "Ensure this value is less than", "quantity"),
        ({"materials-1-price": "-1"}, "Ensure this value is greater than", "price"),
        ({"materials-1-name": ""}, "Give the material", "name"),
        ({"materials-1-unit": ""}, "Choose a unit.", "unit"),
        ({"engineers-1-engineer": ""}, "Choose an engineer.", "engineer"),
        ({"work_type": ""}, "Choose the work type.", None),
    ],
)
def test_bad_values_come_back_beside_their_field_with_what_was_typed(
    works: Works, client: Client, changes: dict[str, str], message: str, field: str | None
) -> None:
    login(client, works.engineer)
    response = client.post(
        url("work_new", works), form_data(works, comment="Kept comment", **changes), headers=EN
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if field is not None:
        at_field = html[html.index(f'data-field="{field}"', html.index(message) - 2000) :]
        assert message in at_field[:2000]
    assert "Kept comment" in html
    assert not CompletedWork.objects.exists()
    assert not TicketEvent.objects.exists()


def test_no_engineer_and_twice_the_same_engineer_are_refused(works: Works, client: Client) -> None:
    login(client, works.engineer)
    twice = form_data(works, **{"engineers-1-engineer": works.engineer.pk})
    html = client.post(url("work_new", works), twice, headers=EN).content.decode()
    assert 'data-testid="engineers-error"' in html and "is given twice" in html
    none = form_data(works, **{"engineers-0-DELETE": "on", "engineers-1-DELETE": "on"})
    html = client.post(url("work_new", works), none, headers=EN).content.decode()
    assert "Add at least one engineer." in html
    assert not CompletedWork.objects.exists()


# --- Changing and deleting -----------------------------------------------------------------------


def test_a_work_is_changed_through_its_form(works: Works, client: Client) -> None:
    work = works.add()
    login(client, works.dispatcher)
    html = page(client, url("work_edit", works, work.pk))
    assert 'value="2026-03-02T10:00"' in html and 'value="2026-03-02T11:35"' in html
    assert 'name="version" value="1"' in html
    data = form_data(
        works,
        version="1",
        work_type=works.diagnostics.pk,
        **{
            "engineers-TOTAL_FORMS": "1",
            "engineers-0-finished_at": "2026-03-02T13:00",
            "materials-TOTAL_FORMS": "1",
            "materials-0-DELETE": "on",
        },
    )
    response = client.post(url("work_edit", works, work.pk), data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.work_type, work.version, work.materials.count()) == (works.diagnostics, 2, 0)
    assert [line.hours for line in work.engineers.all()] == [3]
    # The same form sent again is stale: refused, nothing changed
    response = client.post(
        url("work_edit", works, work.pk), data | {"comment": "Again"}, headers=EN
    )
    assert response.status_code == 400
    assert "Someone changed this work meanwhile" in response.content.decode()
    work.refresh_from_db()
    assert work.comment == "Replaced the pump seal."


def test_a_work_is_deleted(works: Works, client: Client) -> None:
    work = works.add()
    login(client, works.engineer)
    response = client.post(url("work_delete", works, work.pk), {"version": "1"})
    assert response.status_code == 302
    assert not CompletedWork.objects.exists() and not WorkEngineer.objects.exists()
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.WORK_DELETED).count() == 1


# --- Who may do what -----------------------------------------------------------------------------


def test_an_engineer_not_assigned_reads_the_works_and_changes_nothing(
    works: Works, client: Client
) -> None:
    work = works.add()
    works.ticket.assignee = works.dispatcher
    works.ticket.save()
    login(client, works.engineer)
    html = page(client, url("ticket_works", works))
    assert 'data-testid="work"' in html
    assert 'data-testid="work-add"' not in html and 'data-testid="work-edit"' not in html
    assert client.get(url("work_new", works)).status_code == 302
    client.post(url("work_new", works), form_data(works))
    client.post(url("work_edit", works, work.pk), form_data(works, version="1", comment="X"))
    response = client.post(
        url("work_delete", works, work.pk), {"version": "1"}, follow=True, headers=EN
    )
    assert "Only a dispatcher, an administrator or the ticket" in response.content.decode()
    assert CompletedWork.objects.get().comment == "Replaced the pump seal."
    assert TicketEvent.objects.count() == 1


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED])
def test_a_closed_tickets_works_are_shown_without_buttons(
    works: Works, client: Client, status: Status
) -> None:
    works.add()
    works.ticket.status = status
    works.ticket.save()
    login(client, works.dispatcher)
    html = page(client, url("ticket_works", works))
    assert 'data-testid="works-final"' in html
    assert 'data-testid="work-add"' not in html and 'data-testid="work-delete"' not in html


def work_addresses(works: Works, work: CompletedWork, photo: WorkPhoto) -> list[tuple[str, str]]:
    return [
        ("get", url("ticket_works", works)),
        ("get", url("work_new", works)),
        ("post", url("work_new", works)),
        ("get", url("work_edit", works, work.pk)),
        ("post", url("work_edit", works, work.pk)),
        ("post", url("work_delete", works, work.pk)),
        ("get", url("work_photo", works, work.pk, photo.pk)),
    ]


@pytest.mark.parametrize("who", ["cust_a", "cust_ab", "cust_site", "cust_b", "cust_none"])
def test_customers_get_404_from_every_works_address_and_change_nothing(
    works: Works, client: Client, who: str
) -> None:
    # Given a work on a ticket of the customer's own company (cust_a is its contact)
    photo = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    work = work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[photo])
    login(client, works.world.users[who])
    for method, address in work_addresses(works, work, WorkPhoto.objects.get()):
        response = getattr(client, method)(
            address, form_data(works, version="1") if method == "post" else None
        )
        assert response.status_code == 404, (method, address)
    assert CompletedWork.objects.get().version == 1
    assert TicketEvent.objects.count() == 1


def test_visitors_are_sent_to_sign_in(works: Works, client: Client) -> None:
    photo = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    work = work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[photo])
    for method, address in work_addresses(works, work, WorkPhoto.objects.get()):
        response = getattr(client, method)(address)
        assert response.status_code == 302 and "/accounts/login/" in response["location"]
    assert CompletedWork.objects.count() == 1


def test_a_work_is_reached_only_through_its_own_ticket(works: Works, client: Client) -> None:
    photo = SimpleUploadedFile("before.png", PNG, content_type="image/png")
    work = work_add(by=works.engineer, ticket=works.ticket, data=works.data(), photos=[photo])
    other = TicketFactory(company=works.world.companies["B"], assignee=works.engineer)
    login(client, works.dispatcher)
    photo_id = WorkPhoto.objects.get().pk
    for name, args in (
        ("work_edit", [work.pk]),
        ("work_photo", [work.pk, photo_id]),
        ("work_delete", [work.pk]),
    ):
        address = reverse(f"backoffice:{name}", args=[other.number, *args])
        method = client.post if name == "work_delete" else client.get
        assert method(address).status_code == 404
    assert client.get(url("work_edit", works, 10**9)).status_code == 404
    assert CompletedWork.objects.count() == 1


def test_the_customers_ticket_page_shows_no_work(works: Works, client: Client) -> None:
    works.add(comment="WORK-COMMENT", internal_note="WORK-NOTE")
    login(client, works.world.users["cust_a"])
    html = page(client, reverse("portal:ticket_detail", args=[works.ticket.number]))
    for secret in ("WORK-COMMENT", "WORK-NOTE", "Work added", "/works/"):
        assert secret not in html


def test_the_english_pages_have_no_russian_left(works: Works, client: Client) -> None:
    works.add()
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    work = CompletedWork.objects.get()
    for address in (
        url("ticket_works", works),
        url("work_new", works),
        url("work_edit", works, work.pk),
    ):
        assert cyrillic_in(page(client, address)) == [], address
