"""Background delivery of account messages. Tasks take ids, re-check state and are safe to
retry: an invitation that is no longer usable is not sent."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from servicedesk.accounts.models import AccessRequest, Invitation
from servicedesk.accounts.tokens import invitation_token
from servicedesk.core.mail import send_mail_template
from servicedesk.core.sms import send_sms


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


@db_task(retries=3, retry_delay=60)
def invitation_deliver(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable(timezone.now()):
        return
    user = invitation.user
    link = _absolute(
        reverse("access:invitation_open", args=[invitation_token(invitation.pk, invitation.nonce)])
    )
    language = user.language or None
    if invitation.channel == Invitation.Channel.EMAIL and user.email:
        send_mail_template(
            "accounts/email/invitation",
            {"user": user, "link": link, "expires_at": invitation.expires_at},
            to=[user.email],
            language=language,
        )
    else:
        with translation.override(language or settings.LANGUAGE_CODE):
            text = _(
                "Servicedesk: you are invited to the customer portal. Set your password: %(link)s"
            ) % {"link": link}
        send_sms(user.phone.as_e164, text)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


@db_task(retries=3, retry_delay=60)
def access_request_rejection_send(access_request_id: int) -> None:
    access_request = AccessRequest.objects.filter(
        pk=access_request_id, status=AccessRequest.Status.REJECTED
    ).first()
    if access_request is None or not access_request.email:
        return
    send_mail_template(
        "accounts/email/access_rejected",
        {"access_request": access_request},
        to=[access_request.email],
        language=access_request.language or None,
    )
