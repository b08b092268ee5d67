"""Reading an incoming email: pure functions, no ORM (mail/inbound.py does the rest).

`parse_message(raw)` never raises for a message that is merely broken: the stdlib parser
(`policy.default`) records defects and carries on; headers it cannot decode are read again
from their bytes; bodies in an unknown or undeclared charset are decoded by trying UTF-8, then
telling Windows-1251 from KOI8-R by where their lower-case letters fall. It raises
`ParseError` only for what is not an email at all, or over the limits (size, MIME nesting,
header length, attachment count), which mail/inbound.py records as a failure.

The text a ticket or a chat message gets is `ParsedMail.text`: the plain-text part, or the
HTML part turned into text (scripts, styles and markup dropped — nothing of the HTML is ever
rendered), with the quoted history (`reply_text`) and signatures folded away for the mail
programs our customers use (Gmail, Outlook, Yandex, Mail.ru, Thunderbird, Apple Mail), in
Russian and English. Forwarded messages keep their forwarded part: it is the point of them.
"""

import email
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

MAX_BYTES = 30 * 1024 * 1024
MAX_DEPTH = 10
MAX_HEADER = 16 * 1024
MAX_PARTS = 200


class ParseError(ValueError):
    """Not an email we can read, or one over the limits; `code` is the machine reason."""

    def __init__(self, message: str, code: str = "parse_error") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: str = ""
    references: str = ""
    auto_submitted: str = ""
    precedence: str = ""
    list_id: str = ""
    # None: no Return-Path header at all; "": the null sender `<>` (a bounce).
    return_path: str | None = None
    x_autoreply: bool = False
    body_full: str = ""  # the whole text, quotes and all
    text: str = ""  # what the person wrote: quotes and signature folded away
    html: bool = False  # the text came from an HTML part
    attachments: list[Attachment] = field(default_factory=list)
    calendar: str = ""  # a one-line summary of a calendar invitation, when there is one
    defects: list[str] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        return [*self.delivered_to, *self.to, *self.cc]


# --- Charsets ----------------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "win-1251": "cp1251",
    "windows-1251": "cp1251",
    "x-cp1251": "cp1251",
    "cp-1251": "cp1251",
    "koi8r": "koi8-r",
    "x-koi8-r": "koi8-r",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601-1987": "cp949",
    "x-unknown": "",
    "unknown-8bit": "",
    "us-ascii": "",  # often a lie: try UTF-8 and the Cyrillic guesses first
}


def guess_decode(data: bytes, declared: str = "") -> str:
    """Bytes to text: the declared charset when it decodes them, else UTF-8, else Windows-1251
    or KOI8-R (whichever puts the letters in lower case — Russian text is mostly lower case:
    Windows-1251 keeps lower-case Cyrillic at 0xE0–0xFF, KOI8-R at 0xC0–0xDF), else Latin-1."""
    charset = (declared or "").strip().strip('"').lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = [b for b in data if b >= 0xC0]
    if high:
        upper_koi = sum(1 for b in high if b >= 0xE0)
        lower_koi = len(high) - upper_koi
        return data.decode("koi8-r" if lower_koi > upper_koi else "cp1251", "replace")
    return data.decode("latin-1")


