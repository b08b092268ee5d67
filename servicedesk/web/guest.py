"""A guest's status link, `/t/<token>/`: one ticket's stage (as the customer reads it), its
public messages (never internal notes) and a reply box, for a person without an account
(intake/links.py says when a link works).

Every token that does not work gets one plain "not valid" page (404), whatever the reason.
Wrong tokens are counted per client address: past `GUEST_LINK_BAD_PER_HOUR` the address gets
429 for every link, working or not, so guessing finds nothing. Replies are rate-limited too
(ACCOUNT_RATE_LIMITS["guest_reply"]). A reply is posted through the conversations service as
the link's person: a reply to a Resolved or Waiting ticket returns it to work, as the portal's
does. Signed-in staff may look but not write in the customer's name.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from servicedesk.conversations.models import BODY_MAX_LENGTH, Message
from servicedesk.conversations.services import message_post
from servicedesk.core import limits
from servicedesk.core.errors import ApplicationError
from servicedesk.intake.links import guest_link_resolve, guest_link_touch
from servicedesk.tickets.workflow import customer_status_label

MESSAGES_SHOWN = 100


def client_ip(request: HttpRequest) -> str:
    return str(get_adapter().get_client_ip(request))


def _secure(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never sent to another site, never indexed. ("same-origin",
    # not "no-referrer": browsers then send "Origin: null" with the reply, which fails Django's
    # CSRF check.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    return _secure(render(request, "intake/guest_limited.html", status=429))


def _invalid(request: HttpRequest) -> HttpResponse:
    return _secure(render(request, "intake/guest_invalid.html", status=404))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def guest_status(request: HttpRequest, token: str = "") -> HttpResponse:
    ip = client_ip(request)
    bad_limit = int(getattr(settings, "GUEST_LINK_BAD_PER_HOUR", 20))
    if limits.over("guest_bad", ip, bad_limit):
        return _too_many(request)
    link = guest_link_resolve(token)
    if link is None:
        limits.hit("guest_bad", ip)
        return _invalid(request)
    ticket = link.ticket
    contact = link.contact
    user: Any = request.user
    may_write = not (user.is_authenticated and user.pk != contact.pk)
    body = ""
    error = ""
    status = 200
    if request.method == "POST":
        body = request.POST.get("body", "")[: BODY_MAX_LENGTH + 1]
        if not may_write:
            error = _("Signed in as someone else: you cannot write in this person's name.")
            status = 403
        elif not ratelimit.consume(request, action="guest_reply"):
            error = _("Too many attempts from here. Nothing was sent; wait a while and try again.")
            status = 429
        else:
            try:
                message_post(by=contact, ticket=ticket, body=body)
            except ApplicationError as failure:
                error = str(failure.message)
                status = 400
            else:
                messages.success(request, _("Your message has been sent."))
                return _secure(redirect(request.path))
    else:
        guest_link_touch(link)
    shown = list(
        Message.objects.filter(ticket=ticket, is_internal=False)
        .select_related("author")
        .order_by("-created_at", "-id")[:MESSAGES_SHOWN]
    )
    shown.reverse()
    context = {
        "ticket": ticket,
        "contact": contact,
        "status_label": customer_status_label(ticket.status),
        "conversation": shown,
        "body": body,
        "error": error,
        "may_write": may_write,
        "body_max": BODY_MAX_LENGTH,
    }
    return _secure(render(request, "intake/guest_status.html", context, status=status))
