"""The provider's administrator edits what passports publish and which ticket they file in the
Django admin; self-registered people show in People with where they came from."""

import pytest

from servicedesk.accounts.models import Membership
from servicedesk.accounts.services.self_registration import passport_register

pytestmark = pytest.mark.usefixtures("english")


def test_admin_lists_publications_and_templates(world, template, publication, client_for):
    admin = client_for(world.users["admin"])
    for path in (
        "/admin/customers/passportpublication/",
        "/admin/customers/passporttemplate/",
        f"/admin/customers/passporttemplate/{template.pk}/change/",
        "/admin/customers/tickettype/",
    ):
        assert admin.get(path).status_code == 200, path


def test_people_show_who_registered_from_a_passport(
    world, boiler, client_for, django_assert_max_num_queries
):
    person = passport_register(equipment=boiler, full_name="Nina Scanner", email="n@example.test")
    client = client_for(world.users["dispatcher"])
    with django_assert_max_num_queries(14):
        listing = client.get("/backoffice/people/?kind=customers&q=Nina").content.decode()
    assert 'data-testid="person-registered-from"' in listing
    assert boiler.name in listing
    detail = client.get(f"/backoffice/people/{person.pk}/").content.decode()
    assert "registered from the passport of" in detail
    assert boiler.name in detail  # the one piece of their scope, shown with the membership
    assert Membership.objects.get(user=person).scope == "listed"
