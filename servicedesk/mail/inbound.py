"""Incoming mail: store it raw, then turn it into a ticket or a chat message — or hold, reject
or ignore it, saying why. The interface every entry point calls (IMAP polling, the MTA pipe
`manage.py receive_mail`, the inbound webhook, the admins' pages):

- `inbound_store(...)` writes the raw bytes and the row first, in their own transaction, and is
  idempotent per mailbox + Message-ID (the content hash when there is none);
- `inbound_process(message)` does the rest in ONE transaction (ticket or message + the row's new
  state together) and never raises: a failure leaves the row `failed` with the error. A row
  already processed, rejected or ignored is left alone, so a worker killed after the commit but
  before the server was told re-reads the message and duplicates nothing;
- `inbound_receive` = both; `inbound_reprocess` and `inbound_to_ticket` are for admins.

Trust (docs/decisions/0022-inbound-mail.md): From, Cc and every other header can be forged.
A reply is routed by the signed reply token (Reply-To we sent: To/Cc/Delivered-To, or the
subject) or by In-Reply-To/References naming a message we sent, never by a subject tag; it is
posted only for a sender who already takes part in that ticket. A message becomes a staff
message only with a token bound to that staff member and that ticket; nothing by email changes
status, assignee or criticality (a customer's reply reopens as the portal's does). RFC 3834: no
automatic reply to automatic mail, bounces, lists or our own addresses.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from servicedesk.accounts.models import Role, User
from servicedesk.conversations.models import BODY_MAX_LENGTH, Message, Participant
from servicedesk.core.db import unflushed_commit
from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import (
    Company,
    Criticality,
    Equipment,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.mail import parsing
from servicedesk.mail.addresses import ReplyToken, reply_token_parse, reply_tokens_in
from servicedesk.mail.addresses import thread_ticket_ids as signed_thread_ids
from servicedesk.mail.models import InboundMessage, Mailbox, OutboundMessage, SenderRule
from servicedesk.tickets.models import Origin, Ticket, TicketAttachment, TicketFollower
from servicedesk.tickets.uploads import UploadRejectedError, check_upload

logger = logging.getLogger(__name__)

State = InboundMessage.State
DEDUPE_MAX = 255
ERROR_MAX = 4000
REGEX_TIMEOUT_CHARS = 20_000  # the text a rule's regex may look at
REGEX_MAX_LENGTH = 500


# --- Storing -----------------------------------------------------------------------------------


def _headers_summary(raw: bytes) -> tuple[str, str, str]:
    """Message-ID, From address and Subject, from the headers only, whatever the body holds."""
    try:
        head = BytesHeaderParser(policy=policy.default).parsebytes(raw[: 256 * 1024])
        message_id = parsing._header(head, "Message-ID")
        subject = parsing._header(head, "Subject")
        _name, address = parseaddr(parsing._header(head, "From"))
        return message_id, parsing.normalise_address(address) or address[:254], subject
    except Exception:
        return "", "", ""


def dedupe_key(message_id: str, sha256: str) -> str:
    message_id = message_id.strip()
    if not message_id:
        return f"sha256:{sha256}"
    if len(message_id) > DEDUPE_MAX - 4:
        return "mid:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return message_id


def inbound_store(
    *, mailbox: Mailbox, raw: bytes, source: str, imap_uid: str = ""
) -> tuple[InboundMessage, bool]:
    """Keep the message before anything else happens to it: the file, then the row (its own
    transaction). The same mailbox + Message-ID (or content hash) again: the existing row and
    False, and nothing is written."""
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id, from_address, subject = _headers_summary(raw)
    key = dedupe_key(message_id, sha256)
    existing = InboundMessage.objects.filter(mailbox=mailbox, dedupe_key=key).first()
    if existing is not None:
        return existing, False
    row = InboundMessage(
        mailbox=mailbox,
        sha256=sha256,
        size=len(raw),
        message_id=message_id[:998],
        dedupe_key=key,
        source=source,
        imap_uid=str(imap_uid or "")[:40],
        from_address=from_address[:998],
        subject=subject[:1000],
        received_at=timezone.now(),
    )
    row.raw.save(f"{sha256}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        row.raw.delete(save=False)
        existing = InboundMessage.objects.filter(mailbox=mailbox, dedupe_key=key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def inbound_receive(
    *, mailbox: Mailbox, raw: bytes, source: str, imap_uid: str = ""
) -> InboundMessage:
    message, _created = inbound_store(mailbox=mailbox, raw=raw, source=source, imap_uid=imap_uid)
    return inbound_process(message)


# --- Processing --------------------------------------------------------------------------------

DONE = frozenset({State.PROCESSED, State.REJECTED, State.IGNORED})


@dataclass
class Outcome:
    state: str
    reason: str = ""
    error: str = ""
    ticket: Ticket | None = None
    chat_message: Message | None = None
    after_commit: list[Any] = field(default_factory=list)


class _Hold(Exception):  # noqa: N818 (a decision, not an error)
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def inbound_process(message: InboundMessage, *, release: bool = False) -> InboundMessage:
    """Turn the stored message into what it should become, in one transaction; never raises.
    `release`: an admin has looked at it (held for flooding): the flood limit is not applied."""
    if message.state in DONE:
        return message
    # The raw message is committed durably already (inbound_store): this transaction may
    # commit without waiting for its WAL flush. Lost in a database crash, it leaves the row
    # `received`, and the sweep processes it again — the same outcome, no duplicate.
    try:
        with unflushed_commit():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.state in DONE:  # another worker got there first
                return locked
            locked.attempts += 1
            outcome = _process(locked, release=release)
            locked.state = outcome.state
            locked.reason = outcome.reason
            locked.error = outcome.error[:ERROR_MAX]
            locked.ticket = outcome.ticket or locked.ticket
            locked.chat_message = outcome.chat_message or locked.chat_message
            locked.processed_at = timezone.now()
            locked.save(
                update_fields=[
                    "state", "reason", "error", "ticket", "chat_message", "processed_at",
                    "from_address", "subject", "attempts",
                ]
            )  # fmt: skip
            for callback in outcome.after_commit:
                transaction.on_commit(callback)
        return locked
    except Exception as error:
        logger.exception("Incoming email %s failed", message.pk)
        code = getattr(error, "code", "") if isinstance(error, parsing.ParseError) else ""
        InboundMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1,
            state=State.FAILED,
            reason=code or "error",
            error=f"{type(error).__name__}: {error}"[:ERROR_MAX],
            processed_at=timezone.now(),
        )
        message.refresh_from_db()
        return message


STUCK_AFTER = timedelta(minutes=2)


def inbound_process_stuck(*, now: Any, limit: int = 200) -> int:
    """Process the messages left `received` (stored, then the process died) for a while."""
    stuck = InboundMessage.objects.filter(
        state=State.RECEIVED, received_at__lt=now - STUCK_AFTER
    ).select_related("mailbox")
    count = 0
    for message in stuck.order_by("received_at", "id")[:limit]:
        inbound_process(message)
        count += 1
    return count


def inbound_reprocess(message: InboundMessage, *, by: User) -> InboundMessage:
    """An admin's «Process again» for a failed or held message (a processed one stays)."""
    if message.state in DONE:
        return message
    InboundMessage.objects.filter(pk=message.pk).update(state=State.RECEIVED, reason="", error="")
    message.refresh_from_db()
    logger.info("Incoming email %s processed again by %s", message.pk, by.pk)
    return inbound_process(message, release=True)


