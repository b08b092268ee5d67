"""Articles' markdown as safe HTML: richer than a message (headings, tables, images, video),
rendered by markdown-it-py with raw HTML off and then sanitised by nh3 — the renderer is not
trusted to be safe on its own, as in core/markdown.py.

- Raw HTML in the text is shown as text: no <script>, <iframe>, <style>, event handlers.
- Links: http, https, mailto and paths on this site; `javascript:`, `data:`, `vbscript:` and
  every other scheme are dropped (the text stays).
- Images only from this site's article files (`/kb/files/<id>/`): an image from a foreign
  server would tell it who reads the article. Other images are removed.
- Video: a paragraph holding nothing but a link to a video on an allowed host
  (settings.KNOWLEDGE_VIDEO_HOSTS: YouTube, Vimeo, Rutube, VK Video by default) becomes an
  embedded player. The player's address is built here from the video's id (checked against a
  strict pattern), never copied from the text, so nothing the author writes reaches an iframe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_RENDERER = MarkdownIt(
    "commonmark", {"html": False, "linkify": True, "breaks": False, "typographer": False}
).enable(["linkify", "strikethrough", "table"])
if _RENDERER.linkify is None:  # pragma: no cover (markdown-it-py[linkify] brings it)
    raise ImportError("linkify-it-py is missing")
_RENDERER.linkify.set({"fuzzy_link": False})

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Our own article files: the only images an article shows.
_OWN_IMAGE = re.compile(r"^/kb/files/\d+/(\?inline=1)?$")
_DANGEROUS = re.compile(r"^\s*(javascript|data|vbscript|file):", re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _OWN_IMAGE.match(value) else None
    if attribute == "href" and (_DANGEROUS.match(value) or value.startswith("//")):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={
        "a": {"href", "title"},
        "img": {"src", "alt", "title"},
        "ol": {"start"},
        "th": {"align"},
        "td": {"align"},
    },
    attribute_filter=_attribute_filter,
    link_rel="noopener noreferrer nofollow",
    url_schemes=set(URL_SCHEMES),
    url_relative="pass_through",
)


@dataclass(frozen=True)
class Video:
    host: str  # the link's host, as checked against the allow-list
    embed_url: str  # built here from the id, never taken from the text
    origin: str  # for the page's Content-Security-Policy (frame-src)


_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_NUMBER = re.compile(r"^\d{1,15}$")
_VK = re.compile(r"^video(-?\d{1,15})_(\d{1,15})$")


def video_embed(url: str) -> Video | None:
    """The player for a video link on an allowed host, or None (the link stays a link)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.port not in (None, 80, 443):
        return None
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in settings.KNOWLEDGE_VIDEO_HOSTS}
    if host not in allowed:
        return None
    bare = host.removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    video_id = ""
    if bare in ("youtube.com", "youtu.be"):
        if bare == "youtu.be" and len(segments) == 1:
            video_id = segments[0]
        elif segments[:1] == ["watch"]:
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) == 2 and segments[0] in ("embed", "shorts", "live"):
            video_id = segments[1]
        if _ID.match(video_id):
            return Video(
                host,
                f"https://www.youtube-nocookie.com/embed/{video_id}",
                "https://www.youtube-nocookie.com",
            )
    elif bare in ("vimeo.com", "player.vimeo.com"):
        candidate = segments[-1] if segments else ""
        if _NUMBER.match(candidate):
            return Video(
                host, f"https://player.vimeo.com/video/{candidate}", "https://player.vimeo.com"
            )
    elif bare == "rutube.ru":
        if len(segments) >= 2 and segments[0] in ("video", "play") and _ID.match(segments[-1]):
            return Video(host, f"https://rutube.ru/play/embed/{segments[-1]}", "https://rutube.ru")
    elif bare in ("vk.com", "vkvideo.ru", "vk.ru"):
        match = _VK.match(segments[-1]) if segments else None
        if match:
            owner, number = match.groups()
            return Video(
                host,
                f"https://vk.com/video_ext.php?oid={owner}&id={number}",
                "https://vk.com",
            )
    return None


# A paragraph that is one link and nothing else, as the sanitiser writes it.
_LONE_LINK = re.compile(r'<p><a href="([^"<>]+)"[^<>]*>[^<]*</a></p>')


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    frame_origins: tuple[str, ...]  # the video players' origins the page must allow


def render_article(text: str) -> Rendered:
    """Safe HTML for an article's markdown, with the origins of the players it embeds."""
    if not text:
        return Rendered(mark_safe(""), ())
    clean = _CLEANER.clean(_RENDERER.render(text)).strip()
    origins: list[str] = []

    def embed(match: re.Match[str]) -> str:
        video = video_embed(match.group(1).replace("&amp;", "&"))
        if video is None:
            return match.group(0)
        if video.origin not in origins:
            origins.append(video.origin)
        return render_to_string("knowledge/_video.html", {"video": video}).strip()

    html = _LONE_LINK.sub(embed, clean)
    return Rendered(mark_safe(html), tuple(origins))  # noqa: S308 (nh3 above; iframes built here)


def render_article_html(text: str) -> SafeString:
    return render_article(text).html


def image_ids(text: str) -> list[int]:
    """The article files an article's markdown shows as images (`/kb/files/<id>/`)."""
    return [int(n) for n in re.findall(r"/kb/files/(\d+)/", text or "")]
