from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import AccessRequest, Membership
from servicedesk.accounts.services import MembershipData
from servicedesk.customers.models import Company, Equipment, Site


class SiteChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        # Nested sites indented under their parents (the queryset is ordered by path).
        return f"{'— ' * obj.depth}{obj.name}"


class EquipmentChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.name, obj.serial_number, obj.site.name if obj.site else ""]
        return " · ".join(p for p in parts if p)


class ApproveForm(forms.Form):
    """Approve an access request: the company and what of it the new customer sees.

    Sites and equipment are offered from the chosen company only; an id of another company's
    object is "not one of the available choices".
    """

    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.filter(is_active=True).order_by("name")
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Membership.Scope.choices,
        initial=Membership.Scope.COMPANY,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    sites = SiteChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    equipment = EquipmentChoiceField(
        label=_("Equipment"),
        queryset=Equipment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    sees_all_tickets = forms.BooleanField(
        label=_("Sees all company tickets"),
        required=False,
        initial=True,
        help_text=_("Off: the user sees only the tickets they filed or follow."),
    )

    def __init__(self, *args: Any, access_request: AccessRequest, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("company", self._known_company(access_request))
        super().__init__(*args, **kwargs)
        self.company_id = self._chosen_company_id()
        if self.company_id is not None:
            sites = cast("forms.ModelMultipleChoiceField[Site]", self.fields["sites"])
            equipment = cast("forms.ModelMultipleChoiceField[Equipment]", self.fields["equipment"])
            sites.queryset = Site.objects.filter(company_id=self.company_id, is_active=True)
            equipment.queryset = (
                Equipment.objects.filter(company_id=self.company_id, is_active=True)
                .select_related("site")
                .order_by("name")
            )

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

    def _chosen_company_id(self) -> int | None:
        value = self.data.get(self.add_prefix("company")) if self.is_bound else None
        if value is None:
            value = self.initial.get("company")
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    @property
    def scope_fields(self) -> list[forms.BoundField]:
        return [self["sites"], self["equipment"]]

    @property
    def listed(self) -> bool:
        if self.is_bound:
            return self.data.get(self.add_prefix("scope")) == Membership.Scope.LISTED
        return self.initial.get("scope") == Membership.Scope.LISTED

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("scope") == Membership.Scope.LISTED
            and not self.has_error("sites")
            and not self.has_error("equipment")
            and not cleaned.get("sites")
            and not cleaned.get("equipment")
        ):
            self.add_error(
                "sites", _("Choose at least one site or piece of equipment, or the whole company.")
            )
        return cleaned

    def membership(self) -> MembershipData:
        data = self.cleaned_data
        listed = data["scope"] == Membership.Scope.LISTED
        return MembershipData(
            company=data["company"],
            scope=data["scope"],
            sites=list(data["sites"]) if listed else [],
            equipment=list(data["equipment"]) if listed else [],
            sees_all_tickets=data["sees_all_tickets"],
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person receives it by email when they gave an address."),
    )
