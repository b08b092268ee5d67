"""Who gets where: the two audiences' gates, the profile page."""

import pytest

from servicedesk.accounts.models import User
from servicedesk.customers.models import Company
from tests.conftest import login

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"

GATES = [
    # (user, url, status, location)
    ("anonymous", "/", 302, LOGIN),
    ("anonymous", "/portal/", 302, f"{LOGIN}?next=/portal/"),
    ("anonymous", "/portal/messages/", 302, f"{LOGIN}?next=/portal/messages/"),
    ("anonymous", "/backoffice/", 302, f"{LOGIN}?next=/backoffice/"),
    ("anonymous", "/me/profile/", 302, f"{LOGIN}?next=/me/profile/"),
    ("anonymous", "/admin/", 302, f"{LOGIN}?next=/admin/"),
    ("anonymous", "/admin/customers/site/", 302, f"{LOGIN}?next=/admin/customers/site/"),
    ("anonymous", "/admin/login/?next=/admin/customers/", 302, f"{LOGIN}?next=/admin/customers/"),
    ("anonymous", "/admin/login/?next=https://evil.test/", 302, f"{LOGIN}?next=/admin/"),
    ("cust_a", "/", 302, "/portal/"),
    ("cust_a", "/portal/", 200, None),
    ("cust_a", "/portal/messages/", 200, None),
    ("cust_a", "/portal/analytics/", 200, None),
    # Sections not built yet are not there at all (no "coming soon" page)
    ("cust_a", "/portal/knowledge/", 404, None),
    ("cust_a", "/backoffice/", 404, None),
    ("cust_a", "/admin/", 404, None),
    ("cust_a", "/admin/customers/company/", 404, None),
    ("cust_a", "/admin/login/", 404, None),
    ("cust_a", "/admin/no-such-page/", 404, None),
    ("cust_a", "/me/profile/", 200, None),
    ("cust_none", "/portal/", 200, None),
    ("admin", "/", 302, "/backoffice/"),
    ("admin", "/portal/", 302, "/backoffice/"),
    ("admin", "/portal/messages/", 302, "/backoffice/"),
    ("admin", "/backoffice/", 200, None),
    ("admin", "/admin/", 200, None),
    ("admin", "/admin/login/?next=/admin/customers/", 302, "/admin/customers/"),
    ("admin", "/admin/logout/", 405, None),
    ("admin", "/me/profile/", 200, None),
    ("dispatcher", "/", 302, "/backoffice/"),
    ("dispatcher", "/portal/", 302, "/backoffice/"),
    ("dispatcher", "/backoffice/", 200, None),
    ("dispatcher", "/admin/", 404, None),
    ("dispatcher", "/admin/accounts/user/", 404, None),
    ("engineer", "/portal/", 302, "/backoffice/"),
    ("engineer", "/backoffice/", 200, None),
    ("engineer", "/admin/", 404, None),
    ("engineer", "/me/profile/", 200, None),
]


@pytest.mark.parametrize(("user_key", "url", "status", "location"), GATES)
def test_gates(client, world, user_key, url, status, location):
    if user_key != "anonymous":
        login(client, world.users[user_key])
    response = client.get(url)
    assert response.status_code == status
    assert response.get("Location") == location


@pytest.mark.parametrize("user_key", ["cust_a", "engineer", "dispatcher"])
def test_non_admins_cannot_add_through_the_admin(client, world, user_key):
    login(client, world.users[user_key])
    before = (Company.objects.count(), User.objects.count())
    response = client.post(
        "/admin/customers/company/add/", {"name": "Intruder", "code": "intruder", "country": "RU"}
    )
    assert response.status_code == 404
    assert (Company.objects.count(), User.objects.count()) == before
    assert not Company.objects.filter(code="intruder").exists()


def test_admin_signing_in_from_an_admin_page_lands_on_it(client, world):
    # Given an administrator who is signed out opens an admin page
    first = client.get("/admin/customers/company/", follow=True)
    login_url = first.redirect_chain[-1][0]
    assert login_url == f"{LOGIN}?next=/admin/customers/company/"

    # When they sign in on the page they were sent to
    world.users["admin"].set_password("admin-password-1")
    world.users["admin"].save()
    response = client.post(
        login_url,
        {"login": world.users["admin"].email, "password": "admin-password-1"},
        follow=True,
    )

    # Then they land on the admin page they asked for
    assert response.redirect_chain == [("/admin/customers/company/", 302)]
    assert response.status_code == 200


def test_a_user_deactivated_while_signed_in_is_signed_out(client, world):
    user = world.users["cust_a"]
    login(client, user)
    user.is_active = False
    user.save()
    assert client.get("/portal/")["Location"] == f"{LOGIN}?next=/portal/"


def test_profile_saves_valid_changes(client, world):
    user = world.users["cust_a"]
    login(client, user)
    response = client.post(
        "/me/profile/",
        {
            "full_name": "Anna Alfina",
            "phone": "+7 912 345-67-89",
            "position": "Facility manager",
            "language": "en",
            "time_zone": "Asia/Vladivostok",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"
    user.refresh_from_db()
    assert (user.full_name, user.phone.as_e164, user.language, user.time_zone) == (
        "Anna Alfina",
        "+79123456789",
        "en",
        "Asia/Vladivostok",
    )
    page = client.get("/me/profile/")
    assert "Your profile has been saved." in page.content.decode()


def test_profile_with_an_invalid_phone_shows_the_error_and_keeps_the_input(client, world):
    # Given a customer with a name
    user = world.users["cust_a"]
    name_before = user.full_name
    login(client, user)

    # When they submit a new name with an invalid phone
    response = client.post(
        "/me/profile/",
        {"full_name": "Typed Name", "phone": "12345", "language": "en", "time_zone": ""},
    )

    # Then the form comes back with the phone error and what was typed, and nothing is saved
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]
    html = response.content.decode()
    assert 'value="Typed Name"' in html
    assert 'value="12345"' in html
    assert "is-invalid" in html
    user.refresh_from_db()
    assert (user.full_name, str(user.phone)) == (name_before, "")
