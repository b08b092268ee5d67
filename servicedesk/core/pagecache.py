"""Whole pages from the cache while nothing on them has changed (docs/decisions/0009).

The busiest pages — the ticket lists, the ticket pages and the Messages inbox — are opened far
more often than what they show changes. A page that was rendered for a person is kept in the
cache with the *versions* (core/stamps.py) of everything it was made from; the next request
for the same address by the same person in the same session, language and time zone gets it
back without a query beyond the session and the user, as long as every version still holds.

What a page depends on is said by the view (`depends`: e.g. the ticket's version, or the
versions of the person's companies' tickets) plus what every page of a signed-in person shows
(`person_keys`: the person themselves and their memberships, the unread badge, the bell, the
people and reference lists named on pages). The apps register the latter in their `ready()`
and move the versions from their services and signals; a change that moves no version is a
stale page, so each one has a test that opens the page, makes the change and opens it again.

A page is kept only when it is safe to give again: a plain 200 answer to a GET that set no
cookie, queued no flash message and left the session as it was, rendered while no version it
depends on moved (else the next request makes it again). Things that change with the clock
alone are at most PAGE_CACHE_SECONDS old (a remaining time), except that a page showing a
deadline is kept only until that deadline passes (`expire_at`: the overdue mark is never late).

It needs a cache all processes share (Redis): with a per-process cache another process's
change would not reach it, so `PAGE_CACHE` is on by default only when REDIS_URL is set.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from servicedesk.core import stamps

PREFIX = "page:v1"
View = Callable[..., HttpResponse]
Depends = Callable[..., Iterable[str]]

# Functions of a user id giving version keys every page of that person depends on
# (registered by the apps that own them, in their AppConfig.ready()).
person_keys: list[Callable[[int], str]] = []
# Version keys every signed-in page depends on, whoever reads it (and the apps' own).
global_keys: list[str] = []


def ticket_key(number: str) -> str:
    """Anything shown on a ticket's pages: its fields, timeline, files, messages, survey."""
    return f"{PREFIX}:ticket:{number}"


def user_key(user_id: int) -> str:
    """The person: their profile, role, memberships and what they follow."""
    return f"{PREFIX}:user:{user_id}"


def inbox_key(user_id: int) -> str:
    """The person's conversations: their latest messages, unread counts, tickets' subjects."""
    return f"{PREFIX}:inbox:{user_id}"


def recent_key(user_id: int) -> str:
    """The order of the person's recently viewed tickets."""
    return f"{PREFIX}:recent:{user_id}"


PEOPLE = f"{PREFIX}:people"  # anyone's name, email, phone or role as pages show them
REFERENCE = f"{PREFIX}:reference"  # reference lists, companies, sites, SLA, custom fields
global_keys.extend((PEOPLE, REFERENCE))


def tickets_changed(numbers: Iterable[str]) -> None:
    stamps.bump(ticket_key(n) for n in numbers)


def users_changed(user_ids: Iterable[int]) -> None:
    stamps.bump(user_key(pk) for pk in user_ids)


def inboxes_changed(user_ids: Iterable[int]) -> None:
    stamps.bump(inbox_key(pk) for pk in user_ids)


def recent_changed(user_id: int) -> None:
    stamps.bump([recent_key(user_id)])


def people_changed() -> None:
    stamps.bump([PEOPLE])


def reference_changed(**kwargs: Any) -> None:
    """Also a signal receiver (post_save / post_delete of reference data)."""
    stamps.bump([REFERENCE])


def expire_at(request: HttpRequest, moments: Iterable[datetime | None]) -> None:
    """The page changes by itself at these moments (a deadline passing turns a ticket
    overdue): keep it no longer than until the first of them still to come."""
    now = timezone.now()
    future = [m for m in moments if m is not None and m > now]
    if not future:
        return
    seconds = max(1, math.ceil((min(future) - now).total_seconds()))
    known = getattr(request, "page_seconds", None)
    request.page_seconds = seconds if known is None else min(known, seconds)  # type: ignore[attr-defined]


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE", False))


def _messages_waiting(request: HttpRequest) -> bool:
    """A flash message is waiting to be shown (cookie or session storage)."""
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def _page_key(request: HttpRequest) -> str | None:
    csrf = request.META.get("CSRF_COOKIE")
    if not csrf or request.method != "GET" or _messages_waiting(request):
        return None
    user_id = request.user.pk
    parts = (
        request.get_full_path(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        request.headers.get("HX-History-Restore-Request", ""),
        # The page holds a CSRF token made from this secret: another session gets its own.
        str(csrf),
        str(getattr(settings, "PAGE_CACHE_RELEASE", "")),
    )
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
    return f"{PREFIX}:page:{user_id}:{digest}"


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    return not getattr(storage, "_queued_messages", None)


def page(
    depends: Depends,
    on_hit: Callable[..., None] | None = None,
    when: Callable[[HttpRequest], bool] | None = None,
    also: Callable[[HttpRequest], list[str]] | None = None,
) -> Callable[[View], View]:
    """Serve the view's page from the cache while the versions under `depends(request, *args,
    **kwargs)` and the person's own keys hold. `on_hit(request, meta, found, *args, **kwargs)`
    does what a visit must do even when the page comes from the cache (e.g. remember the
    visit); `meta` is what the view left in `request.page_meta` when it made the page, `found`
    the values of the keys `also(request)` names, read in the same round trip. `when(request)`
    false: not from the cache (e.g. an address whose answer depends on something else). Put it
    inside the gate (portal_view / backoffice_view): the person is signed in and allowed."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            usable = enabled() and (when is None or when(request))
            key = _page_key(request) if usable else None
            if key is None:
                return view(request, *args, **kwargs)
            user_id: int = request.user.pk  # type: ignore[assignment]
            version_keys = list(
                dict.fromkeys(
                    [
                        *depends(request, *args, **kwargs),
                        *(fn(user_id) for fn in person_keys),
                        *global_keys,
                    ]
                )
            )
            extra = also(request) if also is not None else []
            found = cache.get_many([key, *version_keys, *extra])
            versions = stamps.versions(version_keys, found)
            entry = found.get(key)
            if entry is not None and entry[0] == versions:
                _stored, status, content, headers, meta = entry
                if on_hit is not None:
                    on_hit(request, meta, {k: found.get(k) for k in extra}, *args, **kwargs)
                # As rendering the page's CSRF token would: the cookie's expiry is renewed.
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                return response
            response = view(request, *args, **kwargs)
            if _keepable(request, response):
                after = cache.get_many(version_keys)
                if tuple(after.get(k) for k in version_keys) == versions:
                    headers = [(n, v) for n, v in response.items()]
                    meta = getattr(request, "page_meta", None)
                    entry = (versions, response.status_code, response.content, headers, meta)
                    seconds = settings.PAGE_CACHE_SECONDS
                    seconds = min(seconds, getattr(request, "page_seconds", seconds))
                    cache.set(key, entry, seconds)
            return response

        return wrapper

    return decorator