def _fix_surrogates(text: str) -> str:
    """Undeclared 8-bit bytes in a header come through as surrogate escapes: decode them."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return guess_decode(text.encode("utf-8", "surrogateescape"))


def _raw_8bit(message: Message, name: str) -> list[str] | None:
    """The header's values decoded from their bytes when they carry undeclared 8-bit text
    (the parser would turn those into U+FFFD); None when they are plain ASCII or encoded."""
    raw_items = getattr(message, "raw_items", None)
    if raw_items is None:
        return None
    values = [str(v) for k, v in raw_items() if k.lower() == name.lower()]
    if not any("\udc80" <= ch <= "\udcff" for v in values for ch in v):
        return None
    return [_fix_surrogates(v) for v in values]


def _header(message: Message, name: str) -> str:
    fixed = _raw_8bit(message, name)
    if fixed is not None:
        value: object = fixed[0] if fixed else None
    else:
        try:
            value = message.get(name)
        except Exception:
            value = None
            for key, raw in message.raw_items() if hasattr(message, "raw_items") else []:
                if key.lower() == name.lower():
                    value = str(raw)
                    break
    if value is None:
        return ""
    text = _fix_surrogates(str(value))
    # One line: a folded or injected newline never survives into our data.
    return re.sub(r"[\r\n\t\x00]+", " ", text).strip()


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    values = _raw_8bit(message, name)
    if values is None:
        try:
            values = [_fix_surrogates(str(v)) for v in message.get_all(name) or []]
        except Exception:
            values = [_header(message, name)]
    found = []
    for display, address in getaddresses(values):
        address = normalise_address(address)
        if address:
            found.append((re.sub(r"[\r\n]+", " ", display).strip(), address))
    return found


_ASCII_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$")


def normalise_address(address: str) -> str:
    """A plain lower-case address, or "" for anything else: look-alike letters (Cyrillic «а»
    in `support@dеsk.example`), spaces, several @ or an empty part never pass for an address
    of ours or a known person's; an internationalised domain is taken in its punycode."""
    address = (address or "").strip().strip("<>").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return ""
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    address = f"{local}@{domain}".lower()
    return address if _ASCII_ADDRESS.match(address) else ""


# --- HTML to text ------------------------------------------------------------------------------

_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "hr", "section", "article", "header", "footer", "blockquote", "dd", "dt",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
# Markers of the quoted history in HTML mail (everything from them on is the old thread).
_HTML_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yandex_quote", "mail_ru_quote")
_HTML_QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "mail-app-auto-quote", "yandex_quote")


