"""Moments of the SLA check other apps act on (the pattern of tickets/hooks.py)."""

from servicedesk.tickets.hooks import Hook

# kind=SlaNotification.Kind, tickets=list[Ticket], deadline_field=str — these tickets have just
# passed a threshold (a deadline near or passed), each told once per kind.
deadline = Hook("deadline")
