"""Service levels: business calendars (working hours, holidays), SLA rules that pick response and
resolution targets for a ticket, and the record of breach notifications already sent."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.core.models import TimeStampedModel
from servicedesk.sla.calendar import MIDNIGHT, CalendarSpec, Interval
from servicedesk.sla.validators import validate_time_zone


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ServiceCalendar(TimeStampedModel):
    """When the SLA clock runs: weekly working hours in a time zone, minus holidays."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_time_zone],
        help_text=_("The working hours are read in this zone, e.g. Europe/Moscow."),
    )
    is_24x7 = models.BooleanField(
        _("around the clock"),
        default=False,
        help_text=_("Every moment counts, weekends and holidays included."),
    )

    class Meta:
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def spec(self, hours: list["WorkingHours"], holidays: list["Holiday"]) -> CalendarSpec:
        weekly: dict[int, list[Interval]] = {}
        for item in hours:
            weekly.setdefault(item.weekday, []).append((item.start, item.end))
        return CalendarSpec(
            tz=ZoneInfo(self.time_zone),
            weekly={day: tuple(sorted(items)) for day, items in weekly.items()},
            holidays=frozenset(h.date for h in holidays),
            always_on=self.is_24x7,
        )


class WorkingHours(models.Model):
    """One working interval of a weekday; a day may have several (a lunch break between).
    An end of 00:00 means midnight at the end of the day."""

    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="working_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(pgettext_lazy("time range", "from"))
    end = models.TimeField(pgettext_lazy("time range", "to"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="sla_workinghours_weekday_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) | models.Q(end=MIDNIGHT),
                name="sla_workinghours_start_before_end",
                violation_error_message=_("The interval must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def end_minutes(self) -> int:
        return 24 * 60 if self.end == MIDNIGHT else self.end.hour * 60 + self.end.minute


class Holiday(models.Model):
    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="sla_holiday_calendar_date_unique",
                violation_error_message=_("This calendar already has a holiday on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaRule(TimeStampedModel):
    """Targets for the tickets it matches. Each list left empty matches everything; a listed
    site also matches the sites beneath it and the equipment standing on them. Which rule wins
    when several match: docs/decisions/0005-sla-rule-matching.md (sla/matching.py)."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    ticket_types = models.ManyToManyField(
        "customers.TicketType", verbose_name=_("ticket types"), blank=True, related_name="+"
    )
    criticalities = models.ManyToManyField(
        "customers.Criticality", verbose_name=_("criticalities"), blank=True, related_name="+"
    )
    work_types = models.ManyToManyField(
        "customers.WorkType", verbose_name=_("work types"), blank=True, related_name="+"
    )
    companies = models.ManyToManyField(
        "customers.Company", verbose_name=_("companies"), blank=True, related_name="sla_rules"
    )
    sites = models.ManyToManyField(
        "customers.Site",
        verbose_name=_("sites"),
        blank=True,
        related_name="sla_rules",
        help_text=_("A site also covers the sites beneath it and the equipment on them."),
    )
    equipment = models.ManyToManyField(
        "customers.Equipment", verbose_name=_("equipment"), blank=True, related_name="sla_rules"
    )
    contracts = models.ManyToManyField(
        "customers.Contract", verbose_name=_("contracts"), blank=True, related_name="sla_rules"
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response, minutes"),
        validators=[MinValueValidator(1)],
        help_text=_("Working minutes from the ticket's creation to the first response."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution, minutes"),
        validators=[MinValueValidator(1)],
        help_text=_("Working minutes from the ticket's creation to its resolution."),
    )
    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("Empty: around the clock."),
    )

    class Meta:
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_slarule_targets_positive",
                violation_error_message=_("Targets must be positive."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.first_response_minutes
            and self.resolution_minutes
            and self.first_response_minutes > self.resolution_minutes
        ):
            raise ValidationError(
                {
                    "first_response_minutes": _(
                        "The first response cannot be due after the resolution."
                    )
                }
            )


class SlaNotification(models.Model):
    """A threshold already notified for a ticket: each kind is sent once per ticket."""

    class Kind(models.TextChoices):
        RESPONSE_WARNING = "response_warning", _("First response due soon")
        RESPONSE_BREACH = "response_breach", _("First response overdue")
        RESOLUTION_WARNING = "resolution_warning", _("Resolution due soon")
        RESOLUTION_BREACH = "resolution_breach", _("Resolution overdue")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("SLA notification")
        verbose_name_plural = _("SLA notifications")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_notification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"
