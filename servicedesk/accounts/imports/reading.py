"""From an uploaded file's bytes to a header and rows of text cells, or a clear refusal.

The file's kind is decided by its content, never by its name: an XLSX is a ZIP holding an Excel
workbook; anything else must be text (UTF-8 with or without BOM, UTF-16 with BOM as Excel's
"Unicode text", else Windows-1251 as Russian Excel writes CSV). Formula cells of a workbook are
read as their formulas (=...), so that the rows can refuse them.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext as _

from servicedesk.core.errors import ApplicationError, ErrorCode

# Columns read from a workbook (the template has 8); a sheet may claim thousands.
MAX_COLUMNS = 32
# Blank rows skipped before the reading stops: a workbook may claim a million rows.
MAX_BLANK_ROWS = 10_000
# Uncompressed size a workbook may unpack to: a few MB of rows, never a ZIP bomb.
XLSX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024

_BINARY_SIGNATURES = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
    b"MZ",  # Windows executable
    b"\x7fELF",
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and workbooks with a password
_ZIP = b"PK\x03\x04"
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read; nothing in it is looked at further."""


@dataclass
class Table:
    headers: list[str]
    # (line number in the file, cells); blank lines are left out.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    file_format: str = "csv"
    encoding: str = ""


def read_table(data: bytes, *, max_rows: int) -> Table:
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ImportFileError(_("The file is empty."), code=ErrorCode.EMPTY)
    if data.startswith(_ZIP):
        table = _read_xlsx(data, max_rows=max_rows)
    elif data.startswith(_OLE2):
        raise ImportFileError(
            _(
                "This is an old Excel (.xls) or a password-protected workbook. Save it as "
                "“Excel workbook (.xlsx)” without a password, or as CSV."
            ),
            code=ErrorCode.XLS,
        )
    elif data.startswith(_BINARY_SIGNATURES):
        raise ImportFileError(_not_a_table(), code=ErrorCode.NOT_A_TABLE)
    else:
        table = _read_csv(data, max_rows=max_rows)
    if not any(table.headers):
        raise ImportFileError(
            _("The first row must hold the column headers."), code=ErrorCode.NO_HEADER
        )
    if not table.rows:
        raise ImportFileError(
            _("The file has a header but no rows to import."), code=ErrorCode.NO_ROWS
        )
    return table


def _not_a_table() -> str:
    return _("This is not a CSV or XLSX file. Use the template: save it as CSV or XLSX.")


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows; split it into several files.") % {"max": max_rows},
        code=ErrorCode.TOO_MANY_ROWS,
    )


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data:
            raise ImportFileError(_not_a_table(), code=ErrorCode.NOT_A_TABLE)
        candidates = ["utf-8-sig", "cp1251"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.intersection(text):
            return text.lstrip("\ufeff"), encoding
    raise ImportFileError(
        _(
            "The file's text could not be read: it is neither UTF-8 nor Windows-1251. "
            "Save it again as “CSV UTF-8” or as XLSX."
        ),
        code=ErrorCode.ENCODING,
    )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    text, encoding = _decode(data)
    first_line = text.lstrip().split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        return _collect(_numbered(reader), max_rows=max_rows, file_format="csv", encoding=encoding)
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is damaged: %(error)s") % {"error": error}, code=ErrorCode.CSV
        ) from error


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    for cells in reader:
        yield reader.line_num, cells


# --- XLSX ----------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError(
            _("The file is a damaged ZIP archive, not an XLSX workbook."), code=ErrorCode.BAD_ZIP
        ) from error
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise ImportFileError(
            _("This ZIP archive is not an Excel workbook. Upload a CSV or XLSX file."),
            code=ErrorCode.NOT_XLSX,
        )
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The workbook is too large when unpacked."), code=ErrorCode.TOO_LARGE
        )


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f":
        text = str(getattr(value, "text", None) or value)
        return text if text.startswith("=") else "=" + text
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, *, max_rows: int) -> Table:
    import openpyxl

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError(
            _("The XLSX workbook could not be read; open it in Excel and save it again."),
            code=ErrorCode.BAD_XLSX,
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [_cell_text(cell) for cell in row])
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1)
        )
        return _collect(rows, max_rows=max_rows, file_format="xlsx", encoding="")
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(
            _("The XLSX workbook could not be read; open it in Excel and save it again."),
            code=ErrorCode.BAD_XLSX,
        ) from error
    finally:
        workbook.close()


# --- Both ------------------------------------------------------------------------------------


def _collect(
    rows: Iterator[tuple[int, list[str]]], *, max_rows: int, file_format: str, encoding: str
) -> Table:
    table: Table | None = None
    blank = 0
    for number, cells in rows:
        stripped = [cell.strip() for cell in cells]
        while stripped and not stripped[-1]:  # a workbook's rows are padded to its width
            stripped.pop()
        if not stripped:
            blank += 1
            if blank > MAX_BLANK_ROWS:
                break
            continue
        if table is None:
            table = Table(headers=stripped, file_format=file_format, encoding=encoding)
            continue
        if len(table.rows) >= max_rows:
            raise _too_many_rows(max_rows)
        table.rows.append((number, stripped))
    if table is None:
        raise ImportFileError(_("The file is empty."), code=ErrorCode.EMPTY)
    return table
