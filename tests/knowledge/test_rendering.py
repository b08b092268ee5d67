"""Bad markdown is sanitised everywhere an article appears: scripts, iframes from anywhere but
the allow-listed players, event handlers, `javascript:`/`data:` links, foreign images."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.knowledge.rendering import render_article, video_embed
from tests.conftest import World, login
from tests.knowledge.articles import make_article

EVIL = """# Заголовок

<script>alert('s1')</script>
<iframe src="https://evil.example/x"></iframe>
<img src=x onerror="alert('s2')">
<a href="javascript:alert('s3')">click</a>
[link](javascript:alert('s4')) [data](data:text/html;base64,PHNjcmlwdD4=)
[spaced](  JaVaScRiPt:alert('s5')) [proto](//evil.example/x)
![foreign](https://evil.example/track.png)
<svg onload="alert('s6')"></svg>
<div style="background:url(javascript:alert('s7'))">x</div>

https://evil.example/watch?v=dQw4w9WgXcQ

[ok](https://example.com/page)
"""


class Dangers(HTMLParser):
    """What a browser would run or fetch from the markup (escaped text is harmless)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "svg", "object", "embed", "style", "form"):
            self.found.append(tag)
        for name, value in attrs:
            value = (value or "").replace(" ", "").lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            if name in ("href", "src") and value.startswith(("javascript:", "data:", "//")):
                self.found.append(f"{tag} {name}={value}")
            if tag == "img" and name == "src" and not value.startswith("/kb/files/"):
                self.found.append(f"img src={value}")
            if tag == "iframe" and name == "src" and not value.startswith(PLAYERS):
                self.found.append(f"iframe src={value}")


PLAYERS = (
    "https://www.youtube-nocookie.com/",
    "https://player.vimeo.com/",
    "https://rutube.ru/",
    "https://vk.com/",
)


def dangers(html: str) -> list[str]:
    finder = Dangers()
    finder.feed(html)
    finder.close()
    return finder.found


FORBIDDEN = (
    "<script",
    "onerror",
    "onload",
    "javascript:",
    "data:text",
    "evil.example",
    "<svg",
    '<iframe src="https://evil',
    "style=",
)


def _article_html(page: str) -> str:
    marker = (
        'data-testid="kb-body"' if 'data-testid="kb-body"' in page else 'data-testid="kb-preview"'
    )
    return page.split(marker, 1)[1].split("</div>", 1)[0]


def test_render_removes_every_dangerous_thing() -> None:
    html = render_article(EVIL).html
    assert dangers(html) == []
    assert "<iframe" not in html  # the evil "video" link stays a link
    assert "<h1>Заголовок</h1>" in html
    assert '<a href="https://example.com/page" rel="noopener noreferrer nofollow">ok</a>' in html


def test_the_finder_finds_the_dangers() -> None:
    """The check above is only as good as this finder."""
    assert dangers(
        '<script>1</script><img src="x" onerror="a"><a href="javascript:x">a</a>'
        '<iframe src="https://evil/"></iframe><a href="data:text/html,1">d</a>'
    ) == ["script", "img src=x", "img onerror", "a href=javascript:x", "iframe src=https://evil/",
          "a href=data:text/html,1"]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://rutube.ru/video/c6cc4d620b1d4338901770a44b3e82f4/", "https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4"),
        ("https://vk.com/video-22822305_456239018", "https://vk.com/video_ext.php?oid=-22822305&id=456239018"),
        ("https://vkvideo.ru/video-22822305_456239018", "https://vk.com/video_ext.php?oid=-22822305&id=456239018"),
    ],
)  # fmt: skip
def test_allowed_video_links_become_players(url: str, embed: str) -> None:
    video = video_embed(url)
    assert video is not None and video.embed_url == embed
    rendered = render_article(f"Смотрите:\n\n{url}\n")
    assert f'<iframe src="{embed.replace("&", "&amp;")}"' in rendered.html
    assert rendered.frame_origins == (video.origin,)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/watch?v=dQw4w9WgXcQ",  # not an allowed host
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        'https://www.youtube.com/watch?v="><script>',  # an id that is not an id
        "javascript://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/not-a-number",
    ],
)
def test_other_links_never_become_players(url: str) -> None:
    assert video_embed(url) is None
    assert "<iframe" not in render_article(f"{url}\n").html


def test_the_allow_list_is_a_setting(settings: object) -> None:
    settings.KNOWLEDGE_VIDEO_HOSTS = ["vimeo.com"]  # type: ignore[attr-defined]
    assert video_embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ") is None
    assert video_embed("https://vimeo.com/76979871") is not None


def test_a_video_in_a_paragraph_of_text_stays_a_link() -> None:
    html = render_article("See https://www.youtube.com/watch?v=dQw4w9WgXcQ here").html
    assert "<iframe" not in html and "<a href=" in html


def test_only_the_sites_own_images_are_shown() -> None:
    html = render_article(
        "![a](/kb/files/12/?inline=1) ![b](/media/x.png) ![c](https://x/y.png)"
    ).html
    assert html.count("<img") == 3
    assert html.count("src=") == 1 and 'src="/kb/files/12/?inline=1"' in html


@pytest.mark.django_db
def test_bad_markdown_is_sanitised_on_every_page(world: World) -> None:
    article = make_article("Evil", body=EVIL, summary="<script>alert('sum')</script>")
    pk = article.pk
    pages = [
        (Client(), reverse("kb:article", args=[pk])),
        (login(Client(), world.users["cust_a"]), reverse("portal:kb_article", args=[pk])),
        (login(Client(), world.users["engineer"]), reverse("backoffice:kb_detail", args=[pk])),
        (login(Client(), world.users["dispatcher"]), reverse("backoffice:kb_edit", args=[pk])),
    ]
    for client, url in pages:
        page = client.get(url).content.decode()
        body = _article_html(page)
        assert "<h1>Заголовок</h1>" in body, url
        assert dangers(body) == [], url
        assert "<script>alert" not in page, url  # nor the summary, nor the title
    preview = login(Client(), world.users["dispatcher"]).post(
        reverse("backoffice:kb_preview"), {"body": EVIL}
    )
    assert preview.status_code == 200
    assert "<h1>Заголовок</h1>" in preview.content.decode()
    assert dangers(preview.content.decode()) == []


@pytest.mark.django_db
def test_the_article_page_allows_only_its_players_to_be_framed(world: World) -> None:
    article = make_article("Video", body="https://vimeo.com/76979871\n")
    response = Client().get(reverse("kb:article", args=[article.pk]))
    policy = response["Content-Security-Policy"]
    assert "frame-src https://player.vimeo.com" in policy
    assert "youtube" not in policy
    plain = make_article("No video", body="text")
    policy = Client().get(reverse("kb:article", args=[plain.pk]))["Content-Security-Policy"]
    assert "frame-src" not in policy
