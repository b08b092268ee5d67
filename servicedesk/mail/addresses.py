"""The ids and addresses that tie an email to a ticket, made here and read back here.

- Every email gets a unique `Message-ID` (`new_message_id`) in the domain of
  MAIL_MESSAGE_ID_DOMAIN, else of DEFAULT_FROM_EMAIL.
- Every email about a ticket says it answers the ticket's thread: `In-Reply-To` and `References`
  name `thread_root_id(ticket_id)`, `<ticket-<id>.<signature>@<domain>>`, the same for the
  ticket's whole life, so mail programs keep a ticket's emails together. The signature keeps a
  stranger from making up the id of a ticket they never got mail about; `thread_ticket_ids`
  finds the genuine ones in an incoming References header.
- With MAIL_REPLY_ADDRESS set (e.g. `support@desk.example.com`), emails about a ticket carry
  `Reply-To: support+<token>@desk.example.com`; `reply_address_parse` gives the ticket (and
  whether the reply is meant as an internal note: emails about internal notes carry a token
  that says so) back to the email channel, or None for an altered token.

Signatures use SECRET_KEY and are still accepted under SECRET_KEY_FALLBACKS after a rotation.
Tokens are lower-case letters and digits only: mail servers may change a local part's case.
"""

import re
from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_THREAD_SALT = "servicedesk.mail.thread"
_REPLY_SALT = "servicedesk.mail.reply"
_THREAD_SIGNATURE = 12
_REPLY_SIGNATURE = 10
_THREAD_ID = re.compile(r"<ticket-(\d{1,18})\.([0-9a-f]{12})@[^<>\s]+>", re.IGNORECASE)
_REPLY_TOKEN = re.compile(r"([tn])([0-9a-z]{1,13})-([0-9a-f]{10})")
# Per recipient (issue 17): `u<ticket>-<user>-<signature>`, `m…` for internal-note replies.
_USER_TOKEN = re.compile(r"([um])([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-f]{16})")
_USER_SIGNATURE = 16


def mail_domain() -> str:
    configured = str(settings.MAIL_MESSAGE_ID_DOMAIN or "").strip()
    if configured:
        return configured
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    """A Message-ID nobody else uses: `<random.digits@domain>`."""
    return make_msgid(domain=mail_domain())


def _signature(salt: str, value: str, length: int, secret: str | None = None) -> str:
    kwargs = {} if secret is None else {"secret": secret}
    return salted_hmac(salt, value, algorithm="sha256", **kwargs).hexdigest()[:length]


def _verified(salt: str, value: str, signature: str, length: int) -> bool:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(_signature(salt, value, length, secret), signature.lower())
        for secret in secrets
    )


def thread_root_id(ticket_id: int) -> str:
    """The ticket's thread id (angle brackets included), the same for every email about it."""
    signature = _signature(_THREAD_SALT, str(ticket_id), _THREAD_SIGNATURE)
    return f"<ticket-{ticket_id}.{signature}@{mail_domain()}>"


def thread_ticket_ids(header: str) -> list[int]:
    """The tickets whose genuine thread ids appear in a References or In-Reply-To header, in
    order of appearance, each once."""
    found: list[int] = []
    for number, signature in _THREAD_ID.findall(header or ""):
        ticket_id = int(number)
        if ticket_id not in found and _verified(
            _THREAD_SALT, str(ticket_id), signature, _THREAD_SIGNATURE
        ):
            found.append(ticket_id)
    return found


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


@dataclass(frozen=True)
class ReplyToken:
    ticket_id: int
    internal: bool  # a reply to an email about an internal note: meant for staff only
    # The person the email was sent to (per-recipient tokens); None for the older
    # ticket-only tokens, which still route a customer's reply but never make a staff message.
    user_id: int | None = None


def reply_token(ticket_id: int, *, internal: bool = False, user_id: int | None = None) -> str:
    """With `user_id` (what notifications use since issue 17): `u<ticket>-<user>-<signature>`,
    both ids in base 36, `m…` for replies meant as internal notes — the token is bound to the
    ticket AND the person it was sent to, so a staff member's reply can be told from anyone
    else's. Without: the older `t<ticket>-<signature>` (`n…` for internal notes)."""
    if user_id is not None:
        payload = f"{'m' if internal else 'u'}{_base36(ticket_id)}-{_base36(user_id)}"
        return f"{payload}-{_signature(_REPLY_SALT, payload, _USER_SIGNATURE)}"
    payload = ("n" if internal else "t") + _base36(ticket_id)
    return f"{payload}-{_signature(_REPLY_SALT, payload, _REPLY_SIGNATURE)}"


def reply_token_parse(token: str) -> ReplyToken | None:
    token = (token or "").strip().lower()
    match = _USER_TOKEN.fullmatch(token)
    if match is not None:
        kind, ticket, user, signature = match.groups()
        if not _verified(_REPLY_SALT, f"{kind}{ticket}-{user}", signature, _USER_SIGNATURE):
            return None
        return ReplyToken(ticket_id=int(ticket, 36), internal=kind == "m", user_id=int(user, 36))
    match = _REPLY_TOKEN.fullmatch(token)
    if match is None:
        return None
    kind, number, signature = match.groups()
    if not _verified(_REPLY_SALT, kind + number, signature, _REPLY_SIGNATURE):
        return None
    return ReplyToken(ticket_id=int(number, 36), internal=kind == "n")


def reply_tokens_in(text: str) -> list[ReplyToken]:
    """Genuine tokens written anywhere in a text (a subject: `[u1a-2b-…]`), each once."""
    found: list[ReplyToken] = []
    for candidate in re.findall(r"[0-9a-z-]{8,60}", (text or "").lower()):
        parsed = reply_token_parse(candidate)
        if parsed is not None and parsed not in found:
            found.append(parsed)
    return found


def _reply_base() -> tuple[str, str, str] | None:
    name, address = parseaddr(str(settings.MAIL_REPLY_ADDRESS or ""))
    local, at, domain = address.rpartition("@")
    if not (at and local and domain):
        return None
    return name, local, domain


def reply_address(ticket_id: int, *, internal: bool = False, user_id: int | None = None) -> str:
    """The Reply-To for emails about the ticket, or "" when MAIL_REPLY_ADDRESS is not set."""
    base = _reply_base()
    if base is None:
        return ""
    name, local, domain = base
    token = reply_token(ticket_id, internal=internal, user_id=user_id)
    return formataddr((name, f"{local}+{token}@{domain}"))


def reply_address_parse(address: str) -> ReplyToken | None:
    """The ticket an incoming email's recipient address (To, Delivered-To…) routes to: the
    configured reply address with a genuine token after the `+`; None for anything else."""
    base = _reply_base()
    if base is None:
        return None
    _name, local, domain = base
    _ignored, plain = parseaddr(address or "")
    recipient_local, at, recipient_domain = plain.rpartition("@")
    if not at or recipient_domain.lower() != domain.lower():
        return None
    mailbox, plus, token = recipient_local.partition("+")
    if not plus or mailbox.lower() != local.lower():
        return None
    return reply_token_parse(token)
