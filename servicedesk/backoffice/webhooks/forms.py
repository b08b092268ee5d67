"""The webhook's settings form: the checks are the service's (webhooks/services.py), shown on
the field they concern."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.customers.models import Company
from servicedesk.webhooks.models import Event


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_(
            "Where the events are POSTed: http or https, a public address, port 80, 443, 8080 "
            "or 8443 unless the installation allows others. Redirects are not followed."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/servicedesk"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    customer_facing = forms.BooleanField(
        label=_("Customer-facing"),
        required=False,
        help_text=_(
            "The receiver belongs to a customer: only that company's tickets, never internal "
            "notes, staff-only fields or SLA events."
        ),
    )
    company = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Company.objects.none(),
        required=False,
        help_text=_("For a customer-facing webhook: whose tickets it receives."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
