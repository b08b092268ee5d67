"""An act on paper: the HTML document (print view) and the same document as a PDF.

Both are rendered from an `ActContent` alone, in the act's own language and time zone: what a
person signs is what any later reader sees. Every text in the content is escaped by the
template, and the PDF's URL fetcher (core/pdf.py) serves only the project's static files and
the signature handed over here: nothing in an act's text can make it fetch or read anything.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from servicedesk.acts.content import ActContent
from servicedesk.core.pdf import inline_url, pdf_from_html

STYLESHEET = "css/act.css"
SIGNATURE = "signature.png"


@dataclass(frozen=True)
class Acceptance:
    """Who accepted the works («Акт принял: ФИО, должность») and their drawn signature (PNG).
    Blank: the act shows empty lines to sign on paper."""

    name: str = ""
    position: str = ""
    signature_png: bytes | None = None
    signed_at: datetime | None = None
    # The record of an electronic signature, printed under the act: what was signed (SHA-256
    # of its content), from where, by which account or on whose device.
    content_hash: str = ""
    ip_address: str = ""
    account: str = ""
    collected_by: str = ""


def _render(
    content: ActContent,
    acceptance: Acceptance | None,
    *,
    pdf: bool,
    toolbar: dict[str, str],
    version: int = 1,
    after: str = "",
) -> str:
    acceptance = acceptance or Acceptance()
    signature_src = ""
    if acceptance.signature_png:
        signature_src = (
            inline_url(SIGNATURE)
            if pdf
            else "data:image/png;base64," + base64.b64encode(acceptance.signature_png).decode()
        )
    context = {
        "act": content,
        "acceptance": acceptance,
        "signature_src": signature_src,
        "pdf": pdf,
        "toolbar": toolbar,
        "stylesheet": STYLESHEET,
        "version": version,
        "after": after,
    }
    with translation.override(content.language), timezone.override(content.time_zone):
        return render_to_string("acts/act.html", context)


def render_act_html(
    content: ActContent,
    *,
    acceptance: Acceptance | None = None,
    back_url: str = "",
    pdf_url: str = "",
    version: int = 1,
    after: SafeString | str = "",
) -> str:
    """The act as a web page for printing, with a «Print» button (and links back and to the PDF
    when given). Its stylesheet and script are static files (the CSP allows no inline ones).
    `after`: HTML rendered by the caller's own template (the signing form, the versions), shown
    on screen under the act, never printed."""
    toolbar = {"back_url": back_url, "pdf_url": pdf_url}
    return _render(content, acceptance, pdf=False, toolbar=toolbar, version=version, after=after)


def render_act_pdf(
    content: ActContent, *, acceptance: Acceptance | None = None, version: int = 1
) -> bytes:
    """The act as an A4 PDF (WeasyPrint), fetching nothing but the act's stylesheet."""
    html = _render(content, acceptance, pdf=True, toolbar={}, version=version)
    images = {}
    if acceptance and acceptance.signature_png:
        images[SIGNATURE] = (acceptance.signature_png, "image/png")
    return pdf_from_html(html, stylesheets=(STYLESHEET,), images=images)
