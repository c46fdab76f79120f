"""Write helpers shared by every app's services (not business rules)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.exceptions import VersionConflict


def check_version(instance: Any, expected_version: int | None) -> None:
    """Optimistic concurrency: an edit based on an older version is refused, not merged silently."""
    if expected_version is not None and expected_version != instance.version:
        raise VersionConflict(
            _(
                "This record was changed by someone else (version %(current)s, you edited %(expected)s). "
                "Reload it and apply your change again."
            )
            % {"current": instance.version, "expected": expected_version},
            current_version=instance.version,
        )


def lock_for_update(instance: models.Model) -> Any:
    """Re-read the row under a lock so concurrent writers queue instead of overwriting each other."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def apply_changes(instance: Any, changes: dict[str, Any], *, allowed: set[str]) -> dict[str, tuple[Any, Any]]:
    """Set allowed fields, validate, and return {field: (before, after)} for what really changed."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    diff: dict[str, tuple[Any, Any]] = {}
    for name, value in changes.items():
        before = getattr(instance, name)
        if before != value:
            diff[name] = (before, value)
            setattr(instance, name, value)
    if diff:
        instance.full_clean()
    return diff


def save_versioned(instance: Any, fields: list[str]) -> None:
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])


# --- saved list views (personal preferences, not business records) ---------------------------


@transaction.atomic
def saved_view_save(*, user: Any, list_name: str, name: str, query_string: str) -> Any:
    """Keep a list's filters under a name; saving the same name again replaces them."""
    from core.models import SavedView

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    view, _created = SavedView.objects.update_or_create(
        user=user, list_name=list_name, name=name[:64], defaults={"query_string": query_string[:1000]}
    )
    return view


@transaction.atomic
def saved_view_delete(*, user: Any, list_name: str, view_id: int) -> Any:
    """Forget one of the user's own saved views (raises DoesNotExist for anyone else's)."""
    from core.models import SavedView

    view = SavedView.objects.get(pk=view_id, user=user, list_name=list_name)
    view.delete()
    return view
