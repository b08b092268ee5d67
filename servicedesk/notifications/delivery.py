"""Who hears about what, and how: the work of the notification tasks (tasks.py), which take ids,
read the state again and may run twice without telling anyone twice.

Each event names its recipients with the kind of notification each gets:

    event            customers (contact + customer          staff
                     followers who still see the ticket)
    ticket created   ticket_created (the contact's receipt); dispatchers: ticket_created
                     company_ticket: the company's other
                     members who see it (in-app by default)
    public message   message_new                            assignee + staff followers
                                                            (dispatchers while unassigned,
                                                            for a customer's message):
                                                            message_new
    internal note    —                                      assignee + staff followers: note_new
    status change    status_changed (when the stage the     assignee + staff followers:
                     customer reads changes),               status_changed (not for New →
                     ticket_resolved, ticket_closed         Assigned: the assignment says it)
    assigned         —                                      the new assignee: ticket_assigned

Nobody hears about their own action — except the contact's receipt of a ticket they filed
themselves (an email with the number, as every service desk sends; no bell). Inactive people
hear nothing, people without an email address get no email, and each person's preferences
(email, in-app, per event) and message digest apply.

The notifications (bell) and the emails (outbound log, servicedesk.mail) are written in one
transaction; the emails are handed to the worker once it has committed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from servicedesk.accounts.models import Membership, Role, User
from servicedesk.conversations.models import Message
from servicedesk.core.mail import render_mail
from servicedesk.mail.models import OutboundMessage
from servicedesk.mail.services import outbound_queue
from servicedesk.notifications.models import (
    Digest,
    DigestEntry,
    Notification,
    kind_event,
)
from servicedesk.notifications.preferences import EMAIL, IN_APP, Choices, digest_modes
from servicedesk.notifications.selectors import bell_changed
from servicedesk.tickets import workflow
from servicedesk.tickets.models import Origin, Status, Ticket, TicketFollower
from servicedesk.tickets.workflow import CUSTOMER_STATUS_LABELS

Kind = Notification.Kind
EMAIL_EXCERPT_CHARS = 2000
# Message emails a digest may collect instead of sending one by one.
DIGEST_KINDS = frozenset({Kind.MESSAGE_NEW, Kind.NOTE_NEW})
_TICKET_RELATED = (
    "contact",
    "company",
    "assignee",
    "created_by",
    "ticket_type",
    "criticality",
    "site",
    "equipment",
    "work_type",
    "contract",
    "product",
)


@dataclass
class Plan:
    """An event's notifications: (person, kind) pairs, and what the texts need."""

    key: str
    ticket: Ticket
    actor: User | None
    recipients: dict[int, tuple[User, str]] = field(default_factory=dict)
    message: Message | None = None
    data: dict[str, Any] = field(default_factory=dict)
    receipt_for: int | None = None  # the one person told of their own action (a receipt)
    files: list[str] = field(default_factory=list)  # the message's attachments, by name
    # Files made once for all recipients who read the same (the act's PDF per language and
    # time zone): key → (name, bytes), None when there is nothing to attach.
    attachments: dict[tuple[str, str], tuple[str, bytes] | None] = field(default_factory=dict)

    def add(self, users: Iterable[User], kind: str) -> None:
        for user in users:
            if user.pk not in self.recipients:
                self.recipients[user.pk] = (user, kind)


# --- Links -------------------------------------------------------------------------------------


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def ticket_link(ticket: Ticket, user: User) -> str:
    """The ticket's page for this person: the portal's for customers, the back office's for
    staff."""
    if user.is_customer and not user.has_usable_password():
        # A guest (filed without an account: servicedesk/intake) follows the ticket through
        # their status link; a person who has a password signs in to the portal instead.
        from servicedesk.intake.links import guest_status_url_existing

        guest = guest_status_url_existing(ticket, user)
        if guest is not None:
            return guest
    area = "portal" if user.is_customer else "backoffice"
    return site_url(reverse(f"{area}:ticket_detail", args=[ticket.number]))


def settings_link() -> str:
    return site_url(reverse("accounts:notification_settings"))


def _survey_link(ticket: Ticket) -> str:
    from servicedesk.conversations.surveys import survey_url

    try:
        return survey_url(ticket)
    except NoReverseMatch:  # the survey page is not wired (yet)
        return ""


# --- Recipients --------------------------------------------------------------------------------


def sees(user: User, ticket: Ticket) -> bool:
    return Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()


def customer_audience(ticket: Ticket) -> list[User]:
    """The contact and the customer followers, active and still able to see the ticket."""
    ids = {ticket.contact_id} | set(
        TicketFollower.objects.filter(ticket=ticket).values_list("user_id", flat=True)
    )
    people = User.objects.filter(pk__in=ids, role=Role.CUSTOMER, is_active=True).order_by("pk")
    return [person for person in people if sees(person, ticket)]


