"""A completed work as the ticket's timeline keeps it and words it (decision 0014: codes are
kept, names are given in the reader's language when shown). The WORK_* events keep
`{"work_type": code, "hours": billed hours}` as JSON; `work_summary_text` reads it back as
«Ремонт, 2 ч» or "Repair, 2 h"."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from servicedesk.customers.models import WorkType
from servicedesk.customers.reference import reference_rows


def work_summary(work_type_code: str, hours: int) -> str:
    return json.dumps({"work_type": work_type_code, "hours": hours}, sort_keys=True)


def work_summary_text(value: str) -> str:
    """The summary in the active language; a value that is not one (written by hand, or by an
    older version) is shown as it is."""
    try:
        data: Any = json.loads(value)
        code, hours = str(data["work_type"]), int(data["hours"])
    except (ValueError, TypeError, KeyError):
        return value
    names = {row.code: row.name for row in reference_rows(WorkType)[WorkType].values()}
    return _("%(work_type)s, %(hours)s h") % {"work_type": names.get(code, code), "hours": hours}
