"""«Наша компания»: the provider's requisites and how its acts are numbered and taxed. One row.

And the running numbers of acts, for masks with {seq} (acts/numbering.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from phonenumber_field.modelfields import PhoneNumberField

from servicedesk.acts import numbering, validators
from servicedesk.acts.content import ActSettings, Requisites
from servicedesk.acts.money import VatMode
from servicedesk.core.models import TimeStampedModel
from servicedesk.customers.validators import is_valid_inn, is_valid_kpp

SINGLETON_ID = 1


class OurCompany(TimeStampedModel):
    """The provider's requisites for the header of its acts, and the acts' settings.

    A singleton: its primary key is always 1 (a check constraint says so). Read it with
    `acts.selectors.our_company()`, which gives an unsaved blank one until an administrator
    saves the settings page; save it with `acts.services.our_company_save`.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(
        _("legal name"),
        max_length=300,
        blank=True,
        help_text=_("As in the state register, e.g. «Limited Liability Company “Service”»."),
    )
    inn = models.CharField(
        _("INN"),
        max_length=12,
        blank=True,
        help_text=_("10 digits for an organisation, 12 for an entrepreneur."),
    )
    kpp = models.CharField(
        _("KPP"),
        max_length=9,
        blank=True,
        help_text=_("9 characters; an entrepreneur has none."),
    )
    address = models.TextField(_("legal address"), max_length=500, blank=True)
    bank_name = models.CharField(_("bank"), max_length=300, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True, help_text=_("9 digits."))
    settlement_account = models.CharField(
        _("settlement account"), max_length=20, blank=True, help_text=_("20 digits.")
    )
    correspondent_account = models.CharField(
        _("correspondent account"),
        max_length=20,
        blank=True,
        help_text=_("The bank's account, 20 digits starting with 301."),
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)

    act_number_mask = models.CharField(
        _("act number mask"),
        max_length=numbering.MASK_MAX_LENGTH,
        default=numbering.DEFAULT_MASK,
        help_text=_(
            "{ticket} is the ticket's number; {year}, {yy} and {month} the act's date; {seq} a "
            "running number of acts, {seq:5} the same with 5 digits. The running number counts "
            "within the rest of the mask: with {year}-{seq:5} it restarts every year."
        ),
    )
    vat_mode = models.CharField(
        _("VAT"), max_length=20, choices=VatMode.choices, default=VatMode.NONE
    )
    vat_rate = models.DecimalField(
        _("VAT rate, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(20),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("our company")
        verbose_name_plural = _("our company")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=SINGLETON_ID), name="acts_ourcompany_singleton"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def requisites(self) -> Requisites:
        """The requisites as an act prints them."""
        return Requisites(
            name=self.name,
            legal_name=self.legal_name,
            inn=self.inn,
            kpp=self.kpp,
            address=self.address,
            bank_name=self.bank_name,
            bik=self.bik,
            settlement_account=self.settlement_account,
            correspondent_account=self.correspondent_account,
            phone=self.phone.as_international if self.phone else "",
            email=self.email,
        )

    def act_settings(self) -> ActSettings:
        return ActSettings(
            number_mask=self.act_number_mask,
            vat_mode=VatMode(self.vat_mode),
            vat_rate=Decimal(self.vat_rate),
        )

    def clean(self) -> None:
        super().clean()
        for name in ("inn", "kpp", "bik", "settlement_account", "correspondent_account"):
            setattr(self, name, "".join(str(getattr(self, name)).split()).upper())
        errors: dict[str, ValidationError] = {}

        def refuse(field: str, message: StrOrPromise, code: str) -> None:
            errors.setdefault(field, ValidationError(message, code=code))

        if self.inn and not is_valid_inn(self.inn):
            refuse(
                "inn",
                _("Not a valid INN: 10 or 12 digits with correct check digits."),
                "invalid_inn",
            )
        if self.kpp and not is_valid_kpp(self.kpp):
            refuse("kpp", _("Not a valid KPP: 9 characters, e.g. 773601001."), "invalid_kpp")
        if self.kpp and len(self.inn) == 12:
            refuse("kpp", _("An entrepreneur (12-digit INN) has no KPP."), "kpp_for_individual")
        if self.bik and not validators.is_valid_bik(self.bik):
            refuse("bik", _("Not a valid BIK: 9 digits starting with 0."), "invalid_bik")
        for field in ("settlement_account", "correspondent_account"):
            if getattr(self, field) and not validators.is_valid_account(getattr(self, field)):
                refuse(field, _("An account number has 20 digits."), "invalid_account")
        if (self.settlement_account or self.correspondent_account) and not self.bik:
            refuse("bik", _("Give the bank's BIK: the accounts are checked against it."), "bik")
        if "bik" not in errors and self.bik:
            account = self.settlement_account
            if validators.is_valid_account(account) and not (
                validators.settlement_account_matches(account, self.bik)
            ):
                refuse(
                    "settlement_account",
                    _("The account's check digit does not match the BIK: check both for typos."),
                    "account_key",
                )
            account = self.correspondent_account
            if validators.is_valid_account(account) and not (
                validators.correspondent_account_matches(account, self.bik)
            ):
                refuse(
                    "correspondent_account",
                    _(
                        "Not this bank's correspondent account: it starts with 301, ends with "
                        "the BIK's last three digits, and its check digit matches the BIK."
                    ),
                    "correspondent_account",
                )
        try:
            numbering.validate_mask(self.act_number_mask)
        except numbering.MaskError as error:
            refuse("act_number_mask", error.args[0], "invalid_mask")
        if errors:
            raise ValidationError(errors)


class ActSequence(models.Model):
    """The last running number given out per numbering key (see acts/numbering.py)."""

    key = models.CharField(max_length=200, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class Act(models.Model):
    """The act of completed work issued for a ticket («Акт выполненных работ»). Its number and
    date are fixed when staff issue it; what it lists is made from the ticket's completed works
    (acts/building.py), never edited on the act itself.

    An act goes through signing rounds, numbered by `version` (decision 0017): while a round is
    awaiting, the act shows the works as they are now and the customer may sign or dispute it;
    signing or disputing freezes what was read as an `ActVersion`. A signed act locks the works
    until staff open a new version; a disputed one goes back to the engineer, who sends the
    corrected act for signature again."""

    class State(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting signature")
        SIGNED = "signed", _("Signed")
        DISPUTED = "disputed", _("Disputed by the customer")
        REVISING = "revising", _("Being corrected")

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="act"
    )
    number = models.CharField(_("number"), max_length=100)
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.AWAITING
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("act of completed work")
        verbose_name_plural = _("acts of completed work")

    def __str__(self) -> str:
        return self.number

    @property
    def can_be_signed(self) -> bool:
        return self.state == self.State.AWAITING


class ActVersion(models.Model):
    """One finished signing round of an act: what the customer read, frozen (the content's
    canonical JSON and its SHA-256, acts/content.py), and how the round ended — signed (who,
    in which position, the drawn signature, their account if they were signed in, the staff
    member whose device collected it, when, from which address) or disputed (the comment)."""

    class Outcome(models.TextChoices):
        SIGNED = "signed", _("Signed")
        DISPUTED = "disputed", _("Disputed")

    act = models.ForeignKey(
        Act, verbose_name=_("act"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    content_json = models.TextField(_("content"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    signer_name = models.CharField(_("full name"), max_length=100, blank=True)
    signer_position = models.CharField(_("position"), max_length=100, blank=True)
    # The drawn signature, re-encoded as a PNG (acts/signature.py): small, and kept in the same
    # row and transaction as what it signs.
    signature_png = models.BinaryField(_("signature"), null=True, blank=True, editable=False)
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The customer's account that signed or disputed; empty when the signature "
            "was collected on staff's device."
        ),
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected on the device of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("act version")
        verbose_name_plural = _("act versions")
        ordering = ["act", "number"]
        constraints = [
            # One outcome per round: of two people signing at once, one wins.
            models.UniqueConstraint(fields=["act", "number"], name="acts_actversion_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.act_id} v{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.outcome == self.Outcome.SIGNED
