"""Registering from a passport by a one-time code sent through real servers (aiosmtpd, the HTTP
SMS gateway): the new account sees exactly the one piece of equipment; an address that has an
account is never attached to or taken over, its owner signs in and confirms."""

import re

import pytest
from django.contrib.auth import get_user
from django.test import Client

from servicedesk.accounts.models import Membership, User
from servicedesk.customers.models import Equipment
from servicedesk.tickets.models import Ticket
from tests.mail_server import text_part

pytestmark = pytest.mark.usefixtures("english")


def _code(message) -> str:
    found = re.search(r"\b(\d{6})\b", text_part(message))
    assert found, text_part(message)
    return found.group(1)


def _register(client: Client, token: str, identifier: str, name: str = "Nina Scanner"):
    return client.post(f"/p/{token}/register/", {"full_name": name, "identifier": identifier})


def test_email_registration_gives_exactly_the_scanned_equipment(
    world, boiler, template, smtp_email
):
    client = Client()
    response = _register(client, boiler.passport_token, "Nina@Example.test")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{boiler.passport_token}/register/confirm/"
    (message,) = smtp_email.wait_for(1)
    assert message["To"] == "nina@example.test"
    assert User.objects.filter(email="nina@example.test").count() == 0  # not before the code

    response = client.post(response["Location"], {"code": _code(message)})
    assert response.status_code == 302
    user = User.objects.get(email="nina@example.test")
    assert get_user(client) == user
    assert (user.role, user.full_name, user.registered_from) == ("customer", "Nina Scanner", boiler)
    assert not user.has_usable_password()
    assert user.is_activated  # the code proved the address: People shows them active, not invited
    (membership,) = Membership.objects.filter(user=user)
    assert (membership.company, membership.scope) == (world.companies["A"], "listed")
    assert list(membership.equipment.all()) == [boiler]
    assert list(membership.sites.all()) == []
    assert not membership.sees_analytics
    assert list(Equipment.objects.visible_to(user)) == [boiler]


def test_a_wrong_code_is_refused_and_attempts_run_out(world, boiler, template, smtp_email):
    client = Client()
    _register(client, boiler.passport_token, "nina@example.test")
    (message,) = smtp_email.wait_for(1)
    right = _code(message)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    confirm = f"/p/{boiler.passport_token}/register/confirm/"
    for _ in range(5):
        assert client.post(confirm, {"code": wrong}).status_code == 400
    # The sixth try is one too many: even the right code no longer works.
    response = client.post(confirm, {"code": right})
    assert response.status_code == 302
    assert response["Location"] == f"/p/{boiler.passport_token}/file/"
    assert not User.objects.filter(email="nina@example.test").exists()
    assert not get_user(client).is_authenticated


def test_the_code_belongs_to_its_session(world, boiler, template, smtp_email):
    _register(Client(), boiler.passport_token, "nina@example.test")
    (message,) = smtp_email.wait_for(1)
    other = Client()
    response = other.post(f"/p/{boiler.passport_token}/register/confirm/", {"code": _code(message)})
    assert response.status_code == 302  # no registration waiting here: back to the start
    assert not User.objects.filter(email="nina@example.test").exists()


def test_an_existing_address_gets_a_sign_in_link_and_is_never_attached(
    world, boiler, template, smtp_email
):
    owner = world.users["cust_b"]  # Betaworks' customer; the boiler is Alphacorp's
    before = list(Membership.objects.filter(user=owner).values_list("company", "scope"))
    client = Client()
    response = _register(client, boiler.passport_token, owner.email.upper(), name="Intruder")
    assert response.status_code == 302  # the same answer as for a new address
    (message,) = smtp_email.wait_for(1)
    body = text_part(message)
    assert f"/accounts/login/?next=%2Fp%2F{boiler.passport_token}%2Fjoin%2F" in body
    assert not re.search(r"\b\d{6}\b", body)
    # Whatever code is typed, nothing matches: no account is made, none is signed in.
    for code in ("000000", "123456"):
        client.post(f"/p/{boiler.passport_token}/register/confirm/", {"code": code})
    assert not get_user(client).is_authenticated
    owner.refresh_from_db()
    assert owner.full_name != "Intruder"
    assert owner.registered_from is None
    assert list(Membership.objects.filter(user=owner).values_list("company", "scope")) == before
    assert User.objects.filter(email__iexact=owner.email).count() == 1


