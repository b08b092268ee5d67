# ruff: noqa: E501 (a data file: one email per line reads better than wrapped strings)
"""Writes the inbound mail corpus (tests/mail/corpus/*.eml) and its expected results
(expected.json): emails shaped like the ones real mail programs send — Gmail, Outlook, Yandex,
Mail.ru, Thunderbird, Apple Mail, in Russian and English — and broken ones. Made for the
project (no real person's mail). Run it again after changing a case:

    .venv/bin/python tests/mail/corpus/make_corpus.py

The 20 MB attachment is made by the test itself (tests/mail/test_corpus.py), not stored.
"""

import base64
import json
import quopri
import struct
from email.header import Header
from pathlib import Path

HERE = Path(__file__).parent
FROM = "Ivan Petrov <ivan@alpha.example>"
TO = "support@desk.example.com"
cases: dict[str, dict] = {}


def head(
    subject: str = "Printer is broken", sender: str = FROM, extra: str = "", mid: str = ""
) -> str:
    mid = mid or f"<{len(cases) + 1}.corpus@alpha.example>"
    return (
        f"From: {sender}\nTo: {TO}\nSubject: {subject}\nDate: Mon, 07 Dec 2026 10:00:00 +0300\n"
        f"Message-ID: {mid}\nMIME-Version: 1.0\n{extra}"
    )


