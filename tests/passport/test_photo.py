"""The equipment's photo: images only, decoded and re-encoded before anything is stored; shown
on the passport only where its type publishes it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from servicedesk.core.errors import ApplicationError
from servicedesk.customers.models import Equipment
from servicedesk.customers.passport import PHOTO_MAX_SIDE, equipment_photo_set

pytestmark = [pytest.mark.usefixtures("english", "media")]


def png(size=(2400, 1200), exif_gps: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "#aa3300")
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "Secret camera maker"
        image.save(buffer, format="JPEG", exif=exif)
        return SimpleUploadedFile("p.jpg", buffer.getvalue())
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue())


def _files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_photo_is_re_encoded_as_a_smaller_jpeg_without_metadata(world, boiler, media):
    equipment_photo_set(equipment=boiler, upload=png(exif_gps=True))
    boiler = Equipment.objects.get(pk=boiler.pk)
    with Image.open(boiler.photo.open("rb")) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) <= PHOTO_MAX_SIDE
        assert b"Secret camera maker" not in boiler.photo.open("rb").read()
    equipment_photo_set(equipment=boiler, upload=png())
    boiler = Equipment.objects.get(pk=boiler.pk)
    with Image.open(boiler.photo.open("rb")) as stored:
        assert stored.size == (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE // 2)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300),  # a header, no image
        SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"<script>" * 50),
        SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + b"0" * 100),
        SimpleUploadedFile("x.svg", b"<svg onload=alert(1)></svg>"),
        SimpleUploadedFile("x.exe", b"MZ" + b"\x00" * 100),
    ],
)
def test_what_is_not_an_image_is_refused_and_nothing_is_stored(world, boiler, media, upload):
    with pytest.raises(ApplicationError):
        equipment_photo_set(equipment=boiler, upload=upload)
    assert not Equipment.objects.get(pk=boiler.pk).photo
    assert _files(media) == []


def test_a_decompression_bomb_is_refused(world, boiler, media, monkeypatch):
    import servicedesk.customers.passport as passport

    monkeypatch.setattr(passport, "PHOTO_MAX_PIXELS", 100 * 100)
    with pytest.raises(ApplicationError, match="too large an image"):
        equipment_photo_set(equipment=boiler, upload=png(size=(200, 200)))
    assert _files(media) == []


def test_the_photo_is_public_only_where_its_type_publishes_it(
    world, boiler, publication, media, client_for
):
    equipment_photo_set(equipment=boiler, upload=png())
    url = f"/p/{boiler.passport_token}/photo.jpg"
    assert Client().get(url).status_code == 404
    assert (
        'data-testid="passport-photo"'
        not in Client().get(f"/p/{boiler.passport_token}/").content.decode()
    )
    # Someone whose scope includes it sees it anyway; another company's customer does not.
    assert client_for(world.users["cust_a"]).get(url).status_code == 200
    assert client_for(world.users["cust_b"]).get(url).status_code == 404
    publication.show_photo = True
    publication.save()
    response = Client().get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert (
        'data-testid="passport-photo"'
        in Client().get(f"/p/{boiler.passport_token}/").content.decode()
    )


def test_back_office_upload_keeps_the_old_photo_when_the_new_one_is_refused(
    world, boiler, media, client_for
):
    admin = client_for(world.users["admin"])
    admin.post(f"/backoffice/equipment/{boiler.pk}/photo/upload/", {"photo": png()})
    first = Equipment.objects.get(pk=boiler.pk).photo.name
    assert first
    response = admin.post(
        f"/backoffice/equipment/{boiler.pk}/photo/upload/",
        {"photo": SimpleUploadedFile("bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)},
        follow=True,
    )
    assert "could not be read as an image" in response.content.decode()
    assert Equipment.objects.get(pk=boiler.pk).photo.name == first
    assert len(_files(media)) == 1


def test_engineers_cannot_change_the_photo(world, boiler, media, client_for):
    response = client_for(world.users["engineer"]).post(
        f"/backoffice/equipment/{boiler.pk}/photo/upload/", {"photo": png()}
    )
    assert response.status_code == 404
    assert not Equipment.objects.get(pk=boiler.pk).photo
    assert _files(media) == []
