"""A web form's submission and settings: its limits, its captcha, the ticket it files.

`webform_submit` is what the public page calls once the form's own fields are valid and its
honeypot is empty. In order, and each refusal stores and sends nothing:

1. the form's limits: submissions an hour from the client address, from the email address
   typed and from the phone typed (`limit_per_address` each), and for the whole form
   (`limit_per_form`) — counted in the cache (core/limits.py) before the captcha is asked,
   so a robot cannot try captcha answers without end;
2. the captcha, when the form has one, checked with the provider (intake/captcha.py);
3. the ticket, through `guest_ticket_create` (the same checks as every ticket, files included),
   and only then the confirmation by email and/or SMS — so the form cannot be used to mail
   arbitrary addresses in bulk: each address gets at most `limit_per_address` confirmations an
   hour, and only for a submission that passed everything.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from servicedesk.core import limits
from servicedesk.core.crypto import MAIL, SecretUnreadableError, decrypt, encrypt
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.intake.captcha import captcha_verify
from servicedesk.intake.models import GuestFiling, WebForm
from servicedesk.intake.services import (
    CONFIRM_EMAIL,
    CONFIRM_SMS,
    clean_line,
    guest_ticket_create,
)
from servicedesk.tickets.models import Origin
from servicedesk.tickets.services import TicketData
from servicedesk.tickets.services.create import DESCRIPTION_MAX_LENGTH

SUBJECT_MAX = 120


@dataclass
class Submission:
    """What the visitor typed (the fields the form shows; the others empty)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    company_name: str = ""
    equipment_model: str = ""
    work_type: Any = None
    description: str = ""
    files: list[UploadedFile[bytes]] = field(default_factory=list)


def _limited() -> ApplicationError:
    return ApplicationError(
        _("Too many requests from here. Nothing was sent; wait a while and try again."),
        code=ErrorCode.RATE_LIMITED,
    )


def _limit_keys(webform: WebForm, ip: str, sub: Submission) -> list[tuple[str, str]]:
    keys = [(f"wf{webform.pk}:ip", ip)]
    if sub.email:
        keys.append((f"wf{webform.pk}:email", sub.email.strip().lower()))
    if sub.phone:
        keys.append((f"wf{webform.pk}:phone", re.sub(r"\D", "", sub.phone)))
    return keys


def webform_limits_check(webform: WebForm, ip: str, sub: Submission) -> None:
    """Refuse (RATE_LIMITED) past any of the form's limits; else count this submission."""
    keys = _limit_keys(webform, ip, sub)
    if limits.over(f"wf{webform.pk}:form", "", webform.limit_per_form) or any(
        limits.over(scope, value, webform.limit_per_address) for scope, value in keys
    ):
        raise _limited()
    limits.hit(f"wf{webform.pk}:form", "")
    for scope, value in keys:
        limits.hit(scope, value)


def webform_captcha_secret(webform: WebForm) -> str:
    if not webform.captcha_secret_encrypted:
        return ""
    try:
        return decrypt(webform.captcha_secret_encrypted, purpose=MAIL)
    except SecretUnreadableError:
        return ""


def _subject(webform: WebForm, sub: Submission) -> str:
    first = next((line for line in sub.description.splitlines() if line.strip()), "")
    subject = clean_line(first, SUBJECT_MAX)
    if len(first.strip()) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    return subject or _("Request from the web form «%(form)s»") % {"form": webform.name}


def _description(webform: WebForm, sub: Submission) -> str:
    """The text typed, then what the visitor said about themselves, so that staff see it on
    the ticket (also kept on the filing)."""
    details = [
        (_("Name"), clean_line(sub.name, 200)),
        (_("Phone"), clean_line(sub.phone, 40)),
        (_("Email"), clean_line(sub.email, 254)),
        (_("Company"), clean_line(sub.company_name, 200)),
        (_("Equipment model"), clean_line(sub.equipment_model, 200)),
    ]
    lines = [f"{label}: {value}" for label, value in details if value]
    footer = "\n".join(
        [_("Sent through the web form «%(form)s».") % {"form": webform.name}, *lines]
    )
    text = sub.description.strip()
    room = DESCRIPTION_MAX_LENGTH - len(footer) - 2
    return f"{text[:room]}\n\n{footer}" if text else footer


def webform_submit(
    *, webform: WebForm, ip: str, sub: Submission, captcha_answer: str = ""
) -> GuestFiling:
    """File the visitor's submission (module docstring). Raises ApplicationError: limits,
    captcha, or the ticket's own checks."""
    webform_limits_check(webform, ip, sub)
    if webform.captcha_provider and not captcha_verify(
        provider=webform.captcha_provider,
        secret=webform_captcha_secret(webform),
        answer=captcha_answer,
        ip=ip,
        site_key=webform.captcha_site_key,
    ):
        raise ApplicationError(
            _("The captcha was not confirmed. Nothing was sent; please try again."),
            code=ErrorCode.CAPTCHA,
            field="captcha",
        )
    with override(settings.LANGUAGE_CODE):  # staff read the ticket in the provider's language
        subject = _subject(webform, sub)
        description = _description(webform, sub)
    data = TicketData(
        subject=subject,
        description=description,
        ticket_type=webform.ticket_type,
        criticality=webform.criticality,
        company=webform.company,
        work_type=sub.work_type or webform.work_type,
    )
    confirm_by = [CONFIRM_EMAIL] if webform.confirm_email else []
    if webform.confirm_sms:
        confirm_by.append(CONFIRM_SMS)
    return guest_ticket_create(
        company=webform.company,
        data=data,
        name=sub.name,
        email=sub.email,
        phone=sub.phone,
        origin=Origin.WEB_FORM,
        files=sub.files,
        webform=webform,
        company_name=sub.company_name,
        equipment_model=sub.equipment_model,
        confirm_by=confirm_by,
    )


@transaction.atomic
def webform_save(
    *, webform: WebForm, captcha_secret: str | None = None, clear: bool = False
) -> WebForm:
    """Save the settings; a new captcha secret is kept encrypted (None: keep the stored one)."""
    if clear:
        webform.captcha_secret_encrypted = ""
    elif captcha_secret:
        webform.captcha_secret_encrypted = encrypt(captcha_secret, purpose=MAIL)
    webform.save()
    return webform
