"""Light formatting for text people write (messages): a CommonMark subset rendered by
markdown-it-py, then sanitised by nh3 — the renderer is not trusted to be safe on its own.

What a message may use: paragraphs and line breaks (a single line end is a break, as people
expect in a chat), *emphasis*, **strong**, ~~strike~~, `code` and fenced code, quotes, lists,
and links, written or bare (http, https and mailto only; they open in a new tab with
rel="noopener noreferrer nofollow"). Raw HTML is shown as text, images and headings are not
rendered (an image from a foreign server would tell it who reads the message)."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_RENDERER = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False})
    .enable(["linkify", "strikethrough"])
    .disable(["image", "heading", "lheading", "html_block", "html_inline"])
)
# Bare links need their scheme (https://…) or are emails: "settings.py" or "ya.ru" stay text.
if _RENDERER.linkify is None:  # pragma: no cover (markdown-it-py[linkify] brings it)
    raise ImportError("linkify-it-py is missing")
_RENDERER.linkify.set({"fuzzy_link": False})

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "ol": {"start"}},
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
)


def render_markdown(text: str) -> SafeString:
    """Safe HTML for `text` (already cleaned of control and zero-width characters by the
    service that stored it)."""
    if not text:
        return mark_safe("")
    html = _RENDERER.render(text)
    return mark_safe(_CLEANER.clean(html).strip())  # noqa: S308 (sanitised by nh3 just above)