def _limits() -> dict[str, int]:
    return {
        "max_bytes": int(getattr(settings, "MAIL_INBOUND_MAX_BYTES", parsing.MAX_BYTES)),
        "max_depth": int(getattr(settings, "MAIL_INBOUND_MAX_DEPTH", parsing.MAX_DEPTH)),
        "max_header": int(getattr(settings, "MAIL_INBOUND_MAX_HEADER", parsing.MAX_HEADER)),
    }


def _read(message: InboundMessage) -> bytes:
    with message.raw.open("rb") as handle:
        return bytes(handle.read())


def _process(message: InboundMessage, *, release: bool = False) -> Outcome:
    raw = _read(message)
    try:
        parsed = parsing.parse_message(raw, **_limits())
    except parsing.ParseError as error:
        return Outcome(State.FAILED, error.code, str(error))
    message.from_address = (parsed.from_address or message.from_address)[:998]
    message.subject = (parsed.subject or message.subject)[:1000]
    mailbox = message.mailbox
    context = _Context(message=message, mailbox=mailbox, parsed=parsed, raw=raw, release=release)
    try:
        # A savepoint: a hold decided half-way (after a contact was made for an unknown
        # sender, say) leaves nothing of the way behind.
        with transaction.atomic():
            return _route(context)
    except _Hold as hold:
        return Outcome(State.HELD, hold.reason, hold.detail)


