"""Completed works on a ticket (the back office's «Выполнение» tab): what was done, by whom, for
how long and with which materials — the lines the act of completed work is made from
(works/act.py). Reference data: the materials list; work types' prices live on
customers.WorkType, engineers' rates on accounts.User.

Prices and rates are copied onto the work when it is saved: a later change of the reference
data does not rewrite works already done. Amounts are not stored: they follow from the lines
(works/amounts.py)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicedesk.core.models import ReferenceItem, TimeStampedModel
from servicedesk.core.money import MONEY_DIGITS, PRICE_MAX, QUANTITY_DIGITS
from servicedesk.works.amounts import billed_hours, engineer_amount, material_amount
from servicedesk.works.querysets import CompletedWorkQuerySet

COMMENT_MAX_LENGTH = 2000


class Unit(models.TextChoices):
    """Units of measure of materials, as short as an act's column wants them."""

    PIECE = "pcs", pgettext_lazy("unit of measure", "pcs")
    METRE = "m", pgettext_lazy("unit of measure", "m")
    SQUARE_METRE = "m2", pgettext_lazy("unit of measure", "m²")
    KILOGRAM = "kg", pgettext_lazy("unit of measure", "kg")
    LITRE = "l", pgettext_lazy("unit of measure", "l")
    HOUR = "h", pgettext_lazy("unit of measure", "h")
    SET = "set", pgettext_lazy("unit of measure", "set")
    PACK = "pack", pgettext_lazy("unit of measure", "pack")


class Material(ReferenceItem):
    """A material engineers use (a part, a consumable), with its unit and current price:
    offered on a work's materials, where it can also be typed in."""

    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    price = models.DecimalField(
        _("price"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(PRICE_MAX)],
        help_text=_("Per unit. Copied onto a work when the material is used."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class CompletedWork(TimeStampedModel):
    """One work done on a ticket: its type (and that type's price when saved), the engineers
    with their hours and rates, the materials used, a comment for the act and an internal note
    that never reaches the customer. Changed only through works/services.py."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="works",
    )
    work_type = models.ForeignKey(
        "customers.WorkType",
        verbose_name=_("work type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_type_price = models.DecimalField(
        _("work type price"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        help_text=_("The work type's price when the work was saved."),
    )
    # The ticket's place, copied when the work is saved: shown, never chosen.
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    equipment = models.ForeignKey(
        "customers.Equipment",
        verbose_name=_("equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completed_works",
    )
    # The earliest start and the latest end of its engineers' time (kept by the services).
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    comment = models.TextField(
        _("comment"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Shown on the act of completed work."),
    )
    internal_note = models.TextField(
        _("internal note"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("For staff only: never shown to the customer, never on the act."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Moves on with every change: an edit made from a stale form is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CompletedWorkQuerySet.as_manager()

    class Meta:
        verbose_name = _("completed work")
        verbose_name_plural = _("completed works")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["ticket", "started_at"], name="work_ticket_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__gte=models.F("started_at")),
                name="work_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(work_type_price__gte=0), name="work_type_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.work_type_id} {self.started_at:%Y-%m-%d}"


class WorkEngineer(models.Model):
    """An engineer's part in a work: their own start and end, and the hourly rate charged."""

    work = models.ForeignKey(CompletedWork, on_delete=models.CASCADE, related_name="engineers")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=MONEY_DIGITS, decimal_places=2)
    started_at = models.DateTimeField(_("start"))
    finished_at = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("engineer of a work")
        verbose_name_plural = _("engineers of a work")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "engineer"], name="workengineer_unique"),
            models.CheckConstraint(
                condition=models.Q(finished_at__gte=models.F("started_at")),
                name="workengineer_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="workengineer_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer_id} on {self.work_id}"

    @property
    def hours(self) -> int:
        return billed_hours(self.started_at, self.finished_at)

    @property
    def amount(self) -> Decimal:
        return engineer_amount(self.hourly_rate, self.hours)


class WorkMaterial(models.Model):
    """A material used: picked from the list (`material`) or typed in; its name, unit and price
    are kept as they were when the work was saved."""

    work = models.ForeignKey(CompletedWork, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        Material,
        verbose_name=_("material"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=QUANTITY_DIGITS, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    price = models.DecimalField(_("price"), max_digits=MONEY_DIGITS, decimal_places=2)

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="workmaterial_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="workmaterial_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The list's entry in the reader's language, as long as the kept name is the entry's
        own (in either language); a name typed over it, or a material typed in or since
        deleted, shows as kept. Needs `material` loaded with the row (the selectors do)."""
        material = self.material if self.material_id is not None else None
        if material is None or self.name not in (material.name_ru, material.name_en):
            return self.name
        return material.name

    @property
    def amount(self) -> Decimal:
        return material_amount(self.quantity, self.price)


def photo_path(instance: WorkPhoto, filename: str) -> str:
    # Never the uploaded name: a random one, in a dated folder. The name is kept in the row.
    return f"works/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class WorkPhoto(models.Model):
    """A photo of a work (before/after, a nameplate): staff only, like the work."""

    work = models.ForeignKey(CompletedWork, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo of a work")
        verbose_name_plural = _("photos of works")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Always: only images are taken (works/services.py: photos_check)."""
        return True
