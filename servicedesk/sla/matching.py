"""Which SLA rule applies to a ticket (docs/decisions/0005-sla-rule-matching.md).

A rule lists values in up to seven dimensions (ticket types, criticalities, work types,
companies, sites, equipment, contracts); an empty list matches anything. Among the rules that
match, the most specific wins:

1. a rule that names the ticket's contract beats one that does not;
2. then the one constraining more dimensions;
3. ties: the shortest resolution target, then the shortest first response, then the lowest id.

`select_rule` is pure; `load_rules` reads all active rules with their lists in a fixed number
of queries (one per list, whatever the number of rules), and `rule_for_ticket` puts it together.
"""

from dataclasses import dataclass
from typing import Any

from servicedesk.core import stamps
from servicedesk.customers.models import Equipment, Site
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.models import Ticket


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int | None
    ticket_type_ids: frozenset[int] = frozenset()
    criticality_ids: frozenset[int] = frozenset()
    work_type_ids: frozenset[int] = frozenset()
    company_ids: frozenset[int] = frozenset()
    site_paths: tuple[str, ...] = ()
    equipment_ids: frozenset[int] = frozenset()
    contract_ids: frozenset[int] = frozenset()

    @property
    def constrained_dimensions(self) -> int:
        return sum(
            bool(values)
            for values in (
                self.ticket_type_ids,
                self.criticality_ids,
                self.work_type_ids,
                self.company_ids,
                self.site_paths,
                self.equipment_ids,
                self.contract_ids,
            )
        )


@dataclass(frozen=True)
class TicketFacts:
    """What matching looks at. Site paths are materialised paths ("12/40/"): the ticket's own
    site, and the site its equipment stands on."""

    ticket_type_id: int | None
    criticality_id: int | None
    work_type_id: int | None = None
    company_id: int | None = None
    site_path: str | None = None
    equipment_id: int | None = None
    equipment_site_path: str | None = None
    contract_id: int | None = None


def _allows(values: frozenset[int], value: int | None) -> bool:
    return not values or value in values


def _site_allows(paths: tuple[str, ...], facts: TicketFacts) -> bool:
    if not paths:
        return True
    # An empty path would be a site saved without site_save: it must never match everything.
    candidates = [p for p in (facts.site_path, facts.equipment_site_path) if p]
    return any(c.startswith(p) for p in paths if p for c in candidates)


def rule_matches(rule: RuleSpec, facts: TicketFacts) -> bool:
    return (
        _allows(rule.ticket_type_ids, facts.ticket_type_id)
        and _allows(rule.criticality_ids, facts.criticality_id)
        and _allows(rule.work_type_ids, facts.work_type_id)
        and _allows(rule.company_ids, facts.company_id)
        and _allows(rule.equipment_ids, facts.equipment_id)
        and _allows(rule.contract_ids, facts.contract_id)
        and _site_allows(rule.site_paths, facts)
    )


def _rank(rule: RuleSpec, facts: TicketFacts) -> tuple[int, int, int, int, int]:
    names_contract = facts.contract_id is not None and facts.contract_id in rule.contract_ids
    return (
        -int(names_contract),
        -rule.constrained_dimensions,
        rule.resolution_minutes,
        rule.first_response_minutes,
        rule.id,
    )


def select_rule(rules: list[RuleSpec], facts: TicketFacts) -> RuleSpec | None:
    """The winning rule among `rules` for `facts`, or None when none matches."""
    matching = [rule for rule in rules if rule_matches(rule, facts)]
    if not matching:
        return None
    return min(matching, key=lambda rule: _rank(rule, facts))


RULES_SECONDS = 300
RULES_KEY = "sla:v1:rules"
# Moved whenever what the rules and calendars are made of changes: the rules, their lists,
# calendars, hours, holidays, and the customers' data they name (sla/apps.py).
REFERENCE_VERSION = "sla:v1:reference"


def reference_changed(**kwargs: object) -> None:
    """The rules and calendars are read again (also a signal receiver: sla/apps.py)."""
    stamps.bump([REFERENCE_VERSION])


def load_rules() -> list[RuleSpec]:
    """All active rules with their lists, from the cache while nothing they are made of
    changed (REFERENCE_VERSION); else eight queries, whatever the number of rules. Every
    ticket created or changed asks for them."""
    return stamps.stamped(RULES_KEY, REFERENCE_VERSION, _load_rules, RULES_SECONDS)


def _load_rules() -> list[RuleSpec]:
    rows = list(
        SlaRule.objects.filter(is_active=True)
        .order_by("id")
        .values_list("id", "name", "first_response_minutes", "resolution_minutes", "calendar_id")
    )
    if not rows:
        return []
    ids = [row[0] for row in rows]

    def listed(field: str, value: str) -> dict[int, set[Any]]:
        through = SlaRule._meta.get_field(field).remote_field.through  # type: ignore[union-attr]
        found: dict[int, set[Any]] = {}
        pairs = through.objects.filter(slarule_id__in=ids).values_list("slarule_id", value)
        for rule_id, item in pairs:
            found.setdefault(rule_id, set()).add(item)
        return found

    ticket_types = listed("ticket_types", "tickettype_id")
    criticalities = listed("criticalities", "criticality_id")
    work_types = listed("work_types", "worktype_id")
    companies = listed("companies", "company_id")
    sites = listed("sites", "site__path")
    equipment = listed("equipment", "equipment_id")
    contracts = listed("contracts", "contract_id")
    return [
        RuleSpec(
            id=rule_id,
            name=name,
            first_response_minutes=first_response,
            resolution_minutes=resolution,
            calendar_id=calendar_id,
            ticket_type_ids=frozenset(ticket_types.get(rule_id, ())),
            criticality_ids=frozenset(criticalities.get(rule_id, ())),
            work_type_ids=frozenset(work_types.get(rule_id, ())),
            company_ids=frozenset(companies.get(rule_id, ())),
            # A listed site without a path still constrains the rule (and matches nothing).
            site_paths=tuple(sorted(p or "" for p in sites.get(rule_id, ()))),
            equipment_ids=frozenset(equipment.get(rule_id, ())),
            contract_ids=frozenset(contracts.get(rule_id, ())),
        )
        for rule_id, name, first_response, resolution, calendar_id in rows
    ]


def ticket_facts(ticket: Ticket) -> TicketFacts:
    """The facts of a Ticket (saved or not): at most two queries, for the site paths."""
    site_path = None
    if ticket.site_id is not None:
        cached = ticket._state.fields_cache.get("site")
        if cached is not None and cached.pk == ticket.site_id:
            site_path = cached.path
        else:
            site_path = (
                Site.objects.filter(pk=ticket.site_id).values_list("path", flat=True).first()
            )
    equipment_site_path = None
    if ticket.equipment_id is not None:
        equipment_site_path = (
            Equipment.objects.filter(pk=ticket.equipment_id)
            .values_list("site__path", flat=True)
            .first()
        )
    return TicketFacts(
        ticket_type_id=ticket.ticket_type_id,
        criticality_id=ticket.criticality_id,
        work_type_id=ticket.work_type_id,
        company_id=ticket.company_id,
        site_path=site_path,
        equipment_id=ticket.equipment_id,
        equipment_site_path=equipment_site_path,
        contract_id=ticket.contract_id,
    )


def rule_for_ticket(ticket: Ticket) -> RuleSpec | None:
    rules = load_rules()
    # No rules, no facts to read (their site paths cost up to two queries).
    return select_rule(rules, ticket_facts(ticket)) if rules else None
