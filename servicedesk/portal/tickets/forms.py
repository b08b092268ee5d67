"""The ticket form, shared by the portal (a customer files for themselves) and the back office
(staff file for a customer's person).

Every choice list goes through the scoping layer for the person the ticket is *for*
(`scope_user`): a customer sees only their companies and what their membership allows. The
service (`ticket_create`) checks the same again; the form's lists are a convenience, not the
guard.
"""

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIteratorValue
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.customers.reference import reference_rows
from servicedesk.tickets import counts
from servicedesk.tickets.selectors import ticket_places
from servicedesk.tickets.services import DESCRIPTION_MAX_LENGTH, TicketData

# The place picker's values: a site ("s12") or a piece of equipment ("e40").
SITE_PREFIX = "s"
EQUIPMENT_PREFIX = "e"
INDENT = "\u2003"  # an em space per level of the tree
EQUIPMENT_MARK = "\u2022 "  # equipment beneath its site
# The person's companies offered by the form, kept in the cache (tickets/counts.py).
FORM_COMPANIES = "form-companies"
# The fields of TicketData / ticket_create errors and the form field that shows them.
ERROR_FIELDS = {"site": "place", "equipment": "place", "contact": "contact"}


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
    """A select whose options carry data- attributes (`option_data`, keyed by value): the place
    tree's depth, kind and parent path, so the page can indent them and keep a match's parents
    visible while searching; a company's country, so the country follows the company."""

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


_MODEL_CHOICE_QUERYSET: Any = vars(forms.ModelChoiceField)["queryset"]  # the property itself


