"""What moves the versions the cached counts (tickets/counts.py) and the pages kept whole in
the cache (core/pagecache.py) hold to, when tickets and the things on their pages are saved."""

from __future__ import annotations

from typing import Any


def ticket_changed(instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Saved or deleted: its company's counts, its pages, and — when it was created, deleted,
    assigned or moved stage — the assignees' workloads; in one move of the versions."""
    from servicedesk.core import pagecache, stamps
    from servicedesk.tickets import counts

    keys = [counts.all_key(counts.TICKETS), pagecache.ticket_key(instance.number)]
    if instance.company_id is not None:
        keys.append(counts.company_key(instance.company_id, counts.TICKETS))
    if update_fields is None or counts.WORKLOAD_FIELDS & set(update_fields):
        keys.append(counts.all_key(counts.WORKLOAD))
    stamps.bump(keys)


def ticket_part_changed(instance: Any, **kwargs: Any) -> None:
    """An event, a file, a follower, a message, a rating: the ticket's pages show it (the
    ticket's number names its pages' version)."""
    from servicedesk.core import pagecache
    from servicedesk.tickets.models import Ticket

    ticket = instance._state.fields_cache.get("ticket")
    number = getattr(ticket, "number", None) or (
        Ticket.objects.filter(pk=instance.ticket_id).values_list("number", flat=True).first()
    )
    if number:
        pagecache.tickets_changed([number])


def company_changed(instance: Any, **kwargs: Any) -> None:
    # A company, or a site or piece of equipment of one: the lists' filter choices change.
    from servicedesk.tickets import counts

    counts.company_changed(getattr(instance, "company_id", instance.pk), counts.PLACES)
