import secrets
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from servicedesk.core.models import ReferenceItem, TimeStampedModel
from servicedesk.core.money import MONEY_DIGITS, PRICE_MAX
from servicedesk.customers.querysets import (
    CompanyQuerySet,
    ContractQuerySet,
    EquipmentQuerySet,
    SiteQuerySet,
)
from servicedesk.customers.validators import is_valid_inn, is_valid_kpp


def new_passport_token() -> str:
    # 32 random bytes, URL-safe: printed in the equipment's QR code, so it must be unguessable.
    return secrets.token_urlsafe(32)


def equipment_photo_path(instance: "Equipment", filename: str) -> str:
    # A random name: the stored path says nothing about the equipment or the original name.
    return f"equipment/{secrets.token_hex(16)}.jpg"


class Company(TimeStampedModel):
    """A customer organisation of the provider."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("A short unique code, used in imports and reports."),
    )
    country = CountryField(_("country"), default="RU")
    tax_id = models.CharField(
        _("tax ID"),
        max_length=32,
        blank=True,
        help_text=_("For Russian companies the INN: 10 digits, or 12 for an entrepreneur."),
    )
    kpp = models.CharField(
        _("KPP"), max_length=9, blank=True, help_text=_("Russian companies only: 9 characters.")
    )
    address = models.TextField(_("address"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        # The staff queue sorted by company: tickets read company by company in name order.
        indexes = [models.Index(fields=["name", "id"], name="company_name_id")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        self.tax_id = self.tax_id.strip()
        self.kpp = self.kpp.strip().upper()
        if self.country == "RU":
            if self.tax_id and not is_valid_inn(self.tax_id):
                errors["tax_id"] = ValidationError(
                    _("Not a valid INN: 10 or 12 digits with correct check digits."),
                    code="invalid_inn",
                )
            if self.kpp and not is_valid_kpp(self.kpp):
                errors["kpp"] = ValidationError(
                    _("Not a valid KPP: 9 characters, e.g. 773601001."), code="invalid_kpp"
                )
            if self.kpp and len(self.tax_id) == 12:
                errors["kpp"] = ValidationError(
                    _("An entrepreneur (12-digit INN) has no KPP."), code="kpp_for_individual"
                )
        elif self.kpp:
            errors["kpp"] = ValidationError(
                _("KPP applies to Russian companies only."), code="kpp_not_russian"
            )
        if errors:
            raise ValidationError(errors)


class Site(TimeStampedModel):
    """A customer's object: a building, a floor, a shop. Sites nest (a parent site).

    `path` is a materialised path of primary keys ("12/40/57/") kept by
    `customers.services.site_save`, so that "this site and everything beneath it" is one
    indexed prefix match instead of a recursive walk.
    """

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="sites"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True, editable=False, db_index=True)
    passport_token = models.CharField(
        _("passport token"),
        max_length=64,
        unique=True,
        default=new_passport_token,
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["company__name", "path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 1, 0)

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        parent = self.parent
        if parent is None:
            return
        if self.company_id and parent.company_id != self.company_id:
            raise ValidationError({"parent": _("The parent site belongs to another company.")})
        if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path or "\0")):
            raise ValidationError({"parent": _("A site cannot be placed inside itself.")})


class Equipment(TimeStampedModel):
    """A piece of equipment the provider services, with its QR passport token."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="equipment"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="equipment",
    )
    name = models.CharField(_("name"), max_length=200)
    equipment_type = models.CharField(_("type"), max_length=200, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    # Checked and re-encoded before it is stored (customers/passport.py: equipment_photo_set);
    # served only through the passport, when its type publishes the photo, or to staff.
    photo = models.FileField(
        _("photo"), upload_to=equipment_photo_path, max_length=200, blank=True, editable=False
    )
    passport_token = models.CharField(
        _("passport token"),
        max_length=64,
        unique=True,
        default=new_passport_token,
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = EquipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["company__name", "name"]
        indexes = [models.Index(fields=["serial_number"], name="customers_equipment_serial")]

    def __str__(self) -> str:
        if self.serial_number:
            return f"{self.name} ({self.serial_number})"
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.site is not None and self.company_id and self.site.company_id != self.company_id:
            raise ValidationError({"site": _("The site belongs to another company.")})

    def is_under_warranty(self, on: date) -> bool:
        return self.warranty_until is not None and on <= self.warranty_until


class Contract(TimeStampedModel):
    """A service contract with a customer company.

    It covers the sites and equipment listed; a contract that lists none covers everything the
    company has.
    """

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("number"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty: open-ended.")
    )
    terms = models.TextField(_("terms"), blank=True)
    sites = models.ManyToManyField(
        Site,
        verbose_name=_("covered sites"),
        blank=True,
        related_name="contracts",
        help_text=_("Leave sites and equipment empty to cover everything the company has."),
    )
    equipment = models.ManyToManyField(
        Equipment, verbose_name=_("covered equipment"), blank=True, related_name="contracts"
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["company__name", "-valid_from", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"],
                name="customers_contract_company_number_unique",
                violation_error_message=_("This company already has a contract with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="customers_contract_period_valid",
                violation_error_message=_("The contract cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.name}"

    def covers(self, *, site: "Site | None", equipment: "Equipment | None") -> bool:
        """Whether this contract covers the site or equipment (ContractQuerySet.covering)."""
        return Contract.objects.filter(pk=self.pk).covering(site=site, equipment=equipment).exists()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class TicketType(ReferenceItem):
    requires_signed_act = models.BooleanField(
        _("requires a signed act"),
        default=False,
        help_text=_(
            "Tickets of this type are resolved or closed only once the customer has signed "
            "the act of completed work."
        ),
    )

    requires_presence_scan = models.BooleanField(
        _("require scanning the QR code to start work"),
        default=False,
        help_text=_(
            "The assigned engineer can start work on a ticket of this type only after opening "
            "the equipment's passport (its QR code) while signed in, since being assigned."
        ),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")


class Criticality(ReferenceItem):
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#6c757d",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("The colour must look like #RRGGBB."))],
        help_text=_("A hex colour such as #dc3545, used for badges."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Preselected on new tickets; only one can be.")
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("criticality")
        verbose_name_plural = _("criticalities")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="customers_criticality_one_default",
                violation_error_message=_("Only one criticality can be the default."),
            ),
        ]


class WorkType(ReferenceItem):
    # What the work itself costs, whoever does it and however long it takes (engineers' hours
    # and materials come on top): copied onto a completed work when it is saved
    # (servicedesk/works), so that a later change of price does not rewrite done works.
    price = models.DecimalField(
        _("price"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(PRICE_MAX)],
        help_text=_("The price of the work itself; engineers' hours and materials are added."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("work type")
        verbose_name_plural = _("work types")


class Product(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")


class PassportPublication(TimeStampedModel):
    """What anyone holding a passport link sees of a piece of equipment, per equipment type
    (`Equipment.equipment_type`, matched exactly). The row with an empty type applies to every
    type without its own row; with no row at all only the name is public."""

    equipment_type = models.CharField(
        _("equipment type"),
        max_length=200,
        blank=True,
        unique=True,
        help_text=_("As written on the equipment; empty: every type without its own settings."),
    )
    show_name = models.BooleanField(_("name"), default=True)
    show_photo = models.BooleanField(_("photo"), default=False)
    show_type = models.BooleanField(_("type"), default=False)
    show_model = models.BooleanField(_("model"), default=False)
    show_serial = models.BooleanField(_("serial number"), default=False)
    show_address = models.BooleanField(_("address"), default=False)
    show_warranty = models.BooleanField(_("warranty until"), default=False)

    FIELDS = ("name", "photo", "type", "model", "serial", "address", "warranty")

    class Meta:
        verbose_name = _("passport publication")
        verbose_name_plural = _("passport publications")
        ordering = ["equipment_type"]

    def __str__(self) -> str:
        return self.equipment_type or str(_("Every type"))

    def shown(self) -> frozenset[str]:
        return frozenset(name for name in self.FIELDS if getattr(self, f"show_{name}"))


class PassportTemplate(TimeStampedModel):
    """The ticket a QR code files («Шаблон заявки»): its type, work type and criticality, and
    who may file from the passport. Bound to a company, optionally narrowed to an equipment
    type; the most specific active one applies (customers/passport.py: template_for)."""

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="passport_templates",
    )
    equipment_type = models.CharField(
        _("equipment type"),
        max_length=200,
        blank=True,
        help_text=_("Empty: every piece of equipment of the company without its own template."),
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="+"
    )
    work_type = models.ForeignKey(
        WorkType,
        verbose_name=_("work type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    criticality = models.ForeignKey(
        Criticality,
        verbose_name=_("criticality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default criticality."),
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the equipment's name."),
    )
    description = models.TextField(_("description prefilled"), blank=True, max_length=2000)
    allow_self_registration = models.BooleanField(
        _("allow self-registration"),
        default=True,
        help_text=_(
            "A visitor may register by email or phone and becomes a customer of the company "
            "who sees this one piece of equipment."
        ),
    )
    allow_anonymous = models.BooleanField(
        _("allow filing without an account"),
        default=False,
        help_text=_("A visitor may file without registering and follows the ticket by a link."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("passport ticket template")
        verbose_name_plural = _("passport ticket templates")
        ordering = ["company__name", "equipment_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "equipment_type"],
                name="customers_passporttemplate_company_type_unique",
                violation_error_message=_(
                    "This company already has a template for this equipment type."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.equipment_type or _('every type')}"


class PassportScan(models.Model):
    """Someone signed in opened a piece of equipment's passport: the engineer's presence
    (TicketType.requires_presence_scan). Append-only."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    scanned_at = models.DateTimeField(_("scanned at"), db_index=True)

    class Meta:
        verbose_name = _("passport scan")
        verbose_name_plural = _("passport scans")
        ordering = ["-scanned_at"]
        indexes = [
            models.Index(fields=["user", "equipment", "scanned_at"], name="customers_scan_presence")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.equipment_id} {self.scanned_at:%Y-%m-%d %H:%M}"


class RetiredPassportToken(models.Model):
    """A passport token replaced by rotation: its labels get a clear «no longer valid» page
    instead of the plain «not found». It opens nothing."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    retired_at = models.DateTimeField(_("retired at"))

    class Meta:
        verbose_name = _("retired passport token")
        verbose_name_plural = _("retired passport tokens")
        ordering = ["-retired_at"]

    def __str__(self) -> str:
        return f"{self.token[:6]}… {self.retired_at:%Y-%m-%d}"
