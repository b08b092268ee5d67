"""Moments of an act's life other apps act on (the pattern of tickets/hooks.py)."""

from servicedesk.tickets.hooks import Hook

# ticket=Ticket, act=Act, version=ActVersion — the customer signed round `version` of the act.
signed = Hook("signed")
