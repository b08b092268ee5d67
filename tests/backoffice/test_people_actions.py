"""The actions on a person's page: invitation, temporary password, deactivation, conversion,
staff role."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import AuditEvent, Invitation, Role, User
from servicedesk.accounts.services import invitation_send
from tests.backoffice.test_people import en_client, snapshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name: str, person: User) -> str:
    return reverse(f"backoffice:{name}", args=[person.pk])


def texts(response) -> list[str]:
    """The messages this response queued (earlier unread ones are left out)."""
    storage = get_messages(response.wsgi_request)
    return [str(m) for m in storage._queued_messages]


# --- Invitation --------------------------------------------------------------------------------


def test_resending_the_invitation_revokes_the_old_link(world, django_capture_on_commit_callbacks):
    person = MembershipFactory(company=world.companies["A"], user__email="new@alfa.test").user
    first = invitation_send(user=person, by=None)
    client = en_client(world.users["dispatcher"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("person_invite", person))

    assert response.status_code == 302
    assert response["Location"] == url("person_detail", person)
    assert texts(response) == ["The invitation has been sent by email to new@alfa.test."]
    first.refresh_from_db()
    assert first.revoked_at is not None
    latest = Invitation.objects.filter(user=person).first()
    assert latest != first and latest.sent_by == world.users["dispatcher"]
    assert [m.to for m in mail.outbox] == [["new@alfa.test"]]
    detail = client.get(url("person_detail", person)).content.decode()
    assert "Resend the invitation" in detail
    assert "Valid until" in detail


def test_no_invitation_for_someone_already_in(world):
    person = MembershipFactory(company=world.companies["A"]).user
    person.activated_at = person.created_at
    person.save()
    client = en_client(world.users["dispatcher"])
    before = snapshot(person)

    response = client.post(url("person_invite", person))

    assert response.status_code == 302
    assert texts(response) == [
        "This person has already set a password; they can use “Forgot your password?”."
    ]
    assert snapshot(person) == before
    assert 'data-testid="invite"' not in client.get(url("person_detail", person)).content.decode()


# --- Temporary password ------------------------------------------------------------------------


def test_a_temporary_password_is_shown_once_and_works(world):
    person = world.users["cust_a"]
    client = en_client(world.users["dispatcher"])

    confirm = client.get(url("person_temporary_password", person))
    assert confirm.status_code == 200
    assert "password" not in confirm.context or not confirm.context.get("password")
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)

    response = client.post(url("person_temporary_password", person))

    assert response.status_code == 200
    password = response.context["password"]
    assert len(password) == 19
    html = response.content.decode()
    assert f'data-testid="password">{password}</code>' in html
    assert "no-store" in response["Cache-Control"]
    person.refresh_from_db()
    assert person.must_change_password is True
    assert password not in person.password
    assert AuditEvent.objects.filter(user=person, kind="temporary_password").count() == 1
    assert password not in str(list(AuditEvent.objects.values_list("details", flat=True)))
    # Not shown again anywhere.
    assert password not in client.get(url("person_detail", person)).content.decode()
    assert password not in client.get(url("person_temporary_password", person)).content.decode()
    # The old password is gone; the new one signs in, and the person must change it first.
    assert Client().login(email=person.email, password=PASSWORD) is False
    theirs = Client()
    assert theirs.login(email=person.email, password=password) is True
    assert theirs.get("/portal/")["Location"] == reverse("accounts:password_required")


def test_no_temporary_password_for_a_deactivated_person(world):
    person = world.users["cust_inactive"]
    client = en_client(world.users["dispatcher"])
    before = snapshot(person)

    response = client.post(url("person_temporary_password", person))

    assert response.status_code == 302
    assert texts(response) == ["The user is deactivated."]
    assert snapshot(person) == before


# --- Deactivation ------------------------------------------------------------------------------


def test_deactivating_signs_the_person_out_at_once(world):
    person = world.users["cust_a"]
    theirs = Client()
    assert theirs.login(email=person.email, password=PASSWORD)
    assert theirs.get("/portal/").status_code == 200
    client = en_client(world.users["dispatcher"])

    response = client.post(url("person_deactivate", person))

    assert response.status_code == 302
    assert texts(response) == [f"{person.full_name} has been deactivated and signed out."]
    person.refresh_from_db()
    assert person.is_active is False
    assert AuditEvent.objects.filter(user=person, kind="deactivated").count() == 1
    refused = theirs.get("/portal/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/login/")
    assert Client().login(email=person.email, password=PASSWORD) is False

    response = client.post(url("person_reactivate", person))

    assert texts(response) == [f"{person.full_name} can sign in again."]
    person.refresh_from_db()
    assert person.is_active is True
    assert Client().login(email=person.email, password=PASSWORD) is True


def test_an_admin_cannot_deactivate_themselves(world):
    admin = world.users["admin"]
    client = en_client(admin)
    before = snapshot(admin)

    response = client.post(url("person_deactivate", admin))

    assert texts(response) == ["You cannot deactivate yourself."]
    assert snapshot(admin) == before


# --- Conversion --------------------------------------------------------------------------------


def test_converting_a_customer_to_an_employee_and_back_keeps_everything(world):
    person = world.users["cust_ab"]
    companies = sorted(m.company_id for m in person.memberships.all())
    client = en_client(world.users["admin"])
    detail = client.get(url("person_detail", person)).content.decode()
    assert "Move to employees" in detail
    assert 'name="role"' in detail.split('data-testid="convert-modal"')[1]

    response = client.post(url("person_convert", person), {"role": Role.ENGINEER})

    assert texts(response) == [f"{person.full_name} is now an employee (Engineer)."]
    person.refresh_from_db()
    assert person.role == Role.ENGINEER
    assert sorted(m.company_id for m in person.memberships.all()) == companies

    detail = client.get(url("person_detail", person)).content.decode()
    assert "Move to customers" in detail
    assert 'name="company"' not in detail  # the kept memberships come back

    response = client.post(url("person_convert", person))

    assert texts(response) == [f"{person.full_name} is now a customer."]
    person.refresh_from_db()
    assert person.role == Role.CUSTOMER
    assert sorted(m.company_id for m in person.memberships.all()) == companies
    assert list(
        AuditEvent.objects.filter(user=person, kind="converted")
        .order_by("id")
        .values_list("details", flat=True)
    ) == [{"old": "customer", "new": "engineer"}, {"old": "engineer", "new": "customer"}]


def test_an_employee_without_companies_needs_one_to_become_a_customer(world):
    person = UserFactory(engineer=True)
    client = en_client(world.users["admin"])
    before = snapshot(person)

    refused = client.post(url("person_convert", person))

    assert texts(refused) == ["Choose the company the customer belongs to."]
    assert snapshot(person) == before

    response = client.post(url("person_convert", person), {"company": world.companies["B"].pk})

    person.refresh_from_db()
    assert person.role == Role.CUSTOMER
    assert [(m.company, m.scope) for m in person.memberships.all()] == [
        (world.companies["B"], "company")
    ]
    assert texts(response) == [f"{person.full_name} is now a customer."]


def test_converting_to_a_customer_role_is_not_a_staff_role(world):
    person = world.users["cust_a"]
    client = en_client(world.users["admin"])
    before = snapshot(person)

    response = client.post(url("person_convert", person), {"role": Role.CUSTOMER})

    assert response.status_code == 302
    assert texts(response)  # "not one of the available choices"
    assert snapshot(person) == before


# --- Staff role --------------------------------------------------------------------------------


def test_an_admin_changes_a_staff_role(world):
    engineer = world.users["engineer"]
    client = en_client(world.users["admin"])

    response = client.post(url("person_role", engineer), {"role": Role.DISPATCHER})

    assert texts(response) == [f"{engineer.full_name} is now: Dispatcher."]
    engineer.refresh_from_db()
    assert engineer.role == Role.DISPATCHER


def test_an_admin_cannot_change_their_own_role(world):
    admin = world.users["admin"]
    client = en_client(admin)
    before = snapshot(admin)

    response = client.post(url("person_role", admin), {"role": Role.ENGINEER})

    assert texts(response) == ["You cannot change your own role."]
    assert snapshot(admin) == before


def test_a_customer_has_no_staff_role_to_change(world):
    person = world.users["cust_a"]
    client = en_client(world.users["admin"])
    before = snapshot(person)

    response = client.post(url("person_role", person), {"role": Role.ENGINEER})

    assert response.status_code == 404
    assert snapshot(person) == before


def test_converting_a_customer_chooses_no_role_for_them_and_requires_one(world):
    # Given an administrator about to move a customer to the employees
    person = world.users["cust_a"]
    client = en_client(world.users["admin"])
    modal = client.get(url("person_detail", person)).content.decode()
    modal = modal.split('data-testid="convert-modal"')[1].split("</form>")[0]
    # Then no role is chosen beforehand, administrator least of all, and the closest is named
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', modal, re.S)
    assert select and "selected" not in select[1].split("</option>", 1)[1]
    assert "Closest to what a customer may do: Engineer" in modal
    # and sending the form without a choice changes nothing
    before = snapshot(person)
    response = client.post(url("person_convert", person), {"role": ""})
    assert texts(response) == ["Choose the employee's role."]
    assert snapshot(person) == before
