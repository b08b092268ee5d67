import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from servicedesk.core.models import TimeStampedModel


class Role(models.TextChoices):
    """What a person is to the provider. Views never compare these: they ask for permissions
    (see accounts/rules.py), which are granted to roles in one place."""

    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ENGINEER = "engineer", _("Engineer")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.ENGINEER})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)

    def create_user(self, email: str | None, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower() or None, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        fields.setdefault("full_name", email.split("@")[0])
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A person who signs in: one of the provider's staff, or a customer's employee.

    The login is the email address, unique whatever its letter case (stored lower-case and
    guarded by a unique index on LOWER(email)). A customer invited by SMS may have a phone only.
    """

    # NULL, not "": phone-only users must not collide in the unique index.
    email = models.EmailField(_("email"), blank=True, null=True)  # noqa: DJ001
    full_name = models.CharField(_("full name"), max_length=200)
    phone = PhoneNumberField(
        _("phone"),
        blank=True,
        help_text=_("International format, e.g. +7 912 345-67-89."),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The interface and emails use this language; empty means the browser's."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        choices=time_zone_choices,
        help_text=_("Dates and times are shown in this zone; empty means the provider's."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive users cannot sign in; their history stays."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this email already exists."),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone=""),
                name="accounts_user_phone_unique",
                violation_error_message=_("A user with this phone number already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | ~models.Q(phone=""),
                name="accounts_user_email_or_phone",
                violation_error_message=_("Give an email address or a phone number."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or str(self.phone)

    def clean(self) -> None:
        super().clean()
        # Store addresses in one letter case so that lookups, the unique index and
        # allauth's case-insensitive matching all agree.
        self.email = self.email.strip().lower() if self.email else None
        if not self.email and not self.phone:
            raise ValidationError(_("Give an email address or a phone number."))

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else (self.email or "")

    @property
    def is_provider_staff(self) -> bool:
        """Works for the provider (admin, dispatcher or engineer), as opposed to a customer."""
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff(self) -> bool:
        # Django's own flag for "may use the admin site"; here that is a permission of admins.
        return self.role == Role.ADMIN


class Membership(TimeStampedModel):
    """A customer user's place in a customer company, and how much of it they see."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Whole company")
        LISTED = "listed", _("Listed sites and equipment only")

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"role": Role.CUSTOMER},
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=Scope.choices,
        default=Scope.COMPANY,
        help_text=_(
            "Whole company: every site and piece of equipment. Listed: only the sites "
            "(with everything beneath them) and the equipment chosen below."
        ),
    )
    sites = models.ManyToManyField(
        "customers.Site", verbose_name=_("sites"), blank=True, related_name="+"
    )
    equipment = models.ManyToManyField(
        "customers.Equipment", verbose_name=_("equipment"), blank=True, related_name="+"
    )
    sees_all_tickets = models.BooleanField(
        _("sees all company tickets"),
        default=True,
        help_text=_("Off: the user sees only the tickets they filed or follow."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"],
                name="accounts_membership_user_company_unique",
                violation_error_message=_("This user is already a member of this company."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.company}"

    def clean(self) -> None:
        super().clean()
        if self.user_id and not self.user.is_customer:
            raise ValidationError({"user": _("Only customer users belong to customer companies.")})
