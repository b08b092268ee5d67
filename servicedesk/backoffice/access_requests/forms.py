from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import AccessRequest, Membership
from servicedesk.accounts.services import MembershipData
from servicedesk.backoffice.people.forms import MembershipForm
from servicedesk.customers.models import Company


class ApproveForm(MembershipForm):
    """Approve an access request: the company and what of it the new customer sees.

    The same membership form as in People (one company, its scope, "sees all tickets"); here the
    company is preselected when the request names one, and the company field's own htmx
    behaviour is replaced by the detail page's (it reloads the whole scope block).
    """

    def __init__(self, *args: Any, access_request: AccessRequest, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("company", self._known_company(access_request))
        super().__init__(*args, companies=Company.objects.filter(is_active=True), **kwargs)
        for attribute in ("hx-get", "hx-target", "hx-trigger"):
            self.fields["company"].widget.attrs.pop(attribute, None)

    @staticmethod
    def _known_company(access_request: AccessRequest) -> int | None:
        """The company named by a portal user, or an active one with exactly the typed name."""
        if access_request.company_id is not None:
            return access_request.company_id
        matches = list(
            Company.objects.filter(
                is_active=True, name__iexact=access_request.company_name.strip()
            ).values_list("pk", flat=True)[:2]
        )
        return matches[0] if len(matches) == 1 else None

    @property
    def scope_fields(self) -> list[forms.BoundField]:
        return [self["sites"], self["equipment"]]

    @property
    def listed(self) -> bool:
        if self.is_bound:
            return self.data.get(self.add_prefix("scope")) == Membership.Scope.LISTED
        return self.initial.get("scope") == Membership.Scope.LISTED

    def membership(self) -> MembershipData:
        return self.data_for_service()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person receives it by email when they gave an address."),
    )
