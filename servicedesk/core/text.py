"""Words of articles, tickets and queries, the same way on both databases: pure functions, no ORM.

A word is a run of letters and digits (anything else separates words, so no character of a
query ever reaches a database's query syntax as an operator). Words are lower-cased, «ё» is read
as «е», stop words are dropped (PostgreSQL's own lists, `stopwords.py`) and the rest stemmed by
Snowball: Cyrillic words by the Russian stemmer, Latin ones by the English one — what
PostgreSQL's `russian` configuration does (its `asciiword` goes to `english_stem`). Words with
digits («1С», «x64») are kept whole.

Snowball does not always give a verb and its noun the same stem: «печатает» → «печата»,
«печать» → «печа». A query word therefore matches its stem as a prefix *or* a shorter prefix
(`query_groups`): «печата» also asks for «печа*», which finds «печать»; a document matching the
exact stem ranks higher because it matches both. The shorter prefix also forgives a typo in a
word's ending («принтр» → «принт*»).
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from servicedesk.core import stopwords

MAX_QUERY_CHARS = 1000  # longer input is cut, not refused
MAX_QUERY_WORDS = 12  # a suggestion reads subject + description: its first distinct words
MAX_WORD_CHARS = 40
SHORT_PREFIX_MIN = 4

WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-я]+")
_LATIN = re.compile(r"[a-z]+")

_RUSSIAN = Stemmer.Stemmer("russian")
_ENGLISH = Stemmer.Stemmer("english")

# Markdown and HTML that is not text: images, link targets, tags, code fences, emphasis marks.
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_MARKS = re.compile(r"(^|\s)[#>*+-]+(?=\s)|[`*_~|]+", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """What a reader reads of a markdown body: link texts and image captions without their
    targets, no tags or markup characters, whitespace collapsed."""
    text = _IMAGE.sub(r" \1 ", markdown or "")
    text = _LINK.sub(r" \1 ", text)
    text = _TAG.sub(" ", text)
    text = _MARKS.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Lower-cased words of `text`, ё read as е, each at most MAX_WORD_CHARS long."""
    return [w[:MAX_WORD_CHARS] for w in WORD.findall(text.lower().replace("ё", "е"))]


@lru_cache(maxsize=50_000)
def stem(word: str) -> str | None:
    """The Snowball stem of a lower-cased word, or None for a stop word."""
    if _CYRILLIC.fullmatch(word):
        return None if word in stopwords.RUSSIAN else _RUSSIAN.stemWord(word)
    if _LATIN.fullmatch(word):
        return None if word in stopwords.ENGLISH else _ENGLISH.stemWord(word)
    return word


def stems(text: str) -> list[str]:
    """The stems of every word of `text`, stop words dropped, in order (for the SQLite index)."""
    return [s for s in map(stem, words(text)) if s]


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query, in order, at most MAX_QUERY_WORDS."""
    seen: dict[str, None] = {}
    for s in stems(query[:MAX_QUERY_CHARS]):
        seen.setdefault(s, None)
        if len(seen) == MAX_QUERY_WORDS:
            break
    return list(seen)


def prefixes(stem_: str) -> tuple[str, ...]:
    """The prefixes a query stem matches: itself, and for a longer word of letters a prefix two
    letters shorter (at least SHORT_PREFIX_MIN): «печата» → («печата», «печа»)."""
    if stem_.isalpha() and len(stem_) > SHORT_PREFIX_MIN:
        short = stem_[: max(SHORT_PREFIX_MIN, len(stem_) - 2)]
        if short != stem_:
            return (stem_, short)
    return (stem_,)


# Words people type in either language for the same thing (a mixed-language query «принтер HP
# printing» or a Russian query for an English article). Each word's stem also asks for the
# others'. Kept small and literal: the service desk's own vocabulary.
GLOSSARY: tuple[tuple[str, ...], ...] = (
    ("принтер", "printer"),
    ("печать", "печатает", "print", "printing"),
    ("картридж", "cartridge", "toner", "тонер"),
    ("роутер", "маршрутизатор", "router"),
    ("сервер", "server"),
    ("сеть", "network"),
    ("пароль", "password"),
    ("терминал", "terminal"),
    ("касса", "кассовый", "pos", "till"),
    ("кондиционер", "conditioner", "hvac"),
    ("пропуск", "badge", "card"),
    ("сканер", "scanner"),
    ("ноутбук", "laptop"),
    ("почта", "mail", "email"),
    ("ошибка", "error"),
    ("обновление", "update"),
    ("доступ", "access"),
    ("монитор", "monitor", "экран", "screen"),
)


@lru_cache(maxsize=1)
def _glossary() -> dict[str, tuple[str, ...]]:
    by_stem: dict[str, tuple[str, ...]] = {}
    for row in GLOSSARY:
        row_stems = tuple(dict.fromkeys(s for s in map(stem, row) if s))
        for s in row_stems:
            by_stem[s] = row_stems
    return by_stem


def synonyms(stem_: str) -> tuple[str, ...]:
    """The stems of the glossary's words for the same thing as `stem_` (itself excluded)."""
    return tuple(s for s in _glossary().get(stem_, ()) if s != stem_)


_LATIN_TO_CYRILLIC = str.maketrans(
    "qwertyuiop[]asdfghjkl;'zxcvbnm,.`", "йцукенгшщзхъфывапролджэячсмитьбюё"
)


def other_layout(word: str) -> str | None:
    """A Latin word as the Russian keyboard layout would have typed it («ghbynth» → «принтер»),
    or None if it is not all Latin letters."""
    if not _LATIN.fullmatch(word):
        return None
    return word.translate(_LATIN_TO_CYRILLIC).replace("ё", "е")


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two words."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def matches(word_stem: str | None, query_prefixes: tuple[str, ...]) -> bool:
    return word_stem is not None and word_stem.startswith(query_prefixes)