@dataclass
class _Context:
    message: InboundMessage
    mailbox: Mailbox
    parsed: parsing.ParsedMail
    raw: bytes
    release: bool = False


# --- Loops (RFC 3834) --------------------------------------------------------------------------


def our_addresses() -> set[str]:
    """Every address that is ours: the mailboxes', the sender's and the reply address."""
    mailboxes = Mailbox.objects.values_list("address", flat=True)
    found = {parsing.normalise_address(a) for a in mailboxes}
    for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, settings.MAIL_REPLY_ADDRESS):
        found.add(parsing.normalise_address(parseaddr(str(value or ""))[1]))
    found.discard("")
    return found


def is_ours(address: str, ours: set[str]) -> bool:
    """Ours, plus-tokens included (support+u1-2-…@desk is the reply address)."""
    address = parsing.normalise_address(address)
    local, _at, domain = address.rpartition("@")
    base = f"{local.partition('+')[0]}@{domain}"
    return address in ours or base in ours


_BOUNCERS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|bounces?|noreply-dmarc.*)$")


def loop_reason(parsed: parsing.ParsedMail, ours: set[str]) -> str:
    """Why the message must be dropped outright: our own mail, a bounce, an auto-reply; ""."""
    if parsed.from_address and is_ours(parsed.from_address, ours):
        return "loop"
    if parsed.return_path == "" or _BOUNCERS.match(parsed.from_address.partition("@")[0]):
        return "bounce"
    if parsed.auto_submitted.startswith("auto-replied") or parsed.x_autoreply:
        return "auto_reply"
    return ""


def no_auto_reply(parsed: parsing.ParsedMail) -> bool:
    """RFC 3834 §2: automatic, bulk and list mail gets no automatic answer (it may still be a
    ticket: monitoring systems file tickets this way)."""
    return bool(
        (parsed.auto_submitted and parsed.auto_submitted != "no")
        or parsed.precedence in ("bulk", "list", "junk")
        or parsed.list_id
        or parsed.return_path == ""
    )


# --- Flood -------------------------------------------------------------------------------------


def flood_reason(message: InboundMessage) -> str:
    mailbox = message.mailbox
    if not message.from_address:
        return ""
    if not (mailbox.flood_per_minute or mailbox.flood_per_hour):
        return ""
    minute = message.received_at - timedelta(minutes=1)
    counts = (
        InboundMessage.objects.filter(
            from_address=message.from_address,
            received_at__gt=message.received_at - timedelta(hours=1),
            received_at__lte=message.received_at,
            mailbox=mailbox,
        )
        .exclude(pk=message.pk)
        .aggregate(hour=Count("pk"), minute=Count("pk", filter=Q(received_at__gt=minute)))
    )
    if mailbox.flood_per_minute and counts["minute"] >= mailbox.flood_per_minute:
        return "flood"
    if mailbox.flood_per_hour and counts["hour"] >= mailbox.flood_per_hour:
        return "flood"
    return ""