class _TextMaker(HTMLParser):
    """HTML to plain text: the text of elements, line breaks for blocks, `> ` before quoted
    lines (blockquotes, Gmail's and Outlook's reply blocks). Nothing else survives."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a quote)
        self.quoted_from_here = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _SKIP:
            self.skip += 1
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        classes = values.get("class", "").lower()
        ident = values.get("id", "").lower()
        quoting = tag == "blockquote" or any(c in classes for c in _HTML_QUOTE_CLASSES)
        if any(ident.startswith(i) for i in _HTML_QUOTE_IDS):
            # Outlook's reply header: the rest of the document is the old thread.
            self.quoted_from_here = True
            quoting = True
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag not in _VOID:
            self.stack.append((tag, quoting))
            if quoting:
                self.quote += 1
        if tag == "img":
            alt = values.get("alt", "").strip()
            if alt:
                self._text(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        while self.stack:
            open_tag, quoting = self.stack.pop()
            if quoting:
                self.quote = max(0, self.quote - 1)
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self._text(re.sub(r"\s+", " ", data))

    def _text(self, text: str) -> None:
        if self.quote or self.quoted_from_here:
            self.parts.append(_QUOTED_MARK + text)
        else:
            self.parts.append(text)


_QUOTED_MARK = "\x00q"  # internal: marks text that was inside a quote


def html_to_text(markup: str) -> str:
    """The text of an HTML email, quoted parts prefixed with `> `."""
    maker = _TextMaker()
    try:
        maker.feed(markup)
        maker.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", markup)
    lines = []
    for line in "".join(maker.parts).split("\n"):
        quoted = _QUOTED_MARK in line
        line = line.replace(_QUOTED_MARK, "").replace("\xa0", " ").strip()
        lines.append(("> " + line) if quoted and line else line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- Quotes and signatures ---------------------------------------------------------------------

_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|ма[яй]|июн|июл|авг"
    r"|сен|окт|ноя|дек)\w*\.?"
)
# A line (or two joined lines) that introduces the quoted message.
_ATTRIBUTION = [
    # Gmail, Apple Mail, Thunderbird (EN): "On Mon, 1 Dec 2026 at 10:00, John <j@x> wrote:"
    re.compile(r"^\s*(?:>\s*)?On\b.{3,200}\bwrote:\s*$", re.IGNORECASE),
    # Thunderbird (RU): "01.12.2026 10:00, Иван пишет:"; Apple Mail (RU): "… написал(а):"
    re.compile(r"^.{3,200}\b(?:пишет|написал(?:\(а\)|а)?|wrote)\s*:\s*$", re.IGNORECASE),
    # Gmail (RU): "пн, 1 дек. 2026 г. в 10:00, Иван <ivan@x.ru>:"
    re.compile(
        r"^\s*(?:[а-я]{2},\s*)?\d{1,2}\s+" + _MONTHS + r"\s+\d{4}\s*г?\.?,?\s*(?:в\s*)?"
        r"\d{1,2}:\d{2}.{0,200}<[^>]+@[^>]+>:?\s*$",
        re.IGNORECASE,
    ),
    # Yandex: "01.12.2026, 10:00, "Иван" <ivan@x.ru>:" or "10:00, 1 декабря 2026 г., Иван <…>:"
    re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4},?\s+\d{1,2}:\d{2},.{0,200}<[^>]+@[^>]+>:\s*$"),
    re.compile(r"^\s*\d{1,2}:\d{2},\s+\d{1,2}\s+" + _MONTHS + r".{0,200}<[^>]+@[^>]+>:\s*$"),
    # Mail.ru: "Понедельник, 1 декабря 2026, 10:00 +03:00 от Иван <ivan@mail.ru>:"
    re.compile(r"^.{0,60}\d{4},\s*\d{1,2}:\d{2}.{0,20}\bот\b.{0,200}<[^>]+@[^>]+>:\s*$"),
    # Outlook: "-----Original Message-----" / "-----Исходное сообщение-----"
    re.compile(r"^\s*-{2,}\s*(?:Original Message|Исходное сообщение)\s*-{2,}\s*$", re.IGNORECASE),
]
# Outlook's header block: "From: …" / "От: …" followed within a few lines by Sent/Отправлено.
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|От|От кого)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(?:Sent|Date|Отправлено|Дата|Кому|To)\s*:\*?\s", re.IGNORECASE)
_FORWARD = re.compile(
    r"^\s*-{3,}\s*(?:Forwarded message|Пересылаемое сообщение|Пересланное сообщение"
    r"|Begin forwarded message|Начало переадресованного сообщения)\s*-*\s*:?\s*$"
    r"|^\s*(?:Begin forwarded message|Начало пересылаемого сообщения)\s*:\s*$",
    re.IGNORECASE,
)
_SIGNATURE_START = [
    re.compile(r"^-- ?$"),  # RFC 3676 signature separator
    re.compile(r"^_{20,}$"),  # Outlook's line before the reply header, or a signature rule
    re.compile(
        r"^(?:Sent from my \w+|Sent from (?:Mail|Outlook|Yandex|Yahoo)\b.*|Get Outlook for \w+"
        r"|Отправлено с (?:iPhone|iPad|моего \w+)|Отправлено из мобильной (?:Почты|почты)"
        r" Mail\.ru|Отправлено из приложения .*|Sent from Yandex Mail.*"
        r"|Отправлено из Яндекс\s?(?:Почты|почты).*|-- *\n)\s*$",
        re.IGNORECASE,
    ),
]
_REGARDS = re.compile(
    r"^(?:с уважением|с наилучшими пожеланиями|best regards|kind regards|regards|thanks"
    r"|thank you|cheers|спасибо)[,.!]?\s*$",
    re.IGNORECASE,
)


def reply_text(text: str, *, keep_forwarded: bool = True) -> str:
    """What the writer wrote: the text up to the quoted history and the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if keep_forwarded and _FORWARD.match(stripped):
            break  # the forwarded message is what a forward is about: keep it all
        joined = stripped
        if index + 1 < len(lines):
            joined_two = (stripped + " " + lines[index + 1].strip()).strip()
        else:
            joined_two = stripped
        if any(p.match(joined) for p in _ATTRIBUTION) or (
            not joined.endswith(":") and any(p.match(joined_two) for p in _ATTRIBUTION[:1])
        ):
            cut = index
            break
        if _OUTLOOK_FROM.match(stripped) and any(
            _OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 5]
        ):
            cut = index
            if index and re.fullmatch(r"\s*_{10,}\s*", lines[index - 1]):
                cut = index - 1
            break
        if any(p.match(stripped) for p in _SIGNATURE_START):
            cut = index
            break
        if stripped.startswith(">") and all(
            not later.strip() or later.strip().startswith(">") for later in lines[index:]
        ):
            cut = index  # the rest is quoted lines only
            break
    kept = lines[:cut]
    # A closing formula in the last lines starts the signature ("С уважением, / Иван").
    for index in range(max(0, len(kept) - 8), len(kept)):
        if _REGARDS.match(kept[index].strip()) and index > 0:
            kept = kept[:index]
            break
    result = "\n".join(line.rstrip() for line in kept)
    return re.sub(r"\n{3,}", "\n\n", result).strip()


