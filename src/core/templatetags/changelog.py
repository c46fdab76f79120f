"""``{% change_history obj %}``: the generic change log of any business record, newest first."""

from __future__ import annotations

from typing import Any

from django import template

from core.changelog import history_for

register = template.Library()


@register.inclusion_tag("core/partials/change_history.html")
def change_history(instance: Any, limit: int = 20) -> dict[str, Any]:
    entries = list(history_for(instance)[:limit])
    return {"entries": entries, "limit": limit}


@register.filter
def field_changes(entry: Any) -> list[tuple[str, Any, Any]]:
    before = entry.before or {}
    after = entry.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(key, before.get(key), after.get(key)) for key in keys]