def _flood_notify(message: InboundMessage) -> None:
    """Tell the admins (the bell), once per sender and hour."""
    from servicedesk.notifications.models import Notification
    from servicedesk.notifications.selectors import bell_changed

    hour = message.received_at.strftime("%Y%m%d%H")
    key = f"mail_flood:{message.mailbox_id}:{hashlib.sha1(message.from_address.encode()).hexdigest()[:16]}:{hour}"  # noqa: E501, S324
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True))
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=pk,
                kind=Notification.Kind.MAIL_HELD,
                data={"sender": message.from_address, "reason": "flood", "inbound": message.pk},
                key=key[:100],
            )
            for pk in admins
        ],
        ignore_conflicts=True,
    )
    bell_changed(admins)


# --- Routing -----------------------------------------------------------------------------------


def _route(context: _Context) -> Outcome:
    parsed, message = context.parsed, context.message
    ours = our_addresses()
    reason = loop_reason(parsed, ours)
    if reason:
        return Outcome(State.IGNORED, reason)
    if not parsed.from_address:
        # No From, or one that is not a plain address (look-alike letters in its local part,
        # several @…): nobody to file for or answer; staff may look.
        return Outcome(State.HELD, "bad_sender")
    if not context.release and flood_reason(message):
        return Outcome(State.HELD, "flood", after_commit=[lambda: _flood_notify(message)])
    attachments = list(parsed.attachments)
    if len(attachments) > int(getattr(settings, "MAIL_INBOUND_MAX_ATTACHMENTS", 30)):
        return Outcome(State.HELD, "limits", _("Too many attachments: %(count)s.") % {
            "count": len(attachments)
        })  # fmt: skip
    sender = _sender(parsed.from_address)
    target = _thread_target(parsed, ours)
    if target is not None:
        return _reply(context, target, sender)
    if sender is not None and sender.is_provider_staff:
        # A From header never makes a staff message: staff answer from the notification.
        raise _Hold("staff_without_token")
    return _new_ticket(context, sender)


def _sender(address: str) -> User | None:
    if not address:
        return None
    # LOWER(email) = …: the unique index on LOWER(email) serves it (iexact's UPPER would not).
    return (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=address.lower(), is_active=True)
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class _Target:
    ticket: Ticket
    token: ReplyToken | None  # the signed token that routed it (None: a Message-ID we sent)
    recipient_id: int | None  # who our email was sent to (token or outbound log)


def _tokens_from_recipients(parsed: parsing.ParsedMail, ours: set[str]) -> list[ReplyToken]:
    found: list[ReplyToken] = []
    for address in parsed.recipients:
        local, _at, domain = address.rpartition("@")
        base, plus, token = local.partition("+")
        if plus and f"{base}@{domain}" in ours:
            parsed_token = reply_token_parse(token)
            if parsed_token is not None and parsed_token not in found:
                found.append(parsed_token)
    return found


def _thread_target(parsed: parsing.ParsedMail, ours: set[str]) -> _Target | None:
    tokens = _tokens_from_recipients(parsed, ours) or reply_tokens_in(parsed.subject)
    if tokens:
        token = tokens[0]
        ticket = Ticket.objects.filter(pk=token.ticket_id).first()
        if ticket is not None:
            return _Target(ticket, token, token.user_id)
    ids = re.findall(r"<[^<>\s]{1,250}>", f"{parsed.in_reply_to} {parsed.references}")
    if ids:
        sent = (
            OutboundMessage.objects.filter(message_id__in=ids[-50:], ticket__isnull=False)
            .order_by("-created_at")
            .values_list("ticket_id", "user_id")
            .first()
        )
        if sent is not None:
            ticket = Ticket.objects.filter(pk=sent[0]).first()
            if ticket is not None:
                return _Target(ticket, None, sent[1])
    for ticket_id in signed_thread_ids(f"{parsed.in_reply_to} {parsed.references}"):
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            return _Target(ticket, None, None)
    return None


def is_participant(user: User, ticket: Ticket) -> bool:
    """Takes part in the ticket: may see it and is its contact, a follower, or has written or
    read in its conversation. A colleague who merely could see it does not reply into it."""
    if not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
        return False
    return (
        ticket.contact_id == user.pk
        or ticket.assignee_id == user.pk
        or TicketFollower.objects.filter(ticket=ticket, user=user).exists()
        or Participant.objects.filter(ticket=ticket, user=user).exists()
    )


