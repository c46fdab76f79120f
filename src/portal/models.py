"""Rows of the customer pages: photos held for a request the customer is still correcting."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def staged_photo_path(instance: StagedPhoto, filename: str) -> str:
    return f"portal-staged/{instance.key.hex}/{filename}"


class StagedPhoto(models.Model):
    """A photo sent with a request form the portal refused (a missing name, a bad phone…).

    Kept server-side for a short while so the customer need not attach it again: the re-rendered
    form carries a signed token naming these rows (portal.services.staged_photos_token). A
    successful submit attaches the photo to the order and removes the row; the rest is purged
    after ``STAGED_PHOTO_TTL`` (portal.tasks). Not a business record: no change log."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=staged_photo_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("photo awaiting a request")
        verbose_name_plural = _("photos awaiting a request")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
