"""ticket_search: numbers, words, Cyrillic, prefixes, hostile input, and scoping kept — the same
tests on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from typing import Any

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection

from servicedesk.tickets.models import Ticket
from servicedesk.tickets.search import postgres_tsquery, search_words, sqlite_match, ticket_search
from tests.conftest import World
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world: World) -> dict[str, Ticket]:
    a, b = world.companies["A"], world.companies["B"]
    return {
        "pump": TicketFactory(
            company=a,
            number="00001234",
            subject="Насос не качает",
            description="Давление упало после замены фильтра.",
        ),
        "printer": TicketFactory(
            company=a,
            number="00011234",
            subject="Printer jams on tray 2",
            description="The paper feeder makes a grinding noise.",
        ),
        "boiler": TicketFactory(
            company=a,
            number="00000042",
            subject="Котёл",
            description="ПРОТЕЧКА в котельной, вода на полу",
        ),
        "b_pump": TicketFactory(
            company=b, number="00005555", subject="Насос в цеху", description="Шумит насос."
        ),
    }


def found(q: str, queryset: "object | None" = None) -> set[str]:
    qs = Ticket.objects.all() if queryset is None else queryset
    return set(ticket_search(qs, q).values_list("subject", flat=True))  # type: ignore[attr-defined]


def names(tickets: dict[str, Ticket], *keys: str) -> set[str]:
    return {tickets[k].subject for k in keys}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("printer", {"printer"}),  # a word of the subject
        ("grinding", {"printer"}),  # a word of the description
        ("PRINTER Tray", {"printer"}),  # any case, all words
        ("printer pump", set()),  # every word must match
        ("насос", {"pump", "b_pump"}),  # Cyrillic
        ("НАСОС", {"pump", "b_pump"}),  # Cyrillic, upper case
        ("протечка", {"boiler"}),  # stored upper case, searched lower case
        ("давл", {"pump"}),  # prefix of the last word
        ("printer gri", {"printer"}),  # prefix of the last word, after a whole one
        ("фильтр", {"pump"}),
        ("", {"pump", "printer", "boiler", "b_pump"}),  # no query: no filter
        ("   ", {"pump", "printer", "boiler", "b_pump"}),
    ],
)
def test_words(tickets: dict[str, Ticket], q: str, expected: set[str]) -> None:
    assert found(q) == names(tickets, *expected)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("00001234", {"pump"}),  # exact
        ("1234", {"pump"}),  # without zeros: the counter, not any suffix ("00011234")
        ("#1234", {"pump"}),
        ("# 00001234", {"pump"}),
        ("11234", {"printer"}),
        ("42", {"boiler"}),
        ("4", set()),
        ("99999999", set()),
    ],
)
def test_numbers(settings: Any, tickets: dict[str, Ticket], q: str, expected: set[str]) -> None:
    settings.TICKET_NUMBER_MASK = "########"
    assert found(q) == names(tickets, *expected)


def test_numbers_with_a_date_in_the_mask(world: World, settings: Any) -> None:
    settings.TICKET_NUMBER_MASK = "{YYYY}-#####"
    t = TicketFactory(company=world.companies["A"], number="2026-00077", subject="masked")
    TicketFactory(company=world.companies["A"], number="2026-00177", subject="other")
    assert found("77") == {"masked"}
    assert found("00077") == {"masked"}
    assert t.subject == "masked"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming: PostgreSQL only")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("насосы", {"pump", "b_pump"}),  # plural finds the singular
        ("насосом качать", {"pump"}),
        ("котельная", {"boiler"}),
        ("jam", {"printer"}),  # English stemming of ASCII words
    ],
)
def test_morphology_on_postgresql(tickets: dict[str, Ticket], q: str, expected: set[str]) -> None:
    assert found(q) == names(tickets, *expected)


@pytest.mark.parametrize(
    ("who", "q", "expected"),
    [
        ("cust_a", "насос", {"pump"}),  # B's pump stays hidden
        ("cust_b", "насос", {"b_pump"}),
        ("cust_b", "1234", set()),  # another company's number
        ("cust_none", "насос", set()),
        ("anonymous", "насос", set()),
        ("admin", "насос", {"pump", "b_pump"}),
    ],
)
def test_search_never_widens_scoping(
    world: World, tickets: dict[str, Ticket], who: str, q: str, expected: set[str]
) -> None:
    visible = Ticket.objects.visible_to(world.user(who))
    assert found(q, visible) == names(tickets, *expected)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"насос',
        "насос\"'",
        "'",
        "*",
        "насос*",
        ":*",
        "насос:*",
        "a:b",
        "& | ! ( )",
        "!насос",
        "насос & !принтер",
        "(насос | printer)",
        "NEAR(насос printer)",
        "subject:насос",
        "насос OR printer",
        "-насос",
        "^насос",
        "\\",
        "\x00",
        "%_%",
        "a" * 10_000,
        "насос " * 2_000,
        "😀 🚀",
        "１２３",  # full-width digits
    ],
)
def test_hostile_input_does_not_error(tickets: dict[str, Ticket], q: str) -> None:
    result = list(ticket_search(Ticket.objects.all(), q))
    assert len(result) <= len(tickets)


def test_operators_are_words_not_syntax(tickets: dict[str, Ticket]) -> None:
    # "!принтер" does not exclude, "|" does not widen: the words are ANDed
    assert found("насос | printer") == set()
    assert found("насос !давление") == names(tickets, "pump")
    assert found("насос*") == names(tickets, "pump", "b_pump")


def test_the_index_follows_edits_and_deletions(tickets: dict[str, Ticket]) -> None:
    pump = tickets["pump"]
    pump.subject = "Компрессор гудит"
    pump.save()
    assert found("компрессор") == {"Компрессор гудит"}
    assert found("качает") == set()
    pump.delete()
    assert found("компрессор") == set()


def test_query_builders_quote_everything() -> None:
    assert search_words("  Насос: 'a'&b!  ") == ["Насос", "a", "b"]
    assert postgres_tsquery(["it's", "x"]) == "'it''s' & 'x':*"
    assert sqlite_match(['say "hi"', "x"]) == '"say ""hi""" "x"*'
    assert len(search_words("w " * 100)) == 8