def company_members(ticket: Ticket, exclude: set[int]) -> list[User]:
    """The company's other active members who see the ticket. Whole-company members who see
    all its tickets need no question; the others are asked through the scoping layer."""
    if not ticket.company.is_active:
        return []
    memberships = (
        Membership.objects.filter(
            company_id=ticket.company_id, user__is_active=True, user__role=Role.CUSTOMER
        )
        .exclude(user_id__in=exclude)
        .select_related("user")
        .order_by("user_id")
    )
    found = []
    for membership in memberships:
        whole = membership.scope == Membership.Scope.COMPANY and membership.sees_all_tickets
        if whole or sees(membership.user, ticket):
            found.append(membership.user)
    return found


def staff_watchers(ticket: Ticket) -> list[User]:
    """The assignee and the staff who follow the ticket, active."""
    ids = set(TicketFollower.objects.filter(ticket=ticket).values_list("user_id", flat=True))
    if ticket.assignee_id is not None:
        ids.add(ticket.assignee_id)
    people = User.objects.filter(pk__in=ids, is_active=True).exclude(role=Role.CUSTOMER)
    return list(people.order_by("pk"))


def dispatchers() -> list[User]:
    """Active staff who hold the dispatch permission (accounts/rules.py decides who)."""
    staff = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("pk")
    return [person for person in staff if person.has_perm(workflow.DISPATCH)]


def _without(users: Iterable[User], *ids: int | None) -> list[User]:
    return [user for user in users if user.pk not in ids]


# --- Emails ------------------------------------------------------------------------------------


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _email(plan: Plan, user: User, kind: str) -> Any:
    """The rendered email for one recipient, or None for kinds sent in-app only."""
    ticket = plan.ticket
    customer = user.is_customer
    context: dict[str, Any] = {
        "ticket": ticket,
        "user": user,
        "recipient": user,
        "for_customer": customer,
        "link": ticket_link(ticket, user),
        "settings_link": settings_link(),
        "actor": plan.actor,
        "actor_name": str(plan.actor) if plan.actor is not None else "",
        "recipient_tz": user.time_zone or settings.TIME_ZONE,
    }
    if kind == Kind.TICKET_CREATED:
        prefix = (
            "notifications/email/ticket_created" if customer else "notifications/email/ticket_new"
        )
    elif kind == Kind.COMPANY_TICKET:
        prefix = "notifications/email/company_ticket"
    elif kind in (Kind.MESSAGE_NEW, Kind.NOTE_NEW):
        assert plan.message is not None  # noqa: S101 (message events carry their message)
        prefix = f"notifications/email/{kind}"
        context["message"] = plan.message
        context["excerpt"] = Truncator(plan.message.body).chars(EMAIL_EXCERPT_CHARS)
        context["files"] = plan.files
        context["link"] = context["link"] + "#messages"
    elif kind == Kind.STATUS_CHANGED:
        prefix = "notifications/email/status_changed"
        old, new = Status(plan.data["old"]), Status(plan.data["new"])
        labels: dict[Status, Any] = (
            CUSTOMER_STATUS_LABELS if customer else {s: s.label for s in Status}
        )
        context.update(old_label=labels[old], new_label=labels[new])
    elif kind == Kind.TICKET_RESOLVED:
        prefix = "notifications/email/ticket_resolved"
        context["accept_link"] = context["link"] + "#resolution"
        context["reply_link"] = context["link"] + "#messages"
        context["auto_close_days"] = settings.TICKET_AUTO_CLOSE_DAYS
    elif kind == Kind.TICKET_CLOSED:
        prefix = "notifications/email/ticket_closed"
        context["survey_link"] = "" if hasattr(ticket, "survey_response") else _survey_link(ticket)
    elif kind == Kind.TICKET_ASSIGNED:
        prefix = "notifications/email/ticket_assigned"
    elif kind == Kind.ACT_READY:
        prefix = "notifications/email/act_ready"
        context["act_number"] = plan.data["act"]
        context["version"] = int(plan.data.get("version", 1))
        context["act_link"] = site_url(reverse("portal:ticket_act", args=[ticket.number]))
        context["pdf_link"] = site_url(reverse("portal:ticket_act_pdf", args=[ticket.number]))
    elif kind in (Kind.ACT_SIGNED, Kind.ACT_DISPUTED):
        prefix = f"notifications/email/{kind}"
        context.update(plan.data)
        context["act_link"] = site_url(reverse("backoffice:ticket_works", args=[ticket.number]))
    else:
        return None
    assert user.email  # noqa: S101 (checked by the caller)
    message = render_mail(prefix, context, to=[user.email], language=_language(user))
    if kind == Kind.ACT_READY:
        _attach_act_pdf(message, plan, user)
    return message


