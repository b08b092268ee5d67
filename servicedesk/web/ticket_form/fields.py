"""The ticket form's fields and widgets: choices offered and accepted from what the form already
holds (the cache's reference lists, the person's companies), made only when a select is shown,
and a file input that takes several files. The place picker is in `places`."""

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import ModelChoiceIteratorValue
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from servicedesk.core.forms import QuickSelect, pk_or_none
from servicedesk.customers.models import Company, Contract
from servicedesk.customers.reference import reference_rows


class TextField(forms.CharField):
    """Text from a textarea, with the browser's CRLF line ends made LF before the length is
    checked: the counter on the page (and `maxlength`) counts a line end as one character."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Each file is checked by the service (size, type, content)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DataSelect(forms.Select):
    """A select whose options carry data- attributes (`option_data`, keyed by value): a
    company's country, so that the country follows the company."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


class ContractSelect(forms.Select):
    """Contract options say whether the contract has expired, for the warning beside the list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today: date | None = None

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        contract = getattr(value, "instance", None)
        if (
            isinstance(contract, Contract)
            and self.today is not None
            and contract.valid_to is not None
            and contract.valid_to < self.today
        ):
            option["attrs"]["data-expired"] = "1"
        return option


def preload_reference_rows(form: forms.BaseForm) -> None:
    """The form's reference lists read in one cache round trip (≈ 0.3 ms each otherwise)."""
    fields = [f for f in form.fields.values() if isinstance(f, ReferenceChoiceField)]
    if not fields:
        return
    found = reference_rows(*{f.model for f in fields})
    for f in fields:
        f._rows = {pk: row for pk, row in found[f.model].items() if row.is_active}


class ChoicesWhenShown(BaseChoiceIterator):
    """A select's options made by `make` each time the select is shown, not when the form is
    built (a POST that is accepted never shows them)."""

    def __init__(self, make: Callable[[], Iterable[tuple[Any, Any]]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        yield from self.make()


class ContractChoiceField(forms.ModelChoiceField[Contract]):
    """The contract choice, its label saying when a contract has expired."""

    today: date | None = None

    def label_from_instance(self, obj: Contract) -> str:
        label = f"{obj.number} — {obj.name}"
        if self.today is not None and obj.valid_to is not None and obj.valid_to < self.today:
            return f"{label} ({_('expired')})"
        return label


class ReferenceChoiceField(forms.ModelChoiceField[Any]):
    """A choice of a reference list (type, criticality, work type) offered and checked from
    the cache (customers/reference.py): no query to show the list or to accept a choice."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        self._rows: dict[int, Any] | None = None
        super().__init__(queryset=model.objects.filter(is_active=True), **kwargs)

    def rows(self) -> dict[int, Any]:
        """The active rows, read from the cache once per form (a select asks for its choices
        several times while it renders)."""
        if self._rows is None:
            self._rows = {
                pk: row
                for pk, row in reference_rows(self.model)[self.model].items()
                if row.is_active
            }
        return self._rows

    def choice_list(self) -> list[tuple[Any, Any]]:
        empty: list[tuple[Any, Any]] = [] if self.empty_label is None else [("", self.empty_label)]
        return empty + [
            (ModelChoiceIteratorValue(pk, row), row.name) for pk, row in self.rows().items()
        ]

    def _get_choices(self) -> BaseChoiceIterator:
        return ChoicesWhenShown(self.choice_list)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)  # type: ignore[union-attr]

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        row = self.rows().get(pk_or_none(value))  # type: ignore[arg-type]
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


class ListedCompanyField(forms.ModelChoiceField[Company]):
    """The company choice, offered and accepted from the list the form already holds (no
    query to show it or to accept a choice)."""

    listed: list[Company] | None = None

    def list(self, companies: list[Company]) -> None:
        self.listed = companies
        self.widget.choices = ChoicesWhenShown(self.choice_list)

    def choice_list(self) -> Iterator[tuple[Any, Any]]:
        if self.empty_label is not None:
            yield ("", self.empty_label)
        for company in self.listed or ():
            yield (ModelChoiceIteratorValue(company.pk, company), self.label_from_instance(company))

    def to_python(self, value: Any) -> Company | None:
        if value in self.empty_values or self.listed is None:
            return super().to_python(value)
        pk = pk_or_none(value)
        found = next((c for c in self.listed if c.pk == pk), None)
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


@functools.cache
def _country_choices(language: str | None) -> list[tuple[str, str]]:
    """Sorted by the name as the reader reads it (django-countries sorts by the English one):
    the countries listed first in settings stay first."""
    named = [(str(code), str(name)) for code, name in countries]
    first = len(getattr(settings, "COUNTRIES_FIRST", ()))
    rest = sorted(named[first:], key=lambda item: item[1].replace("ё", "е").casefold())
    return [("", "—"), *named[:first], *rest]


def country_choices() -> list[tuple[str, str]]:
    """The country list in the active language, sorted by name: made once per language
    (≈ 1 ms of translating and sorting 250 names on every form otherwise)."""
    return _country_choices(translation.get_language())


class CountryChoiceField(forms.ChoiceField):
    """A country code, checked against the codes rather than by walking the named list; its
    ~250 options written by one template loop (QuickSelect), not a template per option
    (measured: 5 ms of the staff ticket page)."""

    widget = QuickSelect

    def valid_value(self, value: Any) -> bool:
        return str(value) in countries
