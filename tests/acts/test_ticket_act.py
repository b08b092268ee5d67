"""A ticket's act end to end: staff issue it once the works are recorded (number and date fixed
then), the customer reads it on the ticket — page and PDF, in their language, without the works'
internal notes — and nobody else gets it."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.acts.models import Act
from tests.acts.test_rendering import flat, needs_poppler, pdf_text
from tests.conftest import login
from tests.works.conftest import Works, works  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def issue(client: Client, w: Works) -> object:
    return client.post(reverse("backoffice:ticket_act_issue", args=[w.ticket.number]))


def test_staff_issue_the_act_once_there_are_works(works: Works, client: Client) -> None:  # noqa: F811
    works.dispatcher.language = "en"
    works.dispatcher.save()
    login(client, works.dispatcher)
    url = reverse("backoffice:ticket_act_issue", args=[works.ticket.number])
    refused = client.post(url, follow=True).content.decode()
    assert "Record the completed works first" in refused
    assert not Act.objects.exists()  # no works yet: refused, nothing made
    works.add()
    assert issue(client, works).status_code == 302
    act = Act.objects.get()
    assert act.number == works.ticket.number  # the default mask: the ticket's number
    assert act.issued_by == works.dispatcher
    # A second time changes nothing, and says so.
    again = client.post(url, follow=True).content.decode()
    assert "issued already" in again
    assert Act.objects.count() == 1


def test_an_engineer_of_another_ticket_cannot_issue_it(works: Works, client: Client) -> None:  # noqa: F811
    works.add()
    works.ticket.assignee = None
    works.ticket.save()
    login(client, works.engineer)
    assert issue(client, works).status_code == 404
    assert not Act.objects.exists()


@needs_poppler
def test_the_customer_reads_the_act_in_their_language(
    works: Works,  # noqa: F811
    client: Client,
    tmp_path: Path,
) -> None:
    works.add()
    login(Client(), works.dispatcher).post(
        reverse("backoffice:ticket_act_issue", args=[works.ticket.number])
    )
    customer = works.world.users["cust_a"]
    customer.language = "en"
    customer.save()
    login(client, customer)
    number = works.ticket.number
    page = client.get(reverse("portal:ticket_detail", args=[number])).content.decode()
    assert 'data-testid="act-tab"' in page
    html = client.get(reverse("portal:ticket_act", args=[number])).content.decode()
    # 1 500 for the repair + 2 h × 500 (10:00–11:35 billed as 2 h) + 3 × 120.50 seals
    for text in ("Act of completed work", "Repair", "Pump seal", "2,861.50"):
        assert text in html, text
    assert "Customer's cat bites." not in html  # the internal note stays inside
    pdf = client.get(reverse("portal:ticket_act_pdf", args=[number]))
    assert pdf["Content-Type"] == "application/pdf"
    text = flat(pdf_text(pdf.content, tmp_path))
    assert "two thousand, eight hundred and sixty-one" in text.lower()
    assert "cat bites" not in text


@needs_poppler
def test_a_russian_reader_gets_the_russian_act(
    works: Works,  # noqa: F811
    client: Client,
    tmp_path: Path,
) -> None:
    works.add()
    Act.objects.create(
        ticket=works.ticket,
        number="A-1",
        issued_on=works.ticket.created_at.date(),
        issued_by=works.dispatcher,
    )
    login(client, works.world.users["cust_a"])
    pdf = client.get(reverse("portal:ticket_act_pdf", args=[works.ticket.number]))
    text = flat(pdf_text(pdf.content, tmp_path))
    assert "A-1" in text  # the number as issued
    assert "Две тысячи восемьсот шестьдесят один рубль 50 копеек" in text


@pytest.mark.parametrize("reader", ["cust_b", "cust_none", "cust_a_before_issue"])
def test_nobody_else_gets_the_act(works: Works, client: Client, reader: str) -> None:  # noqa: F811
    works.add()
    if reader != "cust_a_before_issue":
        Act.objects.create(
            ticket=works.ticket,
            number="A-1",
            issued_on=works.ticket.created_at.date(),
            issued_by=works.dispatcher,
        )
    user = works.world.users["cust_a" if reader == "cust_a_before_issue" else reader]
    login(client, user)
    number = works.ticket.number
    for name in ("portal:ticket_act", "portal:ticket_act_pdf"):
        assert client.get(reverse(name, args=[number])).status_code == 404
    # And customers never reach the back office's act.
    for name in ("backoffice:ticket_act", "backoffice:ticket_act_pdf"):
        assert client.get(reverse(name, args=[number])).status_code in (302, 403, 404)
    assert client.post(reverse("backoffice:ticket_act_issue", args=[number])).status_code in (
        302,
        403,
        404,
    )
    assert Act.objects.count() == (0 if reader == "cust_a_before_issue" else 1)


def test_staff_read_the_act_and_the_works_tab_offers_it(works: Works, client: Client) -> None:  # noqa: F811
    works.add()
    login(client, works.dispatcher)
    number = works.ticket.number
    tab = client.get(reverse("backoffice:ticket_works", args=[number])).content.decode()
    assert 'data-testid="act-issue"' in tab
    issue(client, works)
    tab = client.get(reverse("backoffice:ticket_works", args=[number])).content.decode()
    assert 'data-testid="act-issue"' not in tab and 'data-testid="act-open"' in tab
    assert client.get(reverse("backoffice:ticket_act", args=[number])).status_code == 200
    assert client.get(reverse("backoffice:ticket_act_pdf", args=[number])).status_code == 200
