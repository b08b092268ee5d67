"""What moves the versions the cached counts (tickets/counts.py) hold to, when tickets and the
places they are filed for are saved."""

from __future__ import annotations

from typing import Any


def ticket_changed(instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Saved or deleted: its company's counts, and — when it was created, deleted, assigned or
    moved stage — the assignees' workloads; in one move of the versions."""
    from servicedesk.core import stamps
    from servicedesk.tickets import counts

    keys = [counts.all_key(counts.TICKETS)]
    # Its company now and the one it was read with (a ticket moved to another company leaves
    # the old company's lists and counts as it joins the new one's).
    companies = {instance.company_id, getattr(instance, "_saved_company_id", None)}
    keys += [counts.company_key(pk, counts.TICKETS) for pk in sorted(companies - {None})]
    instance._saved_company_id = instance.company_id
    if update_fields is None or counts.WORKLOAD_FIELDS & set(update_fields):
        keys.append(counts.all_key(counts.WORKLOAD))
    stamps.bump(keys)


def company_changed(instance: Any, **kwargs: Any) -> None:
    # A company, or a site or piece of equipment of one: the lists' filter choices change.
    from servicedesk.tickets import counts

    counts.company_changed(getattr(instance, "company_id", instance.pk), counts.PLACES)
