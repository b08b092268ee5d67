"""The mail health page and the incoming messages for administrators: per mailbox the last
poll, its error, held and failed messages and messages per hour, the outgoing log's numbers
beside it; the list of incoming messages, one message parsed (and its original to download),
and what an administrator does with a held or failed one: process it again, file it as a ticket
by hand, or reject it. Anyone without "mail.manage_mailboxes" gets 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest
from servicedesk.backoffice.mail.forms import ToTicketForm
from servicedesk.backoffice.people.common import elided_range, people_view
from servicedesk.core.errors import ApplicationError
from servicedesk.mail import parsing
from servicedesk.mail.inbound import inbound_reprocess, inbound_to_ticket
from servicedesk.mail.mailboxes import (
    HEALTH_HOURS,
    inbound_dismiss,
    mail_health,
    outbound_summary,
)
from servicedesk.mail.models import InboundMessage, Mailbox

PER_PAGE = 50
PREVIEW_CHARS = 20_000
mail_admin_view = people_view("mail.manage_mailboxes")
State = InboundMessage.State


@mail_admin_view
def health(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = mail_health(now=now)
    return render(
        request,
        "backoffice/mail/health.html",
        {
            "section": "inbound_mail",
            "tab": "health",
            "rows": rows,
            "hours": HEALTH_HOURS,
            "outbound": outbound_summary(),
            "now": now,
        },
    )


@mail_admin_view
def inbound_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    mailboxes = list(Mailbox.objects.order_by("name", "pk"))
    mailbox_id = request.GET.get("mailbox", "")
    mailbox = next((m for m in mailboxes if str(m.pk) == mailbox_id), None)
    rows = InboundMessage.objects.select_related("mailbox", "ticket")
    base = InboundMessage.objects.all()
    if mailbox is not None:
        rows = rows.filter(mailbox=mailbox)
        base = base.filter(mailbox=mailbox)
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-received_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = dict(base.values("state").annotate(n=Count("pk")).values_list("state", "n").order_by())
    tabs = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in State.choices
    ]
    return render(
        request,
        "backoffice/mail/inbound_list.html",
        {
            "section": "inbound_mail",
            "tab": "inbound",
            "page": page,
            "elided_range": elided_range(page),
            "state": state,
            "tabs": tabs,
            "mailboxes": mailboxes,
            "mailbox": mailbox,
        },
    )


def _parsed(message: InboundMessage) -> tuple[parsing.ParsedMail | None, str]:
    try:
        with message.raw.open("rb") as handle:
            raw = handle.read()
    except OSError as error:
        return None, _("The original cannot be read: %(error)s") % {"error": error}
    try:
        return parsing.parse_message(raw), ""
    except parsing.ParseError as error:
        return None, str(error)
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def _detail(
    request: AuthenticatedHttpRequest,
    message: InboundMessage,
    form: ToTicketForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    parsed, parse_error = _parsed(message)
    text = parsed.text if parsed else ""
    return render(
        request,
        "backoffice/mail/inbound_detail.html",
        {
            "section": "inbound_mail",
            "tab": "inbound",
            "message": message,
            "parsed": parsed,
            "parse_error": parse_error,
            "text": text[:PREVIEW_CHARS],
            "text_cut": len(text) > PREVIEW_CHARS,
            "open": message.state in (State.HELD, State.FAILED, State.RECEIVED),
            "ticket_form": form or ToTicketForm(initial={"contact_email": message.from_address}),
        },
        status=status,
    )


def _message_or_404(pk: int) -> InboundMessage:
    return get_object_or_404(InboundMessage.objects.select_related("mailbox", "ticket"), pk=pk)


@mail_admin_view
def inbound_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _message_or_404(pk))


@mail_admin_view  # type: ignore[arg-type]  # a streamed file, not an HttpResponse
def inbound_raw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The original, exactly as received, as a download (never shown inline)."""
    message = _message_or_404(pk)
    response = FileResponse(
        message.raw.open("rb"),
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@mail_admin_view
@require_POST
def inbound_reprocess_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = inbound_reprocess(_message_or_404(pk), by=request.user)
    if message.state == State.PROCESSED:
        messages.success(request, _("The email has been processed."))
    else:
        messages.warning(
            request,
            _("Processed again: %(state)s.") % {"state": message.get_state_display()},
        )
    return redirect("backoffice:inbound_detail", pk=pk)


@mail_admin_view
@require_POST
def inbound_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound_dismiss(message=_message_or_404(pk), by=request.user)
    messages.success(request, _("The email has been rejected; nobody was answered."))
    return redirect("backoffice:inbound_detail", pk=pk)


@mail_admin_view
@require_POST
def inbound_ticket(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = _message_or_404(pk)
    form = ToTicketForm(request.POST)
    if not form.is_valid() or form.membership is None:
        return _detail(request, message, form, status=400)
    try:
        ticket = inbound_to_ticket(
            message,
            by=request.user,
            company=form.membership.company,
            contact=form.membership.user,
            ticket_type=form.cleaned_data.get("ticket_type"),
            criticality=form.cleaned_data.get("criticality"),
        )
    except ApplicationError as error:
        form.add_error(None, str(error))
        return _detail(request, message, form, status=400)
    messages.success(request, _("Ticket %(number)s has been filed.") % {"number": ticket.number})
    return redirect("backoffice:ticket_detail", ticket.number)
