"""A ticket's act as a page and as a PDF, the same for the portal and the back office, and its
signing: the customer signs or disputes it under the act in the portal; staff hand their own
device to the customer on site (the back office's signing page). 404 when the ticket is not
the reader's or has no act; a version that does not exist is the same 404.

`area` is "portal" or "backoffice": the URL names are the same in both
(`<area>:ticket_act`, `<area>:ticket_act_pdf`, `<area>:ticket_act_version`, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from servicedesk.accounts.services.audit import client_ip
from servicedesk.acts.building import ActView, act_versions, act_view, issued_act
from servicedesk.acts.models import Act
from servicedesk.acts.rendering import render_act_html, render_act_pdf
from servicedesk.acts.services import Reader, act_dispute, act_sign
from servicedesk.acts.signature import signature_png
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.tickets.access import access_ticket
from servicedesk.tickets.models import Ticket


def _language() -> str:
    return translation.get_language() or "ru"


def _view(user: Any, number: str, version: int | None = None) -> tuple[Ticket, Act, ActView]:
    ticket = access_ticket(user, number)
    act = issued_act(ticket)
    if act is None:
        raise Http404
    view = act_view(
        act,
        ticket,
        language=_language(),
        time_zone=timezone.get_current_timezone_name(),
        number=version,
    )
    if view is None:
        raise Http404
    return ticket, act, view


@dataclass
class Panel:
    """What is shown under the act on screen: the signing form (when the reader may answer
    this round), the dispute form (customers), the versions, and the last answer's errors."""

    mode: str = ""  # "customer", "device" or "" (read only)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    dispute_open: bool = False


def _may_answer(user: Any, ticket: Ticket, act: Act, on_staff_device: bool) -> bool:
    if not act.can_be_signed:
        return False
    if on_staff_device:
        return bool(user.has_perm("works.change", ticket))
    return bool(user.is_customer and user.has_perm("acts.sign", ticket))


def _page(
    request: HttpRequest,
    area: str,
    ticket: Ticket,
    act: Act,
    view: ActView,
    panel: Panel,
    *,
    status: int = 200,
) -> HttpResponse:
    number = ticket.number
    current = view.number == act.version
    if current:
        pdf_url = reverse(f"{area}:ticket_act_pdf", args=[number])
    else:
        pdf_url = reverse(f"{area}:ticket_act_version_pdf", args=[number, view.number])
    back_url = (
        reverse("portal:ticket_detail", args=[number])
        if area == "portal"
        else reverse("backoffice:ticket_works", args=[number])
    )
    context = {
        "area": area,
        "ticket": ticket,
        "act": act,
        "view": view,
        "current": current,
        "panel": panel,
        "versions": act_versions(act),
        "sign_url": reverse(
            "portal:ticket_act_sign" if area == "portal" else "backoffice:ticket_act_sign",
            args=[number],
        ),
        "dispute_url": reverse("portal:ticket_act_dispute", args=[number]),
        "messages": messages.get_messages(request),
    }
    after = render_to_string("acts/_panel.html", context, request=request)
    html = render_act_html(
        view.content,
        acceptance=view.acceptance,
        back_url=back_url,
        pdf_url=pdf_url,
        version=view.number,
        after=after,
    )
    return HttpResponse(html, status=status)


def act_page(
    request: HttpRequest, number: str, *, area: str, version: int | None = None
) -> HttpResponse:
    """The act (its current round, or round `version`), with what the reader may do under it:
    a customer who may sign the open round signs or disputes it right there."""
    ticket, act, view = _view(request.user, number, version)
    mode = ""
    if area == "portal" and view.frozen is None and _may_answer(request.user, ticket, act, False):
        mode = "customer"
    panel = Panel(mode=mode, values={"name": _default_name(request.user, mode)})
    return _page(request, area, ticket, act, view, panel)


def _default_name(user: Any, mode: str) -> str:
    return user.full_name if mode == "customer" else ""


