import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from servicedesk.core.models import TimeStampedModel
from servicedesk.tickets.querysets import TicketQuerySet


class Status(models.TextChoices):
    """The ticket's stage. Which transitions are allowed, and for whom, is the workflow's
    business (tickets/workflow.py, issue 5); customers never set it."""

    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
STATUS_COLORS = {
    Status.NEW: "primary",
    Status.ASSIGNED: "info",
    Status.IN_PROGRESS: "warning",
    Status.WAITING: "secondary",
    Status.RESOLVED: "success",
    Status.CLOSED: "dark",
    Status.CANCELLED: "light",
}


class Origin(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    QR = "qr", _("QR passport")
    API = "api", _("API")
    PLAN = "plan", _("Maintenance plan")


class TicketSequence(models.Model):
    """The last number given out per numbering key (see tickets/numbering.py)."""

    key = models.CharField(max_length=100, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class Ticket(TimeStampedModel):
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), max_length=8192, blank=True)
    ticket_type = models.ForeignKey(
        "customers.TicketType", verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    criticality = models.ForeignKey(
        "customers.Criticality",
        verbose_name=_("criticality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("The customer's person the ticket is for."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    equipment = models.ForeignKey(
        "customers.Equipment",
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    work_type = models.ForeignKey(
        "customers.WorkType",
        verbose_name=_("work type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contract = models.ForeignKey(
        "customers.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    country = CountryField(_("country"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    due_at_manual = models.BooleanField(_("deadline set by hand"), default=False)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    # The SLA clock stops while the ticket waits for the customer (sla app): when it stopped,
    # and the paused time already added to the deadlines.
    sla_paused_at = models.DateTimeField(_("SLA clock stopped at"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("SLA paused, seconds"), default=0)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Moves on with every change made through the services: a change made from a stale page
    # (two dispatchers at once) is refused instead of overwriting the other's.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The lists: a company's tickets, a person's own, newest first.
            models.Index(fields=["company", "-created_at", "-id"], name="ticket_company_created"),
            models.Index(fields=["contact", "-created_at", "-id"], name="ticket_contact_created"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["company", "status"], name="ticket_company_status"),
            models.Index(Lower("subject"), name="ticket_subject_lower"),
            # The back office's queue and the SLA checks.
            models.Index(fields=["status", "due_at"], name="ticket_status_due"),
            # The open tickets by deadline (the overdue and due-soon views, sorted by it).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_due",
            ),
            models.Index(fields=["assignee", "-created_at", "-id"], name="ticket_assignee_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_created"),
            # A list sorted by a column (selectors._order_by: ties broken by id in the sort's
            # direction), read forwards or backwards: without them the queue's "all" view
            # sorted by subject, deadline or status sorted every ticket (0.3-1.2 s at 1M).
            # The deadline going down (NULLS LAST both ways) has its own index on PostgreSQL
            # only, ticket_due_desc: SQLite cannot write NULLS LAST in an index (0011).
            models.Index(fields=["subject", "id"], name="ticket_subject_id"),
            models.Index(fields=["due_at", "id"], name="ticket_due_id"),
            models.Index(fields=["status", "id"], name="ticket_status_id"),
            # The open tickets by number or opening date (the overdue, unassigned and mine
            # views): the whole number or date index walked to find them took up to 1.2 s.
            models.Index(
                fields=["number"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_number",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_created",
            ),
            # A company's tickets resolved in a period (the customer's report, "completed"):
            # without it each of the report's queries read all the company's tickets.
            models.Index(
                fields=["company", "resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="ticket_company_resolved",
            ),
            # The provider's reports read two more, PostgreSQL only (covering indexes, which
            # SQLite cannot write): ticket_report_filed, ticket_report_done (migration 0015).
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The company the ticket was made or read with (and saved with last): a save that moves
        # it to another company changes the counts of both (tickets/receivers.py).
        self._saved_company_id: int | None = self.__dict__.get("company_id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(Status(self.status), "secondary")

    def is_overdue(self, now: datetime) -> bool:
        """Past its deadline: still open after it, or resolved/closed after it."""
        if self.due_at is None:
            return False
        finished = self.resolved_at or self.closed_at
        return (finished or now) > self.due_at


class TicketEvent(models.Model):
    """One entry of a ticket's timeline: who did what, when, old → new. Written by services
    through the constructors in tickets/events.py, one per kind.

    Values: FIELD_CHANGED keeps readable text (names; dates as ISO 8601 in UTC; the entries of
    reference lists and countries by code, named in the reader's language when shown), `field`
    the ticket field's name; STATUS_CHANGED keeps the status codes (field "status"), shown through
    `Status` or `workflow.customer_status_label`; ASSIGNED keeps the people's names. A status
    change with a reason worth telling is followed by one more event saying it: REOPENED and
    CANCELLED (new_value: the reason staff gave), CUSTOMER_REPLIED, RESOLUTION_ACCEPTED and
    AUTO_CLOSED (new_value: the number of days, actor None). RATED keeps the satisfaction
    survey's scores by criterion code (new_value, JSON: conversations.survey_services), worded
    when shown; its actor is None when the rating came through the link in an email.
    WORK_ADDED, WORK_CHANGED and WORK_DELETED (staff only: customers never see works) keep a
    completed work's summary, `{"work_type": code, "hours": billed hours}` as JSON
    (works/texts.py) in new_value, worded in the reader's language when shown; WORK_CHANGED
    keeps the one before the change in old_value, WORK_DELETED the deleted work's."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("ticket event", "Created")
        FIELD_CHANGED = "field_changed", _("Changed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        ATTACHMENT_ADDED = "attachment_added", _("File attached")
        FOLLOWED = "followed", _("Followed")
        UNFOLLOWED = "unfollowed", _("Unfollowed")
        REOPENED = "reopened", _("Reopened")
        CANCELLED = "cancelled", _("Cancelled")
        CUSTOMER_REPLIED = "customer_replied", _("Back in progress: the customer replied")
        RESOLUTION_ACCEPTED = "resolution_accepted", _("Solution accepted by the customer")
        AUTO_CLOSED = "auto_closed", _("Closed automatically")
        RATED = "rated", _("Rated by the customer")
        MOVED = "moved", _("Moved to another company")
        PASSPORT_SCANNED = "passport_scanned", _("Engineer scanned the equipment's QR code")
        GUEST_LINK_REVOKED = "guest_link_revoked", _("Status link revoked")
        GUEST_LINK_SENT = "guest_link_sent", _("New status link sent")
        WORK_ADDED = "work_added", _("Work added")
        WORK_CHANGED = "work_changed", _("Work changed")
        WORK_DELETED = "work_deleted", _("Work deleted")
        ACT_ISSUED = "act_issued", _("Act of completed work issued")
        ACT_SIGNED = "act_signed", _("Act signed by the customer")
        ACT_DISPUTED = "act_disputed", _("Act disputed by the customer")
        ACT_REOPENED = "act_reopened", _("Act opened for correction")
        ACT_SUBMITTED = "act_submitted", _("Corrected act sent for signature")
        ARTICLE_ATTACHED = "article_attached", _("Knowledge base article attached")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=50, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    is_public = models.BooleanField(
        _("visible to the customer"),
        default=True,
        help_text=_("Internal events are shown to staff only."),
    )

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketFollower(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticketfollower_unique")
        ]
        indexes = [models.Index(fields=["user", "ticket"], name="ticketfollower_user")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.ticket_id}"


class TicketView(models.Model):
    """When a person last opened a ticket: the "recently viewed" list."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-viewed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="ticketview_unique")]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="ticketview_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.ticket_id}"


def attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # Never the uploaded name: a random one, in a dated folder. The name is kept in the row.
    return f"tickets/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    is_image = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Set when the file came with a message; an internal note's files are staff-only.
    message = models.ForeignKey(
        "conversations.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # Staff only whatever the message: the original of an email (issue 17) holds every header.
    staff_only = models.BooleanField(_("staff only"), default=False)
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class TicketListPreference(models.Model):
    """The ticket list a person looked at last (view, filters, sort, page size as a query
    string): opening the list without one brings it back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_list_preference"
    )
    querystring = models.CharField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.querystring}"
