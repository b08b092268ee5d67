"""Filing for a person without an account (intake.services.guest_ticket_create): the guest
contact, the existing address's rules, the files' checks, the confirmations."""

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from servicedesk.accounts.models import Membership, User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.intake.links import guest_link_resolve
from servicedesk.intake.models import GuestFiling, GuestLink
from servicedesk.intake.services import CONFIRM_EMAIL, CONFIRM_SMS, guest_ticket_create
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.services import TicketData
from tests.conftest import PNG
from tests.factories import CompanyFactory, MembershipFactory, SiteFactory, UserFactory
from tests.mail_server import text_part

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _file(data: TicketData, company: Any, **kwargs: Any) -> GuestFiling:
    fields: dict[str, Any] = {
        "company": company,
        "data": data,
        "name": "Пётр Гостев",
        "email": "Petr@Example.test",
        "phone": "",
        "origin": Origin.WEB_FORM,
    }
    fields.update(kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return guest_ticket_create(**fields)


def _mail_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def _nothing_stored(users_before: int) -> None:
    assert Ticket.objects.count() == 0
    assert GuestFiling.objects.count() == 0
    assert GuestLink.objects.count() == 0
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_a_new_address_becomes_a_guest_contact_who_sees_only_their_tickets(
    ticket_data: TicketData, inbox_company: Any
) -> None:
    filing = _file(ticket_data, inbox_company, company_name="ООО Ромашка", equipment_model="X-1")

    contact = filing.contact
    assert (contact.email, contact.full_name, contact.is_customer) == (
        "petr@example.test",
        "Пётр Гостев",
        True,
    )
    assert not contact.has_usable_password()
    membership = Membership.objects.get(user=contact)
    assert (membership.company_id, membership.sees_all_tickets, membership.analytics) == (
        inbox_company.pk,
        False,
        False,
    )
    ticket = filing.ticket
    assert (ticket.origin, ticket.contact_id, ticket.company_id) == (
        Origin.WEB_FORM,
        contact.pk,
        inbox_company.pk,
    )
    assert (filing.company_name, filing.equipment_model, filing.existing) == (
        "ООО Ромашка",
        "X-1",
        False,
    )
    assert filing.show_link is True  # type: ignore[attr-defined]
    token = filing.status_url.rsplit("/t/", 1)[1].strip("/")  # type: ignore[attr-defined]
    assert guest_link_resolve(token).ticket_id == ticket.pk  # type: ignore[union-attr]
    # One email to the guest: the confirmation with the number and the link (no second
    # receipt from the notifications, which would point to a portal they cannot enter).
    sent = _mail_to("petr@example.test")
    assert len(sent) == 1
    assert ticket.number in sent[0].subject
    assert filing.status_url in sent[0].body  # type: ignore[attr-defined]


def test_no_confirmation_unless_asked(ticket_data: TicketData, inbox_company: Any) -> None:
    _file(ticket_data, inbox_company, confirm_by=())
    assert _mail_to("petr@example.test") == []


def test_sms_confirmation_goes_to_the_typed_phone(
    ticket_data: TicketData, inbox_company: Any, sms_gateway: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = sms_gateway.url
    filing = _file(
        ticket_data, inbox_company, email="", phone="+7 912 345-67-89", confirm_by=(CONFIRM_SMS,)
    )
    assert filing.contact.email is None
    assert filing.contact.phone.as_e164 == "+79123456789"
    assert [r.json()["to"] for r in sms_gateway.requests] == ["+79123456789"]
    assert filing.ticket.number in sms_gateway.requests[0].json()["text"]
    assert "/t/" in sms_gateway.requests[0].json()["text"]


def test_a_phone_that_is_someone_elses_stays_on_the_filing_only(
    ticket_data: TicketData, inbox_company: Any, sms_gateway: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = sms_gateway.url
    UserFactory(phone="+79123456789")
    filing = _file(ticket_data, inbox_company, phone="+79123456789", confirm_by=(CONFIRM_SMS,))
    assert str(filing.contact.phone) == ""
    assert filing.phone == "+79123456789"
    assert sms_gateway.requests == []  # nobody else's phone gets messages


def test_an_existing_customer_of_the_company_gets_the_ticket_and_the_link_by_mail_only(
    ticket_data: TicketData, inbox_company: Any
) -> None:
    person = MembershipFactory(company=inbox_company, user__email="known@example.test").user
    users = User.objects.count()

    filing = _file(ticket_data, inbox_company, email="KNOWN@example.test", name="Someone")

    assert User.objects.count() == users  # nobody new, the account untouched
    person.refresh_from_db()
    assert person.full_name != "Someone"
    assert (filing.contact_id, filing.existing, filing.ticket.contact_id) == (
        person.pk,
        True,
        person.pk,
    )
    assert filing.show_link is False  # type: ignore[attr-defined]
    sent = _mail_to("known@example.test")
    assert len(sent) == 1
    # They have a password: the email sends them to the portal, not to a status link.
    assert "/portal/" in sent[0].body
    assert "/t/" not in sent[0].body


def test_an_existing_guest_files_again_and_the_link_goes_to_their_address(
    ticket_data: TicketData, inbox_company: Any
) -> None:
    first = _file(ticket_data, inbox_company, confirm_by=())
    second = _file(ticket_data, inbox_company, confirm_by=())
    assert second.contact_id == first.contact_id
    assert second.show_link is False  # type: ignore[attr-defined]
    sent = _mail_to("petr@example.test")
    assert len(sent) == 1  # always mailed to the address's owner, and only there
    assert second.ticket.number in sent[0].subject
    assert "/t/" in sent[0].body


@pytest.mark.parametrize("who", ["staff", "other_company", "inactive", "limited"])
def test_an_address_of_anyone_else_is_refused_and_nothing_is_stored(
    ticket_data: TicketData, inbox_company: Any, who: str
) -> None:
    if who == "staff":
        UserFactory(email="taken@example.test", admin=True)
    elif who == "other_company":
        MembershipFactory(company=CompanyFactory(), user__email="taken@example.test")
    elif who == "inactive":
        MembershipFactory(
            company=inbox_company, user__email="taken@example.test", user__is_active=False
        )
    else:
        site = SiteFactory(company=inbox_company)
        MembershipFactory(
            company=inbox_company, user__email="taken@example.test", listed=True, sites=[site]
        )
    users = User.objects.count()
    with pytest.raises(ApplicationError) as caught:
        _file(ticket_data, inbox_company, email="taken@example.test")
    assert (caught.value.code, caught.value.field) == (ErrorCode.EXISTING_ACCOUNT, "email")
    _nothing_stored(users)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.png", b"MZ\x90\x00 not an image", ErrorCode.BAD_FILE),
        ("run.exe", b"MZ\x90\x00", ErrorCode.BAD_FILE),
    ],
)
def test_a_hostile_file_refuses_the_filing_with_nothing_stored(
    ticket_data: TicketData, inbox_company: Any, name: str, content: bytes, code: str
) -> None:
    users = User.objects.count()
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    with pytest.raises(ApplicationError) as caught:
        _file(ticket_data, inbox_company, files=[upload])
    assert caught.value.code == code
    _nothing_stored(users)


def test_a_good_photo_is_attached(ticket_data: TicketData, inbox_company: Any) -> None:
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    filing = _file(ticket_data, inbox_company, files=[upload], confirm_by=(CONFIRM_EMAIL,))
    assert [a.name for a in filing.ticket.attachments.all()] == ["photo.png"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"email": "not an address"}, ErrorCode.EMAIL),
        ({"phone": "12"}, ErrorCode.PHONE),
        ({"origin": "carrier-pigeon"}, ErrorCode.ORIGIN),
    ],
)
def test_bad_contact_details_are_refused(
    ticket_data: TicketData, inbox_company: Any, fields: dict[str, str], code: str
) -> None:
    users = User.objects.count()
    with pytest.raises(ApplicationError) as caught:
        _file(ticket_data, inbox_company, **fields)
    assert caught.value.code == code
    _nothing_stored(users)


def test_a_refused_ticket_leaves_no_guest_behind(
    ticket_data: TicketData, inbox_company: Any
) -> None:
    users = User.objects.count()
    data = TicketData(**{**ticket_data.__dict__, "subject": "   "})
    with pytest.raises(ApplicationError) as caught:
        _file(data, inbox_company)
    assert caught.value.code == ErrorCode.SUBJECT
    _nothing_stored(users)


def test_the_confirmation_goes_through_smtp_in_the_providers_language(
    ticket_data: TicketData, inbox_company: Any, smtp_email: Any
) -> None:
    filing = _file(ticket_data, inbox_company)
    smtp_email.wait_for(1)
    (sent,) = [m for m in smtp_email.messages if m["To"] == "petr@example.test"]
    assert f"Заявка {filing.ticket.number} зарегистрирована" in str(sent["Subject"])
    text = text_part(sent)
    assert "Здравствуйте, Пётр Гостев!" in text
    assert filing.status_url in text  # type: ignore[attr-defined]
