"""Staff filing a ticket for a customer's person (after a phone call, an email…): the company,
the person, how the request came in, then the same fields as the portal's form, offered as
that person may use them."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Role, User
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import Company
from servicedesk.tickets.models import Origin
from servicedesk.web.ticket_form import TicketForm

ORIGINS = [
    (Origin.PHONE.value, Origin.PHONE.label),
    (Origin.EMAIL.value, Origin.EMAIL.label),
    (Origin.WEB_FORM.value, Origin.WEB_FORM.label),
]


def contacts_of(company_id: int | None) -> QuerySet[User]:
    """Active customers who are members of the company."""
    if company_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            role=Role.CUSTOMER,
            is_active=True,
            memberships__company_id=company_id,
            memberships__company__is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


class ContactChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        contact = obj.email or str(obj.phone or "")
        return f"{obj.full_name} · {contact}" if contact else obj.full_name


class OnBehalfForm(TicketForm):
    contact = ContactChoiceField(
        label=_("Contact"),
        queryset=User.objects.none(),
        empty_label=_("Choose the person…"),
        help_text=_(
            "The customer's person the ticket is for: they get the email with the number and "
            "see the ticket in the portal. Only active members of the company are listed."
        ),
    )
    origin = forms.ChoiceField(
        label=_("Came in by"),
        choices=ORIGINS,
        initial=Origin.PHONE.value,
        help_text=_("How the customer asked for help."),
    )

    def __init__(self, *args: Any, staff: User, **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        initial = kwargs.get("initial") or {}
        source = data if data is not None else initial
        company_id = pk_or_none(source.get("company"))
        contacts = contacts_of(company_id)
        contact_id = pk_or_none(source.get("contact"))
        self.contact_user = contacts.filter(pk=contact_id).first() if contact_id else None
        super().__init__(
            *args,
            # The person's scope once chosen; until then the company's everything (staff).
            scope_user=self.contact_user or staff,
            companies=Company.objects.visible_to(staff).filter(is_active=True),
            **kwargs,
        )
        if company_id is None and self.chosen_company is not None:  # the only company, preselected
            contacts = contacts_of(self.chosen_company.pk)
        contact_field: Any = self.fields["contact"]
        contact_field.queryset = contacts
