"""The one table layout shared by the import template, the import and the export.

Headers are matched case-insensitively in Russian or English (and in the active catalogue's
words, so a template downloaded in either language reads back). Values of the "kind" and "role"
columns likewise accept the codes, the Russian and English words and the translated labels.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.imports.reading import ImportFileError, Table
from servicedesk.accounts.models import Role
from servicedesk.core.errors import ErrorCode


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    aliases: frozenset[str]


COLUMNS: tuple[Column, ...] = (
    Column("surname", _("Surname"), frozenset({"surname", "last name", "фамилия"})),
    Column("first_name", _("First name"), frozenset({"first name", "name", "имя"})),
    Column(
        "email",
        _("Email"),
        frozenset({"email", "e-mail", "почта", "эл. почта", "электронная почта", "e-mail адрес"}),
    ),
    Column("phone", _("Phone"), frozenset({"phone", "телефон", "тел."})),
    Column("kind", _("Kind"), frozenset({"kind", "type", "вид", "тип"})),
    Column("role", _("Role"), frozenset({"role", "роль"})),
    Column(
        "company",
        _("Company"),
        frozenset({"company", "companies", "компания", "компании", "организация"}),
    ),
    Column("position", _("Position"), frozenset({"position", "должность"})),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)

KIND_CUSTOMER = "customer"
KIND_EMPLOYEE = "employee"
KIND_LABELS: dict[str, Promise] = {KIND_CUSTOMER: _("Customer"), KIND_EMPLOYEE: _("Employee")}
_KIND_WORDS = {
    KIND_CUSTOMER: {"customer", "customers", "client", "заказчик", "заказчики", "клиент"},
    KIND_EMPLOYEE: {"employee", "employees", "staff", "сотрудник", "сотрудники"},
}
_ROLE_WORDS = {
    Role.ADMIN: {"admin", "administrator", "администратор", "админ"},
    Role.DISPATCHER: {"dispatcher", "диспетчер"},
    Role.ENGINEER: {"engineer", "инженер"},
    Role.CUSTOMER: {"customer", "client", "заказчик", "клиент"},
}

# Several companies in one cell.
COMPANY_SEPARATOR = ";"
# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def normalise_word(value: str) -> str:
    return " ".join(value.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def _in_every_language(labels: Iterable[Promise]) -> set[str]:
    words: set[str] = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.update(normalise_word(str(label)) for label in labels)
    return words


def header_lookup() -> dict[str, str]:
    """Normalised header → column key."""
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for word in {*column.aliases, *_in_every_language([column.label])}:
            lookup[normalise_word(word)] = column.key
    return lookup


def kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind, words in _KIND_WORDS.items():
        for word in {*words, *_in_every_language([KIND_LABELS[kind]])}:
            lookup[normalise_word(word)] = kind
    return lookup


def role_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for role, words in _ROLE_WORDS.items():
        for word in {*words, role.value, *_in_every_language([role.label])}:
            lookup[normalise_word(word)] = role.value
    return lookup


def headers() -> list[str]:
    """The header row in the active language."""
    return [str(column.label) for column in COLUMNS]


def neutralise(value: str) -> str:
    """What an export writes: a cell a spreadsheet would run as a formula gets a leading quote,
    which makes it text (and which the import takes off again)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def unneutralise(value: str) -> tuple[str, bool]:
    """An imported cell without the quote an export put before a formula-like value; and
    whether the quote was there (such a cell is text, whatever it starts with)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:], True
    return value, False


def looks_like_formula(value: str, key: str) -> bool:
    """A raw cell a spreadsheet would evaluate. A leading + is a phone number's own, and a
    leading - or + in a name or a code is not something people type, so both count outside
    the phone column."""
    if not value:
        return False
    if value[0] in "=@":
        return True
    return key != "phone" and value[0] in "+-"


SourceRow = dict[str, Any]  # {"line": int, "cells": {column key: text}}


def source_rows(table: Table) -> list[SourceRow]:
    """Map the header to the template's columns; refuse unknown, repeated or missing ones."""
    lookup = header_lookup()
    keys: list[str | None] = []
    problems: list[str] = []
    for index, header in enumerate(table.headers):
        if not header:
            if any(index < len(cells) and cells[index] for _line, cells in table.rows):
                problems.append(
                    gettext("Column %(n)s has values but no header.") % {"n": index + 1}
                )
            keys.append(None)
            continue
        key = lookup.get(normalise_word(header))
        if key is None:
            problems.append(gettext("Unknown column “%(header)s”.") % {"header": header})
        elif key in keys:
            problems.append(gettext("The column “%(header)s” appears twice.") % {"header": header})
            key = None
        keys.append(key)
    labels = {c.key: str(c.label) for c in COLUMNS}
    missing = [labels[k] for k in ("surname", "first_name", "kind") if k not in keys]
    if "email" not in keys and "phone" not in keys:
        either = {"email": labels["email"], "phone": labels["phone"]}
        missing.append(gettext("%(email)s or %(phone)s") % either)
    if missing:
        problems.append(gettext("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        expected = ", ".join(headers())
        problems.append(gettext("The template's columns are: %(columns)s.") % {"columns": expected})
        raise ImportFileError(" ".join(problems), code=ErrorCode.COLUMNS)
    rows = []
    for line, cells in table.rows:
        values = dict.fromkeys(COLUMN_KEYS, "")
        for key, cell in zip(keys, cells, strict=False):
            if key is not None:
                values[key] = cell
        rows.append({"line": line, "cells": values})
    return rows
