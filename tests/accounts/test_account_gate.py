"""AccountGateMiddleware: what a signed-in person must do before anything else."""

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MFA_SETUP = "/accounts/2fa/totp/activate/"
MFA_SETUP_QUOTED = "%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"


@pytest.mark.parametrize("path", ["/backoffice/", "/me/profile/", "/admin/"])
def test_admins_must_set_up_two_factor_when_the_setting_says_so(client, settings, path):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    login(client, UserFactory(admin=True))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == MFA_SETUP
    # The setup (after allauth asks for the password again), signing out and the language
    # switch stay reachable
    setup = client.get(MFA_SETUP, follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain == [(f"/accounts/reauthenticate/?next={MFA_SETUP_QUOTED}", 302)]
    assert client.post("/me/language/", {"language": "en", "next": "/"}).status_code == 302


def test_admins_with_an_authenticator_pass(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    admin = UserFactory(admin=True)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    login(client, admin)

    assert client.get("/backoffice/").status_code == 200


@pytest.mark.parametrize("trait", ["dispatcher", "engineer"])
def test_other_staff_are_not_forced(client, settings, trait):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    login(client, UserFactory(**{trait: True}))
    assert client.get("/backoffice/").status_code == 200


def test_nobody_is_forced_when_the_setting_is_off(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    login(client, UserFactory(admin=True))
    assert client.get("/backoffice/").status_code == 200


def test_a_temporary_password_sends_the_person_to_choose_a_new_one_first(client):
    user = MembershipFactory(user__must_change_password=True).user
    login(client, user)

    for path in ("/portal/", "/portal/messages/", "/me/profile/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/me/password/required/"
    # Signing out is always possible
    assert client.post("/accounts/logout/").status_code == 302