def _reply(context: _Context, target: _Target, sender: User | None) -> Outcome:
    from servicedesk.conversations.services import message_post

    ticket, token = target.ticket, target.token
    staff_token = (
        token is not None
        and token.user_id is not None
        and sender is not None
        and sender.pk == token.user_id
        and sender.is_provider_staff
        and Ticket.objects.visible_to(sender).filter(pk=ticket.pk).exists()
    )
    if sender is not None and sender.is_provider_staff and not staff_token:
        raise _Hold("staff_without_token")
    if token is not None and token.internal and not staff_token:
        # The reply address of an internal note's email, used by someone it was not sent to.
        raise _Hold("not_participant")
    if sender is None or not (staff_token or is_participant(sender, ticket)):
        # Not one of the ticket's people: never attached to it. A new ticket, if the mailbox
        # would take a new email from them; else held.
        outcome = _new_ticket(context, sender, fallback_reason="not_participant")
        return outcome
    body = _body(context, limit=BODY_MAX_LENGTH)
    files, refused = _files(context)
    if refused:
        body = _with_refused(body, refused, BODY_MAX_LENGTH)
    if not body.strip() and not files:
        return Outcome(State.IGNORED, "empty", ticket=ticket)
    internal = bool(staff_token and token is not None and token.internal)
    posted = message_post(
        by=sender, ticket=ticket, body=body or "—", internal=internal, files=files
    )
    _keep_original(context, ticket, posted)
    return Outcome(State.PROCESSED, "reply", ticket=ticket, chat_message=posted)


# --- New tickets -------------------------------------------------------------------------------


def rule_for(mailbox: Mailbox, address: str) -> SenderRule | None:
    """The mailbox's first rule (by position) whose pattern matches; patterns are read alone,
    the matching rule whole."""
    patterns = SenderRule.objects.filter(mailbox=mailbox).order_by("position", "id")
    for pk, pattern in patterns.values_list("pk", "pattern"):
        if parsing.address_matches(pattern, address):
            return SenderRule.objects.select_related(
                "company", "ticket_type", "criticality", "work_type", "site", "equipment"
            ).get(pk=pk)
    return None


def _new_ticket(context: _Context, sender: User | None, fallback_reason: str = "") -> Outcome:
    from servicedesk.tickets.services import TicketData, ticket_create

    parsed, mailbox = context.parsed, context.mailbox
    Policy = Mailbox.UnknownSender  # noqa: N806
    rule = rule_for(mailbox, parsed.from_address)
    if rule is None and sender is not None and sender.is_customer:
        # A registered customer needs no row (the mailbox page says so): their company (when
        # they have one), the default type and criticality, and the number confirmed.
        rule = SenderRule(mailbox=mailbox, pattern=parsed.from_address, send_confirmation=True)
    if rule is None:
        if mailbox.unknown_sender == Policy.REJECT:
            return _rejected(context, fallback_reason or "sender_not_allowed")
        raise _Hold(fallback_reason or "sender_not_allowed")
    if sender is not None and not sender.is_customer:
        raise _Hold(fallback_reason or "staff_without_token")
    company = _company(rule, sender)
    if sender is None:
        if mailbox.unknown_sender == Policy.HOLD or company is None:
            raise _Hold(fallback_reason or "unknown_sender")
        if mailbox.unknown_sender == Policy.REJECT:
            return _rejected(context, fallback_reason or "unknown_sender")
        # An invitation is an email too: never in answer to automatic mail (RFC 3834).
        invite = mailbox.unknown_sender == Policy.INVITE and not no_auto_reply(parsed)
        sender = _contact_create(parsed, company, invite=invite)
    if company is None:
        raise _Hold(fallback_reason or "company_unknown")
    fields = _template(rule, parsed, company)
    subject = (fields.pop("subject", None) or parsed.subject or "").strip()
    subject = re.sub(r"\s+", " ", subject)[:255] or _("(no subject)")
    from servicedesk.tickets.services.create import DESCRIPTION_MAX_LENGTH

    files, refused = _files(context)
    description = _with_refused(_body(context, limit=DESCRIPTION_MAX_LENGTH), refused,
                                DESCRIPTION_MAX_LENGTH)  # fmt: skip
    data = TicketData(subject=subject, description=description, company=company, **fields)
    try:
        ticket = ticket_create(by=sender, data=data, origin=Origin.EMAIL, files=files)
    except ApplicationError as error:
        if error.field not in ("site", "equipment", "contract"):
            raise _Hold("ticket_invalid", str(error)) from error
        # The template's or the text's place does not fit this person: file without it.
        data = TicketData(**{**data.__dict__, "site": None, "equipment": None, "contract": None})
        try:
            ticket = ticket_create(by=sender, data=data, origin=Origin.EMAIL, files=files)
        except ApplicationError as again:
            raise _Hold("ticket_invalid", str(again)) from again
    _keep_original(context, ticket, None)
    outcome = Outcome(State.PROCESSED, fallback_reason or "new_ticket", ticket=ticket)
    if rule.send_confirmation and not no_auto_reply(parsed):
        outcome.after_commit.extend(_confirmation(context, ticket, sender))
    return outcome


