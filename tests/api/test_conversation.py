"""Messages, read markers, attachments and the survey over the API: customers never see
internal notes, files go through the same checks (too large: 413), foreign tickets and files
answer 404 as missing ones, and every refusal stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.conversations.models import Message, SurveyResponse
from servicedesk.conversations.services import message_post
from servicedesk.tickets.models import TicketAttachment
from tests.api.conftest import error_of
from tests.conftest import PNG
from tests.conversations.test_surveys import criteria, resolved_ticket
from tests.factories import TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def ticket(world) -> Any:
    return TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])


def test_customers_never_see_internal_notes(world, ticket, api_for):
    message_post(by=world.users["engineer"], ticket=ticket, body="Публичный ответ")
    message_post(by=world.users["engineer"], ticket=ticket, body="SECRET note", internal=True)
    url = f"/api/v1/tickets/{ticket.number}/messages"

    customer = api_for(world.users["cust_a"]).get(url).json()["items"]
    staff = api_for(world.users["dispatcher"]).get(url).json()["items"]

    assert [m["body"] for m in customer] == ["Публичный ответ"]
    assert [m["internal"] for m in staff] == [False, True]


def test_post_messages_and_page_through_them(world, ticket, api_for):
    client = api_for(world.users["cust_a"])
    url = f"/api/v1/tickets/{ticket.number}/messages"

    for n in range(5):
        assert client.post(url, {"body": f"сообщение {n}"}).status_code == 201
    first = client.get(url, {"limit": 3}).json()
    second = client.get(url, {"limit": 3, "cursor": first["next_cursor"]}).json()

    bodies = [m["body"] for m in first["items"] + second["items"]]
    assert bodies == [f"сообщение {n}" for n in range(5)]
    assert second["next_cursor"] is None


def test_a_customer_cannot_write_an_internal_note(world, ticket, api_for):
    response = api_for(world.users["cust_a"]).post(
        f"/api/v1/tickets/{ticket.number}/messages", {"body": "x", "internal": True}
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "internal"
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", [{"body": ""}, {"body": 5}, {"text": "x"}, {"body": "x" * 10_001}])
def test_bad_messages_are_refused(world, ticket, api_for, body):
    response = api_for(world.users["cust_a"]).post(
        f"/api/v1/tickets/{ticket.number}/messages", body
    )

    assert response.status_code == 422
    assert not Message.objects.exists()


def test_a_foreign_tickets_conversation_is_404(world, ticket, api_for):
    client = api_for(world.users["cust_b"])
    base = f"/api/v1/tickets/{ticket.number}"

    assert client.get(f"{base}/messages").status_code == 404
    assert client.post(f"{base}/messages", {"body": "x"}).status_code == 404
    assert client.post(f"{base}/read", {}).status_code == 404
    assert client.get(f"{base}/attachments").status_code == 404
    assert client.get(f"{base}/survey").status_code == 404
    assert not Message.objects.exists()


def test_read_markers(world, ticket, api_for):
    message_post(by=world.users["engineer"], ticket=ticket, body="ответ")
    client = api_for(world.users["cust_a"])

    response = client.post(f"/api/v1/tickets/{ticket.number}/read", {})

    assert response.status_code == 200
    assert response.json() == {"changed": True}
    assert client.post(f"/api/v1/tickets/{ticket.number}/read", {}).json() == {"changed": False}


def test_upload_and_download_a_file_with_the_permission_check(world, ticket, api_for):
    client = api_for(world.users["cust_a"])
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")

    response = client.multipart(f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]})

    assert response.status_code == 201, response.content
    item = response.json()[0]
    download = client.get(item["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    foreign = api_for(world.users["cust_b"]).get(item["url"])
    missing = client.get(f"/api/v1/tickets/{ticket.number}/attachments/99999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(world, ticket, api_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")

    response = api_for(world.users["cust_a"]).multipart(
        f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]}
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not TicketAttachment.objects.exists()


def test_a_disguised_file_is_refused(world, ticket, api_for):
    upload = SimpleUploadedFile("report.pdf", PNG, content_type="application/pdf")

    response = api_for(world.users["cust_a"]).multipart(
        f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]}
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_file"
    assert not TicketAttachment.objects.exists()


def test_a_customer_rates_once_and_staff_read_it(world, api_for):
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    url = f"/api/v1/tickets/{ticket.number}/survey"
    customer = api_for(world.users["cust_a"])

    partial = customer.post(url, {"scores": {str(quality.pk): 5}})
    assert partial.status_code == 422
    assert not SurveyResponse.objects.exists()
    done = customer.post(url, {"scores": {str(quality.pk): 5, str(speed.pk): 4}, "comment": "ok"})
    assert done.status_code == 201, done.content
    again = customer.post(url, {"scores": {str(quality.pk): 1, str(speed.pk): 1}})
    assert again.status_code == 400
    assert error_of(again)["code"] == "rated"

    staff = api_for(world.users["engineer"]).get(url).json()
    assert staff["rated"] is True
    assert sorted(r["score"] for r in staff["ratings"]) == [4, 5]


def test_staff_cannot_rate(world, api_for):
    quality, speed = criteria()
    ticket = resolved_ticket(world)

    response = api_for(world.users["dispatcher"]).post(
        f"/api/v1/tickets/{ticket.number}/survey",
        {"scores": {str(quality.pk): 5, str(speed.pk): 5}},
    )

    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()