def add(name: str, raw: str | bytes, **expected: object) -> None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    (HERE / f"{name}.eml").write_bytes(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    expected.setdefault("state", "processed")
    cases[name] = expected


def plain(body: str, charset: str = "utf-8", cte: str = "8bit") -> str:
    return (
        f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n{body}\n"
    )


def alternative(text: str, html: str, boundary: str = "ALT") -> str:
    return (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
        f"--{boundary}\nContent-Type: text/html; charset=utf-8\n\n{html}\n--{boundary}--\n"
    )


def html_only(html: str) -> str:
    return f"Content-Type: text/html; charset=utf-8\n\n{html}\n"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


# --- Replies: quoted history folded away ---------------------------------------------------------
REPLY = "Re: [#00000042] Printer is broken"
quotes = {
    "gmail_en": "On Mon, Dec 7, 2026 at 10:00 AM Support <support@desk.example.com> wrote:\n> Please restart it.\n>",
    "gmail_en_wrapped": "On Mon, Dec 7, 2026 at 10:00 AM Support Team of the Desk <\nsupport@desk.example.com> wrote:\n\n> Please restart it.",
    "gmail_ru": "пн, 7 дек. 2026 г. в 10:00, Support <support@desk.example.com>:\n> Перезагрузите его.",
    "outlook_en": "________________________________\nFrom: Support <support@desk.example.com>\nSent: Monday, December 7, 2026 10:00 AM\nTo: Ivan Petrov\nSubject: Printer is broken\n\nPlease restart it.",
    "outlook_ru": "-----Исходное сообщение-----\nОт: Support <support@desk.example.com>\nОтправлено: 7 декабря 2026 г. 10:00\nКому: Иван\nТема: Принтер\n\nПерезагрузите его.",
    "outlook_en_original": "-----Original Message-----\nFrom: Support\nSent: Monday\n\nPlease restart it.",
    "outlook_ru_header": "От: Support <support@desk.example.com>\nОтправлено: 7 декабря 2026 г. 10:00\nКому: Иван\n\nПерезагрузите его.",
    "yandex_ru": '07.12.2026, 10:00, "Support" <support@desk.example.com>:\n> Перезагрузите его.',
    "yandex_ru_long": "10:00, 7 декабря 2026 г., Support <support@desk.example.com>:\n> Перезагрузите его.",
    "mailru_ru": "Понедельник, 7 декабря 2026, 10:00 +03:00 от Support <support@desk.example.com>:\n> Перезагрузите его.",
    "thunderbird_en": "On 07.12.2026 10:00, Support wrote:\n> Please restart it.",
    "thunderbird_ru": "07.12.2026 10:00, Support пишет:\n> Перезагрузите его.",
    "apple_en": "> On 7 Dec 2026, at 10:00, Support <support@desk.example.com> wrote:\n> \n> Please restart it.",
    "apple_ru": "7 дек. 2026 г., в 10:00, Support <support@desk.example.com> написал(а):\n\n> Перезагрузите его.",
    "quoted_lines_only": "> Please restart it.\n> Thanks",
}
for name, quote in quotes.items():
    words = (
        "Перезагрузил, не помогло."
        if name.endswith("_ru") or "_ru_" in name
        else "Restarted, still broken."
    )
    add(f"reply_{name}", head(REPLY) + plain(f"{words}\n\n{quote}\n"), text=words, subject=REPLY)

html_quotes = {
    "gmail": '<div dir="ltr">Restarted, still broken.</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Dec 7, 2026 at 10:00 AM Support wrote:<br></div><blockquote class="gmail_quote">Please restart it.</blockquote></div>',
    "outlook": '<div>Restarted, still broken.</div><hr><div id="divRplyFwdMsg"><b>From:</b> Support<br><b>Sent:</b> Monday</div><div>Please restart it.</div>',
    "yandex": '<div>Restarted, still broken.</div><div>07.12.2026, 10:00, "Support" &lt;support@desk.example.com&gt;:</div><blockquote>Please restart it.</blockquote>',
    "thunderbird": '<p>Restarted, still broken.</p><div class="moz-cite-prefix">On 07.12.2026 10:00, Support wrote:<br></div><blockquote type="cite">Please restart it.</blockquote>',
    "apple": '<div>Restarted, still broken.<br><div><br><blockquote type="cite"><div>On 7 Dec 2026, at 10:00, Support wrote:</div><div>Please restart it.</div></blockquote></div></div>',
    "mailru": '<div>Restarted, still broken.</div><div>Понедельник, 7 декабря 2026, 10:00 +03:00 от Support &lt;support@desk.example.com&gt;:<blockquote style="border-left:1px solid #0857A6">Please restart it.</blockquote></div>',
}
for name, markup in html_quotes.items():
    add(
        f"reply_html_{name}",
        head(REPLY) + html_only(f"<html><body>{markup}</body></html>"),
        text="Restarted, still broken.",
    )

# --- Signatures ----------------------------------------------------------------------------------
sigs = {
    "dashdash": "-- \nIvan Petrov\n+7 999 000-00-00",
    "iphone_en": "Sent from my iPhone",
    "iphone_ru": "Отправлено с iPhone",
    "mailru_mobile": "Отправлено из мобильной Почты Mail.ru",
    "outlook_mobile": "Get Outlook for Android",
    "regards_ru": "С уважением,\nИван Петров\nООО «Альфа»",
    "regards_en": "Best regards,\nIvan Petrov",
}
for name, sig in sigs.items():
    add(
        f"signature_{name}",
        head() + plain(f"The printer does not print.\n\n{sig}\n"),
        text="The printer does not print.",
    )

# --- Charsets ------------------------------------------------------------------------------------
RU = "Принтер на втором этаже не печатает."
add(
    "charset_cp1251_declared",
    head().encode() + plain("", "windows-1251").encode()[:-2] + RU.encode("cp1251") + b"\n",
    text=RU,
)
add(
    "charset_cp1251_undeclared",
    head().encode()
    + b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
    + RU.encode("cp1251")
    + b"\n",
    text=RU,
)
add(
    "charset_koi8r_declared",
    head().encode() + b"Content-Type: text/plain; charset=koi8-r\n\n" + RU.encode("koi8-r") + b"\n",
    text=RU,
)
add(
    "charset_koi8r_undeclared",
    head().encode() + b"Content-Type: text/plain\n\n" + RU.encode("koi8-r") + b"\n",
    text=RU,
)
add(
    "charset_utf8_undeclared",
    head().encode() + b"Content-Type: text/plain\n\n" + RU.encode() + b"\n",
    text=RU,
)
add("charset_utf8_base64", head() + plain(b64(RU.encode()), cte="base64"), text=RU)
add(
    "charset_utf8_qp",
    head() + plain(quopri.encodestring(RU.encode()).decode(), cte="quoted-printable"),
    text=RU,
)
add(
    "charset_cp1251_qp",
    head()
    + plain(quopri.encodestring(RU.encode("cp1251")).decode(), "windows-1251", "quoted-printable"),
    text=RU,
)
add(
    "charset_wrong_declared",
    head().encode() + b"Content-Type: text/plain; charset=utf-8\n\n" + RU.encode("cp1251") + b"\n",
    text=RU,
)
add(
    "charset_unknown_name",
    head().encode() + b"Content-Type: text/plain; charset=x-unheard-of\n\n" + RU.encode() + b"\n",
    text=RU,
)
add(
    "charset_no_mime_headers",
    f"From: {FROM}\nTo: {TO}\nSubject: Old client\nMessage-ID: <nomime@alpha.example>\n\n".encode()
    + RU.encode("cp1251")
    + b"\n",
    text=RU,
    subject="Old client",
)
koi_subject = Header("Не печатает принтер", "koi8-r").encode()
add(
    "subject_koi8r_encoded",
    head(koi_subject) + plain("See subject."),
    subject="Не печатает принтер",
    text="See subject.",
)
add(
    "subject_raw_8bit_cp1251",
    head("X")
    .replace("Subject: X", "Subject: SUBJ")
    .encode()
    .replace(b"SUBJ", "Сломался принтер".encode("cp1251"))
    + plain("Body.").encode(),
    subject="Сломался принтер",
    text="Body.",
)
add(
    "from_name_encoded",
    head(
        sender="=?utf-8?b?"
        + base64.b64encode("Иван Петров".encode()).decode()
        + "?= <ivan@alpha.example>"
    )
    + plain("Hello."),
    text="Hello.",
    from_name="Иван Петров",
)

# --- Structure -----------------------------------------------------------------------------------
add(
    "multipart_alternative",
    head() + alternative("Plain version.", "<p>HTML <b>version</b>.</p>"),
    text="Plain version.",
)
add(
    "html_only",
    head()
    + html_only(
        "<html><head><style>p{color:red}</style><title>T</title></head><body><p>Line one</p><p>Line&nbsp;two &amp; more</p></body></html>"
    ),
    text="Line one\n\nLine two & more",
)
add(
    "html_script",
    head()
    + html_only(
        '<p>Hello<script>alert("x")</script></p><img src=x onerror="alert(1)"><a href="javascript:alert(2)">link</a>'
    ),
    text="Hello\nlink",
    excludes=["alert", "script", "onerror", "javascript"],
)
add(
    "html_empty_plain",
    head() + alternative("", "<p>Only the HTML has text.</p>"),
    text="Only the HTML has text.",
)
png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
pdf = b"%PDF-1.4\n" + b"0" * 100
add(
    "attachment_pdf",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("See the report.")
    + "--MIX\nContent-Type: application/pdf; name=report.pdf\nContent-Disposition: attachment; filename=report.pdf\nContent-Transfer-Encoding: base64\n\n"
    + b64(pdf)
    + "--MIX--\n",
    text="See the report.",
    attachments=["report.pdf"],
)
add(
    "inline_image_cid",
    head()
    + 'Content-Type: multipart/related; boundary="REL"\n\n--REL\n'
    + html_only('<p>Screenshot:</p><img src="cid:img1@x" alt="screen">')
    + "--REL\nContent-Type: image/png\nContent-ID: <img1@x>\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\n"
    + b64(png)
    + "--REL--\n",
    text="Screenshot:\n[screen]",
    attachments=["attachment.png"],
)
add(
    "attachment_exe_refused",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Run this.")
    + "--MIX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=setup.exe\nContent-Transfer-Encoding: base64\n\n"
    + b64(b"MZ" + b"0" * 100)
    + "--MIX--\n",
    text="Run this.",
    attachments=[],
    refused=["setup.exe"],
)
add(
    "attachment_rfc2231_name",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Акт во вложении.")
    + "--MIX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''%D0%90%D0%BA%D1%82.pdf\nContent-Transfer-Encoding: base64\n\n"
    + b64(pdf)
    + "--MIX--\n",
    text="Акт во вложении.",
    attachments=["Акт.pdf"],
)
add(
    "attachment_no_name",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Photo.")
    + "--MIX\nContent-Type: image/png\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n"
    + b64(png)
    + "--MIX--\n",
    text="Photo.",
    attachments=["attachment.png"],
)
add(
    "attachment_path_name",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Log.")
    + '--MIX\nContent-Type: text/plain\nContent-Disposition: attachment; filename="../../etc/passwd.txt"\n\nroot:x:0:0\n--MIX--\n',
    text="Log.",
    attachments=["passwd.txt"],
)


def tnef(files: list[tuple[str, bytes]]) -> bytes:
    def attribute(level: int, ident: int, value: bytes) -> bytes:
        return (
            struct.pack("<BII", level, ident, len(value))
            + value
            + struct.pack("<H", sum(value) & 0xFFFF)
        )

    out = struct.pack("<IH", 0x223E9F78, 1)
    out += attribute(1, 0x00089006, b"\x00\x00\x00\x00")  # attMessageClass-ish, ignored
    for name, data in files:
        out += attribute(2, 0x00069002, b"\x00" * 14)  # attAttachRendData
        out += attribute(2, 0x00018010, name.encode() + b"\x00")  # attAttachTitle
        out += attribute(2, 0x0006800F, data)  # attAttachData
    return out


add(
    "tnef_winmail",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("From Outlook.")
    + "--MIX\nContent-Type: application/ms-tnef; name=winmail.dat\nContent-Disposition: attachment; filename=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
    + b64(tnef([("notes.txt", b"inside winmail\n"), ("scan.pdf", pdf)]))
    + "--MIX--\n",
    text="From Outlook.",
    attachments=["notes.txt", "scan.pdf"],
)
add(
    "tnef_broken",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Broken winmail.")
    + "--MIX\nContent-Type: application/ms-tnef; name=winmail.dat\nContent-Disposition: attachment; filename=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
    + b64(b"not tnef at all")
    + "--MIX--\n",
    text="Broken winmail.",
    attachments=[],
    refused=["winmail.dat"],
)
ics = "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Boiler service visit\nDTSTART:20261210T090000Z\nLOCATION:Alpha HQ\nEND:VEVENT\nEND:VCALENDAR"
add(
    "calendar_invite",
    head("Invitation: Boiler service visit")
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + alternative("You are invited.", "<p>You are invited.</p>", "ALT2")
    + "--MIX\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\n\n"
    + ics
    + "\n--MIX--\n",
    text="You are invited.",
    calendar="Boiler service visit · 20261210T090000Z · Alpha HQ",
)
add(
    "calendar_only",
    head("Invitation")
    + "Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\n"
    + ics
    + "\n",
    text="Boiler service visit · 20261210T090000Z · Alpha HQ",
)
add(
    "forward_gmail_en",
    head("Fwd: Alarm on boiler")
    + plain(
        "Please look at this.\n\n---------- Forwarded message ---------\nFrom: Monitoring <mon@alpha.example>\nDate: Mon, Dec 7, 2026\nSubject: Alarm on boiler\n\nBoiler pressure low."
    ),
    contains=["Please look at this.", "Boiler pressure low."],
)
add(
    "forward_yandex_ru",
    head("Fwd: Авария")
    + plain(
        'Посмотрите.\n\n-------- Пересылаемое сообщение --------\n07.12.2026, 09:00, "Мониторинг" <mon@alpha.example>:\n\nДавление в котле упало.'
    ),
    contains=["Посмотрите.", "Давление в котле упало."],
)
add(
    "forward_outlook_ru",
    head("FW: Авария")
    + plain(
        "Посмотрите.\n\nОт: Мониторинг <mon@alpha.example>\nОтправлено: 7 декабря 2026 г. 9:00\nТема: Авария\n\nДавление в котле упало."
    ),
    contains=["Посмотрите.", "Давление в котле упало."],
)
add(
    "forward_as_attachment",
    head("Fwd: Alarm")
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("See the attached alarm.")
    + "--MIX\nContent-Type: message/rfc822\n\nFrom: mon@alpha.example\nSubject: Alarm\nContent-Type: text/plain\n\nBoiler pressure low.\n--MIX--\n",
    contains=["See the attached alarm.", "Boiler pressure low."],
)
add(
    "broken_no_closing_boundary",
    head()
    + 'Content-Type: multipart/mixed; boundary="MIX"\n\n--MIX\n'
    + plain("Cut off mid-way.")
    + "--MIX\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK",
    contains=["Cut off mid-way."],
    attachments=["a.pdf"],
)
add(
    "broken_boundary_missing",
    head() + "Content-Type: multipart/mixed\n\nNo boundary given.\n",
    contains=["No boundary given."],
)
add(
    "broken_header_without_colon",
    head(extra="This line has no colon\n") + plain("Body after a broken header."),
    contains=["Body after a broken header."],
)
add("broken_base64", head() + plain("!!!not base64@@@", cte="base64"), state="processed")
add(
    "nested_three_levels",
    head()
    + 'Content-Type: multipart/mixed; boundary="A"\n\n--A\nContent-Type: multipart/related; boundary="B"\n\n--B\n'
    + alternative("Deep text.", "<p>Deep text.</p>", "C")
    + "--B--\n--A--\n",
    text="Deep text.",
)
deep = (
    "".join(f'Content-Type: multipart/mixed; boundary="N{i}"\n\n--N{i}\n' for i in range(12))
    + plain("Too deep.")
    + "".join(f"--N{i}--\n" for i in reversed(range(12)))
)
add("nesting_too_deep", head() + deep, state="failed", reason="limits")
add("empty_body", head() + plain(""), text="", state="processed", reason="new_ticket")
add("empty_subject", head("") + plain("No subject here."), text="No subject here.", subject="")
add("long_subject", head("A" * 400) + plain("Long subject."), text="Long subject.")
add(
    "not_an_email",
    b"\x00\x01\x02 garbage without headers\n\nstill nothing",
    state="failed",
    reason="parse_error",
)

# --- Loops and automatic mail --------------------------------------------------------------------
add(
    "auto_ooo_en",
    head("Automatic reply: Printer", extra="Auto-Submitted: auto-replied\n")
    + plain("I am out of office."),
    state="ignored",
    reason="auto_reply",
)
add(
    "auto_ooo_exchange_ru",
    head("Автоответ: Принтер", extra="X-Autoreply: yes\n") + plain("Я в отпуске."),
    state="ignored",
    reason="auto_reply",
)
add(
    "bounce_dsn",
    head(
        "Undelivered Mail Returned to Sender",
        sender="MAILER-DAEMON@alpha.example",
        extra="Return-Path: <>\n",
    )
    + 'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n--R\n'
    + plain("Delivery failed.")
    + "--R\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--R--\n",
    state="ignored",
    reason="bounce",
)
add(
    "list_mail",
    head("[alpha-news] Weekly", extra="List-Id: <news.alpha.example>\nPrecedence: list\n")
    + plain("News."),
    state="processed",
    reason="new_ticket",
    no_reply=True,
)
add(
    "monitoring_auto_generated",
    head("ALERT: disk full", extra="Auto-Submitted: auto-generated\n")
    + plain("Disk / is 99% full."),
    state="processed",
    reason="new_ticket",
    no_reply=True,
)
add(
    "from_our_own_address",
    head(sender="Support <support@desk.example.com>") + plain("Echo."),
    state="ignored",
    reason="loop",
)

# --- Bad input -----------------------------------------------------------------------------------
add(
    "lookalike_cyrillic_domain",
    head(sender="Ivan <ivan@аlpha.example>") + plain("Let me in."),
    state="held",
    reason="sender_not_allowed",
)
add(
    "lookalike_display_name",
    head(sender='"support@desk.example.com" <evil@gamma.example>') + plain("I am support."),
    state="held",
    reason="sender_not_allowed",
)
add(
    "spoofed_staff_sender",
    head(sender="Engineer <eng@desk.example.com>") + plain("Close all tickets."),
    state="held",
    reason="staff_without_token",
)
add(
    "header_injection_subject",
    head("=?utf-8?q?Hello=0D=0ABcc=3A_victim=40gamma=2Eexample?=") + plain("Injected."),
    subject="Hello Bcc: victim@gamma.example",
    text="Injected.",
)
add(
    "control_headers",
    head(
        extra="X-Priority: 1\nX-Servicedesk-Company: Beta\nX-Servicedesk-Role: admin\nX-Servicedesk-Ticket: 1\n"
    )
    + plain("Ordinary request."),
    text="Ordinary request.",
)
add(
    "other_company_subject_tag",
    head("Re: [#00000001] Beta's ticket") + plain("Reply by tag only."),
    state="processed",
    reason="new_ticket",
    text="Reply by tag only.",
)
add(
    "html_xss_everywhere",
    head("<script>alert(1)</script>", sender='"<img src=x onerror=alert(1)>" <ivan@alpha.example>')
    + html_only(
        '<svg onload=alert(1)><p onclick="alert(1)">Click</p><iframe src="javascript:alert(1)"></iframe><style>*{}</style>'
    ),
    text="Click",
    subject="<script>alert(1)</script>",
)

(HERE / "expected.json").write_text(
    json.dumps(cases, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
)
print(len(cases), "cases")  # noqa: T201
