from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from servicedesk.core.mail import render_text


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the provider (invitations, access requests), never by sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The login field takes an email or a phone (accounts/login.py).
        "email_password_mismatch": _(
            "The email or phone and the password you entered do not match an account."
        ),
    }

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # Failed sign-ins are throttled per account: by email, or by phone for phone logins.
        login = credentials.get("email") or credentials.get("phone") or ""
        return f"login:{str(login).lower()}"

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        url = super().get_login_redirect_url(request)
        return url or reverse("home")

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth's mail, with its subject and text rendered as text: no HTML escaping."""
        message: EmailMessage = super().render_mail(template_prefix, email, context, headers)
        subject = " ".join(render_text(f"{template_prefix}_subject.txt", context).split())
        message.subject = self.format_email_subject(subject)
        if message.content_subtype == "plain":
            message.body = render_text(f"{template_prefix}_message.txt", context).strip()
        return message

    def format_email_subject(self, subject: str) -> str:
        """Subjects say what the mail is about in the product's words, with no «[site]»."""
        return subject

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth renders in the language of the request that triggers the mail (for a reset:
        whoever typed the address). A person's mail is in the language of their profile."""
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        context = {
            "request_access_url": settings.SITE_URL.rstrip("/") + reverse("access:access_request"),
            "site_url": settings.SITE_URL.rstrip("/"),
            "language": language,
            **context,
        }
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