def _attach_act_pdf(message: Any, plan: Plan, user: User) -> None:
    """The act as the customer will read it, in their language and time zone, attached as a
    PDF (made once per language and time zone for the plan's recipients)."""
    from servicedesk.acts.building import act_view, issued_act
    from servicedesk.acts.rendering import render_act_pdf

    language, zone = _language(user), user.time_zone or settings.TIME_ZONE
    made = plan.attachments.get((language, zone))
    if made is None:
        act = issued_act(plan.ticket)
        view = act and act_view(act, plan.ticket, language=language, time_zone=zone)
        made = plan.attachments[(language, zone)] = (
            (f"act-{view.content.number}.pdf", render_act_pdf(view.content, version=view.number))
            if view
            else None
        )
    if made is not None:
        message.attach(made[0], made[1], "application/pdf")


# --- Writing -----------------------------------------------------------------------------------


def deliver(plan: Plan) -> list[int]:
    """Write the plan's notifications and queue its emails, in one transaction; then hand the
    emails to the worker. Returns the outbound rows queued (none when run again)."""
    from servicedesk.mail.tasks import mail_send

    actor_id = plan.actor.pk if plan.actor is not None else None
    people = {
        pk: (user, kind)
        for pk, (user, kind) in plan.recipients.items()
        if user.is_active and (pk != actor_id or pk == plan.receipt_for)
    }
    choices = Choices(people, {kind_event(kind) for _user, kind in people.values()})
    modes = digest_modes(pk for pk, (_u, kind) in people.items() if kind in DIGEST_KINDS)
    queued: list[OutboundMessage] = []
    with transaction.atomic():
        bell = [
            Notification(
                user=user,
                kind=kind,
                ticket=plan.ticket,
                message=plan.message,
                actor=plan.actor,
                data=plan.data,
                key=plan.key,
            )
            for pk, (user, kind) in people.items()
            if pk != actor_id and choices.wants(pk, kind_event(kind), IN_APP)
        ]
        Notification.objects.bulk_create(bell, ignore_conflicts=True)
        bell_changed(row.user_id for row in bell)
        for pk, (user, kind) in people.items():
            if not user.email or not choices.wants(pk, kind_event(kind), EMAIL):
                continue
            if kind in DIGEST_KINDS and modes.get(pk, Digest.IMMEDIATELY) != Digest.IMMEDIATELY:
                assert plan.message is not None  # noqa: S101
                DigestEntry.objects.bulk_create(
                    [DigestEntry(user=user, message=plan.message)], ignore_conflicts=True
                )
                continue
            message = _email(plan, user, kind)
            if message is None:
                continue
            row = outbound_queue(
                message,
                kind=kind,
                key=f"{plan.key}:{pk}",
                ticket=plan.ticket,
                user=user,
                internal_reply=kind == Kind.NOTE_NEW,
            )
            if row is not None:
                queued.append(row)
    for row in queued:
        mail_send(row.pk)
    return [row.pk for row in queued]


def _ticket(ticket_id: int) -> Ticket | None:
    return Ticket.objects.select_related(*_TICKET_RELATED).filter(pk=ticket_id).first()


def _user(user_id: int | None) -> User | None:
    return None if user_id is None else User.objects.filter(pk=user_id).first()


# --- Events ------------------------------------------------------------------------------------


def ticket_created(ticket_id: int) -> list[int]:
    ticket = _ticket(ticket_id)
    if ticket is None:
        return []
    actor = ticket.created_by
    plan = Plan(key=f"created:{ticket.pk}", ticket=ticket, actor=actor)
    audience = customer_audience(ticket)
    plan.add(audience, Kind.TICKET_CREATED)
    if ticket.contact_id == actor.pk and ticket.origin != Origin.EMAIL and not _guest(ticket):
        # A ticket from an email gets its confirmation from the email channel instead (as
        # the mailbox's sender rule says, and never in answer to automatic mail: RFC 3834);
        # one filed without an account (a web form) from the intake app, with its status link.
        plan.receipt_for = actor.pk
    plan.add(company_members(ticket, {u.pk for u in audience} | {actor.pk}), Kind.COMPANY_TICKET)
    plan.add(dispatchers(), Kind.TICKET_CREATED)
    return deliver(plan)


def _guest(ticket: Ticket) -> bool:
    """Filed by a person without an account (servicedesk/intake), who gets its own
    confirmation."""
    if ticket.origin not in (Origin.WEB_FORM, Origin.QR):
        return False
    from servicedesk.intake.models import GuestFiling

    return GuestFiling.objects.filter(ticket_id=ticket.pk).exists()


