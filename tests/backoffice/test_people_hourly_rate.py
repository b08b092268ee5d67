"""An employee's hourly rate (offered on the completed works they do): administrators set it on
the person form; nobody else can, and customers have none."""

from decimal import Decimal

import pytest
from django.urls import reverse

from servicedesk.accounts.models import AuditEvent, Role
from servicedesk.accounts.services import user_hourly_rate_set
from servicedesk.core.errors import ApplicationError, ErrorCode
from tests.backoffice.test_people import en_client
from tests.backoffice.test_people_form import memberships, person_data, whole
from tests.conftest import World

pytestmark = pytest.mark.django_db


def edit(person):
    return reverse("backoffice:person_edit", args=[person.pk])


def staff_data(person, **fields):
    return person_data(email=person.email, full_name=person.full_name, role=person.role, **fields)


def test_an_admin_sets_an_engineers_rate_and_it_is_shown_and_audited(world: World) -> None:
    engineer = world.users["engineer"]
    client = en_client(world.users["admin"])
    assert 'data-testid="hourly-rate"' in client.get(edit(engineer)).content.decode()

    response = client.post(edit(engineer), staff_data(engineer, hourly_rate="750.50"))

    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.hourly_rate == Decimal("750.50")
    rate_events = AuditEvent.objects.filter(user=engineer, details__fields=["hourly_rate"])
    assert rate_events.count() == 1
    html = client.get(reverse("backoffice:person_detail", args=[engineer.pk])).content.decode()
    assert 'data-testid="hourly-rate">750.50\xa0₽<' in html
    # Emptied: not set any more
    client.post(edit(engineer), staff_data(engineer, hourly_rate=""))
    engineer.refresh_from_db()
    assert engineer.hourly_rate is None


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("100000.01", "Ensure this value is less than or equal to 100000.00."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("lots", "Enter a number."),
    ],
)
def test_absurd_rates_are_field_errors(world: World, rate: str, message: str) -> None:
    engineer = world.users["engineer"]
    client = en_client(world.users["admin"])
    response = client.post(edit(engineer), staff_data(engineer, hourly_rate=rate))
    assert response.status_code == 200
    assert message in response.content.decode()
    engineer.refresh_from_db()
    assert engineer.hourly_rate is None


def test_a_dispatcher_cannot_set_a_rate(world: World) -> None:
    # A dispatcher manages customers only; an engineer's page is not theirs to edit
    engineer = world.users["engineer"]
    client = en_client(world.users["dispatcher"])
    assert client.post(edit(engineer), staff_data(engineer, hourly_rate="1")).status_code == 404
    engineer.refresh_from_db()
    assert engineer.hourly_rate is None


def test_customers_have_no_rate_on_their_form(world: World) -> None:
    customer = world.users["cust_a"]
    client = en_client(world.users["admin"])
    html = client.get(edit(customer)).content.decode()
    assert 'data-testid="hourly-rate"' not in html
    data = person_data(
        email=customer.email,
        full_name=customer.full_name,
        role=None,
        hourly_rate="999",
        **memberships(whole(world.companies["A"])),
    )
    assert client.post(edit(customer), data).status_code == 302
    customer.refresh_from_db()
    assert customer.hourly_rate is None


def test_the_service_refuses_a_customers_rate_and_a_bad_one(world: World) -> None:
    admin = world.users["admin"]
    with pytest.raises(ApplicationError) as refused:
        user_hourly_rate_set(by=admin, user=world.users["cust_a"], hourly_rate=Decimal(1))
    assert refused.value.code == ErrorCode.NOT_A_STAFF_ROLE
    with pytest.raises(ApplicationError) as refused:
        user_hourly_rate_set(by=admin, user=world.users["engineer"], hourly_rate=Decimal(-1))
    assert (refused.value.code, refused.value.field) == (ErrorCode.RATE, "hourly_rate")
    assert world.users["engineer"].hourly_rate is None
    user_hourly_rate_set(by=admin, user=world.users["dispatcher"], hourly_rate=Decimal("400"))
    world.users["dispatcher"].refresh_from_db()
    assert world.users["dispatcher"].hourly_rate == Decimal("400.00")
    assert world.users["dispatcher"].role == Role.DISPATCHER
