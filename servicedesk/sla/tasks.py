"""The SLA check, run every minute by the Huey consumer.

Dispatchers get an email when a first-response or resolution deadline is near
(settings.SLA_WARNING_MINUTES) and when it has passed — once per ticket and threshold, recorded
as an SlaNotification — and a notification on their bell (notifications app) for the same
tickets, so each threshold fires once in both. Each dispatcher's notification preferences for
deadlines (email, in-app) apply. The emails go through the outbound log (servicedesk.mail) like
every other email about a ticket: its thread headers, retries with backoff when the mail server
is down, and the administrators' «Outgoing mail» page.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from servicedesk.accounts.models import Role, User
from servicedesk.core.mail import render_mail
from servicedesk.mail.services import Outgoing, outbound_queue_many
from servicedesk.mail.tasks import mail_send_many
from servicedesk.notifications.models import Event
from servicedesk.notifications.preferences import EMAIL, IN_APP, Choices
from servicedesk.notifications.services import notify
from servicedesk.sla import hooks
from servicedesk.sla.models import SlaNotification
from servicedesk.tickets.models import Status, Ticket

logger = logging.getLogger(__name__)

# Waiting tickets have their clock stopped; resolved, closed and cancelled ones are done.
RUNNING_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
CHUNK_SIZE = 200

Kind = SlaNotification.Kind


@dataclass
class CheckResult:
    notified: dict[str, int] = field(default_factory=dict)
    emails: int = 0


def _thresholds(now: datetime, soon: datetime) -> list[tuple[str, Q, str]]:
    """(kind, condition, deadline field) — breaches first: a ticket found already past its
    deadline is told it is overdue, not that it soon will be."""
    unanswered = Q(first_responded_at__isnull=True)
    return [
        (
            Kind.RESPONSE_BREACH,
            unanswered & Q(first_response_due_at__lte=now),
            "first_response_due_at",
        ),
        (
            Kind.RESPONSE_WARNING,
            unanswered & Q(first_response_due_at__gt=now, first_response_due_at__lte=soon),
            "first_response_due_at",
        ),
        (Kind.RESOLUTION_BREACH, Q(due_at__lte=now), "due_at"),
        (Kind.RESOLUTION_WARNING, Q(due_at__gt=now, due_at__lte=soon), "due_at"),
    ]


def _ticket_url(ticket: Ticket) -> str:
    try:
        path = reverse("backoffice:ticket_detail", args=[ticket.number])
    except NoReverseMatch:  # the back office's ticket page arrives with the workflow
        path = reverse("backoffice:dashboard")
    return str(settings.SITE_URL).rstrip("/") + path


def _messages(
    tickets: list[Ticket], kind: str, deadline_field: str, recipients: list[User], now: datetime
) -> list[Outgoing]:
    messages = []
    for ticket in tickets:
        deadline = getattr(ticket, deadline_field)
        for user in recipients:
            assert user.email  # noqa: S101 (filtered in the query)
            context = {
                "ticket": ticket,
                "kind": kind,
                "headline": Kind(kind).label,
                "is_breach": kind in (Kind.RESPONSE_BREACH, Kind.RESOLUTION_BREACH),
                "is_response": kind in (Kind.RESPONSE_BREACH, Kind.RESPONSE_WARNING),
                "deadline": deadline,
                "minutes": abs(int((deadline - now).total_seconds() // 60)),
                "recipient": user,
                "recipient_tz": user.time_zone or settings.TIME_ZONE,
                "ticket_url": _ticket_url(ticket),
            }
            email = render_mail(
                "sla/email/deadline", context, to=[user.email], language=user.language
            )
            key = f"sla:{kind}:{ticket.pk}:{user.pk}"
            messages.append(Outgoing(email, key=key, ticket=ticket, user=user))
    return messages


@dataclass
class Recipients:
    email: list[User]
    bell: list[User]


def _notify_chunk(
    kind: str, condition: Q, deadline_field: str, recipients: Recipients, now: datetime
) -> tuple[int, int]:
    """Claim and notify up to CHUNK_SIZE tickets; (tickets claimed, emails queued). The
    emails go through the outbound log (servicedesk.mail): an SMTP failure is retried with
    backoff and shown to administrators, the claim stands."""
    already = SlaNotification.objects.filter(ticket=OuterRef("pk"), kind=kind)
    with transaction.atomic():
        # (status, due_at) is indexed; `already` is an anti-join on the unique (ticket, kind).
        tickets = list(
            Ticket.objects.filter(status__in=RUNNING_STATUSES)
            .filter(condition)
            .filter(~Exists(already))
            .select_related("company")
            .order_by(deadline_field, "pk")[:CHUNK_SIZE]
        )
        if not tickets:
            return 0, 0
        SlaNotification.objects.bulk_create(
            [SlaNotification(ticket=t, kind=kind, created_at=now) for t in tickets],
            ignore_conflicts=True,
        )
        # Another run may have claimed some meanwhile: notify only the rows this run wrote.
        claimed = dict(
            SlaNotification.objects.filter(
                kind=kind, ticket_id__in=[t.pk for t in tickets], created_at=now
            ).values_list("ticket_id", "pk")
        )
        mine = [t for t in tickets if t.pk in claimed]
        messages = _messages(mine, kind, deadline_field, recipients.email, now)
        queued = outbound_queue_many(messages, kind=kind)
        notify(users=recipients.bell, kind=kind, tickets=mine)
        hooks.deadline(kind=kind, tickets=mine, deadline_field=deadline_field)  # webhooks
    if queued:
        mail_send_many(queued)
    return len(tickets), len(queued)


def sla_check_run(now: datetime) -> CheckResult:
    """Notify dispatchers of deadlines near or passed at `now`. Idempotent: a ticket is told
    of each threshold once. Touches only running tickets (open, not waiting) whose deadline is
    before now + SLA_WARNING_MINUTES and not yet notified, CHUNK_SIZE at a time: four queries
    per chunk, plus two for the dispatchers and their preferences."""
    soon = now + timedelta(minutes=settings.SLA_WARNING_MINUTES)
    dispatchers = list(User.objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk"))
    choices = Choices([user.pk for user in dispatchers], [Event.DEADLINE])
    recipients = Recipients(
        email=[
            user
            for user in dispatchers
            if user.email and choices.wants(user.pk, Event.DEADLINE, EMAIL)
        ],
        bell=[user for user in dispatchers if choices.wants(user.pk, Event.DEADLINE, IN_APP)],
    )
    result = CheckResult()
    for kind, condition, deadline_field in _thresholds(now, soon):
        while True:
            count, emails = _notify_chunk(kind, condition, deadline_field, recipients, now)
            if not count:
                break
            result.notified[kind] = result.notified.get(kind, 0) + count
            result.emails += emails
    if result.notified:
        logger.info("SLA check: %s, %d emails", result.notified, result.emails)
    return result


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-check")
def sla_check() -> None:
    """Every minute: deadline warnings and breaches (see sla_check_run). The lock keeps a slow
    run from overlapping the next one."""
    sla_check_run(timezone.now())
