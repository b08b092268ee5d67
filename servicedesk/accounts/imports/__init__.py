"""Import and export of people (customers and employees) as CSV or XLSX, in one template.

Pure of HTTP: the back office's pages call `read_table` → `source_rows` → `import_plan` for the
preview, `people_import_apply` to apply, and `export_rows` with the writers to export.
"""

from servicedesk.accounts.imports.applying import (
    ImportNotAppliedError,
    ImportResult,
    people_import_apply,
)
from servicedesk.accounts.imports.columns import SourceRow, headers, neutralise, source_rows
from servicedesk.accounts.imports.exporting import (
    PeopleResource,
    csv_bytes,
    csv_lines,
    export_rows,
    xlsx_bytes,
    xlsx_file,
)
from servicedesk.accounts.imports.planning import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    RowPlan,
    import_plan,
)
from servicedesk.accounts.imports.reading import ImportFileError, Table, read_table

__all__ = [
    "CREATE",
    "ERROR",
    "UNCHANGED",
    "UPDATE",
    "ImportFileError",
    "ImportNotAppliedError",
    "ImportPlan",
    "ImportResult",
    "PeopleResource",
    "RowPlan",
    "SourceRow",
    "Table",
    "csv_bytes",
    "csv_lines",
    "export_rows",
    "headers",
    "import_plan",
    "neutralise",
    "people_import_apply",
    "read_table",
    "source_rows",
    "xlsx_bytes",
    "xlsx_file",
]
