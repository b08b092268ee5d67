"""The equipment passport (QR): finding a piece of equipment or a site by its token, what of it
is public (PassportPublication), which ticket its QR files (PassportTemplate), rotating the
token, the equipment's photo. Pages in servicedesk/web/passport.py; decision record «passport».

Tokens, not ids: the passport URL is printed on a label and read by anyone near the equipment,
so it must be unguessable (32 random bytes) and replaceable (rotation kills every old label).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import (
    Equipment,
    PassportPublication,
    PassportTemplate,
    RetiredPassportToken,
    Site,
    new_passport_token,
)

# What is public when the provider has set nothing: the name only.
DEFAULT_PUBLIC = frozenset({"name"})
PHOTO_MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is refused, not decoded
PHOTO_MAX_SIDE = 1600  # stored at most this wide or high, re-encoded as JPEG
TOKEN_MAX_LENGTH = 64
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{TOKEN_MAX_LENGTH}}}")


def _plausible(token: str) -> bool:
    """Tokens are URL-safe base64 (`secrets.token_urlsafe`): anything else (a NUL byte, which
    PostgreSQL refuses in a text comparison; a path; 500 characters) is asked of no database."""
    return bool(TOKEN_SHAPE.fullmatch(token or ""))


def equipment_by_token(token: str) -> Equipment | None:
    """The active equipment whose label carries `token`, or None (unknown, rotated, inactive)."""
    if not _plausible(token):
        return None
    return (
        Equipment.objects.select_related("company", "site")
        .filter(passport_token=token, is_active=True, company__is_active=True)
        .first()
    )


def site_by_token(token: str) -> Site | None:
    if not _plausible(token):
        return None
    return (
        Site.objects.select_related("company")
        .filter(passport_token=token, is_active=True, company__is_active=True)
        .first()
    )


def token_retired(token: str) -> bool:
    return _plausible(token) and RetiredPassportToken.objects.filter(token=token).exists()


def passport_path(obj: Equipment | Site) -> str:
    if isinstance(obj, Site):
        return reverse("passport:site", args=[obj.passport_token])
    return reverse("passport:equipment", args=[obj.passport_token])


def passport_url(obj: Equipment | Site) -> str:
    """The absolute address printed in the QR code (settings.SITE_URL + the passport's path)."""
    return str(settings.SITE_URL).rstrip("/") + passport_path(obj)


def publication_for(equipment_type: str) -> frozenset[str]:
    """The public fields (PassportPublication.FIELDS) for a type: its own row, else the row for
    every type, else the name only. One query."""
    rows = {
        row.equipment_type: row
        for row in PassportPublication.objects.filter(equipment_type__in={equipment_type, ""})
    }
    row = rows.get(equipment_type) or rows.get("")
    return row.shown() if row is not None else DEFAULT_PUBLIC


def template_for(equipment: Equipment) -> PassportTemplate | None:
    """The active ticket template of the equipment's company: the one for its type, else the one
    for every type. One query."""
    rows = list(
        PassportTemplate.objects.select_related("ticket_type", "work_type", "criticality").filter(
            Q(equipment_type=equipment.equipment_type) | Q(equipment_type=""),
            company_id=equipment.company_id,
            is_active=True,
            ticket_type__is_active=True,
        )
    )
    rows.sort(key=lambda row: row.equipment_type == "")
    return rows[0] if rows else None


@transaction.atomic
def passport_token_rotate(*, obj: Equipment | Site) -> str:
    """A new token for the equipment or site: every label, QR image, filing and registration
    link made with the old one stops working at once (nothing else keeps the token)."""
    RetiredPassportToken.objects.get_or_create(
        token=obj.passport_token, defaults={"retired_at": timezone.now()}
    )
    obj.passport_token = new_passport_token()
    type(obj).objects.filter(pk=obj.pk).update(passport_token=obj.passport_token)
    return obj.passport_token


def qr_svg(url: str, *, scale: int = 4) -> str:
    """The QR code of `url` as an SVG document (segno; error correction M, quiet zone kept)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", scale=scale, xmldecl=False)
    return buffer.getvalue().decode()


def qr_svg_inline(url: str) -> str:
    """The QR code as an inline <svg> element sized by CSS (for pages and label sheets)."""
    import segno

    return str(segno.make(url, error="m", micro=False).svg_inline(scale=1, omitsize=True))


def qr_png(url: str, *, scale: int = 8) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes  # JPEG, re-encoded: no EXIF (location), no trailing payload
    width: int
    height: int


def photo_check(upload: UploadedFile[bytes]) -> CheckedPhoto:
    """An image through the attachment checks (size, extension, signature), then decoded by
    Pillow and re-encoded as a JPEG no larger than PHOTO_MAX_SIDE: whatever else the file held
    (scripts, a polyglot's second half, GPS tags) is not kept. ApplicationError otherwise."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    from servicedesk.tickets.uploads import UploadRejectedError, check_upload

    try:
        info = check_upload(upload)
    except UploadRejectedError as error:
        raise ApplicationError(str(error), code=ErrorCode.BAD_FILE, field="photo") from error
    if not info.is_image:
        raise ApplicationError(
            _("“%(name)s” is not a photo: choose a JPEG, PNG or WebP image.") % {"name": info.name},
            code=ErrorCode.BAD_FILE,
            field="photo",
        )
    refused = ApplicationError(
        _("“%(name)s” could not be read as an image.") % {"name": info.name},
        code=ErrorCode.BAD_FILE,
        field="photo",
    )
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ApplicationError(
                    _("“%(name)s” is too large an image.") % {"name": info.name},
                    code=ErrorCode.BAD_FILE,
                    field="photo",
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = (ImageOps.exif_transpose(opened) or opened).convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except ApplicationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refused from None
    return CheckedPhoto(content=out.getvalue(), width=image.width, height=image.height)


@transaction.atomic
def equipment_photo_set(*, equipment: Equipment, upload: UploadedFile[bytes] | None) -> None:
    """Replace (or, with None, remove) the equipment's photo; the new one is checked first, so a
    refused file leaves the old photo and stores nothing."""
    checked = photo_check(upload) if upload is not None else None
    old = equipment.photo.name if equipment.photo else ""
    if checked is not None:
        equipment.photo.save("photo.jpg", ContentFile(checked.content), save=False)
    else:
        equipment.photo = ""
    Equipment.objects.filter(pk=equipment.pk).update(photo=equipment.photo.name or "")
    if old:
        storage = equipment.photo.storage
        transaction.on_commit(lambda: storage.delete(old))


def public_fields(equipment: Equipment, shown: frozenset[str]) -> dict[str, Any]:
    """The equipment's public facts, only those `shown`. The address is its site's, or the
    nearest site above it that has one (a floor has its building's): one query then."""
    site = equipment.site
    address = ""
    if site is not None and "address" in shown:
        address = site.address.strip()
        if not address:
            ids = [int(part) for part in site.path.split("/") if part.isdigit()]
            above = (
                Site.objects.filter(pk__in=ids).exclude(address="").values_list("path", "address")
            )
            address = max(above, key=lambda row: len(row[0]), default=("", ""))[1]
    values: dict[str, Any] = {
        "name": equipment.name,
        "type": equipment.equipment_type,
        "model": equipment.model,
        "serial": equipment.serial_number,
        "address": address,
        "warranty": equipment.warranty_until,
        "photo": bool(equipment.photo),
    }
    return {key: value for key, value in values.items() if key in shown and value}
