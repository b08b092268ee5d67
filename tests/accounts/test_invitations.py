"""Invitation pages: opening a link, setting the password, and the one "not valid" page for every
link that does not work (with a way to ask for a new one)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from servicedesk.accounts.models import AuditEvent, Invitation, Role, User
from servicedesk.accounts.services import (
    MembershipData,
    invitation_send,
    user_create,
    user_deactivate,
)
from servicedesk.accounts.tokens import invitation_token
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEPT = "/invite/accept/"
INVALID = "/invite/invalid/"
NEW_PASSWORD = "Blue-Harbour-Lantern-42"
EN = {"accept-language": "en"}


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Create a person the way staff do (the invitation goes out when the transaction commits)
    and return them with their invitation."""

    def make(role: str = Role.CUSTOMER, **fields: object) -> tuple[User, Invitation]:
        fields = {"full_name": "Anna Petrova", "email": "anna.petrova@alfa.test", **fields}
        memberships = [MembershipData(company=CompanyFactory())] if role == Role.CUSTOMER else []
        with django_capture_on_commit_callbacks(execute=True):
            user = user_create(by=None, role=role, memberships=memberships, **fields)
        return user, user.invitations.get()

    return make


def link(invitation: Invitation) -> str:
    return f"/invite/{invitation_token(invitation.pk, invitation.nonce)}/"


def assert_untouched(user: User) -> None:
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert user.activated_at is None


def signed_in_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def set_password(client, password: str = NEW_PASSWORD, confirmation: str | None = None):
    data = {"new_password1": password, "new_password2": confirmation or password}
    return client.post(ACCEPT, data, headers=EN)


# --- The link works -----------------------------------------------------------------------------


def test_opening_the_link_moves_the_token_into_the_session(client, invite):
    # Given an invited customer
    user, invitation = invite()

    # When they open the link from the message
    response = client.get(link(invitation))

    # Then they are sent to an address without the token, which no Referer will carry
    assert response.status_code == 302
    assert response["Location"] == ACCEPT
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    # And the page there greets them by name, shows their login and asks for a password
    page = client.get(ACCEPT, headers=EN)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert "Welcome, Anna Petrova!" in html
    assert '<strong data-testid="login-email">anna.petrova@alfa.test</strong>' in html
    assert 'name="new_password1"' in html
    assert invitation_token(invitation.pk, invitation.nonce) not in html
    # Opening the page changes nothing yet
    assert_untouched(user)


def test_setting_the_password_signs_in_and_lands_on_the_portal(client, invite):
    user, invitation = invite()
    client.get(link(invitation))

    response = set_password(client)

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.activated_at is not None
    assert user.must_change_password is False
    invitation.refresh_from_db()
    assert invitation.used_at == user.activated_at
    assert signed_in_id(client) == str(user.pk)
    portal = client.get("/portal/", headers=EN)
    assert portal.status_code == 200
    assert "Welcome, Anna Petrova! Your password is set; from now on sign in with it." in (
        portal.content.decode()
    )
    # The token is gone from the session
    assert "invitation_token" not in client.session
    assert list(
        AuditEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True)
    ) == ["user_created", "invitation_sent", "invitation_accepted", "login"]


def test_staff_land_in_the_back_office(client, invite):
    user, invitation = invite(role=Role.DISPATCHER, email="dmitry@provider.test")
    client.get(link(invitation))

    response = set_password(client)

    assert response["Location"] == "/backoffice/"
    assert signed_in_id(client) == str(user.pk)


def test_the_welcome_is_in_the_persons_language(client, invite):
    _user, invitation = invite(language="en")
    client.get(link(invitation))
    client.post(ACCEPT, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                headers={"accept-language": "ru"})  # fmt: skip

    html = client.get("/portal/").content.decode()
    assert '<html lang="en"' in html
    assert "Welcome, Anna Petrova! Your password is set" in html


