"""The profile form and the admin's add-user form: bad input gets a field error, loses nothing."""

import pytest

from servicedesk.accounts.admin import UserCreationForm
from servicedesk.accounts.forms import ProfileForm
from servicedesk.accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def profile_data(**overrides):
    return {
        "full_name": "Anna Alfina",
        "phone": "",
        "position": "Facility manager",
        "language": "en",
        "time_zone": "Europe/Moscow",
        **overrides,
    }


@pytest.mark.parametrize("phone", ["12345", "+7 000", "not a phone", "+999 123 456 789"])
def test_profile_form_refuses_an_invalid_phone(phone):
    user = UserFactory(full_name="Old Name", phone="")
    form = ProfileForm(profile_data(phone=phone), instance=user)
    assert form.is_valid() is False
    assert list(form.errors) == ["phone"]
    user.refresh_from_db()
    assert (user.full_name, str(user.phone)) == ("Old Name", "")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+7 912 345-67-89", "+79123456789"), ("8 (912) 345-67-89", "+79123456789")],
)
def test_profile_form_normalises_a_valid_phone(typed, stored):
    user = UserFactory()
    form = ProfileForm(profile_data(phone=typed), instance=user)
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.phone.as_e164 == stored


def test_profile_form_refuses_an_unknown_time_zone_and_language():
    form = ProfileForm(profile_data(time_zone="Mars/Base", language="de"), instance=UserFactory())
    assert form.is_valid() is False
    assert sorted(form.errors) == ["language", "time_zone"]


def test_profile_form_cannot_change_email_or_role():
    user = UserFactory(email="anna@example.test")
    form = ProfileForm(
        profile_data(email="evil@example.test", role=Role.ADMIN, is_active="false"), instance=user
    )
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert (user.email, user.role, user.is_active) == ("anna@example.test", Role.CUSTOMER, True)


def test_profile_form_refuses_a_phone_someone_else_has():
    UserFactory(phone="+79123456789")
    user = UserFactory()
    form = ProfileForm(profile_data(phone="+7 912 345-67-89"), instance=user)
    assert form.is_valid() is False
    assert form.errors["__all__"] == ["A user with this phone number already exists."]


def admin_add_data(**overrides):
    return {
        "email": "New.Person@Example.TEST",
        "phone": "",
        "full_name": "New Person",
        "role": Role.CUSTOMER,
        "usable_password": "true",
        "password1": "a-long-random-passphrase-42",
        "password2": "a-long-random-passphrase-42",
        **overrides,
    }


def test_admin_add_form_stores_the_email_lower_case():
    form = UserCreationForm(admin_add_data())
    assert form.is_valid(), form.errors
    user = form.save()
    user.refresh_from_db()
    assert user.email == "new.person@example.test"
    assert user.check_password("a-long-random-passphrase-42") is True


def test_admin_add_form_refuses_an_invalid_phone():
    form = UserCreationForm(admin_add_data(phone="12345"))
    assert form.is_valid() is False
    assert list(form.errors) == ["phone"]
    assert User.objects.count() == 0


def test_admin_add_form_refuses_an_email_taken_in_another_case():
    UserFactory(email="new.person@example.test")
    form = UserCreationForm(admin_add_data())
    assert form.is_valid() is False
    assert form.errors["__all__"] == ["A user with this email already exists."]
    assert User.objects.count() == 1


def test_admin_add_form_needs_an_email_or_a_phone():
    form = UserCreationForm(admin_add_data(email="", phone=""))
    assert form.is_valid() is False
    assert "Give an email address or a phone number." in form.errors["__all__"]
    assert User.objects.count() == 0
