"""Forms of the People pages: the person form with its company memberships, and the actions'
forms (conversion, staff role). Forms validate what was typed; the accounts services change
the data. The lists' filters are in filters.py."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.forms import formset_factory
from django.urls import reverse
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.phonenumber import PhoneNumber

from servicedesk.accounts.models import (
    STAFF_ROLES,
    Membership,
    Role,
    User,
    time_zone_choices,
)
from servicedesk.accounts.services import MembershipData
from servicedesk.core.forms import pk_or_none
from servicedesk.customers.models import Company, Equipment, Site

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


def _model_field(name: str, **kwargs: Any) -> Any:
    return cast(models.Field[Any, Any], User._meta.get_field(name)).formfield(**kwargs)


# --- The person --------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """A person's details, and on creation their kind (customer or a staff role)."""

    full_name = _model_field("full_name")
    email = _model_field(
        "email", help_text=_("The login. Give an email address, a phone, or both.")
    )
    phone = _model_field("phone")
    position = _model_field("position")
    role = forms.ChoiceField(
        label=_("Role"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    language = _model_field("language")
    time_zone = _model_field("time_zone")
    # Staff only, set by administrators (see `rate_editable`).
    hourly_rate = _model_field("hourly_rate", required=False)
    send_invitation = forms.BooleanField(
        label=_("Send the invitation now"),
        required=False,
        initial=True,
        help_text=_(
            "By email, or by SMS when there is only a phone. The person sets their own password "
            "from the link. You can also send it later from their page."
        ),
    )

    def __init__(
        self,
        *args: Any,
        person: User | None = None,
        role_choices: list[tuple[str, Any]] | None = None,
        rate_editable: bool = False,
        **kwargs: Any,
    ) -> None:
        """`person` is None on creation. `role_choices` are the roles the editor may give;
        None or empty: the role is not part of this form. `rate_editable`: an employee's
        hourly rate is part of it (an administrator editing an employee)."""
        super().__init__(*args, **kwargs)
        if not rate_editable:
            del self.fields["hourly_rate"]
        else:
            self.fields["hourly_rate"].widget.attrs.update({"step": "0.01", "min": "0"})
        self.person = person
        self.fields["phone"].widget.attrs["placeholder"] = "+7 912 345-67-89"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        # Say what "empty" means instead of a row of dashes.
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("The browser's")), *settings.LANGUAGES]
        zone = cast(forms.ChoiceField, self.fields["time_zone"])
        provider_zone = _("The provider's (%(zone)s)") % {"zone": settings.TIME_ZONE}
        zone.choices = [("", provider_zone), *time_zone_choices()]
        if role_choices:
            cast(forms.ChoiceField, self.fields["role"]).choices = role_choices
            if len(role_choices) == 1:
                self.fields["role"].initial = role_choices[0][0]
                self.fields["role"].widget = forms.HiddenInput()
        else:
            del self.fields["role"]
        if person is not None:
            del self.fields["send_invitation"]

    def _others(self) -> QuerySet[User]:
        others = User.objects.all()
        return others.exclude(pk=self.person.pk) if self.person is not None else others

    def clean_email(self) -> str | None:
        email: str = (self.cleaned_data.get("email") or "").strip().lower()
        if email and self._others().filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email already exists."))
        return email or None

    def clean_phone(self) -> PhoneNumber | str:
        phone = self.cleaned_data.get("phone")
        if phone and self._others().filter(phone=phone).exists():
            raise forms.ValidationError(_("A user with this phone number already exists."))
        return phone or ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email_ok = "email" not in self.errors and "phone" not in self.errors
        if email_ok and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", _("Give an email address or a phone number."))
        return cleaned

    @property
    def is_customer(self) -> bool:
        """Whether the memberships below apply: a customer being edited, or created as one."""
        if self.person is not None:
            return self.person.is_customer
        role = self["role"].value() if "role" in self.fields else Role.CUSTOMER
        return role == Role.CUSTOMER

    def details(self) -> dict[str, Any]:
        """The fields user_create and user_update take."""
        data = self.cleaned_data
        phone = data.get("phone")
        return {
            "full_name": data["full_name"],
            "email": data.get("email"),
            "phone": phone.as_e164 if isinstance(phone, PhoneNumber) else "",
            "position": data.get("position", ""),
            "language": data.get("language", ""),
            "time_zone": data.get("time_zone", ""),
        }


# --- Memberships -------------------------------------------------------------------------------


def site_label(site: Site) -> str:
    return "\u2003" * site.depth + site.name


def equipment_label(item: Equipment) -> str:
    label = str(item)
    return f"{label} · {item.site.name}" if item.site_id and item.site else label


