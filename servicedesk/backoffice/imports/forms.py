from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.imports import ImportFileError, SourceRow, read_table, source_rows


class PeopleImportForm(forms.Form):
    """The uploaded file, read and mapped to the template's columns (or refused as a whole)."""

    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        help_text=_(
            "One person a row, in the template's columns. Matched to existing people by email, "
            "else by phone: those are updated, the others created."
        ),
    )
    send_invitations = forms.BooleanField(
        label=_("Send invitations to new customers"), required=False, initial=True
    )

    rows: list[SourceRow]
    file_format: str
    encoding: str

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.PEOPLE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)},
                code="too_large",
            )
        data = upload.read(limit + 1)
        if len(data) > limit:  # the size the client claimed was wrong
            raise forms.ValidationError(
                _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)},
                code="too_large",
            )
        try:
            table = read_table(data, max_rows=settings.PEOPLE_IMPORT_MAX_ROWS)
            self.rows = source_rows(table)
        except ImportFileError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from error
        self.file_format = table.file_format
        self.encoding = table.encoding
        return upload
