"""Every security event leaves exactly one audit record, with who did it and to whom."""

import re

import pytest
from django.core import mail

from servicedesk.accounts.models import AccessRequest, AuditEvent, Role
from servicedesk.accounts.services import (
    MembershipData,
    invitation_send,
    user_create,
    user_temporary_password_issue,
)
from servicedesk.accounts.tokens import invitation_token
from tests.conftest import login
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Silver-Orchard-Compass-81"
BROWSER = {"user-agent": "AuditTest/1.0", "accept-language": "en"}


def events() -> list[tuple[str, object, object]]:
    return [
        (e.kind, e.actor_id, e.user_id) for e in AuditEvent.objects.order_by("created_at", "id")
    ]


@pytest.fixture
def anna():
    return MembershipFactory(user__email="anna@alfa.test").user


@pytest.fixture
def staff():
    return UserFactory(dispatcher=True)


def test_signing_in(client, anna):
    client.post(
        "/accounts/login/", {"login": "anna@alfa.test", "password": PASSWORD}, headers=BROWSER
    )

    assert events() == [("login", anna.pk, anna.pk)]
    event = AuditEvent.objects.get()
    assert (event.ip, event.user_agent, event.identifier, event.details) == (
        "127.0.0.1",
        "AuditTest/1.0",
        "",
        {},
    )


@pytest.mark.parametrize("known", [True, False])
def test_a_failed_sign_in_keeps_what_was_typed_but_never_the_password(client, anna, known):
    typed = "Anna@Alfa.test" if known else "nobody@alfa.test"

    client.post(
        "/accounts/login/", {"login": typed, "password": "Wrong-Secret-123"}, headers=BROWSER
    )

    assert events() == [("login_failed", None, anna.pk if known else None)]
    event = AuditEvent.objects.get()
    assert event.identifier == typed.lower()
    assert event.ip == "127.0.0.1"
    stored = " ".join(str(v) for v in AuditEvent.objects.values().get().values())
    assert "Wrong-Secret-123" not in stored


def test_signing_out(client, anna):
    login(client, anna)
    AuditEvent.objects.all().delete()

    client.post("/accounts/logout/")

    assert events() == [("logout", anna.pk, anna.pk)]


def test_resetting_a_forgotten_password(client, anna):
    # Given the reset link from the mail
    client.post("/accounts/password/reset/", {"email": "anna@alfa.test"}, headers=BROWSER)
    url = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert url is not None
    form_page = client.get(url.group(1), follow=True)
    form_url = form_page.redirect_chain[-1][0]

    # When a new password is set there
    response = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, headers=BROWSER
    )

    # Then one reset event is recorded (nobody signed in: the actor is the person)
    assert response.status_code == 302
    assert events() == [("password_reset", anna.pk, anna.pk)]
    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)


def test_changing_the_password(client, anna):
    login(client, anna)
    AuditEvent.objects.all().delete()

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        headers=BROWSER,
    )

    assert response.status_code == 302
    assert events() == [("password_changed", anna.pk, anna.pk)]


def test_sending_an_invitation(staff, django_capture_on_commit_callbacks):
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        person = user_create(
            by=staff,
            full_name="Boris Orlov",
            role=Role.CUSTOMER,
            email="boris@alfa.test",
            memberships=[MembershipData(company=company)],
            send_invitation=False,
        )
    AuditEvent.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(user=person, by=staff)

    assert events() == [("invitation_sent", staff.pk, person.pk)]
    assert AuditEvent.objects.get().details == {"channel": "email"}
    assert len(mail.outbox) == 1


def test_accepting_an_invitation(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = user_create(
            by=staff,
            full_name="Boris Orlov",
            role=Role.CUSTOMER,
            email="boris@alfa.test",
            memberships=[MembershipData(company=CompanyFactory())],
        )
    invitation = person.invitations.get()
    AuditEvent.objects.all().delete()

    client.get(f"/invite/{invitation_token(invitation.pk, invitation.nonce)}/")
    client.post("/invite/accept/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert events() == [
        ("invitation_accepted", person.pk, person.pk),
        ("login", person.pk, person.pk),
    ]


def test_issuing_a_temporary_password(staff, anna):
    user_temporary_password_issue(by=staff, user=anna)
    assert events() == [("temporary_password", staff.pk, anna.pk)]


def test_approving_an_access_request(client, staff, django_capture_on_commit_callbacks):
    request = AccessRequest.objects.create(
        full_name="Vera Lis", email="vera@alfa.test", company_name="Alfa"
    )
    company = CompanyFactory()
    login(client, staff)
    AuditEvent.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/backoffice/access-requests/{request.pk}/approve/",
            {"company": company.pk, "scope": "company"},
        )

    request.refresh_from_db()
    vera = request.user
    assert vera is not None
    assert events() == [
        ("user_created", staff.pk, vera.pk),
        ("invitation_sent", staff.pk, vera.pk),
        ("access_approved", staff.pk, vera.pk),
    ]
    assert AuditEvent.objects.get(kind="access_approved").details == {"access_request": request.pk}


def test_rejecting_an_access_request(client, staff, django_capture_on_commit_callbacks):
    request = AccessRequest.objects.create(
        full_name="Vera Lis", email="vera@alfa.test", company_name="Alfa"
    )
    login(client, staff)
    AuditEvent.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/backoffice/access-requests/{request.pk}/reject/", {"reason": "Unknown"})

    assert events() == [("access_rejected", staff.pk, None)]
    event = AuditEvent.objects.get()
    assert (event.identifier, event.details) == ("vera@alfa.test", {"access_request": request.pk})