class MembershipForm(forms.Form):
    """One company a customer belongs to, and how much of it they see."""

    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        empty_label=_("Choose a company…"),
    )
    scope = forms.ChoiceField(
        label=_("Sees"),
        choices=Membership.Scope.choices,
        initial=Membership.Scope.COMPANY,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("A site includes everything beneath it."),
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment"),
        queryset=Equipment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    sees_all_tickets = forms.BooleanField(
        label=_("Sees all company tickets"),
        required=False,
        initial=True,
        help_text=_("Off: the person sees only the tickets they filed or follow."),
    )
    analytics = forms.TypedChoiceField(
        label=_("Analytics"),
        choices=[
            ("", _("As the scope says: on for the whole company, off for listed places")),
            ("1", pgettext_lazy("analytics", "On")),
            ("0", pgettext_lazy("analytics", "Off")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
        help_text=_("The portal's report on the company's tickets and equipment."),
    )

    def __init__(self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["company"]
        field.queryset = companies if companies is not None else company_choices()
        self.company_id = pk_or_none(
            self.data.get(self.add_prefix("company"))
            if self.is_bound
            else self.initial.get("company")
        )
        self.limit_scope_choices(self.company_id)
        # Choosing the company reloads this row's site and equipment choices.
        self.fields["company"].widget.attrs.update(
            {
                "hx-get": f"{reverse('backoffice:membership_scope_options')}?prefix={self.prefix}",
                "hx-target": f"#{self.prefix}-scope-options",
                "hx-trigger": "change",
            }
        )

    def limit_scope_choices(self, company_id: int | None) -> None:
        """Offer only the chosen company's sites and equipment (validation still knows all of
        them, so that a foreign one gets a clear message rather than "not a valid choice").
        The choices are read when the checkboxes are rendered, not before."""

        def sites() -> list[tuple[int, str]]:
            if not company_id:
                return []
            rows = Site.objects.filter(company_id=company_id, is_active=True).order_by("path")
            return [(s.pk, site_label(s)) for s in rows]

        def equipment() -> list[tuple[int, str]]:
            if not company_id:
                return []
            rows = (
                Equipment.objects.filter(company_id=company_id, is_active=True)
                .select_related("site")
                .order_by("name")
            )
            return [(e.pk, equipment_label(e)) for e in rows]

        self.fields["sites"].widget.choices = CallableChoiceIterator(sites)
        self.fields["equipment"].widget.choices = CallableChoiceIterator(equipment)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        company = cleaned.get("company")
        if company is None:
            return cleaned
        for name in ("sites", "equipment"):
            foreign = [o for o in cleaned.get(name) or () if o.company_id != company.pk]
            if foreign:
                self.add_error(
                    name,
                    _("%(object)s does not belong to %(company)s.")
                    % {"object": foreign[0], "company": company},
                )
        listed = cleaned.get("scope") == Membership.Scope.LISTED
        chosen = cleaned.get("sites") or cleaned.get("equipment")
        if listed and not chosen and "sites" not in self.errors and "equipment" not in self.errors:
            self.add_error(
                "sites", _("Choose at least one site or piece of equipment, or the whole company.")
            )
        return cleaned

    def data_for_service(self) -> MembershipData:
        data = self.cleaned_data
        listed = data["scope"] == Membership.Scope.LISTED
        return MembershipData(
            company=data["company"],
            scope=data["scope"],
            sites=tuple(data.get("sites") or ()) if listed else (),
            equipment=tuple(data.get("equipment") or ()) if listed else (),
            sees_all_tickets=bool(data.get("sees_all_tickets")),
            analytics=data.get("analytics"),
        )


def company_choices(keep: Iterable[int] = ()) -> QuerySet[Company]:
    """Active companies, and inactive ones the person already belongs to."""
    return Company.objects.filter(Q(is_active=True) | Q(pk__in=list(keep))).order_by("name")


class BaseMembershipFormSet(forms.BaseFormSet[MembershipForm]):
    def __init__(self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any):
        self.companies = companies if companies is not None else company_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "companies": self.companies}

    def kept_forms(self) -> list[MembershipForm]:
        return [
            form
            for form in self.forms
            if not (self.can_delete and form.cleaned_data.get("DELETE"))
            and form.cleaned_data.get("company") is not None
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        companies = [form.cleaned_data["company"] for form in self.kept_forms()]
        if not companies:
            raise forms.ValidationError(_("A customer must belong to at least one company."))
        seen: set[int] = set()
        for company in companies:
            if company.pk in seen:
                raise forms.ValidationError(
                    _("%(company)s is given twice: each company only once.") % {"company": company}
                )
            seen.add(company.pk)

    def data_for_service(self) -> list[MembershipData]:
        return [form.data_for_service() for form in self.kept_forms()]


MembershipFormSet = cast(
    type[BaseMembershipFormSet],
    formset_factory(
        MembershipForm, formset=BaseMembershipFormSet, extra=0, can_delete=True, max_num=50
    ),
)


def membership_initial(person: User) -> list[dict[str, Any]]:
    return [
        {
            "company": m.company_id,
            "scope": m.scope,
            "sites": [s.pk for s in m.sites.all()],
            "equipment": [e.pk for e in m.equipment.all()],
            "sees_all_tickets": m.sees_all_tickets,
            "analytics": "" if m.analytics is None else ("1" if m.analytics else "0"),
        }
        for m in person.memberships.all()
    ]


# --- Actions on the detail page ------------------------------------------------------------------


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)


class ConvertForm(forms.Form):
    """To employee: the staff role. To customer: a company, when the person kept none."""

    # Nothing is chosen for the person: one careless click must not make a customer an
    # administrator. The closest role to a customer's (an engineer works only on the tickets
    # given to them) is proposed in words.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role…")), *STAFF_ROLE_CHOICES],
        required=False,
        help_text=_(
            "Closest to what a customer may do: Engineer — works only on the tickets assigned "
            "to them. An administrator may do everything."
        ),
        error_messages={"required": _("Choose the employee's role.")},
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        error_messages={"required": _("Choose the company the customer belongs to.")},
    )

    def __init__(self, *args: Any, person: User, needs_company: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.needs_company = needs_company
        field: Any = self.fields["company"]
        field.queryset = company_choices()
        if person.is_customer:
            self.fields["role"].required = True
            del self.fields["company"]
        else:
            del self.fields["role"]
            self.fields["company"].required = needs_company
            if not needs_company:
                del self.fields["company"]

    def target_role(self) -> str:
        return str(self.cleaned_data["role"]) if self.person.is_customer else Role.CUSTOMER

    def memberships(self) -> list[MembershipData]:
        company = self.cleaned_data.get("company")
        return [MembershipData(company=company)] if company is not None else []
