"""The accounts services, called directly: what they change, what they refuse, what they record."""

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client

from servicedesk.accounts.models import AuditEvent, Invitation, Membership, Role, User
from servicedesk.accounts.services import (
    MembershipData,
    invitation_send,
    user_convert,
    user_create,
    user_deactivate,
    user_reactivate,
    user_role_set,
    user_temporary_password_issue,
    user_update,
)
from servicedesk.core.errors import ApplicationError
from tests.conftest import login
from tests.factories import (
    CompanyFactory,
    EquipmentFactory,
    MembershipFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(admin=True, email="admin@provider.test")


def kinds(user):
    return list(AuditEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_user_create_makes_a_customer_without_password_and_invites_by_email(
    admin, english, django_capture_on_commit_callbacks
):
    # Given a company with a site and a piece of equipment on it
    company = CompanyFactory(name="Alfa")
    site = SiteFactory(company=company)
    kit = EquipmentFactory(company=company, site=site)

    # When staff create a customer scoped to that equipment (and the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            by=admin,
            full_name="  Anna Alfina ",
            role=Role.CUSTOMER,
            email="Anna@Alfa.TEST",
            language="en",
            memberships=[
                MembershipData(
                    company=company,
                    scope=Membership.Scope.LISTED,
                    equipment=[kit],
                    sees_all_tickets=False,
                )
            ],
        )

    # Then the person exists with no usable password, not yet activated, with exactly that scope
    user.refresh_from_db()
    assert (user.email, user.full_name, user.role) == ("anna@alfa.test", "Anna Alfina", "customer")
    assert not user.has_usable_password()
    assert user.activated_at is None
    membership = user.memberships.get()
    assert (membership.company, membership.scope, membership.sees_all_tickets) == (
        company,
        "listed",
        False,
    )
    assert list(membership.equipment.all()) == [kit]
    assert list(membership.sites.all()) == []
    # And an email invitation was sent (the worker runs immediately in tests)
    invitation = Invitation.objects.get(user=user)
    assert invitation.channel == "email"
    assert invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [["anna@alfa.test"]]
    assert kinds(user) == ["user_created", "invitation_sent"]


def test_user_create_with_only_a_phone_invites_by_sms(
    admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SMS_FILE_PATH = tmp_path
    company = CompanyFactory()

    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            by=admin,
            full_name="Пётр Телефонов",
            role=Role.CUSTOMER,
            phone="+79123456789",
            memberships=[MembershipData(company=company)],
        )

    assert user.email is None
    assert Invitation.objects.get(user=user).channel == "sms"
    [sms] = list(tmp_path.iterdir())
    text = sms.read_text(encoding="utf-8")
    assert text.startswith("To: +79123456789\n")
    assert "/invite/" in text
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"memberships": []}, "no_company"),
        ({"email": None, "phone": ""}, "invalid"),
        ({"email": "not-an-email"}, "invalid"),
    ],
)
def test_user_create_refuses_bad_input_and_saves_nothing(admin, kwargs, code):
    company = CompanyFactory()
    data = {
        "by": admin,
        "full_name": "X",
        "role": Role.CUSTOMER,
        "email": "x@example.test",
        "memberships": [MembershipData(company=company)],
        **kwargs,
    }
    with pytest.raises(ApplicationError) as error:
        user_create(**data)
    assert error.value.code == code
    assert not User.objects.filter(full_name="X").exists()
    assert mail.outbox == []


def test_user_create_refuses_a_duplicate_email_in_another_letter_case(admin):
    UserFactory(email="anna@alfa.test")
    with pytest.raises(ApplicationError):
        user_create(
            by=admin,
            full_name="Another Anna",
            role=Role.ENGINEER,
            email="ANNA@alfa.test",
        )
    assert User.objects.filter(email__iexact="anna@alfa.test").count() == 1


def test_scope_items_of_another_company_are_refused(admin):
    company, other = CompanyFactory(), CompanyFactory()
    foreign_site = SiteFactory(company=other)
    with pytest.raises(ApplicationError) as error:
        user_create(
            by=admin,
            full_name="Scoped",
            role=Role.CUSTOMER,
            email="scoped@example.test",
            memberships=[MembershipData(company=company, scope="listed", sites=[foreign_site])],
        )
    assert error.value.code == "foreign_scope"
    assert not User.objects.filter(email="scoped@example.test").exists()
    assert not Membership.objects.exists()


def test_a_listed_scope_needs_something_listed(admin):
    with pytest.raises(ApplicationError) as error:
        user_create(
            by=admin,
            full_name="Empty",
            role=Role.CUSTOMER,
            email="empty@example.test",
            memberships=[MembershipData(company=CompanyFactory(), scope="listed")],
        )
    assert error.value.code == "empty_scope"


