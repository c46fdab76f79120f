"""What may be attached to an order: photos, PDFs and short videos, checked by content, not name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from workorders.choices import AttachmentKind

# Leading bytes of the accepted formats → (content type, kind).
SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", AttachmentKind.PHOTO),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", AttachmentKind.PHOTO),
    (b"GIF8", 0, "image/gif", AttachmentKind.PHOTO),
    (b"WEBP", 8, "image/webp", AttachmentKind.PHOTO),
    (b"%PDF-", 0, "application/pdf", AttachmentKind.DOCUMENT),
    (b"ftyp", 4, "video/mp4", AttachmentKind.VIDEO),
)


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (kind, content type) or raise a ValidationError naming the ``file`` field."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, offset, content_type, kind in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind, content_type
    raise ValidationError(
        {"file": _("Only photos (JPEG, PNG, GIF, WebP), PDF documents and MP4 videos can be attached.")}
    )