# --- TNEF (winmail.dat) ------------------------------------------------------------------------

_TNEF_SIGNATURE = 0x223E9F78
_ATT_ATTACH_TITLE = 0x00018010
_ATT_ATTACH_DATA = 0x0006800F
_ATT_ATTACH_REND_DATA = 0x00069002


def tnef_attachments(data: bytes) -> list[Attachment]:
    """The files inside an Outlook `winmail.dat` (TNEF): their names and bytes; [] when it is
    not TNEF or holds none. Only the attachment attributes are read; the rest is skipped."""
    if len(data) < 6 or struct.unpack_from("<I", data, 0)[0] != _TNEF_SIGNATURE:
        return []
    found: list[Attachment] = []
    name, payload = "", b""
    offset = 6
    while offset + 9 <= len(data):
        level = data[offset]
        attribute, length = struct.unpack_from("<II", data, offset + 1)
        start = offset + 9
        end = start + length
        if end + 2 > len(data) or level not in (1, 2):
            break
        value = data[start:end]
        if attribute == _ATT_ATTACH_REND_DATA and (name or payload):
            if payload:
                found.append(
                    Attachment(name or "attachment.bin", "application/octet-stream", payload)
                )
            name, payload = "", b""
        elif attribute == _ATT_ATTACH_TITLE:
            name = guess_decode(value.rstrip(b"\x00"))
        elif attribute == _ATT_ATTACH_DATA:
            payload = value
        offset = end + 2  # the checksum
    if payload:
        found.append(Attachment(name or "attachment.bin", "application/octet-stream", payload))
    return found


# --- The message -------------------------------------------------------------------------------


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return guess_decode(payload, part.get_content_charset() or "")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return _fix_surrogates(re.sub(r"[\r\n\x00]+", " ", str(name))).strip()


def _depth(message: Message, level: int = 0) -> int:
    if not message.is_multipart():
        return level
    payload = message.get_payload()
    if not isinstance(payload, list) or not payload:
        return level
    return max(
        (_depth(part, level + 1) for part in payload if isinstance(part, Message)),
        default=level,
    )


def _calendar_summary(text: str) -> str:
    fields = {}
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        key, _colon, value = line.partition(":")
        key = key.split(";", 1)[0].upper()
        if key in ("SUMMARY", "DTSTART", "LOCATION") and key not in fields:
            fields[key] = value.strip()
    parts = [fields.get("SUMMARY", ""), fields.get("DTSTART", ""), fields.get("LOCATION", "")]
    return " · ".join(p for p in parts if p)


