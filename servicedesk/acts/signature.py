"""A signature drawn on screen, as the browser sends it (signature_pad's PNG data URL), made
into the PNG an act keeps — or refused with a reason a person can act on.

What is refused: anything but a PNG data URL; more than `MAX_BYTES` of image; a picture larger
than `MAX_SIDE` pixels a side (checked from the header, before any pixel is decoded); a
canvas with (almost) nothing drawn on it. What is kept is not what was sent: the pixels are
decoded, trimmed to the drawing, scaled to at most 600 × 240 and encoded again as a fresh
PNG, so no metadata, trailing bytes or other format's payload rides along into the PDF.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 512 * 1024
MAX_SIDE = 4000
# A stroke of a few centimetres leaves hundreds of dark pixels; a tap or a stray dot does not.
MIN_INK_PIXELS = 150
INK_BELOW = 200  # luminance over white: darker than this is ink
MARGIN = 8  # pixels of canvas kept around the drawing
KEPT_SIZE = (600, 240)


def signature_png(data_url: str) -> bytes:
    """The PNG to keep for the signature in `data_url`; ValidationError saying what is wrong."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise ValidationError(_("Sign in the box first."), code="signature_empty")
    if len(data_url) > len(PREFIX) + (MAX_BYTES * 4) // 3 + 4:
        raise ValidationError(_("The signature image is too large."), code="signature_too_large")
    if not data_url.startswith(PREFIX):
        raise ValidationError(
            _("The signature is not a PNG image: draw it again."), code="signature_not_image"
        )
    try:
        raw = base64.b64decode(data_url[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            _("The signature is not a PNG image: draw it again."), code="signature_not_image"
        ) from None
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The signature image is too large."), code="signature_too_large")
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            if max(image.size) > MAX_SIDE or min(image.size) < 1:
                raise ValidationError(
                    _("The signature image is too large."), code="signature_too_large"
                )
            image.load()
            drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The signature is not a PNG image: draw it again."), code="signature_not_image"
        ) from None
    if _ink(drawn) < MIN_INK_PIXELS:
        raise ValidationError(_("Sign in the box first."), code="signature_empty")
    kept = io.BytesIO()
    _trimmed(drawn).save(kept, format="PNG", optimize=True)
    return kept.getvalue()


def _trimmed(image: Image.Image) -> Image.Image:
    """The drawing without the empty canvas around it, at most KEPT_SIZE: what the act prints
    (a few centimetres wide) needs no more, and a smaller image makes a faster PDF."""
    box = image.getchannel("A").getbbox()
    if box is not None:
        left, top, right, bottom = box
        image = image.crop(
            (
                max(left - MARGIN, 0),
                max(top - MARGIN, 0),
                min(right + MARGIN, image.width),
                min(bottom + MARGIN, image.height),
            )
        )
    image.thumbnail(KEPT_SIZE, Image.Resampling.LANCZOS)
    return image


def _ink(image: Image.Image) -> int:
    """How many pixels are drawn: dark on a white (or transparent) background."""
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, image).convert("L")
    histogram = grey.histogram()
    return sum(histogram[:INK_BELOW])
