"""Pure decisions of field work: is a drawn signature a real one (a PNG with ink)? May the work go
on to QC and to the customer's sign-off with the visit code of conduct as it stands?"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fieldwork.choices import ChecklistState

if TYPE_CHECKING:
    from fieldwork.models import ChecklistItem, VisitChecklist

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


# --- the visit code of conduct -------------------------------------------------------------------


def checklist_item_state(mark: VisitChecklist | None) -> ChecklistState:
    """Ticked is done; not ticked but with a reason is explained; no mark, or unticked without a
    reason, is open."""
    if mark is None:
        return ChecklistState.OPEN
    if mark.checked:
        return ChecklistState.DONE
    return ChecklistState.EXPLAINED if mark.reason.strip() else ChecklistState.OPEN


@dataclass(frozen=True)
class ChecklistDecision:
    """May the work go on? ``open_items`` are the items that hold it up, in checklist order."""

    ok: bool
    open_items: tuple[ChecklistItem, ...] = ()


def checklist_decide(rows: Iterable[tuple[ChecklistItem, VisitChecklist | None]]) -> ChecklistDecision:
    """The work goes to QC, and the customer signs off, only when every active item of the code of
    conduct (seed 003 篇2) is ticked or explained: issue 18 point 5 found a sign-off with
    “请客户检验维修结果” unticked and nothing said about it. A retired item never holds the work up."""
    open_items = tuple(
        item for item, mark in rows if item.is_active and checklist_item_state(mark) == ChecklistState.OPEN
    )
    return ChecklistDecision(ok=not open_items, open_items=open_items)