class _ChoicesWhenShown(BaseChoiceIterator):
    """A select's options made by `make` each time the select is shown, not when the form is
    built (a POST that is accepted never shows them)."""

    def __init__(self, make: Callable[[], Iterable[tuple[Any, Any]]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        yield from self.make()


class ContractChoiceField(forms.ModelChoiceField[Contract]):
    """The contract choice. Its queryset can be given as a function (`limit_to`) that is called
    when the list is first needed, to show it or to accept a chosen contract: a form posted
    without a contract never builds the coverage query (~0.7 ms of ORM work, measured)."""

    today: date | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._make_queryset: Callable[[], QuerySet[Contract]] | None = None
        super().__init__(*args, **kwargs)

    def limit_to(self, make: Callable[[], QuerySet[Contract]]) -> None:
        self._make_queryset = make
        self.widget.choices = _ChoicesWhenShown(lambda: self.iterator(self))

    def _get_queryset(self) -> QuerySet[Contract] | None:
        if self._make_queryset is not None:
            make, self._make_queryset = self._make_queryset, None
            _MODEL_CHOICE_QUERYSET.fset(self, make())
        return _MODEL_CHOICE_QUERYSET.fget(self)  # type: ignore[no-any-return]

    def _set_queryset(self, queryset: QuerySet[Contract] | None) -> None:
        self._make_queryset = None
        _MODEL_CHOICE_QUERYSET.fset(self, queryset)

    queryset = property(_get_queryset, _set_queryset)

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
        return _ChoicesWhenShown(self.choice_list)

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
        self.widget.choices = _ChoicesWhenShown(self.choice_list)

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


class PlaceChoiceField(forms.ChoiceField):
    """The site or equipment choice: a value is accepted if it names an offered place, and the
    tree of options is made only when the select is shown (`offer`): an accepted POST never
    builds it (≈ 0.4 ms for a company with a few sites, more with a big estate)."""

    offered: frozenset[str] = frozenset()

    def offer(self, values: Iterable[str], make: Callable[[], list[tuple[str, str]]]) -> None:
        self.offered = frozenset(values)
        self.choices = _ChoicesWhenShown(functools.cache(make))  # made once, when first shown

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.offered


@functools.cache
def _country_choices(language: str | None) -> list[tuple[str, str]]:
    return [("", "—"), *((str(code), str(name)) for code, name in countries)]


def country_choices() -> list[tuple[str, str]]:
    """The country list in the active language, sorted by name: made once per language
    (≈ 1 ms of translating and sorting 250 names on every form otherwise)."""
    return _country_choices(translation.get_language())


class CountryChoiceField(forms.ChoiceField):
    """A country code, checked against the codes rather than by walking the named list."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in countries


class TicketForm(forms.Form):
    """What a ticket says. `scope_user` is the person the ticket is for (their scope decides
    every list); `companies` overrides the company list (the back office offers all)."""

    # «Заявка»
    ticket_type = ReferenceChoiceField(
        TicketType,
        label=_("Type"),
        empty_label=None,
        help_text=_("What kind of help you need: a repair, a consultation, maintenance…"),
    )
    criticality = ReferenceChoiceField(
        Criticality,
        label=_("Criticality"),
        empty_label=None,
        help_text=_(
            "How badly the problem affects your work. It sets how fast the service team must "
            "respond under your contract."
        ),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=255,
        help_text=_("One line that says what happened, e.g. “Printer on floor 2 jams paper”."),
    )
    description = TextField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened, since when, what you have tried, error messages. "
            "Up to %(max)s characters."
        )
        % {"max": f"{DESCRIPTION_MAX_LENGTH:,}".replace(",", "\u00a0")},
    )
    # «Обслуживание заказчика»
    company = ListedCompanyField(
        label=_("Company"),
        queryset=Company.objects.none(),
        empty_label=_("Choose a company…"),
        widget=DataSelect(),
        help_text=_("The company the work is for."),
    )
    place = PlaceChoiceField(
        label=_("Site or equipment"),
        required=False,
        widget=DataSelect(),
        help_text=_(
            "Where the problem is. Choosing a piece of equipment also sets the site it stands on. "
            "Type in the search box to narrow the list."
        ),
    )
    work_type = ReferenceChoiceField(
        WorkType,
        label=_("Work type"),
        required=False,
        empty_label="—",
        help_text=_("Leave empty if you are not sure: the dispatcher will choose."),
    )
    contract = ContractChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label="—",
        widget=ContractSelect(),
        help_text=_(
            "Only contracts that cover the chosen site or equipment are listed. "
            "An expired contract can still be chosen; the service team will check it."
        ),
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("Type at least 3 letters to find the product; Enter shows every match."),
    )
    country = CountryChoiceField(
        label=_("Country"),
        required=False,
        choices=country_choices,
        help_text=_("Where the work is to be done. By default, the company's country."),
    )
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
    )

    def __init__(
        self,
        *args: Any,
        scope_user: Any,
        companies: QuerySet[Company] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope_user = scope_user
        self.today = timezone.localdate()
        company_field: Any = self.fields["company"]
        if companies is None:
            # Kept in the cache until the person's companies change (tickets/counts.py).
            self.company_choices = counts.cached(
                scope_user,
                FORM_COMPANIES,
                lambda: list(
                    Company.objects.visible_to(scope_user).filter(is_active=True).order_by("name")
                ),
                counts.PLACES,
            )
        else:
            self.company_choices = list(companies.order_by("name"))
        company_field.list(self.company_choices)
        company_field.widget.option_data = {
            str(c.pk): {"data-country": str(c.country or "")} for c in self.company_choices
        }
        if len(self.company_choices) == 1 and not self._raw("company"):
            self.initial.setdefault("company", self.company_choices[0].pk)
        self.chosen_company = next(
            (c for c in self.company_choices if c.pk == pk_or_none(self._raw("company"))), None
        )
        if not self.is_bound and self.chosen_company is not None:
            self.initial.setdefault("country", str(self.chosen_company.country or ""))
        # The reference lists in one cache round trip (each field would ask for its own).
        preload_reference_rows(self)
        self._set_defaults()
        self.sites: list[Site] = []
        self.equipment: list[Equipment] = []
        self._limit_places()
        self.site, self.item = self._chosen_place()
        self._limit_contracts()
        attachments: Any = self.fields["attachments"]
        attachments.help_text = _("Up to %(count)s files, each up to %(size)s: %(types)s.") % {
            "count": settings.ATTACHMENTS_PER_UPLOAD,
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            "types": ", ".join(settings.ATTACHMENT_EXTENSIONS),
        }

    # --- the lists ---------------------------------------------------------------------------

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value: Any = self.initial.get(name)
        return getattr(value, "pk", value)

    def _set_defaults(self) -> None:
        if self.is_bound:
            return
        fields: Any = self.fields
        if "ticket_type" not in self.initial:
            self.initial["ticket_type"] = next(iter(fields["ticket_type"].rows()), None)
        if "criticality" not in self.initial:
            self.initial["criticality"] = next(
                (pk for pk, row in fields["criticality"].rows().items() if row.is_default), None
            )

    def _limit_places(self) -> None:
        field: Any = self.fields["place"]
        if self.chosen_company is None:
            field.offer((), lambda: [("", str(_("Not specified")))])
            return
        places = ticket_places(self.scope_user, self.chosen_company)
        self.sites, self.equipment = places.sites, places.equipment
        field.offer(
            [f"{SITE_PREFIX}{s.pk}" for s in self.sites]
            + [f"{EQUIPMENT_PREFIX}{e.pk}" for e in self.equipment],
            self._place_tree,
        )

    def _place_tree(self) -> list[tuple[str, str]]:
        """The place picker's options: each site (indented by depth) with its equipment beneath
        it; the options' data- attributes go to the widget for the page's tree search."""
        choices: list[tuple[str, str]] = [("", str(_("Not specified")))]
        by_site: dict[int | None, list[Equipment]] = {}
        for item in self.equipment:
            by_site.setdefault(item.site_id, []).append(item)
        visible_site_ids = {s.pk for s in self.sites}
        option_data: dict[str, dict[str, str]] = {}
        for site in self.sites:
            value = f"{SITE_PREFIX}{site.pk}"
            choices.append((value, INDENT * site.depth + site.name))
            option_data[value] = {
                "data-kind": "site",
                "data-depth": str(site.depth),
                "data-path": site.path,
            }
            for item in by_site.get(site.pk, []):
                value = f"{EQUIPMENT_PREFIX}{item.pk}"
                choices.append((value, INDENT * (site.depth + 1) + EQUIPMENT_MARK + str(item)))
                option_data[value] = {
                    "data-kind": "equipment",
                    "data-depth": str(site.depth + 1),
                    "data-path": site.path,
                }
        # Equipment without a site, or on a site the person does not see, at the end.
        loose = [
            item
            for site_id, items in by_site.items()
            if site_id is None or site_id not in visible_site_ids
            for item in items
        ]
        for item in loose:
            value = f"{EQUIPMENT_PREFIX}{item.pk}"
            choices.append((value, EQUIPMENT_MARK + str(item)))
            option_data[value] = {"data-kind": "equipment", "data-depth": "0", "data-path": ""}
        widget: Any = self.fields["place"].widget
        widget.option_data = option_data
        return choices

    def _chosen_place(self) -> tuple[Site | None, Equipment | None]:
        raw = str(self._raw("place") or "")
        if raw.startswith(EQUIPMENT_PREFIX):
            pk = pk_or_none(raw[1:])
            item = next((e for e in self.equipment if e.pk == pk), None)
            if item is not None:
                site = next((s for s in self.sites if s.pk == item.site_id), None)
                if site is None and item.site_id is not None:
                    site = item.site  # on a site the person does not see: still its site
                return site, item
        elif raw.startswith(SITE_PREFIX):
            pk = pk_or_none(raw[1:])
            return next((s for s in self.sites if s.pk == pk), None), None
        return None, None

    def _limit_contracts(self) -> None:
        field: Any = self.fields["contract"]
        field.today = self.today
        field.widget.today = self.today
        if self.chosen_company is None:
            field.queryset = Contract.objects.none()
            return
        company, site, item = self.chosen_company, self.site, self.item
        field.limit_to(
            lambda: (
                Contract.objects.visible_to(self.scope_user)
                .filter(company=company)
                .covering(site=site, equipment=item)
                .order_by("-valid_from", "number")
            )
        )

    # --- for the page ------------------------------------------------------------------------

    @property
    def single_company(self) -> Company | None:
        return self.company_choices[0] if len(self.company_choices) == 1 else None

    @property
    def product_name(self) -> str:
        product = self.cleaned_data.get("product") if hasattr(self, "cleaned_data") else None
        if product is None:
            pk = pk_or_none(self._raw("product"))
            product = Product.objects.filter(pk=pk, is_active=True).first() if pk else None
        return product.name if product is not None else ""

    # --- saving ------------------------------------------------------------------------------

    def ticket_data(self) -> TicketData:
        data = self.cleaned_data
        return TicketData(
            subject=data["subject"],
            description=data.get("description") or "",
            ticket_type=data["ticket_type"],
            criticality=data["criticality"],
            company=data["company"],
            site=self.site,
            equipment=self.item,
            work_type=data.get("work_type"),
            contract=data.get("contract"),
            product=data.get("product"),
            country=data.get("country") or "",
        )

    def uploads(self) -> Sequence[UploadedFile[bytes]]:
        return list(self.cleaned_data.get("attachments") or [])

    def add_application_error(self, error: ApplicationError) -> None:
        field = ERROR_FIELDS.get(error.field or "", error.field)
        if field not in self.fields:
            field = None
        self.add_error(field, str(error.message))


def clone_initial(ticket: Any) -> dict[str, Any]:
    """The create form prefilled from a ticket: what it says, not its files or history."""
    place = ""
    if ticket.equipment_id:
        place = f"{EQUIPMENT_PREFIX}{ticket.equipment_id}"
    elif ticket.site_id:
        place = f"{SITE_PREFIX}{ticket.site_id}"
    return {
        "ticket_type": ticket.ticket_type_id,
        "criticality": ticket.criticality_id,
        "subject": ticket.subject,
        "description": ticket.description,
        "company": ticket.company_id,
        "place": place,
        "work_type": ticket.work_type_id,
        "contract": ticket.contract_id,
        "product": ticket.product_id,
        "country": str(ticket.country or ""),
    }


def options_initial(params: Any) -> dict[str, Any]:
    """The form's state sent by the dependent pickers (company, place, contract, country)."""
    return {
        name: params.get(name)
        for name in ("company", "place", "contract", "country", "product")
        if params.get(name)
    }
