"""Reads for the SLA: a calendar as the arithmetic needs it, and the admin pages' lists."""

from django.db.models import Count, QuerySet

from servicedesk.core import stamps
from servicedesk.sla.calendar import ALWAYS_ON, CalendarSpec
from servicedesk.sla.matching import REFERENCE_VERSION, RULES_SECONDS
from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, WorkingHours


def calendar_spec(calendar_id: int | None) -> CalendarSpec:
    """The calendar `calendar_id` for sla/calendar.py (from the cache while no reference data
    changed, as the rules are: sla/matching.py; else three queries); None: around the clock.
    A calendar that has since been deleted counts as around the clock too."""
    if calendar_id is None:
        return ALWAYS_ON
    return stamps.stamped(
        f"sla:v1:calendar:{calendar_id}",
        REFERENCE_VERSION,
        lambda: _calendar_spec(calendar_id),
        RULES_SECONDS,
    )


def _calendar_spec(calendar_id: int) -> CalendarSpec:
    calendar = ServiceCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return ALWAYS_ON
    if calendar.is_24x7:
        return calendar.spec([], [])
    hours = list(WorkingHours.objects.filter(calendar_id=calendar_id))
    holidays = list(Holiday.objects.filter(calendar_id=calendar_id))
    return calendar.spec(hours, holidays)


def calendar_list() -> QuerySet[ServiceCalendar]:
    return (
        ServiceCalendar.objects.annotate(
            rule_count=Count("rules", distinct=True), holiday_count=Count("holidays", distinct=True)
        )
        .prefetch_related("working_hours")
        .order_by("name", "pk")
    )


def rule_list() -> QuerySet[SlaRule]:
    return SlaRule.objects.select_related("calendar").prefetch_related(
        "ticket_types",
        "criticalities",
        "work_types",
        "companies",
        "sites",
        "equipment",
        "contracts",
    )
