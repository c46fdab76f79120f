"""Small JPEG thumbnails of the photos of an order for the technician's phone: a phone photo is
several megabytes, the job page shows it 96 px wide. Made with Pillow on first request and kept
in the same storage (``thumbnails/<the photo's path>…``); a photo is never changed once attached,
so a thumbnail never goes stale."""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from workorders.models import Attachment

logger = logging.getLogger(__name__)

#: Twice the 96 CSS px the page shows (sharp on a phone's screen).
THUMBNAIL_SIZE = 192
JPEG_QUALITY = 80


def thumbnail_name(photo: Attachment, size: int = THUMBNAIL_SIZE) -> str:
    """Named after the photo's file and the moment it was attached, not its id: ids repeat when a
    database is rebuilt beside kept media, and a thumbnail must never show another order's photo."""
    stamp = int(photo.created_at.timestamp() * 1_000_000)
    return f"thumbnails/{photo.file.name}.{stamp}-{size}.jpg"


def _render(photo: Attachment, size: int) -> bytes:
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, far faster
        picture = ImageOps.exif_transpose(image)  # the phone's orientation tag
        picture.thumbnail((size, size))
        if picture.mode in ("RGBA", "LA", "P"):
            picture = picture.convert("RGBA")
            flat = Image.new("RGB", picture.size, (255, 255, 255))
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        return buffer.getvalue()


def photo_thumbnail(photo: Attachment, size: int = THUMBNAIL_SIZE) -> bytes | None:
    """The photo's thumbnail as JPEG bytes (made and stored the first time), or None when the file
    is missing or not an image Pillow can read (the page then shows the photo itself)."""
    storage = photo.file.storage
    name = thumbnail_name(photo, size)
    if storage.exists(name):
        with storage.open(name, "rb") as stored:
            return stored.read()
    try:
        data = _render(photo, size)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        logger.warning("No thumbnail of attachment %s: %s", photo.pk, error)
        return None
    if not storage.exists(name):  # another request may have made it meanwhile
        storage.save(name, ContentFile(data))
    return data
