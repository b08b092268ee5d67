"""Which SLA rule applies to a ticket: the pure choice, then the same through the database."""

from datetime import date, time

import pytest

from servicedesk.customers.services import site_save
from servicedesk.sla.matching import (
    RuleSpec,
    TicketFacts,
    load_rules,
    rule_for_ticket,
    select_rule,
)
from servicedesk.sla.selectors import calendar_spec
from servicedesk.sla.services import HolidayRow, calendar_save, holidays_add
from tests.factories import (
    CriticalityFactory,
    ServiceCalendarFactory,
    SlaRuleFactory,
    TicketFactory,
    _reference,
)

FACTS = TicketFacts(
    ticket_type_id=1,
    criticality_id=2,
    work_type_id=3,
    company_id=4,
    site_path="10/11/",
    equipment_id=5,
    equipment_site_path="10/11/12/",
    contract_id=6,
)


def rule(rule_id: int, *, res: int = 480, fr: int = 60, **lists) -> RuleSpec:
    return RuleSpec(
        id=rule_id,
        name=f"r{rule_id}",
        first_response_minutes=fr,
        resolution_minutes=res,
        calendar_id=None,
        **lists,
    )


@pytest.mark.parametrize(
    ("lists", "matches"),
    [
        ({}, True),
        ({"ticket_type_ids": frozenset({1})}, True),
        ({"ticket_type_ids": frozenset({9})}, False),
        ({"criticality_ids": frozenset({2, 9})}, True),
        ({"criticality_ids": frozenset({9})}, False),
        ({"work_type_ids": frozenset({9})}, False),
        ({"company_ids": frozenset({4})}, True),
        ({"company_ids": frozenset({9})}, False),
        ({"equipment_ids": frozenset({5})}, True),
        ({"equipment_ids": frozenset({9})}, False),
        ({"contract_ids": frozenset({6})}, True),
        ({"contract_ids": frozenset({9})}, False),
        # Sites: the ticket's site or anything above it, or the site its equipment stands on.
        ({"site_paths": ("10/",)}, True),
        ({"site_paths": ("10/11/",)}, True),
        ({"site_paths": ("10/11/12/",)}, True),
        ({"site_paths": ("10/13/",)}, False),
        ({"site_paths": ("1/",)}, False),  # a prefix of digits is not a parent
        ({"site_paths": ("",)}, False),  # a site without a path matches nothing
        ({"company_ids": frozenset({4}), "ticket_type_ids": frozenset({9})}, False),
    ],
)
def test_each_list_constrains_its_dimension(lists, matches):
    assert (select_rule([rule(1, **lists)], FACTS) is not None) is matches


def test_a_ticket_without_a_site_does_not_match_a_rule_listing_sites():
    facts = TicketFacts(ticket_type_id=1, criticality_id=2, company_id=4)
    assert select_rule([rule(1, site_paths=("10/",))], facts) is None
    assert select_rule([rule(1, work_type_ids=frozenset({3}))], facts) is None


def test_a_rule_naming_the_contract_beats_a_more_constrained_one():
    by_contract = rule(1, contract_ids=frozenset({6}))
    detailed = rule(
        2,
        ticket_type_ids=frozenset({1}),
        criticality_ids=frozenset({2}),
        company_ids=frozenset({4}),
    )
    assert select_rule([detailed, by_contract], FACTS) == by_contract


def test_more_constrained_dimensions_win():
    general = rule(1, res=10)
    by_company = rule(2, company_ids=frozenset({4}))
    by_company_and_type = rule(
        3, res=900, company_ids=frozenset({4}), ticket_type_ids=frozenset({1})
    )
    assert select_rule([general, by_company, by_company_and_type], FACTS) == by_company_and_type


def test_ties_go_to_the_shortest_resolution_then_first_response_then_lowest_id():
    a = rule(1, res=480, fr=60, company_ids=frozenset({4}))
    b = rule(2, res=240, fr=120, criticality_ids=frozenset({2}))
    c = rule(3, res=240, fr=30, ticket_type_ids=frozenset({1}))
    d = rule(4, res=240, fr=30, work_type_ids=frozenset({3}))
    assert select_rule([a, b], FACTS) == b
    assert select_rule([a, b, c], FACTS) == c
    assert select_rule([d, c, b, a], FACTS) == c


