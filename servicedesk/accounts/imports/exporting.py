"""People out to CSV and XLSX, in the import template's columns (an export reads back in
unchanged), and the empty template itself.

Rows come from the People list's queryset in chunks (each chunk with its memberships in one
more query), so thousands of people stream out in a bounded number of queries and memory.
Every cell a spreadsheet could run as a formula gets a leading quote (`columns.neutralise`):
django-import-export's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) only drops a
leading "=", and only in its own format classes.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from import_export import fields, resources

from servicedesk.accounts.imports import columns as cols
from servicedesk.accounts.models import User

CHUNK_SIZE = 500
BOM = "\ufeff"


def _label(key: str) -> Any:
    return next(c.label for c in cols.COLUMNS if c.key == key)


class PeopleResource(resources.Resource):  # type: ignore[misc]  # untyped library
    """The template's columns, read from a user with its memberships prefetched."""

    surname = fields.Field(column_name=_label("surname"))
    first_name = fields.Field(column_name=_label("first_name"))
    email = fields.Field(column_name=_label("email"))
    phone = fields.Field(column_name=_label("phone"))
    kind = fields.Field(column_name=_label("kind"))
    role = fields.Field(column_name=_label("role"))
    company = fields.Field(column_name=_label("company"))
    position = fields.Field(column_name=_label("position"))

    def dehydrate_surname(self, user: User) -> str:
        return user.full_name.split(" ", 1)[0]

    def dehydrate_first_name(self, user: User) -> str:
        parts = user.full_name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""

    def dehydrate_email(self, user: User) -> str:
        return user.email or ""

    def dehydrate_phone(self, user: User) -> str:
        return user.phone.as_international if user.phone else ""

    def dehydrate_kind(self, user: User) -> str:
        kind = cols.KIND_CUSTOMER if user.is_customer else cols.KIND_EMPLOYEE
        return str(cols.KIND_LABELS[kind])

    def dehydrate_role(self, user: User) -> str:
        return str(user.get_role_display())

    def dehydrate_company(self, user: User) -> str:
        # Codes are unique, names need not be. Employees keep old memberships: not exported.
        if not user.is_customer:
            return ""
        return f"{cols.COMPANY_SEPARATOR} ".join(m.company.code for m in user.memberships.all())

    def dehydrate_position(self, user: User) -> str:
        return user.position


def export_rows(users: QuerySet[User] | None) -> Iterator[list[str]]:
    """The header, then one row per user, every cell neutralised."""
    resource = PeopleResource()
    yield [cols.neutralise(h) for h in resource.get_export_headers()]
    if users is None:
        return
    for user in users.iterator(chunk_size=CHUNK_SIZE):
        yield [cols.neutralise(str(v)) for v in resource.export_resource(user)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]], *, delimiter: str = ",") -> Iterator[str]:
    """CSV text line by line, starting with a BOM (Excel then reads UTF-8)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield BOM
    for row in rows:
        yield writer.writerow(row)


def csv_bytes(rows: Iterable[list[str]], *, delimiter: str = ",") -> bytes:
    return "".join(csv_lines(rows, delimiter=delimiter)).encode()


def xlsx_file(rows: Iterable[list[str]], *, title: str) -> IO[bytes]:
    """A workbook of text cells (write-only: rows go to disk as they come), rewound."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        if number == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            # Text cells only: openpyxl would take a string starting with "=" as a formula,
            # and neutralise() has already put a quote before every such value.
            sheet.append(row)
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(target)
    target.seek(0)
    return target


def xlsx_bytes(rows: Iterable[list[str]], *, title: str) -> bytes:
    with xlsx_file(rows, title=title) as handle:
        return handle.read()
