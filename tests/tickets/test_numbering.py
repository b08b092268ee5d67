"""Ticket numbers from a mask (tickets/numbering.py) and the counter behind them."""

from datetime import date
from typing import Any

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.tickets import numbering
from servicedesk.tickets.checks import ticket_number_mask_check
from servicedesk.tickets.models import TicketSequence
from servicedesk.tickets.numbering import MaskError
from servicedesk.tickets.services import ticket_number_next

DAY = date(2026, 10, 14)


@pytest.mark.parametrize(
    ("mask", "day", "value", "expected"),
    [
        ("########", DAY, 1, "00000001"),
        ("########", DAY, 6746620, "06746620"),
        ("########", DAY, 123456789, "123456789"),  # outgrows the padding, never truncated
        ("{YYYY}-#####", DAY, 1, "2026-00001"),
        ("SD-{YY}{MM}-###", DAY, 42, "SD-2610-042"),
        ("{YYYY}/{MM}/####", date(2027, 1, 5), 7, "2027/01/0007"),
    ],
)
def test_render(mask: str, day: date, value: int, expected: str) -> None:
    # Given a valid mask, when a counter value is rendered, then the number is exact
    numbering.validate_mask(mask)
    assert numbering.render(mask, day, value) == expected


def test_the_key_has_the_date_filled_in() -> None:
    assert numbering.sequence_key("{YYYY}-#####", DAY) == "2026-#####"
    assert numbering.sequence_key("{YYYY}-#####", date(2027, 1, 1)) == "2027-#####"
    assert numbering.sequence_key("########", DAY) == "########"


@pytest.mark.parametrize("mask", ["", "TICKET", "##", "##-####", "{YYYY}-##", "#-#-#"])
def test_invalid_masks_raise(mask: str) -> None:
    with pytest.raises(MaskError):
        numbering.validate_mask(mask)


def test_system_check_reports_a_bad_mask(settings: Any) -> None:
    # Given a mask without a counter in the settings
    settings.TICKET_NUMBER_MASK = "TICKET-{YYYY}"
    # When the checks run, then servicedesk.E002 is reported
    errors = ticket_number_mask_check()
    assert [e.id for e in errors] == ["servicedesk.E002"]
    assert "servicedesk.E002" in {m.id for m in run_checks()}


def test_system_check_accepts_the_default(settings: Any) -> None:
    settings.TICKET_NUMBER_MASK = "########"
    assert ticket_number_mask_check() == []


@pytest.mark.django_db
def test_default_mask_counts_from_one(settings: Any) -> None:
    settings.TICKET_NUMBER_MASK = "########"
    assert [ticket_number_next(DAY) for _ in range(3)] == ["00000001", "00000002", "00000003"]
    assert TicketSequence.objects.get(key="########").last_value == 3


@pytest.mark.django_db
def test_yearly_mask_restarts_each_year(settings: Any) -> None:
    # Given a per-year mask
    settings.TICKET_NUMBER_MASK = "{YYYY}-#####"
    # When tickets are numbered across New Year and a late 2026 one arrives afterwards
    numbers = [
        ticket_number_next(date(2026, 12, 31)),
        ticket_number_next(date(2026, 12, 31)),
        ticket_number_next(date(2027, 1, 1)),
        ticket_number_next(date(2026, 12, 31)),
    ]
    # Then each year has its own counter
    assert numbers == ["2026-00001", "2026-00002", "2027-00001", "2026-00003"]
    assert dict(TicketSequence.objects.values_list("key", "last_value")) == {
        "2026-#####": 3,
        "2027-#####": 1,
    }


@pytest.mark.django_db
def test_a_number_costs_one_statement(settings: Any) -> None:
    # Given a counter that exists
    settings.TICKET_NUMBER_MASK = "########"
    ticket_number_next(DAY)
    # When the next number is taken
    with CaptureQueriesContext(connection) as queries:
        number = ticket_number_next(DAY)
    # Then it is one UPDATE … RETURNING and nothing around it: in a request (autocommit) the
    # statement is its own transaction, with no BEGIN / COMMIT round trips (here, inside the
    # test's transaction, an atomic block would show as a savepoint)
    assert number == "00000002"
    assert [q["sql"].split()[0].upper() for q in queries.captured_queries] == ["UPDATE"]
    assert TicketSequence.objects.get(key="########").last_value == 2
