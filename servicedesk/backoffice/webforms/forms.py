"""The web form's settings (admins). The captcha's secret is typed, never shown back."""

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicedesk.customers.models import Company, Criticality, TicketType, WorkType
from servicedesk.intake.models import WEBFORM_FIELDS, CaptchaProvider, FieldMode, WebForm


class WebFormSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    captcha_secret = forms.CharField(
        label=_("Captcha secret key"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("From the captcha provider. Leave empty to keep the stored one."),
    )
    clear_captcha_secret = forms.BooleanField(
        label=_("Forget the stored secret key"), required=False
    )

    class Meta:
        model = WebForm
        fields = [
            "name",
            "is_active",
            "title",
            "intro",
            *[f"field_{name}" for name in WEBFORM_FIELDS],
            "company",
            "ticket_type",
            "criticality",
            "work_type",
            "confirm_email",
            "confirm_sms",
            "allowed_origins",
            "limit_per_address",
            "limit_per_form",
            "captcha_provider",
            "captcha_site_key",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 2}),
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["company"].queryset = Company.objects.filter(is_active=True).order_by("name")
        fields["ticket_type"].queryset = TicketType.objects.filter(is_active=True)
        fields["criticality"].queryset = Criticality.objects.filter(is_active=True)
        fields["work_type"].queryset = WorkType.objects.filter(is_active=True)
        if not (self.instance and self.instance.has_captcha_secret):
            del self.fields["clear_captcha_secret"]

    def clean_allowed_origins(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines()]
        origins = []
        for line in filter(None, lines):
            parts = urlsplit(line)
            if (
                parts.scheme not in ("https", "http")
                or not parts.netloc
                or parts.path not in ("", "/")
                or parts.query
                or "*" in parts.netloc.replace("*.", "", 1)
                or " " in line
            ):
                raise ValidationError(
                    _("%(line)s is not a site address like https://www.example.com.")
                    % {"line": line[:100]}
                )
            origins.append(f"{parts.scheme}://{parts.netloc}")
        return "\n".join(origins)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("confirm_email") and data.get("field_email") == FieldMode.OFF:
            self.add_error("confirm_email", _("Show the email field to confirm by email."))
        if data.get("confirm_sms") and data.get("field_phone") == FieldMode.OFF:
            self.add_error("confirm_sms", _("Show the phone field to confirm by SMS."))
        provider = data.get("captcha_provider")
        if provider and provider != CaptchaProvider.NONE:
            if not data.get("captcha_site_key"):
                self.add_error("captcha_site_key", _("Enter the site key of the captcha."))
            has_secret = bool(self.instance and self.instance.has_captcha_secret)
            if not data.get("captcha_secret") and (
                not has_secret or data.get("clear_captcha_secret")
            ):
                self.add_error("captcha_secret", _("Enter the secret key of the captcha."))
        return data
