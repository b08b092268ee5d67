"""Tickets from people without an account: the web forms on the provider's site, each filing
made by a guest (what they typed, kept for staff), and the status links that let a guest follow
their one ticket (docs/decisions/0027-intake-guests-status-links-spam.md)."""

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.core.models import TimeStampedModel


def _form_key() -> str:
    return secrets.token_urlsafe(18)


def _link_key() -> str:
    return secrets.token_urlsafe(24)


class FieldMode(models.TextChoices):
    OFF = "off", _("Not shown")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class CaptchaProvider(models.TextChoices):
    NONE = "", _("No captcha")
    YANDEX = "yandex", _("Yandex SmartCaptcha")
    HCAPTCHA = "hcaptcha", _("hCaptcha")
    TURNSTILE = "turnstile", _("Cloudflare Turnstile")


# The visitor's fields a form may show, in the order the form shows them.
WEBFORM_FIELDS = (
    "name",
    "phone",
    "email",
    "company_name",
    "equipment_model",
    "work_type",
    "description",
    "files",
)


def _mode_field(label: Any, default: str = FieldMode.OPTIONAL) -> Any:
    return models.CharField(label, max_length=10, choices=FieldMode.choices, default=default)


class WebForm(TimeStampedModel):
    """A public form for the provider's site: its address (`key`), the fields the visitor
    fills, where its tickets go, how the visitor is told, who may frame it, its limits and its
    captcha. The captcha's secret is kept encrypted (servicedesk/core/crypto.py) and is never
    shown again once saved."""

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("public key"), max_length=40, unique=True, default=_form_key)
    is_active = models.BooleanField(_("active"), default=True)
    title = models.CharField(
        _("heading"), max_length=200, blank=True, help_text=_("Shown above the form.")
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=2000,
        help_text=_("A few words under the heading."),
    )

    field_name = _mode_field(_("name field"), FieldMode.REQUIRED)
    field_phone = _mode_field(_("phone field"))
    field_email = _mode_field(_("email field"), FieldMode.REQUIRED)
    field_company_name = _mode_field(_("company field"))
    field_equipment_model = _mode_field(_("equipment model field"))
    field_work_type = _mode_field(_("work type field"), FieldMode.OFF)
    field_description = _mode_field(_("description field"), FieldMode.REQUIRED)
    field_files = _mode_field(_("files field"))

    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company for the tickets"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The tickets and the visitors go into this company; staff move a ticket to its real "
            "company later."
        ),
    )
    ticket_type = models.ForeignKey(
        "customers.TicketType", verbose_name=_("ticket type"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    criticality = models.ForeignKey(
        "customers.Criticality", verbose_name=_("criticality"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    work_type = models.ForeignKey(
        "customers.WorkType", verbose_name=_("work type"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
        help_text=_("Used when the visitor does not choose one."),
    )  # fmt: skip

    confirm_email = models.BooleanField(
        _("confirm by email"),
        default=True,
        help_text=_("The number and the status link go to the address typed."),
    )
    confirm_sms = models.BooleanField(
        _("confirm by SMS"),
        default=False,
        help_text=_("The number and the status link go to the phone typed."),
    )
    allowed_origins = models.TextField(
        _("sites that may embed the form"),
        blank=True,
        max_length=2000,
        help_text=_(
            "One per line, e.g. https://www.example.com. Empty: the form cannot be framed."
        ),
    )
    limit_per_address = models.PositiveIntegerField(
        _("submissions per address an hour"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("From one network address, email address or phone number."),
    )
    limit_per_form = models.PositiveIntegerField(
        _("submissions per form an hour"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    captcha_provider = models.CharField(
        _("captcha"), max_length=20, choices=CaptchaProvider.choices, default="", blank=True
    )
    captcha_site_key = models.CharField(_("captcha site key"), max_length=200, blank=True)
    captcha_secret_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def mode(self, name: str) -> str:
        return str(getattr(self, f"field_{name}"))

    def origins(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]

    @property
    def has_captcha_secret(self) -> bool:
        return bool(self.captcha_secret_encrypted)


class GuestFiling(models.Model):
    """A ticket filed by someone without an account (the web form, a passport's form): what
    they typed about themselves, kept for staff whatever becomes of the contact. `existing`:
    the address belonged to a customer of the company already, so the ticket is theirs and the
    status link went to that address only (never shown on the page)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
        related_name="guest_filing",
    )  # fmt: skip
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("contact"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    webform = models.ForeignKey(
        WebForm, verbose_name=_("web form"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="filings",
    )  # fmt: skip
    origin = models.CharField(_("origin"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    equipment_model = models.CharField(_("equipment model"), max_length=200, blank=True)
    existing = models.BooleanField(_("filed under an existing person"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guest filing")
        verbose_name_plural = _("guest filings")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["webform", "created_at"], name="guestfiling_form_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.email or self.phone}"


class GuestLink(models.Model):
    """A status link: one ticket, for one person without a password. The URL carries the row's
    id and random key, signed (intake/links.py); the link dies when revoked by staff, when the
    person gets a password (they sign in instead) or stops being the ticket's contact or
    follower."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
        related_name="guest_links",
    )  # fmt: skip
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("contact"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    key = models.CharField(max_length=64, default=_link_key, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    last_used_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("status link")
        verbose_name_plural = _("status links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "contact"],
                condition=models.Q(revoked_at__isnull=True),
                name="guestlink_one_live_per_ticket_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.contact_id}"
