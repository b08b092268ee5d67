"""Signing in with an email address or a phone number.

People invited by SMS may have no email at all, so the login field takes either. allauth is
configured for email logins (its phone support wants its own verification flow); this form
passes a phone on as a `phone` credential, which `EmailBackend` resolves, and the adapter
throttles failed attempts per phone just as per email.
"""

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python


def phone_credential(value: str) -> str | None:
    """The E.164 form of a phone number as typed, or None if it is not one."""
    phone = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION)
    if phone is None or not phone.is_valid():
        return None
    return str(phone.as_e164)


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("Email or phone"),
            max_length=254,
            widget=forms.TextInput(
                attrs={"autocomplete": "username", "placeholder": _("name@company.ru or +7…")}
            ),
        )

    def user_credentials(self) -> dict[str, Any]:
        login = self.cleaned_data["login"]
        credentials: dict[str, Any] = {}
        if "@" in login:
            credentials["email"] = login.lower()
        else:
            # An unparseable phone still goes through authentication (and its throttling),
            # so the answer is the same generic mismatch as for a wrong password.
            credentials["phone"] = phone_credential(login) or login
        password = self.cleaned_data.get("password")
        if password:
            credentials["password"] = password
        return credentials
