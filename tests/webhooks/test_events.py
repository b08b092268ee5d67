"""Each event reaches the webhooks subscribed to it, with its facts; a customer-facing webhook
gets its customer's tickets only and never an internal note, an SLA event or a staff-only
field, while a staff-only webhook gets everything staff see (internal notes marked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from servicedesk.acts.building import act_content
from servicedesk.acts.content import content_hash
from servicedesk.acts.services import Reader, act_issue, act_sign
from servicedesk.acts.signature import signature_png
from servicedesk.conversations.services import message_post
from servicedesk.conversations.survey_services import survey_submit
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import Criticality
from servicedesk.sla.tasks import sla_check_run
from servicedesk.tickets.models import Status
from servicedesk.tickets.services import ticket_assign, ticket_transition, ticket_update
from servicedesk.webhooks.models import Event, Webhook, WebhookDelivery
from servicedesk.webhooks.services import webhook_create
from tests.acts.test_signing import drawn
from tests.conversations.test_surveys import criteria, resolved_ticket
from tests.factories import TicketFactory
from tests.webhooks.helpers import file_ticket, hook
from tests.works.conftest import Works, works  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_allowed")]


def received(receiver, path):
    return [r.json for r in receiver.requests if r.path == path]


def test_status_assignment_and_field_changes_are_sent(world, receiver, commit):
    admin, dispatcher = world.users["admin"], world.users["dispatcher"]
    hook(
        admin,
        receiver,
        Event.TICKET_STATUS_CHANGED,
        Event.TICKET_ASSIGNED,
        Event.TICKET_UPDATED,
    )
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])

    commit(ticket_assign, by=dispatcher, ticket=ticket, assignee=world.users["engineer"])
    ticket.refresh_from_db()
    commit(ticket_transition, by=world.users["engineer"], ticket=ticket, code="start")
    ticket.refresh_from_db()
    commit(ticket_update, by=dispatcher, ticket=ticket, changes={"subject": "Boiler: no heat"})

    bodies = received(receiver, "/hook")
    assert [b["event"] for b in bodies] == [
        "ticket.status_changed",  # new → assigned, with the assignment
        "ticket.assigned",
        "ticket.status_changed",  # assigned → in progress
        "ticket.updated",
    ]
    first, assigned, second, updated = (b["data"] for b in bodies)
    assert assigned["assignee"]["id"] == world.users["engineer"].pk
    assert assigned["by"]["id"] == dispatcher.pk
    assert (first["old_status"], first["new_status"]) == ("new", "assigned")
    assert (second["old_status"], second["new_status"]) == ("assigned", "in_progress")
    assert updated["changes"] == ["subject"]
    assert updated["ticket"]["subject"] == "Boiler: no heat"
    assert receiver.signature_ok == [True] * 4


def test_nothing_is_sent_for_an_event_not_subscribed_to(world, receiver, commit):
    hook(world.users["admin"], receiver, Event.TICKET_ASSIGNED)
    commit(file_ticket, world.users["cust_a"], world.companies["A"])
    assert receiver.requests == []
    assert WebhookDelivery.objects.count() == 0


def test_internal_notes_never_reach_a_customer_facing_webhook(world, receiver, commit):
    admin, engineer = world.users["admin"], world.users["engineer"]
    a, b = world.companies["A"], world.companies["B"]
    hook(admin, receiver, Event.MESSAGE_CREATED, path="/staff")
    hook(
        admin,
        receiver,
        Event.MESSAGE_CREATED,
        path="/customer",
        customer_facing=True,
        company=a,
    )
    receiver.secret = ""  # two secrets: the signature is checked in test_delivery
    ticket = TicketFactory(company=a, contact=world.users["cust_a"], assignee=engineer)
    foreign = TicketFactory(company=b, contact=world.users["cust_b"], assignee=engineer)

    commit(message_post, by=engineer, ticket=ticket, body="Spare part costs 3x, ask boss")
    commit(message_post, by=engineer, ticket=ticket, body="We come tomorrow at 10.", internal=False)
    commit(message_post, by=world.users["cust_a"], ticket=ticket, body="Thank you!")
    commit(message_post, by=engineer, ticket=foreign, body="B's forklift is fixed.")
    commit(message_post, by=engineer, ticket=ticket, body="Note: secret code 1234", internal=True)

    staff = received(receiver, "/staff")
    customer = received(receiver, "/customer")
    assert [(m["data"]["message"]["body"], m["data"]["message"]["internal"]) for m in staff] == [
        ("Spare part costs 3x, ask boss", False),
        ("We come tomorrow at 10.", False),
        ("Thank you!", False),
        ("B's forklift is fixed.", False),
        ("Note: secret code 1234", True),
    ]
    assert [m["data"]["message"]["body"] for m in customer] == [
        "Spare part costs 3x, ask boss",
        "We come tomorrow at 10.",
        "Thank you!",
    ]  # not company B's, and never the internal note
    raw = b"".join(r.body for r in receiver.requests if r.path == "/customer")
    assert b"secret code" not in raw
    assert b"first_response_due_at" not in raw and b"contract_id" not in raw
    assert customer[0]["data"]["ticket"]["links"]["web"].endswith(
        f"/portal/tickets/{ticket.number}/"
    )
    assert "contract_id" in staff[0]["data"]["ticket"]
    # The deliveries the customer's webhook did not get were never made.
    customer_hook = Webhook.objects.get(customer_facing=True)
    assert WebhookDelivery.objects.filter(webhook=customer_hook).count() == 3


def test_a_customer_facing_webhook_needs_its_customer_and_takes_no_sla_events(world):
    admin = world.users["admin"]
    for values in (
        {"events": [Event.TICKET_CREATED]},
        {"events": [Event.SLA_BREACH], "company": world.companies["A"]},
    ):
        with pytest.raises(ApplicationError):
            webhook_create(
                by=admin, name="ACME ERP", url="https://93.184.216.34/", customer_facing=True,
                **values,
            )  # fmt: skip
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["dispatcher", "engineer", "cust_a"])
def test_only_an_administrator_registers_a_webhook(world, role):
    with pytest.raises(ApplicationError):
        webhook_create(
            by=world.users[role], name="x", url="https://93.184.216.34/", events=["ticket.created"]
        )
    assert Webhook.objects.count() == 0


def test_sla_warnings_and_breaches_go_to_staff_webhooks(world, receiver, commit):
    hook(world.users["admin"], receiver, Event.SLA_BREACH, Event.SLA_WARNING)
    now = timezone.now()
    late = TicketFactory(
        company=world.companies["A"], status=Status.NEW, due_at=now - timedelta(minutes=5)
    )
    commit(sla_check_run, now)
    bodies = received(receiver, "/hook")
    assert [(b["event"], b["data"]["ticket"]["number"]) for b in bodies] == [
        ("sla.breach", late.number)
    ]
    assert bodies[0]["data"]["kind"] == "resolution_breach"
    commit(sla_check_run, now)  # told once per threshold
    assert len(receiver.requests) == 1


def test_a_survey_answer_is_sent(world, receiver, commit):
    hook(world.users["admin"], receiver, Event.SURVEY_ANSWERED)
    quality, speed = criteria()
    ticket = resolved_ticket(world)
    commit(
        survey_submit,
        ticket=ticket,
        respondent=world.users["cust_a"],
        scores={quality.pk: 5, speed.pk: 4},
        comment="Fast and clean.",
    )
    (body,) = received(receiver, "/hook")
    survey = body["data"]["survey"]
    assert survey["scores"] == {"quality": 5, "speed": 4}
    assert survey["comment"] == "Fast and clean."
    assert survey["respondent"]["id"] == world.users["cust_a"].pk


def test_a_signed_act_is_sent(works, receiver, commit):  # noqa: F811
    w: Works = works
    hook(w.world.users["admin"], receiver, Event.ACT_SIGNED)
    w.add()
    act = act_issue(by=w.dispatcher, ticket=w.ticket)
    content = act_content(act, w.ticket, language="ru", time_zone=django_settings.TIME_ZONE)
    reader = Reader(
        user=w.world.users["cust_a"], language="ru", time_zone=django_settings.TIME_ZONE
    )
    commit(
        act_sign,
        reader=reader,
        ticket=w.ticket,
        version=1,
        seen_hash=content_hash(content),
        name="Анна Клиентова",
        position="Главный инженер",
        signature_png=signature_png(drawn()),
    )
    (body,) = received(receiver, "/hook")
    assert body["event"] == "act.signed"
    assert body["data"]["act"]["number"] == act.number
    assert body["data"]["act"]["signer_name"] == "Анна Клиентова"
    assert body["data"]["ticket"]["number"] == w.ticket.number


def test_criticality_change_by_a_dispatcher_is_an_update(world, receiver, commit):
    hook(world.users["admin"], receiver, Event.TICKET_UPDATED)
    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    other = Criticality.objects.exclude(pk=ticket.criticality_id).filter(is_active=True).first()
    commit(
        ticket_update,
        by=world.users["dispatcher"],
        ticket=ticket,
        changes={"criticality": other},
    )
    (body,) = received(receiver, "/hook")
    assert "criticality" in body["data"]["changes"]
    assert body["data"]["ticket"]["criticality"] == other.code
