"""The ticket form, shared by the portal (a customer files for themselves) and the back office
(staff file for a customer's person).

Every choice list goes through the scoping layer for the person the ticket is *for*
(`scope_user`): a customer sees only their companies and what their membership allows. The
service (`ticket_create`) checks the same again; the form's lists are a convenience, not the
guard.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
from servicedesk.tickets import counts
from servicedesk.tickets.selectors import ticket_places
from servicedesk.tickets.services import DESCRIPTION_MAX_LENGTH, TicketData
from servicedesk.web.ticket_form.fields import (
    ContractChoiceField,
    ContractSelect,
    CountryChoiceField,
    DataSelect,
    ListedCompanyField,
    MultipleFileField,
    MultipleFileInput,
    ReferenceChoiceField,
    TextField,
    country_choices,
    preload_reference_rows,
)
from servicedesk.web.ticket_form.places import (
    EQUIPMENT_PREFIX,
    SITE_PREFIX,
    PlaceChoiceField,
    PlacePicker,
    place_options,
)

# The person's companies offered by the form, kept in the cache (tickets/counts.py).
FORM_COMPANIES = "form-companies"
# The fields of TicketData / ticket_create errors and the form field that shows them.
ERROR_FIELDS = {"site": "place", "equipment": "place", "contact": "contact"}


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
        # help_text: made in __init__, in the reader's language (it names the limit).
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
        widget=PlacePicker(attrs={"class": "place-list", "data-testid": "place"}),
        help_text=_(
            "Where the problem is. Choosing a piece of equipment also sets the site it stands on. "
            "Type part of a name or serial number to find it in the list."
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
        # Texts with numbers in them are formatted here, per form, in the active language: a
        # lazy text formatted in the class body would stay in the language of the first import.
        self.fields["description"].help_text = _(
            "What happened, since when, what you have tried, error messages. "
            "Up to %(max)s characters."
        ) % {"max": f"{DESCRIPTION_MAX_LENGTH:,}".replace(",", "\u00a0")}
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
            field.offer((), lambda: place_options((), ()))
            return
        places = ticket_places(self.scope_user, self.chosen_company)
        self.sites, self.equipment = places.sites, places.equipment
        field.offer(
            [f"{SITE_PREFIX}{s.pk}" for s in self.sites]
            + [f"{EQUIPMENT_PREFIX}{e.pk}" for e in self.equipment],
            lambda: place_options(self.sites, self.equipment),
        )

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
        # A queryset runs only when the list is shown or a contract was chosen: a form posted
        # without one never queries contracts.
        field.queryset = (
            Contract.objects.visible_to(self.scope_user)
            .filter(company=company)
            .covering(site=site, equipment=item)
            .order_by("-valid_from", "number")
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
