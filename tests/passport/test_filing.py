"""«Подать заявку» from the passport: a customer with the equipment in scope files with the
template's fields and origin QR; photos pass the upload checks; anyone else files nothing."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from servicedesk.customers.models import WorkType
from servicedesk.tickets.models import Ticket, TicketAttachment

pytestmark = [pytest.mark.usefixtures("english", "media")]


def photo(name: str = "leak.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_customer_in_scope_files_with_the_template_and_a_photo(
    world, boiler, template, client_for
):
    template.work_type = WorkType.objects.filter(is_active=True).first()
    template.subject = "From the QR"
    template.save()
    client = client_for(world.users["cust_site"])
    form = client.get(f"/p/{boiler.passport_token}/file/").content.decode()
    assert 'accept="image/*" capture="environment" multiple' in form
    response = client.post(
        f"/p/{boiler.passport_token}/file/",
        {"description": "Pressure drops", "photos": [photo()]},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/p/{boiler.passport_token}/file/{ticket.number}/"
    assert (ticket.subject, ticket.description, ticket.origin) == (
        "From the QR",
        "Pressure drops",
        "qr",
    )
    assert (ticket.ticket_type, ticket.criticality, ticket.work_type) == (
        template.ticket_type,
        template.criticality,
        template.work_type,
    )
    assert (ticket.equipment, ticket.site, ticket.contact) == (
        boiler,
        boiler.site,
        world.users["cust_site"],
    )
    (attachment,) = TicketAttachment.objects.filter(ticket=ticket)
    assert (attachment.name, attachment.is_image) == ("leak.jpg", True)
    done = client.get(response["Location"])
    assert ticket.number in done.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("evil.jpg", b"MZ\x90\x00" + b"\x00" * 200), "not a .jpg file"),
        (SimpleUploadedFile("page.html", b"<script>alert(1)</script>"), "not accepted"),
        (SimpleUploadedFile("doc.pdf", b"%PDF-1.4\n" + b"0" * 100), "is not a photo"),
        (SimpleUploadedFile("empty.png", b""), "is empty"),
    ],
)
def test_hostile_photos_are_refused_and_nothing_is_stored(
    world, boiler, template, client_for, media, upload, message
):
    client = client_for(world.users["cust_a"])
    response = client.post(
        f"/p/{boiler.passport_token}/file/",
        {"description": "Keep this text", "photos": [photo(), upload]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Keep this text" in html
    assert not Ticket.objects.exists()
    assert not TicketAttachment.objects.exists()
    assert _stored(media) == []


def test_oversized_photos_are_refused(world, boiler, template, client_for, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 500
    response = client_for(world.users["cust_a"]).post(
        f"/p/{boiler.passport_token}/file/",
        {"description": "Big", "photos": [photo(size=(400, 400))]},
    )
    assert "is larger than" in response.content.decode()
    assert not Ticket.objects.exists()
    assert _stored(media) == []


@pytest.mark.parametrize("key", ["cust_b", "cust_eq", "cust_none"])
def test_customers_without_the_equipment_file_nothing(world, boiler, template, client_for, key):
    client = client_for(world.users[key])
    page = client.get(f"/p/{boiler.passport_token}/file/").content.decode()
    assert 'data-testid="passport-not-in-scope"' in page
    response = client.post(f"/p/{boiler.passport_token}/file/", {"description": "Sneaky"})
    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_staff_are_sent_to_the_back_office(world, boiler, template, client_for):
    client = client_for(world.users["dispatcher"])
    response = client.post(f"/p/{boiler.passport_token}/file/", {"description": "Staff"})
    assert 'data-testid="passport-file-staff"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_anonymous_visitors_are_asked_to_register_and_file_nothing(world, boiler, template, client):
    response = client.post(f"/p/{boiler.passport_token}/file/", {"description": "Anon"})
    assert 'data-testid="passport-register"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_no_template_no_filing(world, boiler, client_for):
    client = client_for(world.users["cust_a"])
    page = client.get(f"/p/{boiler.passport_token}/").content.decode()
    assert 'data-testid="passport-file"' not in page
    response = client.post(f"/p/{boiler.passport_token}/file/", {"description": "No"})
    assert 'data-testid="passport-file-closed"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_another_companys_template_does_not_apply(world, template, client_for):
    forklift = world.equipment["eq_b"]  # Betaworks': the template is Alphacorp's
    response = client_for(world.users["cust_b"]).post(
        f"/p/{forklift.passport_token}/file/", {"description": "No"}
    )
    assert 'data-testid="passport-file-closed"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_type_template_wins_over_the_company_one(world, boiler, template):
    from servicedesk.customers.models import PassportTemplate
    from servicedesk.customers.passport import template_for

    boiler.equipment_type = "Boiler"
    boiler.save()
    specific = PassportTemplate.objects.create(
        company=world.companies["A"],
        equipment_type="Boiler",
        ticket_type=template.ticket_type,
        subject="Boiler template",
    )
    assert template_for(boiler) == specific
    specific.is_active = False
    specific.save()
    assert template_for(boiler) == template


def test_without_an_account_where_the_template_allows(world, boiler, template, smtp_email):
    from django.test import Client

    from servicedesk.accounts.models import Membership

    client = Client()
    assert client.get(f"/p/{boiler.passport_token}/guest/").status_code == 302  # not allowed yet
    template.allow_anonymous = True
    template.save()
    start = client.get(f"/p/{boiler.passport_token}/file/").content.decode()
    assert 'data-testid="passport-guest"' in start
    response = client.post(
        f"/p/{boiler.passport_token}/guest/",
        {"description": "Smoke from the boiler", "full_name": "Passer-by",
         "email": "passer@example.test", "photos": [photo()]},
    )  # fmt: skip
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    html = response.content.decode()
    assert ticket.number in html
    assert 'data-testid="passport-status-link"' in html
    assert (ticket.origin, ticket.equipment) == ("qr", boiler)
    assert not ticket.contact.has_usable_password()
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1
    # The status link opens that ticket.
    link = re.search(r'href="(http[^"]+/t/[^"]+)"', html).group(1)
    status = Client().get(urlsplit(link).path)
    assert status.status_code == 200
    assert ticket.number in status.content.decode()
    # The guest is scoped to the scanned equipment only: a password set later (a reset
    # reaches any address) would show them no more of the company than that label
    membership = Membership.objects.get(user=ticket.contact)
    assert membership.scope == Membership.Scope.LISTED
    assert list(membership.equipment.all()) == [boiler]
    assert not membership.sees_all_tickets


def test_without_an_account_a_signed_in_person_is_sent_to_the_form(
    world, boiler, template, client_for
):
    template.allow_anonymous = True
    template.save()
    response = client_for(world.users["cust_a"]).post(
        f"/p/{boiler.passport_token}/guest/", {"description": "x"}
    )
    assert response.status_code == 302
    assert not Ticket.objects.exists()


def test_without_an_account_an_address_is_needed(world, boiler, template):
    from django.test import Client

    template.allow_anonymous = True
    template.save()
    response = Client().post(
        f"/p/{boiler.passport_token}/guest/", {"description": "Kept", "full_name": "Nobody"}
    )
    html = response.content.decode()
    assert "Give an email address or a phone number" in html
    assert "Kept" in html
    assert not Ticket.objects.exists()