def test_user_update_replaces_memberships_and_records_changed_fields(admin):
    a, b = CompanyFactory(), CompanyFactory()
    user = MembershipFactory(company=a).user

    user_update(
        by=admin,
        user=user,
        position="Chief engineer",
        memberships=[MembershipData(company=b, sees_all_tickets=False)],
    )

    assert list(user.memberships.values_list("company", "sees_all_tickets")) == [(b.pk, False)]
    event = AuditEvent.objects.get(user=user, kind="user_updated")
    assert event.details == {"fields": ["position"]}
    assert event.actor == admin


def test_resending_an_invitation_revokes_the_previous_one(
    admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            by=admin,
            full_name="Twice",
            role=Role.CUSTOMER,
            email="twice@example.test",
            memberships=[MembershipData(company=CompanyFactory())],
        )
    first = Invitation.objects.get(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        second = invitation_send(user=user, by=admin)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert len(mail.outbox) == 2


def test_no_invitation_for_someone_who_already_set_a_password(admin):
    user = UserFactory(activated_at="2026-01-01T00:00:00Z")
    with pytest.raises(ApplicationError) as error:
        invitation_send(user=user, by=admin)
    assert error.value.code == "already_activated"
    assert not Invitation.objects.filter(user=user).exists()
    assert mail.outbox == []


def test_deactivation_signs_the_person_out_at_their_next_request(admin):
    # Given a customer with an open session
    user = MembershipFactory().user
    client = login(Client(), user)
    assert client.get("/portal/").status_code == 200

    # When staff deactivate them
    user_deactivate(by=admin, user=user)

    # Then their next request is anonymous, and they cannot sign in again
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not get_user(client).is_authenticated
    assert kinds(user)[-1] == "deactivated"

    user_reactivate(by=admin, user=user)
    user.refresh_from_db()
    assert user.is_active
    assert kinds(user)[-1] == "reactivated"


def test_nobody_deactivates_or_converts_themselves(admin):
    for call in (
        lambda: user_deactivate(by=admin, user=admin),
        lambda: user_convert(by=admin, user=admin, role=Role.CUSTOMER),
        lambda: user_role_set(by=admin, user=admin, role=Role.ENGINEER),
    ):
        with pytest.raises(ApplicationError) as error:
            call()
        assert error.value.code == "self"
    admin.refresh_from_db()
    assert (admin.is_active, admin.role) == (True, "admin")
    assert not AuditEvent.objects.exists()


def test_converting_a_customer_to_an_employee_and_back_keeps_their_companies(admin):
    # Given a customer of company A
    membership = MembershipFactory()
    user = membership.user

    # When converted to an engineer
    user_convert(by=admin, user=user, role=Role.ENGINEER)
    user.refresh_from_db()

    # Then they are staff from the next request on, and the membership is kept (dormant)
    assert user.role == "engineer"
    assert user.has_perm("backoffice.access")
    assert not user.has_perm("portal.access")
    assert list(user.memberships.all()) == [membership]

    # When converted back, the same membership applies again
    user_convert(by=admin, user=user, role=Role.CUSTOMER)
    user.refresh_from_db()
    assert user.role == "customer"
    assert list(user.memberships.all()) == [membership]
    events = AuditEvent.objects.filter(user=user, kind="converted").order_by("id")
    assert [(e.details["old"], e.details["new"]) for e in events] == [
        ("customer", "engineer"),
        ("engineer", "customer"),
    ]


def test_converting_an_employee_without_companies_to_a_customer_needs_one(admin):
    engineer = UserFactory(engineer=True)
    with pytest.raises(ApplicationError) as error:
        user_convert(by=admin, user=engineer, role=Role.CUSTOMER)
    assert error.value.code == "no_company"
    engineer.refresh_from_db()
    assert engineer.role == "engineer"

    company = CompanyFactory()
    user_convert(
        by=admin, user=engineer, role=Role.CUSTOMER, memberships=[MembershipData(company=company)]
    )
    assert list(engineer.memberships.values_list("company", flat=True)) == [company.pk]


def test_role_set_moves_between_staff_roles_only(admin):
    engineer = UserFactory(engineer=True)
    user_role_set(by=admin, user=engineer, role=Role.DISPATCHER)
    engineer.refresh_from_db()
    assert engineer.role == "dispatcher"
    event = AuditEvent.objects.get(user=engineer, kind="role_changed")
    assert event.details == {"old": "engineer", "new": "dispatcher"}

    with pytest.raises(ApplicationError):
        user_role_set(by=admin, user=engineer, role=Role.CUSTOMER)


def test_temporary_password_works_once_and_demands_a_new_one(admin):
    user = MembershipFactory().user
    old_session = login(Client(), user)

    password = user_temporary_password_issue(by=admin, user=user)

    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(password)
    assert len(password) == 19  # four groups of four, dashes between
    # Their other sessions end: whoever had the old password is out
    assert old_session.get("/portal/").status_code == 302
    assert kinds(user)[-1] == "temporary_password"
    assert password not in str(AuditEvent.objects.filter(user=user).values())