def test_the_owner_adds_the_equipment_only_after_sign_in_and_confirmation(
    world, boiler, template, client_for
):
    owner = world.users["cust_b"]
    join = f"/p/{boiler.passport_token}/join/"
    response = Client().get(join)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    client = client_for(owner)
    assert client.get(join).status_code == 200
    assert not Equipment.objects.visible_to(owner).filter(pk=boiler.pk).exists()
    response = client.post(join)
    assert response.status_code == 302
    owner = User.objects.get(pk=owner.pk)
    assert list(Equipment.objects.visible_to(owner).filter(company=world.companies["A"])) == [
        boiler
    ]
    membership = Membership.objects.get(user=owner, company=world.companies["A"])
    assert (membership.scope, list(membership.equipment.all())) == ("listed", [boiler])
    # Their own company is untouched.
    assert Membership.objects.get(user=owner, company=world.companies["B"]).scope == "company"


def test_join_refused_when_the_template_allows_no_self_registration(
    world, boiler, template, client_for
):
    template.allow_self_registration = False
    template.save()
    owner = world.users["cust_b"]
    response = client_for(owner).post(f"/p/{boiler.passport_token}/join/")
    assert response.status_code == 404
    assert not Membership.objects.filter(user=owner, company=world.companies["A"]).exists()


def test_staff_join_nothing(world, boiler, template, client_for):
    engineer = world.users["engineer"]
    response = client_for(engineer).post(f"/p/{boiler.passport_token}/join/")
    assert response.status_code == 302  # staff see the equipment already: to the form
    assert not Membership.objects.filter(user=engineer).exists()


def test_phone_registration_by_sms(world, boiler, template, sms_gateway, settings):
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = sms_gateway.url
    client = Client()
    response = _register(client, boiler.passport_token, "+7 912 555-44-33")
    assert response.status_code == 302
    (request,) = sms_gateway.requests
    assert request.json()["to"] == "+79125554433"
    code = re.search(r"\b(\d{6})\b", request.json()["text"]).group(1)
    client.post(f"/p/{boiler.passport_token}/register/confirm/", {"code": code})
    user = User.objects.get(phone="+79125554433")
    assert user.email is None
    assert list(Equipment.objects.visible_to(user)) == [boiler]


def test_codes_sent_are_rate_limited_per_address(world, boiler, template, smtp_email, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "passport_code": "100/h/ip,2/h/key",
    }
    statuses = [
        _register(Client(), boiler.passport_token, "nina@example.test").status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(smtp_email.wait_for(2)) == 2
    assert len(smtp_email.messages) == 2


def test_a_filled_honeypot_sends_nothing(world, boiler, template, smtp_email):
    response = Client().post(
        f"/p/{boiler.passport_token}/register/",
        {"full_name": "Bot", "identifier": "victim@example.test", "website": "http://spam"},
    )
    assert response.status_code == 302
    assert smtp_email.messages == []


def test_bad_addresses_are_refused_with_what_was_typed(world, boiler, template, smtp_email):
    response = _register(Client(), boiler.passport_token, "not an address")
    assert response.status_code == 400
    assert "not an address" in response.content.decode()
    assert smtp_email.messages == []


def test_no_registration_where_the_template_forbids_it(world, boiler, template, smtp_email):
    template.allow_self_registration = False
    template.save()
    response = _register(Client(), boiler.passport_token, "nina@example.test")
    assert response.status_code == 302
    assert smtp_email.messages == []
    page = Client().get(f"/p/{boiler.passport_token}/file/").content.decode()
    assert 'data-testid="passport-register"' not in page


def test_registered_person_files_and_sees_only_that_equipment(
    world, boiler, template, smtp_email, media
):
    client = Client()
    _register(client, boiler.passport_token, "nina@example.test")
    (message,) = smtp_email.wait_for(1)
    client.post(f"/p/{boiler.passport_token}/register/confirm/", {"code": _code(message)})
    response = client.post(
        f"/p/{boiler.passport_token}/file/", {"description": "Boiler is leaking"}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(description="Boiler is leaking")
    user = User.objects.get(email="nina@example.test")
    assert (ticket.origin, ticket.equipment, ticket.contact, ticket.company) == (
        "qr",
        boiler,
        user,
        world.companies["A"],
    )
    assert list(Ticket.objects.visible_to(user)) == [ticket]


def test_a_registered_person_can_set_a_password_afterwards(world, boiler, client_for):
    from servicedesk.accounts.services.self_registration import passport_register
    from tests.core.test_no_inline_script import inline_script

    person = passport_register(equipment=boiler, full_name="Nina", email="nina@example.test")
    client = client_for(person)
    page = client.get("/accounts/password/set/")
    assert page.status_code == 200
    assert inline_script(page.content.decode()) == []
    password = "Amber-Valley-Rocket-58"
    client.post("/accounts/password/set/", {"password1": password, "password2": password})
    person.refresh_from_db()
    assert person.check_password(password)
