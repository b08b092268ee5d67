"""Forms of the incoming mail settings: a mailbox, its allowed senders (with the regular
expressions that fill ticket fields), the live test of those expressions, and filing a held
message as a ticket by hand."""

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Membership
from servicedesk.customers.models import (
    Company,
    Criticality,
    Equipment,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.mail.inbound import EXTRACT_FIELDS, REGEX_MAX_LENGTH
from servicedesk.mail.models import Mailbox, SenderRule

PASSWORD_PLACEHOLDER = "••••••••"  # noqa: S105 - the mask shown instead of it


class MailboxForm(forms.ModelForm):  # type: ignore[type-arg]
    password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("An app password from the mail provider. Leave empty to keep the stored one."),
    )
    clear_password = forms.BooleanField(label=_("Forget the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "is_active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_login",
            "imap_folder",
            "after_processing",
            "unknown_sender",
            "flood_per_minute",
            "flood_per_hour",
        ]
        help_texts = {
            "imap_host": _(
                "Leave empty for a mailbox fed only by the mail server pipe or the webhook."
            ),
            "imap_folder": _("Usually INBOX."),
            "is_active": _(
                "An inactive mailbox is not polled and refuses the pipe and the webhook."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.imap_password:
            self.fields["password"].widget.attrs["placeholder"] = PASSWORD_PLACEHOLDER
        else:
            del self.fields["clear_password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("imap_host") and not data.get("imap_login"):
            self.add_error("imap_login", _("The IMAP login is needed with an IMAP server."))
        stored = bool(self.instance.imap_password) and not data.get("clear_password")
        if data.get("imap_host") and not (data.get("password") or stored):
            self.add_error("password", _("The IMAP password is needed with an IMAP server."))
        return data


def _validate_pattern(value: str) -> str:
    value = value.strip().lower()
    if value == "*@*":
        return value
    if value.startswith("*@"):
        domain = value[2:]
        if not re.fullmatch(r"[a-z0-9\-]+(\.[a-z0-9\-]+)+", domain, re.ASCII):
            raise ValidationError(_("After *@ comes a domain, e.g. *@example.com."))
        return value
    try:
        EmailValidator()(value)
    except ValidationError:
        raise ValidationError(_("Enter an address, *@domain or *@* (anyone).")) from None
    return value


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return cast(forms.ModelChoiceField, form.fields[name])  # type: ignore[type-arg]


class SenderRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SenderRule
        fields = [
            "pattern",
            "company",
            "ticket_type",
            "criticality",
            "work_type",
            "site",
            "equipment",
            "send_confirmation",
            "replies_by_email",
        ]
        help_texts = {
            "company": _(
                "Tickets are filed for this company; empty: the sender's own company, if they "
                "have exactly one."
            ),
            "site": _("Only the company's own sites (save the company first)."),
            "send_confirmation": _("The sender gets an email with the ticket's number."),
            "replies_by_email": _("Answers in the ticket's chat are sent to the sender by email."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "company").queryset = Company.objects.filter(is_active=True).order_by("name")
        _choice(self, "ticket_type").queryset = TicketType.objects.filter(is_active=True)
        _choice(self, "criticality").queryset = Criticality.objects.filter(is_active=True)
        _choice(self, "work_type").queryset = WorkType.objects.filter(is_active=True)
        company_id = self.data.get("company") if self.is_bound else self.instance.company_id
        try:
            company_pk = int(company_id) if company_id else None
        except (TypeError, ValueError):
            company_pk = None
        _choice(self, "site").queryset = (
            Site.objects.filter(company_id=company_pk, is_active=True).order_by("name")
            if company_pk
            else Site.objects.none()
        )
        _choice(self, "equipment").queryset = (
            Equipment.objects.filter(company_id=company_pk, is_active=True).order_by("name")
            if company_pk
            else Equipment.objects.none()
        )

    def clean_pattern(self) -> str:
        return _validate_pattern(self.cleaned_data.get("pattern") or "")


FIELD_LABELS = {
    "subject": _("Subject"),
    "ticket_type": _("Type"),
    "criticality": _("Criticality"),
    "work_type": _("Work type"),
    "site": _("Site"),
    "equipment": _("Equipment"),
}


class ExtractForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Ticket field"), choices=[(f, FIELD_LABELS[f]) for f in EXTRACT_FIELDS]
    )
    source = forms.ChoiceField(
        label=_("Looks at"), choices=[("subject", _("Subject")), ("body", _("Text"))]
    )
    pattern = forms.CharField(
        label=_("Regular expression"),
        required=False,  # an empty row is ignored
        max_length=REGEX_MAX_LENGTH,
        help_text=_("With one group in brackets: what it captures goes into the field."),
    )

    def clean_pattern(self) -> str:
        value = self.cleaned_data["pattern"]
        if not value:
            return ""
        try:
            compiled = re.compile(value)
        except re.error as error:
            raise ValidationError(
                _("Not a regular expression: %(error)s"), params={"error": error}
            ) from None
        if compiled.groups < 1:
            raise ValidationError(_("Put what to take in brackets: one group."))
        return str(value)


ExtractFormSet = forms.formset_factory(ExtractForm, extra=1, can_delete=True, max_num=10)


def extract_initial(rule: SenderRule) -> list[dict[str, str]]:
    return [
        {
            "field": item.get("field", ""),
            "source": item.get("source", ""),
            "pattern": item.get("pattern", ""),
        }
        for item in (rule.extract or [])
        if isinstance(item, dict)
    ]


def extract_from(formset: Any) -> list[dict[str, str]]:
    """The valid, not deleted, filled-in rows of a (validated) formset."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("pattern") and not data.get("DELETE"):
            rows.append({k: data[k] for k in ("field", "source", "pattern")})
    return rows


class ExtractTestForm(forms.Form):
    sample_subject = forms.CharField(label=_("Sample subject"), required=False, max_length=1000)
    sample_body = forms.CharField(
        label=_("Sample text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ToTicketForm(forms.Form):
    """File a held or failed message as a ticket: for whom."""

    contact_email = forms.EmailField(
        label=_("Contact's email"),
        help_text=_("A customer person's address; the ticket is filed for their company."),
    )
    ticket_type = forms.ModelChoiceField(
        label=_("Type"), queryset=TicketType.objects.filter(is_active=True), required=False
    )
    criticality = forms.ModelChoiceField(
        label=_("Criticality"), queryset=Criticality.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership: Membership | None = None

    def clean_contact_email(self) -> str:
        email = self.cleaned_data["contact_email"]
        self.membership = (
            Membership.objects.select_related("company", "user")
            .filter(user__email__iexact=email, user__is_active=True)
            .order_by("pk")
            .first()
        )
        if self.membership is None:
            raise ValidationError(_("No customer person has this address."))
        return str(email)
