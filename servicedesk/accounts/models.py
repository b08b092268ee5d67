import secrets
import zoneinfo
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from servicedesk.core.models import TimeStampedModel
from servicedesk.core.money import MONEY_DIGITS, RATE_MAX


class Role(models.TextChoices):
    """What a person is to the provider. Views never compare these: they ask for permissions
    (see accounts/rules.py), which are granted to roles in one place."""

    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ENGINEER = "engineer", _("Engineer")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.ENGINEER})


def new_nonce() -> str:
    return secrets.token_hex(16)


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
    activated_at = models.DateTimeField(
        _("activated at"),
        null=True,
        blank=True,
        help_text=_("When the person first set their own password; empty: invited, not yet in."),
    )
    # Staff only: what an hour of this person's work costs the customer, offered on the works
    # they do (servicedesk/works; editable on each work). Empty: not set.
    hourly_rate = models.DecimalField(
        _("hourly rate"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(RATE_MAX)],
        help_text=_("Offered on the completed works this person does; each work may change it."),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set by a temporary password: the next sign-in asks for a new one first."),
    )

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
        indexes = [
            # The staff (a few dozen among tens of thousands of customers): the assignee and
            # filter lists on every queue and staff ticket page.
            models.Index(
                fields=["full_name"],
                condition=~models.Q(role="customer"),
                name="accounts_user_staff_name",
            ),
            # A ticket list sorted by contact: tickets read person by person in name order.
            models.Index(fields=["full_name", "id"], name="accounts_user_name_id"),
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
    def is_activated(self) -> bool:
        return self.activated_at is not None

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
    analytics = models.BooleanField(
        _("sees the analytics"),
        null=True,
        blank=True,
        help_text=_(
            "The portal's report on the company's tickets and equipment. Not set: on for "
            "whole-company members, off for those who see listed sites and equipment only."
        ),
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

    @property
    def sees_analytics(self) -> bool:
        if self.analytics is not None:
            return self.analytics
        return self.scope == self.Scope.COMPANY

    def clean(self) -> None:
        super().clean()
        if self.user_id and not self.user.is_customer:
            raise ValidationError({"user": _("Only customer users belong to customer companies.")})


class Invitation(TimeStampedModel):
    """A single-use link that lets an invited person set their password.

    The link carries a signed token naming this row and its nonce (accounts/tokens.py); nothing
    secret is stored here. Sending a new invitation revokes the open ones.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        User,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_channel_display()}, {self.created_at:%Y-%m-%d})"

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class AccessRequest(TimeStampedModel):
    """Someone asks for portal access. No account exists until staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    company_name = models.CharField(_("company"), max_length=300)
    position = models.CharField(_("position"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A portal user asking on behalf of a colleague."),
    )
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Known when a portal user asks for a colleague."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("created user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="accounts_accessrequest_email_or_phone",
                violation_error_message=_("Give an email address or a phone number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.company_name}"


class AuditEvent(models.Model):
    """A security event: who did what to whose account, from where. Append-only."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        TEMPORARY_PASSWORD = "temporary_password", _("Temporary password issued")
        USER_CREATED = "user_created", _("User created")
        USER_UPDATED = "user_updated", _("User updated")
        ROLE_CHANGED = "role_changed", _("Role changed")
        CONVERTED = "converted", _("Converted between employee and customer")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        ACCESS_REQUESTED = "access_requested", _("Access requested")
        ACCESS_APPROVED = "access_approved", _("Access request approved")
        ACCESS_REJECTED = "access_rejected", _("Access request rejected")
        MFA_ENABLED = "mfa_enabled", _("Two-factor authentication enabled")
        MFA_DISABLED = "mfa_disabled", _("Two-factor authentication disabled")
        IMPORTED = "imported", _("Users imported")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=254,
        blank=True,
        help_text=_("What was typed at a failed sign-in, or the address a request came from."),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token: a credential of its owner, who acts through it with exactly their own
    rights (and, read-only, without changing anything). Only the secret's SHA-256 is kept; the
    secret is shown once, when made (accounts/services/api_tokens.py). `prefix` (the secret's first
    characters, not secret) tells the owner's tokens apart in lists and finds the row."""

    PREFIX_LENGTH = 12

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    scope = models.CharField(
        _("access"), max_length=20, choices=ApiTokenScope.choices, default=ApiTokenScope.READ
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == ApiTokenScope.READ_WRITE

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