def _company(rule: SenderRule, sender: User | None) -> Company | None:
    if rule.company is not None:
        return rule.company
    if sender is None:
        return None
    from servicedesk.accounts.scopes import company_ids  # read once, ticket_create reuses it

    ids = company_ids(sender)
    return Company.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None


def _contact_create(parsed: parsing.ParsedMail, company: Company, *, invite: bool) -> User:
    """A customer person for an unknown sender, in the rule's company: only the tickets they
    file or follow (`sees_all_tickets` off, no analytics), invited or not."""
    from servicedesk.accounts.services.users import MembershipData, user_create

    name = re.sub(r"[\x00-\x1f<>\"]+", " ", parsed.from_name).strip()[:200]
    return user_create(
        by=None,
        full_name=name or parsed.from_address.partition("@")[0][:200],
        role=Role.CUSTOMER,
        email=parsed.from_address,
        memberships=[MembershipData(company=company, sees_all_tickets=False, analytics=False)],
        send_invitation=invite,
    )


def _reference(model: Any, value: str) -> Any:
    value = value.strip()
    return (
        model.objects.filter(is_active=True)
        .filter(Q(code__iexact=value) | Q(name_ru__iexact=value) | Q(name_en__iexact=value))
        .first()
    )


def _template(rule: SenderRule, parsed: parsing.ParsedMail, company: Company) -> dict[str, Any]:
    """The ticket's fields: the rule's template, then what its expressions find in the text.
    Places are looked up in the ticket's company only."""
    fields: dict[str, Any] = {
        "ticket_type": rule.ticket_type,
        "criticality": rule.criticality,
        "work_type": rule.work_type,
        "site": rule.site if rule.site and rule.site.company_id == company.pk else None,
        "equipment": (
            rule.equipment if rule.equipment and rule.equipment.company_id == company.pk else None
        ),
    }
    found = rule_extract(rule, parsed.subject, parsed.text)
    lookups = {"ticket_type": TicketType, "criticality": Criticality, "work_type": WorkType}
    for name, value in found.items():
        if name == "subject":
            fields["subject"] = value
        elif name in lookups:
            fields[name] = _reference(lookups[name], value) or fields[name]
        elif name == "site":
            fields["site"] = (
                Site.objects.filter(company=company, is_active=True, name__iexact=value).first()
                or fields["site"]
            )
        elif name == "equipment":
            fields["equipment"] = (
                Equipment.objects.filter(company=company, is_active=True)
                .filter(Q(serial_number__iexact=value) | Q(name__iexact=value))
                .first()
                or fields["equipment"]
            )
    if fields["ticket_type"] is None:
        fields["ticket_type"] = TicketType.objects.filter(is_active=True).first()
    if fields["criticality"] is None:
        fields["criticality"] = (
            Criticality.objects.filter(is_active=True).order_by("-is_default").first()
        )
    if fields["ticket_type"] is None or fields["criticality"] is None:
        raise _Hold("ticket_invalid", "No ticket type or criticality to file with.")
    return fields