@pytest.mark.django_db
def test_postgresql_tests_the_stored_document_not_the_expression(world: World) -> None:
    """The plan reads the stored column (index or row test), never recomputes to_tsvector."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    queryset = ticket_search(Ticket.objects.filter(company=world.companies["A"]), "насос")
    sql, params = queryset.order_by("-created_at").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_document" in plan
    assert "to_tsvector" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.parametrize("few", [0, 10_000])
@pytest.mark.parametrize(
    ("q", "expected"),
    [("насосы", {"pump", "b_pump"}), ("котельная", {"boiler"}), ("jam", {"printer"})],
)
def test_a_few_tickets_are_searched_row_by_row_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
    tickets: dict[str, Ticket],
    few: int,
    q: str,
    expected: set[str],
) -> None:
    """Whether the tickets left by the other filters are read one by one (at most FEW_TICKETS
    of them) or through the GIN index, a search finds the same tickets; only the SQL differs."""
    monkeypatch.setattr("servicedesk.tickets.search.FEW_TICKETS", few)
    assert found(q) == names(tickets, *expected)
    sql = str(ticket_search(Ticket.objects.all(), q).query)
    row_by_row = "|| ''::tsvector" in sql
    assert row_by_row == (few > 0)  # the fixture's handful of tickets is "few" unless 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.parametrize("probe", [0, 1, 200])
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("насосы", {"pump", "b_pump"}),  # two matches: over a probe of 1, under 200
        ("насо", {"pump", "b_pump"}),  # a prefix only (the whole word «насо» is in none)
        ("котельная", {"boiler"}),
        ("скрипит", set()),  # in no ticket: the probe says so, nothing is walked
    ],
)
def test_many_tickets_are_probed_first_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
    tickets: dict[str, Ticket],
    probe: int,
    q: str,
    expected: set[str],
) -> None:
    """Over many tickets a search first asks the index for the matches, up to PROBE of them
    (`tickets_search_probe`, migration 0019): at most PROBE, the page is sorted from their
    ids; more, the newest are walked. Either way the same tickets are found."""
    monkeypatch.setattr("servicedesk.tickets.search.FEW_TICKETS", 0)
    monkeypatch.setattr("servicedesk.tickets.search.PROBE", probe)
    queryset = ticket_search(Ticket.objects.all(), q)
    assert set(queryset.values_list("subject", flat=True)) == names(tickets, *expected)
    try:
        probed = '"id" IN (' in str(queryset.query)
    except EmptyResultSet:  # probed, and none matched: `pk IN ()`, no query at all
        probed = True
    assert probed == (len(expected) <= probe)
    # Scoped to company B, still only B's match
    scoped = ticket_search(Ticket.objects.filter(company=tickets["b_pump"].company), q)
    assert set(scoped.values_list("subject", flat=True)) == names(tickets, *(expected & {"b_pump"}))
