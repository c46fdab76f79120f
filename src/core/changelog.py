"""Generic change log for every ``BaseModel``: one row per create/update, before → after.

Built on model signals (as NetBox does) because it is infrastructure, not a business rule;
the acting user and request id come from ``core.context``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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


def record_bulk(
    instances: Sequence[models.Model], *, action: str, before: dict[Any, dict[str, Any]] | None = None
) -> None:
    """Change-log rows for records written with ``bulk_create`` / ``bulk_update`` (which send no
    signals): one per instance, as ``_on_save`` would write them. ``before`` maps a pk to the
    changed fields' old values (an update); the after values are read from the instances."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import ChangeLogEntry

    if not instances:
        return
    user = current_user.get()
    user = user if user is not None and getattr(user, "pk", None) else None
    content_type = ContentType.objects.get_for_model(instances[0].__class__)
    request_id = current_request_id.get()
    rows = []
    for instance in instances:
        after = snapshot(instance)
        old = (before or {}).get(instance.pk)
        if old is not None:
            old = _jsonable(old)
            after = {key: after[key] for key in old if key in after}
        rows.append(
            ChangeLogEntry(
                content_type=content_type,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                action=action,
                user=user,
                request_id=request_id,
                before=old,
                after=after,
            )
        )
    ChangeLogEntry.objects.bulk_create(rows, batch_size=500)


def record_change(
    instance: models.Model,
    *,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    user: Any | None = None,
) -> None:
    """A change-log row written by hand, for records that are not ``BaseModel`` (a third-party
    model such as a two-factor device), whose snapshot must leave a secret out, or facts kept
    beside a record's columns (a person's account and roles on their profile: core.staff)."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import ChangeLogEntry

    acting = user if user is not None else current_user.get()
    ChangeLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        user=acting if acting is not None and getattr(acting, "pk", None) else None,
        request_id=current_request_id.get(),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
