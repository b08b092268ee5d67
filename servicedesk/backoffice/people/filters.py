"""The filters of the People list and of the audit log. Whatever is in the address, the pages
open: invalid values are ignored rather than shown as errors."""

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import AuditEvent
from servicedesk.accounts.selectors import PeopleKind, PeopleStatus
from servicedesk.backoffice.people.forms import STAFF_ROLE_CHOICES
from servicedesk.core.forms import PK_MAX
from servicedesk.customers.models import Company

PAGE_SIZES = (25, 50, 100)
ORDER_CHOICES = [
    ("full_name", _("Name, A to Z")),
    ("-full_name", _("Name, Z to A")),
    ("email", _("Email, A to Z")),
    ("-email", _("Email, Z to A")),
    ("-last_login", _("Last sign-in, newest first")),
    ("last_login", _("Last sign-in, oldest first")),
    ("-created_at", _("Created, newest first")),
    ("created_at", _("Created, oldest first")),
]


class PeopleFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(PeopleKind.CUSTOMERS, _("Customers")), (PeopleKind.EMPLOYEES, _("Employees"))],
        required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, email, phone, position")}
        ),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    company = forms.TypedChoiceField(label=_("Company"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (PeopleStatus.ACTIVE, _("Active")),
            (PeopleStatus.INVITED, _("Invited, not yet in")),
            (PeopleStatus.INACTIVE, _("Deactivated")),
        ],
    )
    order = forms.ChoiceField(choices=ORDER_CHOICES, required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False, widget=forms.HiddenInput
    )

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        employees = data.get("kind") == PeopleKind.EMPLOYEES
        self.people_kind = PeopleKind.EMPLOYEES if employees else PeopleKind.CUSTOMERS
        if employees:
            role = cast(forms.ChoiceField, self.fields["role"])
            role.choices = [("", _("Any role")), *STAFF_ROLE_CHOICES]
            del self.fields["company"]
        else:
            del self.fields["role"]
            companies = Company.objects.order_by("name").values_list("pk", "name")
            company = cast(forms.ChoiceField, self.fields["company"])
            company.choices = [("", _("Any company")), *companies]

    def values(self) -> dict[str, Any]:
        """The valid filters; anything invalid in the address is ignored, not an error page."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "kind": self.people_kind,
            "q": data.get("q") or "",
            "role": data.get("role") or "",
            "company_id": data.get("company") or None,
            "status": data.get("status") or "",
            "order": data.get("order") or "full_name",
        }

    def page_size(self) -> int:
        self.is_valid()
        return int(self.cleaned_data.get("per_page") or PAGE_SIZES[0])


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any event")), *AuditEvent.Kind.choices]
    )
    user = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=PK_MAX
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Identifier"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Email, phone, address")}),
    )

    def values(self) -> dict[str, Any]:
        """Filters for audit_event_list; dates are whole days in the viewer's time zone."""
        self.is_valid()
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = data.get("since")
        until = data.get("until")
        return {
            "kind": data.get("kind") or "",
            "user_id": data.get("user"),
            "since": datetime.combine(since, time.min, zone) if since else None,
            "until": datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
            "q": data.get("q") or "",
        }
