"""The SLA admin pages: administrators only; calendars with weekly hours and their validation;
holidays added, deleted and imported (all or nothing); SLA rules."""

from datetime import date, time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.sla.models import Holiday, ServiceCalendar, SlaRule, WorkingHours
from tests.conftest import login
from tests.factories import (
    CriticalityFactory,
    ServiceCalendarFactory,
    SlaRuleFactory,
    office_calendar,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 5)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-05 09:00:00+03:00", tick=False):
        yield


def en_client(user) -> Client:
    return login(Client(headers={"accept-language": "en"}), user)


@pytest.fixture
def admin(world):
    return en_client(world.users["admin"])


def snapshot():
    return (
        list(ServiceCalendar.objects.values_list("pk", "name", "time_zone", "is_24x7")),
        list(WorkingHours.objects.values_list("calendar_id", "weekday", "start", "end")),
        list(Holiday.objects.values_list("calendar_id", "date", "name")),
        list(SlaRule.objects.values_list("pk", "name", "resolution_minutes")),
    )


# --- Who may open what ---------------------------------------------------------------------------


def _pages(calendar, holiday, rule):
    return [
        ("get", reverse("backoffice:sla_calendars")),
        ("get", reverse("backoffice:sla_calendar_new")),
        ("get", reverse("backoffice:sla_calendar_detail", args=[calendar.pk])),
        ("get", reverse("backoffice:sla_calendar_edit", args=[calendar.pk])),
        ("post", reverse("backoffice:sla_calendar_edit", args=[calendar.pk])),
        ("post", reverse("backoffice:sla_holiday_add", args=[calendar.pk])),
        ("post", reverse("backoffice:sla_holiday_import", args=[calendar.pk])),
        ("post", reverse("backoffice:sla_holiday_delete", args=[calendar.pk, holiday.pk])),
        ("get", reverse("backoffice:sla_rules")),
        ("get", reverse("backoffice:sla_rule_new")),
        ("post", reverse("backoffice:sla_rule_new")),
        ("get", reverse("backoffice:sla_rule_edit", args=[rule.pk])),
        ("post", reverse("backoffice:sla_rule_edit", args=[rule.pk])),
    ]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("dispatcher", 404), ("engineer", 404), ("cust_a", 404), ("inactive_engineer", 302)],
)
def test_only_administrators_reach_the_pages(world, viewer, expected):
    calendar = office_calendar(holidays=[date(2026, 5, 1)])
    holiday = calendar.holidays.get()
    rule = SlaRuleFactory(calendar=calendar)
    before = snapshot()
    client = en_client(world.users[viewer])
    data = {
        "name": "Hacked",
        "time_zone": "UTC",
        "is_24x7": "on",
        "date": "2026-06-01",
        "text": "2026-06-02;Hacked",
        "first_response_minutes": "1",
        "resolution_minutes": "1",
    }
    for method, url in _pages(calendar, holiday, rule):
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == expected, url
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(reverse("backoffice:sla_calendars"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_navigation_shows_the_link_to_administrators_only(world):
    url = reverse("backoffice:sla_calendars")
    assert url in en_client(world.users["admin"]).get(reverse("backoffice:dashboard")).text
    dispatcher_page = en_client(world.users["dispatcher"]).get(reverse("backoffice:dashboard"))
    assert url not in dispatcher_page.text


# --- Calendars -----------------------------------------------------------------------------------


def week(**days: str) -> dict[str, str]:
    return {f"hours_{n}": days.get(f"d{n}", "") for n in range(7)}


def test_create_a_calendar_with_working_hours(admin):
    response = admin.post(
        reverse("backoffice:sla_calendar_new"),
        {
            "name": "Moscow office",
            "time_zone": "Europe/Moscow",
            **week(d0="09:00-13:00, 14:00-18:00", d4="09:00–17:00", d5="22:00-24:00"),
        },
    )
    calendar = ServiceCalendar.objects.get(name="Moscow office")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:sla_calendar_detail", args=[calendar.pk])
    assert list(calendar.working_hours.values_list("weekday", "start", "end")) == [
        (0, time(9), time(13)),
        (0, time(14), time(18)),
        (4, time(9), time(17)),
        (5, time(22), time(0)),
    ]
    page = admin.get(reverse("backoffice:sla_calendar_edit", args=[calendar.pk])).text
    assert 'value="09:00–13:00, 14:00–18:00"' in page
    assert 'value="22:00–24:00"' in page


def test_edit_replaces_the_working_hours(admin):
    calendar = office_calendar(name="Office")
    response = admin.post(
        reverse("backoffice:sla_calendar_edit", args=[calendar.pk]),
        {"name": "Office", "time_zone": "Europe/Berlin", **week(d2="10:00-12:00")},
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.time_zone == "Europe/Berlin"
    assert list(calendar.working_hours.values_list("weekday", "start", "end")) == [
        (2, time(10), time(12))
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (week(d0="18:00-09:00"), "In “18:00-09:00” the start must be before the end."),
        (week(d0="09:00-09:00"), "the start must be before the end"),
        (week(d1="09:00-13:00, 12:00-18:00"), "The intervals 09:00–13:00 and 12:00–18:00 overlap."),
        (week(d2="9 to 5"), "“9 to 5” is not an interval such as 09:00-18:00."),
        (week(d3="25:00-26:00"), "is not an interval"),
        (week(), "Give the working hours of at least one day, or mark the calendar 24/7."),
    ],
)
def test_calendar_validation(admin, data, message):
    before = snapshot()
    response = admin.post(
        reverse("backoffice:sla_calendar_new"),
        {"name": "Broken", "time_zone": "Europe/Moscow", **data},
    )
    assert response.status_code == 200
    assert message in response.text
    assert snapshot() == before


def test_a_24x7_calendar_needs_no_hours_and_the_zone_must_exist(admin):
    response = admin.post(
        reverse("backoffice:sla_calendar_new"),
        {"name": "Always", "time_zone": "Mars/Olympus", "is_24x7": "on", **week()},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    response = admin.post(
        reverse("backoffice:sla_calendar_new"),
        {"name": "Always", "time_zone": "UTC", "is_24x7": "on", **week()},
    )
    assert response.status_code == 302
    assert ServiceCalendar.objects.get(name="Always").is_24x7


def test_calendar_list_runs_a_bounded_number_of_queries(admin, django_assert_max_num_queries):
    for n in range(8):
        office_calendar(name=f"Calendar {n}", holidays=[date(2026, 5, n + 1)])
    with django_assert_max_num_queries(12):
        response = admin.get(reverse("backoffice:sla_calendars"))
    assert response.text.count('data-testid="calendar-row"') == 8


# --- Holidays ------------------------------------------------------------------------------------


def test_add_and_delete_a_holiday(admin):
    calendar = office_calendar()
    url = reverse("backoffice:sla_holiday_add", args=[calendar.pk])
    response = admin.post(url, {"date": "2026-05-01", "name": "Labour Day"})
    assert response.status_code == 302
    holiday = calendar.holidays.get()
    assert (holiday.date, holiday.name) == (date(2026, 5, 1), "Labour Day")
    page = admin.get(reverse("backoffice:sla_calendar_detail", args=[calendar.pk])).text
    assert "Labour Day" in page

    delete = reverse("backoffice:sla_holiday_delete", args=[calendar.pk, holiday.pk])
    assert admin.get(delete).status_code == 405
    assert admin.post(delete).status_code == 302
    assert not calendar.holidays.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-03-04", "name": "Yesterday"}, "This date has passed"),
        ({"date": "2026-05-01", "name": "Again"}, "already has a holiday on this date"),
        ({"date": "not a date", "name": "X"}, "Enter a valid date."),
        ({"date": "2026-06-01", "name": ""}, "This field is required."),
    ],
)
def test_holiday_validation(admin, data, message):
    calendar = office_calendar(holidays=[date(2026, 5, 1)])
    before = snapshot()
    response = admin.post(reverse("backoffice:sla_holiday_add", args=[calendar.pk]), data)
    assert response.status_code == 200
    assert message in response.text
    assert snapshot() == before


def test_today_is_not_in_the_past(admin):
    calendar = office_calendar()
    url = reverse("backoffice:sla_holiday_add", args=[calendar.pk])
    assert admin.post(url, {"date": TODAY.isoformat(), "name": "Today"}).status_code == 302


def test_a_holiday_of_another_calendar_is_not_found(admin):
    mine, other = office_calendar(), office_calendar(holidays=[date(2026, 5, 1)])
    url = reverse("backoffice:sla_holiday_delete", args=[mine.pk, other.holidays.get().pk])
    assert admin.post(url).status_code == 404
    assert other.holidays.count() == 1


def test_import_holidays_from_a_file(admin):
    calendar = office_calendar()
    content = "\ufeff# date;name\n2026-05-01;Labour Day\r\n\n2026-05-09;Victory Day\n"
    upload = SimpleUploadedFile("holidays.csv", content.encode(), content_type="text/csv")
    response = admin.post(
        reverse("backoffice:sla_holiday_import", args=[calendar.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert list(calendar.holidays.values_list("date", "name")) == [
        (date(2026, 5, 1), "Labour Day"),
        (date(2026, 5, 9), "Victory Day"),
    ]
    page = admin.get(response["Location"]).text
    assert "Holidays imported: 2." in page


def test_import_with_a_bad_row_saves_nothing_and_lists_each_bad_row(admin):
    calendar = office_calendar(holidays=[date(2026, 6, 12)])
    text = "\n".join(
        [
            "2026-05-01;Labour Day",
            "2026-02-23;Defender Day",  # past
            "2026-13-01;Nowhere",  # no such date
            "01.05.2026;Wrong format",
            "2026-05-09;",  # no name
            "2026-06-12;Russia Day",  # already there
            "2026-05-01;Labour Day again",  # twice in the file
        ]
    )
    before = snapshot()
    response = admin.post(
        reverse("backoffice:sla_holiday_import", args=[calendar.pk]), {"text": text}
    )
    assert response.status_code == 200
    assert snapshot() == before
    page = response.text
    assert "Nothing was imported: 6 lines have errors." in page
    for message in [
        "This date has passed",
        "There is no such date.",
        "Expected a date YYYY-MM-DD, a semicolon and a name.",
        "The holiday has no name.",
        "This calendar already has a holiday on this date.",
        "This date appears twice in the file.",
    ]:
        assert message in page
    errors = response.context["import_form"].row_errors
    assert [number for number, _text, _error in errors] == [2, 3, 4, 5, 6, 7]


def test_import_refuses_an_empty_or_binary_upload(admin):
    calendar = office_calendar()
    url = reverse("backoffice:sla_holiday_import", args=[calendar.pk])
    assert "Choose a file or paste at least one line." in admin.post(url, {"text": ""}).text
    binary = SimpleUploadedFile("h.csv", b"\xff\xfe\x00bad", content_type="text/csv")
    assert "The file is not UTF-8 text." in admin.post(url, {"file": binary}).text
    assert not calendar.holidays.exists()


# --- Rules ---------------------------------------------------------------------------------------


def test_create_and_edit_a_rule(admin, world):
    calendar = office_calendar(name="Office")
    urgent = CriticalityFactory()
    response = admin.post(
        reverse("backoffice:sla_rule_new"),
        {
            "name": "Urgent at HQ",
            "is_active": "on",
            "first_response_minutes": "30",
            "resolution_minutes": "240",
            "calendar": str(calendar.pk),
            "criticalities": [str(urgent.pk)],
            "sites": [str(world.sites["a_hq"].pk)],
            "contracts": [str(world.contracts["c_a_hq"].pk)],
        },
    )
    assert response.status_code == 302
    rule = SlaRule.objects.get(name="Urgent at HQ")
    assert (rule.first_response_minutes, rule.resolution_minutes, rule.calendar) == (
        30,
        240,
        calendar,
    )
    assert list(rule.criticalities.all()) == [urgent]
    assert list(rule.sites.all()) == [world.sites["a_hq"]]

    form_page = admin.get(reverse("backoffice:sla_rule_edit", args=[rule.pk])).text
    assert f"{world.companies['A'].name} — {world.sites['a_hq'].name}" in form_page
    response = admin.post(
        reverse("backoffice:sla_rule_edit", args=[rule.pk]),
        {"name": "Everything", "first_response_minutes": "60", "resolution_minutes": "480"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.is_active, rule.calendar, rule.sites.count()) == (
        "Everything",
        False,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (("0", "60"), "Ensure this value is greater than or equal to 1."),
        (("30", "-5"), "Ensure this value is greater than or equal to 1."),
        (("", "60"), "This field is required."),
        (("120", "60"), "The first response cannot be due after the resolution."),
    ],
)
def test_rule_targets_must_be_positive(admin, targets, message):
    before = snapshot()
    response = admin.post(
        reverse("backoffice:sla_rule_new"),
        {"name": "Bad", "first_response_minutes": targets[0], "resolution_minutes": targets[1]},
    )
    assert response.status_code == 200
    assert message in response.text
    assert snapshot() == before


def test_rule_list_runs_a_bounded_number_of_queries(admin, world, django_assert_max_num_queries):
    calendar = ServiceCalendarFactory(is_24x7=True)
    for n in range(10):
        SlaRuleFactory(
            name=f"Rule {n}",
            calendar=calendar if n % 2 else None,
            companies=[world.companies["A"]],
            sites=[world.sites["a_hq"]],
            criticalities=[CriticalityFactory()],
        )
    with django_assert_max_num_queries(16):
        response = admin.get(reverse("backoffice:sla_rules"))
    assert response.text.count('data-testid="rule-row"') == 10