EXTRACT_FIELDS = ("subject", "ticket_type", "criticality", "work_type", "site", "equipment")


def rule_extract(rule_or_list: Any, subject: str, body: str) -> dict[str, str]:
    """What a rule's expressions find: {field: the first group of the first match}. Each
    expression runs on at most REGEX_TIMEOUT_CHARS characters, is at most REGEX_MAX_LENGTH
    long, and one that does not compile (or has no group) is skipped — the settings page
    shows the same result when it tests them live."""
    items = getattr(rule_or_list, "extract", rule_or_list) or []
    found: dict[str, str] = {}
    if not isinstance(items, list):
        return found
    for item in items:
        if not isinstance(item, dict):
            continue
        name, source, pattern = item.get("field"), item.get("source"), item.get("pattern")
        if name not in EXTRACT_FIELDS or name in found or not isinstance(pattern, str):
            continue
        if not pattern or len(pattern) > REGEX_MAX_LENGTH:
            continue
        text = (subject if source == "subject" else body) or ""
        try:
            compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        except re.error:
            continue
        if compiled.groups < 1:
            continue
        match = compiled.search(text[:REGEX_TIMEOUT_CHARS])
        if match and match.group(1):
            found[name] = re.sub(r"\s+", " ", match.group(1)).strip()[:255]
    return found


# --- Text and files ----------------------------------------------------------------------------


def _body(context: _Context, *, limit: int) -> str:
    text = context.parsed.text
    if len(text) > limit:
        text = text[: limit - 40].rstrip() + "\n\n" + _("[the text is cut short]")
    return text


def _with_refused(body: str, refused: list[str], limit: int) -> str:
    if not refused:
        return body
    note = _("Not attached: %(files)s.") % {"files": "; ".join(r.rstrip(".") for r in refused)}
    room = limit - len(note) - 2
    return (body[: max(room, 0)] + "\n\n" + note).strip()[:limit]


