"""The messages' light formatting: what it renders, and what never gets through."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.conversations.services import clean_body
from servicedesk.core.markdown import render_markdown

LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"'
ALLOWED = {
    "p",
    "br",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
}


def _tags(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*a* **b** ~~c~~ `d`", "<p><em>a</em> <strong>b</strong> <s>c</s> <code>d</code></p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("3. c", '<ol start="3">\n<li>c</li>\n</ol>'),
        ("> said", "<blockquote>\n<p>said</p>\n</blockquote>"),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
        (
            "see https://example.com/a?b=1&c=2",
            f'<p>see <a href="https://example.com/a?b=1&amp;c=2" {LINK_ATTRS}>'
            "https://example.com/a?b=1&amp;c=2</a></p>",
        ),
        ("[docs](http://ex.org)", f'<p><a href="http://ex.org" {LINK_ATTRS}>docs</a></p>'),
        ("[mail](mailto:a@ex.org)", f'<p><a href="mailto:a@ex.org" {LINK_ATTRS}>mail</a></p>'),
        ("settings.py", "<p>settings.py</p>"),  # no guessing at bare names
        ("# Not a heading", "<p># Not a heading</p>"),
        ("", ""),
    ],
)
def test_what_is_rendered(text: str, html: str) -> None:
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "![x](https://tracker.example/pixel.gif)",
        '<iframe src="https://ex.org"></iframe>',
        "<style>body{display:none}</style>",
        '[x](https://ex.org "t" onmouseover="alert(1)")',
    ],
)
def test_hostile_markup_never_gets_through(text: str) -> None:
    parser = _Collect()
    parser.feed(str(render_markdown(text)))
    assert parser.tags <= ALLOWED
    assert {name for name, _value in parser.attributes} <= {"href", "target", "rel", "start"}
    for name, value in parser.attributes:
        if name == "href":
            assert (value or "").startswith(("http://", "https://", "mailto:"))


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs


def test_relative_links_lose_their_address() -> None:
    assert "href" not in render_markdown("[x](/backoffice/people/)")


def test_invisible_characters_are_gone_before_rendering() -> None:
    assert render_markdown(clean_body("a\u200bb\u202ec\x07")) == "<p>abc</p>"


def test_the_template_filter_marks_the_result_safe() -> None:
    template = Template("{% load formatting %}{{ body|markdown }}")
    out = template.render(Context({"body": "**hi** <b>there</b>"}))
    assert out == "<p><strong>hi</strong> &lt;b&gt;there&lt;/b&gt;</p>"


@given(st.text(max_size=300))
def test_any_text_yields_only_allowed_tags(text: str) -> None:
    assert _tags(str(render_markdown(clean_body(text)))) <= ALLOWED
