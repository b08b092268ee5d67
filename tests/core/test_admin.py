"""The Django admin, for the provider's administrators: every list opens, sites keep their paths."""

import pytest

from servicedesk.accounts.models import User
from servicedesk.customers.models import Site
from tests.conftest import login

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "accounts/user",
    "accounts/membership",
    "customers/company",
    "customers/site",
    "customers/equipment",
    "customers/contract",
    "customers/tickettype",
    "customers/criticality",
    "customers/worktype",
    "customers/product",
]


@pytest.fixture
def admin_client_(client, world):
    return login(client, world.users["admin"])


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_and_add_page_open(admin_client_, model):
    assert admin_client_.get(f"/admin/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/{model}/add/").status_code == 200


@pytest.mark.parametrize(
    ("model", "kind", "key"),
    [
        ("customers/company", "companies", "A"),
        ("customers/site", "sites", "a_floor"),
        ("customers/equipment", "equipment", "eq_a_shop"),
        ("customers/contract", "contracts", "c_a_shop"),
    ],
)
def test_admin_change_page_opens(admin_client_, world, model, kind, key):
    obj = world.objects(kind)[key]
    response = admin_client_.get(f"/admin/{model}/{obj.pk}/change/")
    assert response.status_code == 200


@pytest.mark.parametrize("user_key", ["cust_a", "cust_site", "engineer"])
def test_customer_user_change_page_shows_memberships(admin_client_, world, user_key):
    user = world.users[user_key]
    response = admin_client_.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    assert ("memberships-TOTAL_FORMS" in response.content.decode()) is user.is_customer


def site_form(site_or_none, **overrides):
    data = {"company": "", "parent": "", "name": "", "address": "", "is_active": "on"}
    if site_or_none is not None:
        data.update(
            company=site_or_none.company_id,
            parent=site_or_none.parent_id or "",
            name=site_or_none.name,
            address=site_or_none.address,
        )
    data.update(overrides)
    return data


def test_admin_add_site_goes_through_site_save(admin_client_, world):
    # Given HQ of company A
    hq = world.sites["a_hq"]

    # When the admin adds a site beneath it
    response = admin_client_.post(
        "/admin/customers/site/add/",
        site_form(None, company=hq.company_id, parent=hq.pk, name="Basement"),
    )

    # Then it is saved with its materialised path
    assert response.status_code == 302
    site = Site.objects.get(name="Basement")
    assert site.path == f"{hq.pk}/{site.pk}/"
    # And the HQ-scoped customer now sees it
    assert site in Site.objects.visible_to(world.users["cust_site"])


def test_admin_moving_a_site_rewrites_the_subtree(admin_client_, world):
    floor, room, shop = world.sites["a_floor"], world.sites["a_room"], world.sites["a_shop"]
    response = admin_client_.post(
        f"/admin/customers/site/{floor.pk}/change/", site_form(floor, parent=shop.pk)
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.path == f"{shop.pk}/{floor.pk}/{room.pk}/"


def test_admin_cannot_put_a_site_inside_itself(admin_client_, world):
    hq, room = world.sites["a_hq"], world.sites["a_room"]
    paths = dict(Site.objects.values_list("pk", "path"))
    response = admin_client_.post(
        f"/admin/customers/site/{hq.pk}/change/", site_form(hq, parent=room.pk)
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert dict(Site.objects.values_list("pk", "path")) == paths


def test_admin_add_user_with_an_invalid_phone_is_refused(admin_client_):
    before = User.objects.count()
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.test",
            "phone": "12345",
            "full_name": "New Person",
            "role": "customer",
            "usable_password": "true",
            "password1": "a-long-random-passphrase-42",
            "password2": "a-long-random-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["phone"]
    assert User.objects.count() == before


def test_admin_add_user_stores_the_email_lower_case(admin_client_):
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.TEST",
            "phone": "",
            "full_name": "New Person",
            "role": "customer",
            "usable_password": "true",
            "password1": "a-long-random-passphrase-42",
            "password2": "a-long-random-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(full_name="New Person").get().email == "new.person@example.test"
