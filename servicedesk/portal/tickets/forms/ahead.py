"""Reading ahead for the ticket form: what building it and filing its ticket read from the cache,
in one round trip."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from servicedesk.accounts.scopes import company_ids, scopes_keys
from servicedesk.core import stamps
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import Criticality, TicketType, WorkType
from servicedesk.customers.reference import reference_keys
from servicedesk.portal.tickets.forms.ticket import FORM_COMPANIES
from servicedesk.sla.matching import rules_keys
from servicedesk.tickets import counts
from servicedesk.tickets.selectors import ticket_places_keys

# Per process, each person's companies when their form was last built: a guess that lets the
# form read everything in one round trip (checked against the memberships read with it).
_COMPANIES_SEEN: dict[int, tuple[int, ...]] = {}
_COMPANIES_SEEN_MAX = 10_000


@contextmanager
def reading_ahead(scope_user: Any, company: Any = None) -> Iterator[None]:
    """What building the form for `scope_user` (with `company` chosen, as posted) and filing
    its ticket read from the cache — the memberships, the reference lists, the SLA rules, the
    offered companies and the company's places — in one round trip instead of five
    (core/stamps.py: read_ahead). The last two depend on the person's companies: they are read
    with the rest for the companies this process saw last time, and in a second round trip
    when those were not the companies the memberships now name."""
    seen = _COMPANIES_SEEN.get(scope_user.pk)
    keys = [
        *scopes_keys(scope_user),
        *reference_keys(TicketType, Criticality, WorkType),
        *rules_keys(),
        *(_company_keys(scope_user, company, seen) if seen is not None else ()),
    ]
    with stamps.read_ahead(keys):
        companies = tuple(company_ids(scope_user))
        if len(_COMPANIES_SEEN) >= _COMPANIES_SEEN_MAX:
            _COMPANIES_SEEN.clear()
        _COMPANIES_SEEN[scope_user.pk] = companies
        with stamps.read_ahead(_company_keys(scope_user, company, companies)):
            yield


def _company_keys(scope_user: Any, company: Any, companies: tuple[int, ...]) -> list[str]:
    """The offered companies' and the chosen (or only) company's places' keys."""
    pk = pk_or_none(company) or (companies[0] if len(companies) == 1 else None)
    keys = counts.cached_keys(scope_user, FORM_COMPANIES, counts.PLACES, companies)
    if pk in companies:
        keys += ticket_places_keys(scope_user, pk, companies)
    return keys