def parse_message(
    raw: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_header: int = MAX_HEADER,
    max_parts: int = MAX_PARTS,
) -> ParsedMail:
    if len(raw) > max_bytes:
        raise ParseError(f"The message is {len(raw)} bytes, over {max_bytes}.", "too_large")
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if not raw.strip() or (b":" not in head):
        raise ParseError("Not an email: no headers.", "parse_error")
    message = email.message_from_bytes(raw, policy=policy.default)
    parsed = ParsedMail()
    parsed.defects = [type(d).__name__ for d in message.defects]
    for key, value in message.raw_items():
        if len(key) + len(str(value)) > max_header:
            raise ParseError(f"The header {key[:40]!r} is over {max_header} characters.", "limits")
    depth = _depth(message)
    if depth > max_depth:
        raise ParseError(f"MIME nesting of {depth} levels, over {max_depth}.", "limits")

    parsed.message_id = _header(message, "Message-ID")[:998]
    parsed.subject = _header(message, "Subject")[:1000]
    senders = _addresses(message, "From")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    reply_to = _addresses(message, "Reply-To")
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = [a for _n, a in _addresses(message, "To")]
    parsed.cc = [a for _n, a in _addresses(message, "Cc")]
    parsed.delivered_to = [
        a for _n, a in _addresses(message, "Delivered-To") + _addresses(message, "X-Original-To")
    ]
    try:
        date = _header(message, "Date")
        parsed.date = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    parsed.in_reply_to = _header(message, "In-Reply-To")
    parsed.references = _header(message, "References")
    parsed.auto_submitted = _header(message, "Auto-Submitted").lower()
    parsed.precedence = _header(message, "Precedence").lower()
    parsed.list_id = _header(message, "List-Id")
    if "Return-Path" in message:
        parsed.return_path = normalise_address(_header(message, "Return-Path"))
    parsed.x_autoreply = bool(
        _header(message, "X-Autoreply")
        or _header(message, "X-Autorespond")
        or (
            _header(message, "X-Auto-Response-Suppress").lower() in ("all", "oof")
            and _header(message, "X-MS-Exchange-Generated-Message-Source")
        )
    )

    plain: list[str] = []
    htmls: list[str] = []
    count = 0
    for part in message.walk():
        count += 1
        if count > max_parts:
            raise ParseError(f"More than {max_parts} MIME parts.", "limits")
        if part.is_multipart():
            continue
        if part.get_content_maintype() == "multipart":  # "multipart" without a boundary
            plain.append(_part_text(part))
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if content_type == "message/rfc822" or (
            part.get_content_maintype() == "message" and not part.is_multipart()
        ):
            continue  # walk() goes into it; its text parts follow as the forwarded message
        if content_type == "text/calendar":
            text = _part_text(part)
            parsed.calendar = parsed.calendar or _calendar_summary(text)
            parsed.attachments.append(
                Attachment(name or "invite.ics", content_type, text.encode("utf-8"))
            )
            continue
        if (
            content_type in ("text/plain", "text/html")
            and disposition != "attachment"
            and not (name and disposition == "attachment")
        ):
            (plain if content_type == "text/plain" else htmls).append(_part_text(part))
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        if content_type == "application/ms-tnef" or name.lower() == "winmail.dat":
            inner = tnef_attachments(data)
            if inner:
                parsed.attachments.extend(inner)
                continue
        content_id = _header(part, "Content-ID").strip("<>")
        parsed.attachments.append(
            Attachment(
                name=name or _default_name(content_type),
                content_type=content_type,
                data=data,
                inline=disposition == "inline" or bool(content_id and not name),
                content_id=content_id,
            )
        )
    if plain and any(p.strip() for p in plain):
        parsed.body_full = "\n\n".join(p.strip() for p in plain if p.strip())
    elif htmls:
        parsed.body_full = "\n\n".join(html_to_text(h) for h in htmls)
        parsed.html = True
    parsed.body_full = _clean(parsed.body_full)
    forwarded = bool(re.match(r"^\s*(?:fwd?|fw|пересл|переслано)\s*:", parsed.subject, re.I))
    parsed.text = (
        reply_text(parsed.body_full, keep_forwarded=True) if not forwarded else (parsed.body_full)
    )
    if not parsed.text and parsed.calendar:
        parsed.text = parsed.calendar
    return parsed


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _default_name(content_type: str) -> str:
    extension = {
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "application/pdf": "pdf",
        "text/plain": "txt",
    }.get(content_type, "bin")
    return f"attachment.{extension}"


def address_matches(pattern: str, address: str) -> bool:
    """A sender rule's pattern: an exact address, `*@domain` or `*@*`."""
    pattern = (pattern or "").strip().lower()
    address = normalise_address(address)
    if not address or not pattern:
        return False
    if pattern == "*@*":
        return True
    if pattern.startswith("*@"):
        return address.rpartition("@")[2] == pattern[2:]
    return address == normalise_address(pattern)


def addresses_of(value: str) -> list[str]:
    return [normalise_address(a) for _n, a in getaddresses([value]) if normalise_address(a)]