def _files(context: _Context) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments and inline images that pass the upload checks (tickets/uploads.py), at
    most ATTACHMENTS_PER_UPLOAD; the others by name, with why."""
    accepted: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for item in context.parsed.attachments:
        upload = SimpleUploadedFile(item.name or "file", item.data, item.content_type)
        try:
            check_upload(upload)
        except UploadRejectedError as error:
            refused.append(str(error))
            continue
        if len(accepted) >= settings.ATTACHMENTS_PER_UPLOAD:
            refused.append(_("“%(name)s”: too many files.") % {"name": upload.name})
            continue
        upload.seek(0)
        accepted.append(upload)
    return accepted, refused


def _keep_original(context: _Context, ticket: Ticket, chat_message: Message | None) -> None:
    """The email as received, on the ticket, for staff only (it holds every header)."""
    attachment = TicketAttachment(
        ticket=ticket,
        name=f"email-{context.message.pk}.eml",
        size=len(context.raw),
        content_type="message/rfc822",
        is_image=False,
        uploaded_by=None,
        message=chat_message,
        staff_only=True,
        created_at=timezone.now(),
    )
    attachment.file.save(attachment.name, ContentFile(context.raw), save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise


# --- Answers we send ---------------------------------------------------------------------------


def _auto_reply(
    context: _Context,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    ticket: Ticket | None = None,
    user: User | None = None,
) -> list[Any]:
    """An automatic answer (RFC 3834: Auto-Submitted: auto-replied, in reply to the email),
    queued in the outbound log and sent after the commit."""
    from servicedesk.mail.services import outbound_queue
    from servicedesk.mail.tasks import mail_send

    message = EmailMultiAlternatives(
        subject=re.sub(r"[\r\n]+", " ", subject)[:250],
        body=body,
        from_email=context.mailbox.address or settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    headers = {"Auto-Submitted": "auto-replied"}
    if context.parsed.message_id and ticket is None:
        # Not about a ticket (a rejection): in reply to their email. About a ticket, the
        # thread headers name the ticket's thread.
        headers["In-Reply-To"] = re.sub(r"[\r\n]+", " ", context.parsed.message_id)[:900]
    row = outbound_queue(
        message,
        kind=kind,
        key=f"{kind}:{context.message.pk}",
        ticket=ticket,
        user=user,
        headers=headers,
    )
    if row is None:
        return []
    pk = row.pk
    return [lambda: mail_send(pk)]


def _confirmation(context: _Context, ticket: Ticket, contact: User) -> list[Any]:
    with override(contact.language or settings.LANGUAGE_CODE):
        subject = _("Ticket %(number)s is registered: %(subject)s") % {
            "number": ticket.number,
            "subject": ticket.subject,
        }
        body = _(
            "Your email is registered as ticket %(number)s.\n\n"
            "Reply to this email to add to the ticket.\n"
        ) % {"number": ticket.number}
    return _auto_reply(
        context,
        to=contact.email or context.parsed.from_address,
        subject=subject,
        body=body,
        kind="inbound_confirmation",
        ticket=ticket,
        user=contact,
    )


def _rejected(context: _Context, reason: str) -> Outcome:
    outcome = Outcome(State.REJECTED, reason)
    if no_auto_reply(context.parsed):
        return outcome
    with override(settings.LANGUAGE_CODE):
        subject = _("Your email was not accepted: %(subject)s") % {
            "subject": context.parsed.subject[:150]
        }
        body = _(
            "This address accepts requests only from our customers' registered addresses. "
            "Please write from your work address or use the customer portal.\n"
        )
    outcome.after_commit.extend(
        _auto_reply(
            context,
            to=context.parsed.from_address,
            subject=subject,
            body=body,
            kind="inbound_rejected",
        )
    )
    return outcome


# --- By hand -----------------------------------------------------------------------------------


@transaction.atomic
def inbound_to_ticket(
    message: InboundMessage,
    *,
    by: User,
    company: Company,
    contact: User,
    ticket_type: TicketType | None = None,
    criticality: Criticality | None = None,
) -> Ticket:
    """An admin turns a held or failed message into a ticket for `contact` (a customer person
    of `company`): the text as far as it can be read, the original kept for staff."""
    from servicedesk.tickets.services import TicketData, ticket_create

    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.state == State.PROCESSED and message.ticket_id is not None:
        assert message.ticket is not None  # noqa: S101
        return message.ticket
    raw = _read(message)
    try:
        parsed = parsing.parse_message(raw, **_limits())
    except parsing.ParseError:
        parsed = parsing.ParsedMail(subject=message.subject, text=parsing.guess_decode(raw[:8000]))
    context = _Context(message=message, mailbox=message.mailbox, parsed=parsed, raw=raw)
    ticket_type = ticket_type or TicketType.objects.filter(is_active=True).first()
    criticality = criticality or (
        Criticality.objects.filter(is_active=True).order_by("-is_default").first()
    )
    if ticket_type is None or criticality is None:
        raise ApplicationError(_("No ticket type or criticality to file with."))
    from servicedesk.tickets.services.create import DESCRIPTION_MAX_LENGTH

    files, refused = _files(context)
    data = TicketData(
        subject=(parsed.subject or message.subject or _("(no subject)"))[:255],
        description=_with_refused(
            _body(context, limit=DESCRIPTION_MAX_LENGTH), refused, DESCRIPTION_MAX_LENGTH
        ),
        company=company,
        ticket_type=ticket_type,
        criticality=criticality,
    )
    ticket = ticket_create(by=by, data=data, origin=Origin.EMAIL, contact=contact, files=files)
    _keep_original(context, ticket, None)
    message.state, message.reason, message.ticket = State.PROCESSED, "manual", ticket
    message.processed_at = timezone.now()
    message.save(update_fields=["state", "reason", "ticket", "processed_at"])
    return ticket
