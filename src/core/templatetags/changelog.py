"""``{% change_history obj %}``: the generic change log of any business record, newest first.

The log stores raw values (codes, ids, ISO timestamps, JSON); people read the field's name, the
choice's label, the related record and local time (issue 18, point 7: no raw codes shown)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.changelog import history_for

register = template.Library()


@register.inclusion_tag("core/partials/change_history.html")
def change_history(instance: Any, limit: int = 20) -> dict[str, Any]:
    entries = list(history_for(instance).select_related("content_type", "user")[:limit])
    return {"entries": entries, "limit": limit}


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    found: Any
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        found = next((f for f in model._meta.concrete_fields if f.attname == key), None)
    return found if isinstance(found, models.Field) else None


def _shown(field: models.Field[Any, Any] | None, value: Any) -> Any:
    if value is None or value == "":
        return None
    if field is None:
        return _("(changed)") if isinstance(value, dict | list) else value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField) and isinstance(value, str) and (moment := parse_datetime(value)):
        return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "Y-m-d H:i")
    if isinstance(field, models.DateField) and isinstance(value, str) and (day := parse_date(value)):
        return formats.date_format(day, "Y-m-d")
    if isinstance(value, dict | list):
        return _("(changed)")
    return value


def _shown_extra(choices: Any, value: Any) -> Any:
    """A fact kept beside a model's columns (``change_log_extra``): a list of codes reads as their
    labels, a flag as yes / no."""
    if value is None or value == "":
        return None
    labels = dict(choices.choices) if choices is not None else {}
    if isinstance(value, list):
        return "、".join(str(labels.get(item, item)) for item in value) or None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return labels.get(value, value)


@register.filter
def field_changes(entry: Any) -> list[tuple[str, Any, Any]]:
    """(the field's name, before, after) of an update, as people read them."""
    before = entry.before or {}
    after = entry.after or {}
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    extras = getattr(model, "change_log_extra", None) or {}
    for key in dict.fromkeys([*before.keys(), *after.keys()]):
        field = _field(model, key)
        if field is None and key in extras:
            label, choices = extras[key]
            rows.append((str(label), _shown_extra(choices, before.get(key)), _shown_extra(choices, after.get(key))))
            continue
        # A field without a verbose name gets one made from its name, untranslated: look it up.
        name = (
            (_(field.verbose_name) if isinstance(field.verbose_name, str) else str(field.verbose_name))
            if field
            else key
        )
        rows.append((name, _shown(field, before.get(key)), _shown(field, after.get(key))))
    return rows


@register.filter
def verbose_name_of(model: Any) -> str:
    """A model class's readable name (``entry.content_type.model_class``), empty for none."""
    return str(model._meta.verbose_name) if model is not None else ""