@pytest.mark.parametrize(
    ("password", "confirmation", "error"),
    [
        ("short1", None, "This password is too short. It must contain at least 8 characters."),
        ("12345678901", None, "This password is entirely numeric."),
        ("password123", None, "This password is too common."),
        ("anna.petrova", None, "The password is too similar to the email."),
        (NEW_PASSWORD, "Something-Else-42", "The two password fields didn’t match."),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_and_nothing_changes(
    client, invite, password, confirmation, error
):
    user, invitation = invite()
    client.get(link(invitation))

    response = set_password(client, password, confirmation)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert_untouched(user)
    assert signed_in_id(client) is None
    # The link still works for another try
    assert set_password(client)["Location"] == "/portal/"


# --- Links that do not work -----------------------------------------------------------------------


def _altered(token: str) -> str:
    # One character of the signed payload changed.
    i = 2
    return token[:i] + ("B" if token[i] != "B" else "C") + token[i + 1 :]


def _altered_signature(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


BAD_TOKENS = {
    "empty": lambda token: "",
    "altered": _altered,
    "altered signature": _altered_signature,
    "truncated": lambda token: token[:-5],
    "garbage": lambda token: "not-a-token",
    "another nonce": lambda token: None,  # a well-signed token naming the row with a wrong nonce
}


def open_and_get_invalid(client, url: str):
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"] == INVALID
    # The accept page, asked for directly, sends there too
    assert client.get(ACCEPT)["Location"] == INVALID
    page = client.get(INVALID, headers=EN)
    assert page.status_code == 200
    return page


def normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_broken_tokens_get_the_invalid_page_and_change_nothing(client, invite, case):
    # Given an invited customer and a link that was tampered with
    user, invitation = invite()
    good = invitation_token(invitation.pk, invitation.nonce)
    bad = BAD_TOKENS[case](good)
    if bad is None:
        bad = invitation_token(invitation.pk, "0" * 32)

    # When the link is opened
    page = open_and_get_invalid(client, f"/invite/{bad}/")

    # Then the page says only that the link is not valid, and nobody's account changed
    html = page.content.decode()
    assert "This link is not valid" in html
    assert 'data-testid="renewal-form"' in html
    assert 'href="/accounts/password/reset/"' in html
    assert "invitation_token" not in client.session
    assert_untouched(user)
    # And posting a password without a valid link goes to the same page
    assert set_password(client)["Location"] == INVALID
    assert_untouched(user)


def test_a_used_link_does_not_work_again(client, invite):
    user, invitation = invite()
    client.get(link(invitation))
    assert set_password(client)["Location"] == "/portal/"
    client.logout()

    open_and_get_invalid(client, link(invitation))

    assert set_password(client, "Another-Password-77")["Location"] == INVALID
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_expired_link_does_not_work(client, invite):
    sent = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        user, invitation = invite()
    assert invitation.expires_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

    # One second before it expires, it works
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        assert client.get(link(invitation))["Location"] == ACCEPT
    # From the moment it expires, it does not, even for the page already open
    with time_machine.travel(invitation.expires_at, tick=False):
        assert set_password(client)["Location"] == INVALID
        open_and_get_invalid(client, link(invitation))
    assert_untouched(user)


def test_the_lifetime_is_a_setting(client, settings, invite):
    settings.INVITATION_TTL_DAYS = 2
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        _user, invitation = invite()
    assert invitation.expires_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_a_resend_revokes_the_earlier_link(client, invite, django_capture_on_commit_callbacks):
    user, first = invite()
    with django_capture_on_commit_callbacks(execute=True):
        second = invitation_send(user=user, by=None)

    open_and_get_invalid(client, link(first))
    assert_untouched(user)
    assert client.get(link(second))["Location"] == ACCEPT


def test_a_deactivated_person_cannot_use_the_link(client, invite):
    user, invitation = invite()
    user_deactivate(by=UserFactory(admin=True), user=user)

    open_and_get_invalid(client, link(invitation))
    assert_untouched(user)


def test_a_person_who_set_a_password_another_way_cannot_use_the_link(client, invite):
    user, invitation = invite()
    user.activated_at = timezone.now()
    user.save()

    open_and_get_invalid(client, link(invitation))


@pytest.mark.parametrize("change", ["resend", "deactivate", "used elsewhere"])
def test_a_link_spoilt_between_opening_and_posting_goes_to_the_invalid_page(
    client, invite, change, django_capture_on_commit_callbacks
):
    # Given the password page open in one browser
    user, invitation = invite()
    client.get(link(invitation))
    assert client.get(ACCEPT).status_code == 200

    # When the link stops working before the form is sent
    if change == "resend":
        with django_capture_on_commit_callbacks(execute=True):
            invitation_send(user=user, by=None)
    elif change == "deactivate":
        user_deactivate(by=UserFactory(admin=True), user=user)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())

    # Then the password is not set
    assert set_password(client)["Location"] == INVALID
    assert_untouched(user)
    assert signed_in_id(client) is None


def test_the_invalid_page_is_the_same_whatever_went_wrong(client, invite):
    _user, invitation = invite()
    good = invitation_token(invitation.pk, invitation.nonce)
    pages = [
        normalised(open_and_get_invalid(client, f"/invite/{bad}/").content.decode())
        for bad in ("", _altered(good), good[:-5])
    ]
    Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    pages.append(normalised(open_and_get_invalid(client, link(invitation)).content.decode()))
    assert len(set(pages)) == 1


# --- Asking for a new link ----------------------------------------------------------------------


RENEWED = "If this address was invited, a new link is on its way. It works for 7 days."


def ask_for_new_link(client, identifier: str, **headers: str):
    return client.post(INVALID, {"identifier": identifier}, headers={**EN, **headers}, follow=True)


def test_a_new_link_goes_to_an_invited_person(client, invite, django_capture_on_commit_callbacks):
    user, first = invite()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_new_link(client, "  Anna.Petrova@ALFA.test ")

    assert response.redirect_chain == [(INVALID, 302)]
    assert RENEWED in response.content.decode()
    assert [m.to for m in mail.outbox] == [["anna.petrova@alfa.test"]]
    newest = user.invitations.order_by("-pk").first()
    assert newest.pk != first.pk
    assert newest.sent_by is None
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert newest.pk and link(newest).strip("/").split("/")[1] in mail.outbox[0].body


@pytest.mark.parametrize("identifier", ["nobody@alfa.test", "+7 999 000-00-00", "whatever"])
def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(
    client, invite, identifier, django_capture_on_commit_callbacks
):
    invite()
    known = normalised(ask_for_new_link(client, "anna.petrova@alfa.test").content.decode())
    mail.outbox.clear()
    count = Invitation.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_new_link(client, identifier)

    assert response.redirect_chain == [(INVALID, 302)]
    assert normalised(response.content.decode()) == known
    assert mail.outbox == []
    assert Invitation.objects.count() == count


def test_someone_already_in_gets_the_same_answer_and_no_link(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="in@alfa.test", activated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_new_link(client, "in@alfa.test")
    assert RENEWED in response.content.decode()
    assert mail.outbox == []
    assert Invitation.objects.count() == 0


def test_a_new_link_by_phone_goes_by_sms(
    client, invite, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    user, _first = invite(email=None, phone="+7 912 345-67-89")
    for f in tmp_path.iterdir():
        f.unlink()

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_new_link(client, "8 (912) 345-67-89")

    assert RENEWED in response.content.decode()
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].read_text().startswith("To: +79123456789\n")
    assert user.invitations.filter(revoked_at__isnull=True).count() == 1


def test_asking_for_new_links_is_rate_limited_per_address(client, invite):
    invite()
    for _ in range(3):  # "3/h/key"
        assert ask_for_new_link(client, "anna.petrova@alfa.test").status_code == 200

    response = client.post(INVALID, {"identifier": "Anna.Petrova@alfa.test"}, headers=EN)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts from here. Nothing was sent; wait a while and try again." in html
    assert 'value="Anna.Petrova@alfa.test"' in html  # what was typed is kept
    # Another address is still served
    assert ask_for_new_link(client, "other@alfa.test").status_code == 200


def test_asking_for_new_links_is_rate_limited_per_client_address(client):
    for n in range(10):  # "10/h/ip"
        assert ask_for_new_link(client, f"person{n}@alfa.test").status_code == 200
    response = client.post(INVALID, {"identifier": "person10@alfa.test"}, headers=EN)
    assert response.status_code == 429


def test_an_empty_identifier_is_a_form_error(client):
    response = client.post(INVALID, {"identifier": "  "}, headers=EN)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_person_invited_by_sms_sees_their_phone_as_the_login(client, invite, settings, tmp_path):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    _user, invitation = invite(email=None, phone="+79161234567")
    client.get(link(invitation))
    html = client.get(ACCEPT, headers=EN).content.decode()
    assert "Your login:" in html
    assert '<strong data-testid="login-phone">+7 916 123-45-67</strong>' in html
