"""The Jinja2 fragments' texts are in the Russian catalogue: `makemessages` reads Django
templates, and a `_("…", name=value)` call in a Jinja2 one is not among what it extracts."""

import re
from pathlib import Path

from django.utils import translation

import servicedesk

CALL = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def test_every_text_of_the_jinja2_templates_is_translated() -> None:
    root = Path(servicedesk.__file__).parent
    texts = {
        double or single
        for path in root.glob("*/jinja2/**/*.html")
        for double, single in CALL.findall(path.read_text())
    }
    assert texts, "no Jinja2 template texts found"
    with translation.override("ru"):
        missing = sorted(text for text in texts if translation.gettext(text) == text)
    assert missing == []
