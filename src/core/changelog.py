"""Generic change log for every ``BaseModel``: one row per create/update, before → after.

Built on model signals (as NetBox does) because it is infrastructure, not a business rule;
the acting user and request id come from ``core.context``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save

from core.context import current_request_id, current_user

SKIPPED_FIELDS = {"updated_at", "created_at", "search_text", "version"}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder, default=str))


def snapshot(instance: models.Model) -> dict[str, Any]:
    return _jsonable(
        {
            field.attname: field.value_from_object(instance)
            for field in instance._meta.concrete_fields
            if field.attname not in SKIPPED_FIELDS
        }
    )


def _record(instance: models.Model, action: str, before: dict | None, after: dict | None) -> None:
    from django.contrib.contenttypes.models import ContentType

    from core.models import ChangeLogEntry

    user = current_user.get()
    ChangeLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        user=user if user is not None and getattr(user, "pk", None) else None,
        request_id=current_request_id.get(),
        before=before,
        after=after,
    )


def _on_save(sender: type[models.Model], instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not getattr(sender, "change_logged", False):
        return
    after = snapshot(instance)
    if created:
        _record(instance, "create", None, after)
    else:
        loaded = getattr(instance, "_loaded_snapshot", None)
        before_all = _jsonable({k: v for k, v in loaded.items() if k not in SKIPPED_FIELDS}) if loaded else {}
        changed = [key for key, value in after.items() if before_all.get(key) != value]
        if loaded is not None and not changed:
            return
        before = {key: before_all.get(key) for key in changed} if loaded is not None else None
        _record(instance, "update", before, {key: after[key] for key in changed} if changed else after)
    instance._loaded_snapshot = {
        field.attname: field.value_from_object(instance) for field in sender._meta.concrete_fields
    }


def _on_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if getattr(sender, "change_logged", False):
        _record(instance, "delete", snapshot(instance), None)


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="core.changelog.save")
    post_delete.connect(_on_delete, dispatch_uid="core.changelog.delete")


def history_for(instance: models.Model) -> models.QuerySet:
    from django.contrib.contenttypes.models import ContentType

    from core.models import ChangeLogEntry

    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance.__class__), object_id=str(instance.pk)
    ).select_related("user")