def message_posted(message_id: int) -> list[int]:
    message = Message.objects.select_related("author", "ticket").filter(pk=message_id).first()
    if message is None:
        return []
    ticket = _ticket(message.ticket_id)
    if ticket is None:  # pragma: no cover (the message would be gone with it)
        return []
    plan = Plan(
        key=f"message:{message.pk}",
        ticket=ticket,
        actor=message.author,
        message=message,
        # Not the original of an email (staff-only, and no news to anyone).
        files=list(
            message.attachments.filter(staff_only=False)
            .order_by("pk")
            .values_list("name", flat=True)
        ),
    )
    watchers = staff_watchers(ticket)
    if message.is_internal:
        # Staff only: nobody on the customer's side is even looked at.
        plan.add(watchers, Kind.NOTE_NEW)
        return deliver(plan)
    plan.add(customer_audience(ticket), Kind.MESSAGE_NEW)
    plan.add(watchers, Kind.MESSAGE_NEW)
    if message.author.is_customer and ticket.assignee_id is None:
        plan.add(dispatchers(), Kind.MESSAGE_NEW)
    return deliver(plan)


def status_changed(
    ticket_id: int, actor_id: int | None, old: str, new: str, event_id: int
) -> list[int]:
    ticket = _ticket(ticket_id)
    if ticket is None:
        return []
    plan = Plan(
        key=f"status:{event_id}",
        ticket=ticket,
        actor=_user(actor_id),
        data={"old": old, "new": new},
    )
    moved_on = ticket.status != new  # changed again since: the next event tells of it
    if new == Status.RESOLVED:
        customer_kind = None if moved_on else Kind.TICKET_RESOLVED
    elif new == Status.CLOSED:
        customer_kind = None if moved_on else Kind.TICKET_CLOSED
    elif CUSTOMER_STATUS_LABELS[Status(old)] != CUSTOMER_STATUS_LABELS[Status(new)]:
        customer_kind = Kind.STATUS_CHANGED
    else:
        customer_kind = None
    if customer_kind is not None:
        plan.add(customer_audience(ticket), customer_kind)
    if customer_kind == Kind.TICKET_CLOSED and plan.actor is not None and plan.actor.is_customer:
        # A customer who closed it themselves (accepting the solution) still gets the closing
        # email: it carries the survey, as when the ticket closes any other way.
        plan.receipt_for = plan.actor.pk
    if new != Status.ASSIGNED:
        plan.add(staff_watchers(ticket), Kind.STATUS_CHANGED)
    return deliver(plan)


def ticket_assigned(
    ticket_id: int, actor_id: int | None, assignee_id: int, event_id: int
) -> list[int]:
    ticket = _ticket(ticket_id)
    if ticket is None or ticket.assignee_id != assignee_id or ticket.assignee is None:
        return []  # assigned to someone else since: they were told
    plan = Plan(key=f"assigned:{event_id}", ticket=ticket, actor=_user(actor_id))
    plan.add([ticket.assignee], Kind.TICKET_ASSIGNED)
    return deliver(plan)


def act_ready(
    ticket_id: int, actor_id: int | None, act_id: int, number: str, version: int = 1
) -> list[int]:
    """The ticket's act is issued (or its corrected `version` sent for signature): its
    customers are told, with links to read and sign it; the email carries the PDF."""
    ticket = _ticket(ticket_id)
    if ticket is None:
        return []
    key = f"act:{act_id}" if version == 1 else f"act:{act_id}:v{version}"
    data = {"act": number, "version": version}
    plan = Plan(key=key, ticket=ticket, actor=_user(actor_id), data=data)
    plan.add(customer_audience(ticket), Kind.ACT_READY)
    return deliver(plan)


def act_answered(
    ticket_id: int, actor_id: int, act_id: int, version: int, disputed: bool
) -> list[int]:
    """The customer signed or disputed the act: the ticket's engineer and the staff who follow
    it are told (a dispute with its comment; nobody assigned: the dispatchers)."""
    from servicedesk.acts.models import ActVersion

    ticket = _ticket(ticket_id)
    answer = (
        ActVersion.objects.select_related("act")
        .filter(act_id=act_id, act__ticket_id=ticket_id, number=version)
        .defer("content_json", "signature_png")
        .first()
    )
    if ticket is None or answer is None:
        return []
    kind = Kind.ACT_DISPUTED if disputed else Kind.ACT_SIGNED
    data = {
        "act": answer.act.number,
        "version": version,
        "signer": answer.signer_name,
        "comment": Truncator(answer.comment).chars(EMAIL_EXCERPT_CHARS),
    }
    plan = Plan(
        key=f"act:{act_id}:{kind}:{version}", ticket=ticket, actor=_user(actor_id), data=data
    )
    watchers = staff_watchers(ticket)
    plan.add(watchers or (dispatchers() if disputed else []), kind)
    return deliver(plan)