def test_no_rule_matches():
    assert select_rule([], FACTS) is None
    assert select_rule([rule(1, company_ids=frozenset({9}))], FACTS) is None


# --- Through the database ------------------------------------------------------------------------


@pytest.mark.django_db
def test_rules_load_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    for n in range(6):
        SlaRuleFactory(
            companies=[world.companies["A"]],
            sites=[world.sites["a_hq"]],
            contracts=[world.contracts["c_a_hq"]],
            criticalities=[CriticalityFactory()],
            is_active=n != 5,
        )
    with django_assert_num_queries(8):
        rules = load_rules()
    assert len(rules) == 5
    assert rules[0].site_paths == (world.sites["a_hq"].path,)
    assert rules[0].company_ids == {world.companies["A"].pk}


@pytest.mark.django_db
def test_a_listed_site_covers_sites_beneath_it_and_equipment_on_them(world):
    urgent = CriticalityFactory()
    hq_rule = SlaRuleFactory(name="hq", sites=[world.sites["a_hq"]], resolution_minutes=60)
    general = SlaRuleFactory(name="general", criticalities=[urgent])
    room = TicketFactory(site=world.sites["a_room"], criticality=urgent)
    on_server = TicketFactory(equipment=world.equipment["eq_a_room"], criticality=urgent)
    in_shop = TicketFactory(site=world.sites["a_shop"], criticality=urgent)
    elsewhere = TicketFactory(company=world.companies["B"])
    assert rule_for_ticket(room).id == hq_rule.pk
    assert rule_for_ticket(on_server).id == hq_rule.pk
    assert rule_for_ticket(in_shop).id == general.pk
    assert rule_for_ticket(elsewhere) is None


@pytest.mark.django_db
def test_the_contract_rule_wins_for_a_ticket_on_that_contract(world):
    repair = _reference("TicketType", "repair")
    by_contract = SlaRuleFactory(contracts=[world.contracts["c_a_all"]], resolution_minutes=9000)
    by_type_and_company = SlaRuleFactory(ticket_types=[repair], companies=[world.companies["A"]])
    on_contract = TicketFactory(
        company=world.companies["A"], ticket_type=repair, contract=world.contracts["c_a_all"]
    )
    off_contract = TicketFactory(company=world.companies["A"], ticket_type=repair)
    assert rule_for_ticket(on_contract).id == by_contract.pk
    assert rule_for_ticket(off_contract).id == by_type_and_company.pk


@pytest.mark.django_db
def test_rules_come_from_the_cache_until_reference_data_changes(world, django_assert_num_queries):
    """Every ticket created asks for the rules: read once, then from the cache until a rule,
    one of its lists, a calendar or a place changes."""
    rule = SlaRuleFactory(name="first", companies=[world.companies["A"]])
    load_rules()
    with django_assert_num_queries(0):
        assert [r.name for r in load_rules()] == ["first"]
    rule.companies.add(world.companies["B"])  # a list changed (m2m, no save)
    with django_assert_num_queries(8):
        assert load_rules()[0].company_ids == {c.pk for c in world.companies.values()}
    rule.sites.set([world.sites["a_floor"]])
    assert load_rules()[0].site_paths == (world.sites["a_floor"].path,)
    # The site moves: its path (through site_save's UPDATE) is what the rule matches on.
    floor = world.sites["a_floor"]
    floor.parent = world.sites["a_shop"]
    site_save(floor)
    floor.refresh_from_db()
    assert load_rules()[0].site_paths == (floor.path,)
    SlaRuleFactory(name="second", is_active=True)
    assert sorted(r.name for r in load_rules()) == ["first", "second"]
    rule.is_active = False
    rule.save()
    assert [r.name for r in load_rules()] == ["second"]


@pytest.mark.django_db
def test_a_calendar_comes_from_the_cache_until_it_changes(django_assert_num_queries):
    calendar = ServiceCalendarFactory(hours={0: [(time(9), time(18))]})
    calendar_spec(calendar.pk)
    with django_assert_num_queries(0):
        assert calendar_spec(calendar.pk).holidays == frozenset()
    holidays_add(calendar, rows=[HolidayRow(date=date(2030, 1, 1), name="New year")])
    assert calendar_spec(calendar.pk).holidays == {date(2030, 1, 1)}
    calendar_save(calendar, hours={1: [(time(10), time(12))]})
    assert set(calendar_spec(calendar.pk).weekly) == {1}
