"""People on the pages kept whole in the cache (core/pagecache.py): a person's own pages hold to
their version (profile, role, memberships), and every page to the version of everyone's names
(a contact, an assignee, a message's author)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed

from servicedesk.core import pagecache
from servicedesk.core.signals import on_change

# Saves that change nothing a page shows (a sign-in writes last_login only).
UNSHOWN_FIELDS = frozenset({"last_login", "updated_at"})


def _user_saved(instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= UNSHOWN_FIELDS:
        return
    pagecache.users_changed([instance.pk])
    pagecache.people_changed()


def _membership_changed(instance: Any, **kwargs: Any) -> None:
    pagecache.users_changed([instance.user_id])


def _membership_places_changed(
    instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    from servicedesk.accounts.models import Membership

    if not reverse:
        pagecache.users_changed([instance.user_id])
        return
    # From the site's or the equipment's side: pk_set holds memberships (None: all cleared).
    rows = Membership.objects.all() if pk_set is None else Membership.objects.filter(pk__in=pk_set)
    pagecache.users_changed(rows.values_list("user_id", flat=True))


def connect() -> None:
    from servicedesk.accounts.models import Membership, User

    pagecache.person_keys.append(pagecache.user_key)
    on_change(_user_saved, User, uid="page-user")
    on_change(_membership_changed, Membership, uid="page-membership")
    for through in (Membership.sites.through, Membership.equipment.through):
        m2m_changed.connect(
            _membership_places_changed, sender=through, dispatch_uid=f"page-places-{through}"
        )
