"""Pure decisions of field work: is a drawn signature a real one (a PNG with ink)?"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: A signature pad's PNG is a few kB to a few hundred; more is not a signature.
MAX_SIGNATURE_BYTES = 1_000_000
MAX_SIGNATURE_SIDE = 4000
#: Pixels of ink a signature needs at least: a tap or a stray dot is not a signature.
MIN_INK_PIXELS = 40
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL_PREFIX = "data:image/png;base64,"


@dataclass(frozen=True)
class SignatureCheck:
    """The decision on a signature image, with the reason when it is refused."""

    ok: bool
    reason: str = ""
    width: int = 0
    height: int = 0
    ink_pixels: int = 0


def signature_png_bytes(value: str | bytes) -> bytes:
    """The PNG bytes of a canvas data URL (``data:image/png;base64,…``) or of bare base64.

    Raises ``ValueError`` with the reason for anything else."""
    if isinstance(value, bytes):
        return value
    text = (value or "").strip()
    if text.startswith("data:"):
        if not text.startswith(DATA_URL_PREFIX):
            raise ValueError(_("The signature must be a PNG image."))
        text = text[len(DATA_URL_PREFIX) :]
    if not text:
        raise ValueError(_("The customer has not signed yet."))
    if len(text) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValueError(_("The signature image is too large."))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(_("The signature is not a valid base64 PNG image.")) from None


def signature_check(png: bytes) -> SignatureCheck:
    """A signature is a PNG of sensible size that has ink: pixels that are neither transparent nor
    (near) white. A blank canvas — all transparent or all white — is refused."""
    from PIL import Image, ImageChops, UnidentifiedImageError

    if not png:
        return SignatureCheck(False, _("The customer has not signed yet."))
    if len(png) > MAX_SIGNATURE_BYTES:
        return SignatureCheck(False, _("The signature image is too large."))
    if not png.startswith(PNG_MAGIC):
        return SignatureCheck(False, _("The signature must be a PNG image."))
    try:
        with Image.open(io.BytesIO(png)) as image:
            width, height = image.size
            if width > MAX_SIGNATURE_SIDE or height > MAX_SIGNATURE_SIDE:
                return SignatureCheck(False, _("The signature image is too large."), width, height)
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return SignatureCheck(False, _("The signature is not a readable PNG image."))
    opaque = rgba.getchannel("A").point(lambda value: 255 if value > 32 else 0)
    dark = rgba.convert("RGB").convert("L").point(lambda value: 255 if value < 200 else 0)
    ink = ImageChops.multiply(opaque, dark).histogram()[255]
    if ink < MIN_INK_PIXELS:
        return SignatureCheck(False, _("The signature is empty: ask the customer to sign."), width, height, ink)
    return SignatureCheck(True, "", width, height, ink)
