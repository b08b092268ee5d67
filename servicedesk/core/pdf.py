"""HTML → PDF with WeasyPrint, offline: DejaVu fonts (Cyrillic), and a URL fetcher that serves
the app's own static files, and images the caller hands over in memory (`inline_url`), and
refuses everything else (no network, no file system paths, no data: URLs)."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint reports every rendering step at INFO; only its warnings are worth a log line.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A base URL that resolves nowhere: relative links in the HTML become URLs under it.
BASE_URL = "https://servicedesk.invalid/"
FONT_CSS = """
@page { size: A4; margin: 18mm 15mm 18mm 20mm; }
html { font-family: "DejaVu Sans", sans-serif; }
"""


INLINE_PREFIX = BASE_URL + "inline/"


def inline_url(name: str) -> str:
    """The address under which `pdf_from_html(images={name: ...})` serves an image."""
    return INLINE_PREFIX + name


def _static_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        return None
    path = unquote(parts.path)
    static_url = settings.STATIC_URL or "/static/"
    if not static_url.startswith("/"):
        static_url = "/" + static_url
    if not path.startswith(static_url) or ".." in path.split("/"):
        return None
    found = finders.find(path[len(static_url) :])
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


def pdf_from_html(
    html: str,
    *,
    stylesheets: tuple[str, ...] = (),
    images: Mapping[str, tuple[bytes, str]] | None = None,
) -> bytes:
    """Render `html` to PDF. `stylesheets` are static paths ("css/print.css") applied on top;
    `images` maps a name to (bytes, content type), served at `inline_url(name)` (e.g. a
    signature kept in the database)."""
    inline = dict(images or {})
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith(INLINE_PREFIX) and url[len(INLINE_PREFIX) :] in inline:
                body, kind = inline[url[len(INLINE_PREFIX) :]]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})
            path = _static_path(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url[:80]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    fetcher = StaticOnlyFetcher(allowed_protocols=("https",), allow_redirects=False)
    fonts = FontConfiguration()
    sheets = [CSS(string=FONT_CSS, font_config=fonts)]
    for name in stylesheets:
        found = finders.find(name)
        if isinstance(found, list):
            found = found[0] if found else None
        if found:
            sheets.append(
                CSS(
                    string=Path(found).read_text(encoding="utf-8"),
                    font_config=fonts,
                    base_url=BASE_URL,
                    url_fetcher=fetcher,
                )
            )
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    result: bytes = document.write_pdf(stylesheets=sheets, font_config=fonts)
    return result