def act_pdf(request: HttpRequest, number: str, *, version: int | None = None) -> HttpResponse:
    _ticket, _act, view = _view(request.user, number, version)
    content = view.content
    pdf = render_act_pdf(content, acceptance=view.acceptance, version=view.number)
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = f"-v{view.number}" if view.number > 1 else ""
    response["Content-Disposition"] = f'inline; filename="act-{content.number}{suffix}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _reader(request: HttpRequest, on_staff_device: bool) -> Reader:
    return Reader(
        user=request.user,  # type: ignore[arg-type]
        language=_language(),
        time_zone=timezone.get_current_timezone_name(),
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        on_staff_device=on_staff_device,
    )


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


CONFLICTS = frozenset({ErrorCode.ACT_SIGNED, ErrorCode.ACT_CHANGED, ErrorCode.ACT_STATE})


def _refused(
    request: HttpRequest,
    area: str,
    number: str,
    error: ApplicationError,
    panel: Panel,
) -> HttpResponse:
    """The act again, as it is now, with the reason the answer was refused."""
    ticket, act, view = _view(request.user, number)
    if view.frozen is not None or not _may_answer(
        request.user, ticket, act, panel.mode == "device"
    ):
        panel.mode = ""
    panel.errors.setdefault(error.field or "general", str(error.message))
    status = 409 if error.code in CONFLICTS else 400
    return _page(request, area, ticket, act, view, panel, status=status)


def act_sign_submit(request: HttpRequest, number: str, *, area: str) -> HttpResponse:
    """POST: sign the act's open round (the customer in the portal; on staff's device in the
    back office). Nothing changes unless everything is right."""
    on_staff_device = area == "backoffice"
    ticket = access_ticket(request.user, number)
    mode = "device" if on_staff_device else "customer"
    values = {k: request.POST.get(k, "") for k in ("name", "position")}
    panel = Panel(mode=mode, values=values)
    try:
        png = signature_png(request.POST.get("signature", ""))
    except ValidationError as invalid:
        error = ApplicationError(invalid.messages[0], code=ErrorCode.SIGNATURE, field="signature")
        return _refused(request, area, number, error, panel)
    try:
        act_sign(
            reader=_reader(request, on_staff_device),
            ticket=ticket,
            version=_posted_version(request),
            seen_hash=request.POST.get("content_hash", ""),
            name=values["name"],
            position=values["position"],
            signature_png=png,
        )
    except PermissionDenied as denied:
        raise Http404 from denied
    except ApplicationError as error:
        return _refused(request, area, number, error, panel)
    messages.success(request, translation.gettext("The act is signed. Thank you!"))
    return _to_answer(area, number)


def _to_answer(area: str, number: str) -> HttpResponse:
    """Back to the act, scrolled to what became of the answer (the panel under it)."""
    return redirect(reverse(f"{area}:ticket_act", args=[number]) + "#answer")


def act_dispute_submit(request: HttpRequest, number: str) -> HttpResponse:
    """POST (portal): dispute the act's open round with a comment for the engineer."""
    ticket = access_ticket(request.user, number)
    comment = request.POST.get("comment", "")
    panel = Panel(mode="customer", values={"comment": comment}, dispute_open=True)
    try:
        act_dispute(
            reader=_reader(request, False),
            ticket=ticket,
            version=_posted_version(request),
            seen_hash=request.POST.get("content_hash", ""),
            comment=comment,
        )
    except PermissionDenied as denied:
        raise Http404 from denied
    except ApplicationError as error:
        return _refused(request, "portal", number, error, panel)
    messages.success(
        request,
        translation.gettext(
            "Your objections are sent to the engineer. You will be asked to sign the corrected act."
        ),
    )
    return _to_answer("portal", number)


def act_device_page(request: HttpRequest, number: str) -> HttpResponse:
    """The back office's signing page: the act's open round with the signing form, for the
    customer to sign on the engineer's device."""
    ticket, act, view = _view(request.user, number)
    if view.frozen is not None or not _may_answer(request.user, ticket, act, True):
        return redirect("backoffice:ticket_act", number)
    return _page(request, "backoffice", ticket, act, view, Panel(mode="device"))
