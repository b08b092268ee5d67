"""The custom user: one email whatever its letter case, an email or a phone, roles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from servicedesk.accounts.models import Membership, Role, User
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_create_user_stores_email_lower_case():
    user = User.objects.create_user("  Ivan.Petrov@Example.COM ", "pw", full_name="Ivan")
    user.refresh_from_db()
    assert user.email == "ivan.petrov@example.com"
    assert user.check_password("pw") is True
    assert user.role == Role.CUSTOMER


@pytest.mark.parametrize("other_case", ["ivan@example.com", "IVAN@EXAMPLE.COM", "Ivan@Example.Com"])
def test_duplicate_email_in_any_case_is_refused_by_validation(other_case):
    # Given a user with this address
    UserFactory(email="ivan@example.com")

    # When another user with the same address in another case is validated
    duplicate = User(email=other_case, full_name="Someone else")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean(exclude=["password"])

    # Then it is refused with a clear message and nothing is saved
    assert excinfo.value.messages == ["A user with this email already exists."]
    assert User.objects.filter(email__iexact="ivan@example.com").count() == 1


@pytest.mark.parametrize("other_case", ["ivan@example.com", "IVAN@EXAMPLE.COM", "Ivan@Example.Com"])
def test_duplicate_email_in_any_case_is_refused_by_the_database(other_case):
    UserFactory(email="ivan@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=other_case, full_name="Someone else")
    assert User.objects.count() == 1


def test_create_user_with_a_duplicate_email_raises_and_saves_nothing():
    UserFactory(email="ivan@example.com")
    with pytest.raises(ValidationError):
        User.objects.create_user("IVAN@example.com", "pw", full_name="Other")
    assert User.objects.count() == 1


def test_user_needs_an_email_or_a_phone():
    # Validation
    with pytest.raises(ValidationError) as excinfo:
        User(full_name="Nobody").full_clean(exclude=["password"])
    assert "Give an email address or a phone number." in excinfo.value.messages
    # The manager
    with pytest.raises(ValidationError):
        User.objects.create_user(None, "pw", full_name="Nobody")
    with pytest.raises(ValidationError):
        User.objects.create_user("", "pw", full_name="Nobody")
    # The database
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(full_name="Nobody", email=None, phone="")
    assert User.objects.count() == 0


def test_phone_only_users_do_not_collide_on_the_empty_email():
    first = User.objects.create_user(None, "pw", full_name="One", phone="+79123456789")
    second = User.objects.create_user(None, "pw", full_name="Two", phone="+79123456780")
    assert (first.email, second.email) == (None, None)
    assert User.objects.filter(email__isnull=True).count() == 2


def test_duplicate_phone_is_refused():
    UserFactory(phone="+79123456789")
    with pytest.raises(ValidationError) as excinfo:
        User(full_name="x", email="x@example.com", phone="+7 912 345-67-89").full_clean(
            exclude=["password"]
        )
    assert excinfo.value.messages == ["A user with this phone number already exists."]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(full_name="x", email="x@example.com", phone="+79123456789")
    assert User.objects.count() == 1


def test_invalid_phone_is_refused_by_validation():
    with pytest.raises(ValidationError) as excinfo:
        User(full_name="x", email="x@example.com", phone="12345").full_clean(exclude=["password"])
    assert list(excinfo.value.message_dict) == ["phone"]


@pytest.mark.parametrize(
    ("role", "staff", "customer", "django_staff"),
    [
        (Role.ADMIN, True, False, True),
        (Role.DISPATCHER, True, False, False),
        (Role.ENGINEER, True, False, False),
        (Role.CUSTOMER, False, True, False),
    ],
)
def test_role_flags(role, staff, customer, django_staff):
    user = UserFactory.build(role=role)
    assert (user.is_provider_staff, user.is_customer, user.is_staff) == (
        staff,
        customer,
        django_staff,
    )


@pytest.mark.parametrize(
    ("perm", "allowed_roles"),
    [
        # The admin role holds every permission (accounts/backends.py), this one included.
        ("portal.access", {Role.CUSTOMER, Role.ADMIN}),
        ("backoffice.access", {Role.ADMIN, Role.DISPATCHER, Role.ENGINEER}),
        ("accounts.use_django_admin", {Role.ADMIN}),
        ("customers.change_company", {Role.ADMIN}),
    ],
)
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("active", [True, False])
def test_permissions_by_role(perm, allowed_roles, role, active):
    user = UserFactory(role=role, is_active=active)
    assert user.has_perm(perm) is (active and role in allowed_roles)


def test_only_customers_belong_to_companies():
    engineer = UserFactory(engineer=True)
    membership = Membership(user=engineer, company=CompanyFactory())
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert list(excinfo.value.message_dict) == ["user"]
    assert "Only customer users belong to customer companies." in excinfo.value.messages
    assert Membership.objects.count() == 0


def test_membership_is_unique_per_user_and_company():
    membership = MembershipFactory()
    duplicate = Membership(user=membership.user, company=membership.company)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.messages == ["This user is already a member of this company."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Membership.objects.count() == 1
