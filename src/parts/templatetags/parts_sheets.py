"""``{% sheet_import_forms "catalogue" %}``: the Excel imports a page offers the user (upload form,
template download), from the ``parts.imports`` registry — billing's price list among them."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("parts/partials/sheet_imports.html", takes_context=True)
def sheet_import_forms(context: Any, page: str) -> dict[str, Any]:
    from parts.imports import sheet_imports_for

    request = context.get("request")
    user = getattr(request, "user", None)
    entries = sheet_imports_for(user, page) if user is not None else []
    return {
        "imports": [(entry, entry.form_class(auto_id=f"id_{entry.key}_%s")) for entry in entries],
        "csrf_token": context.get("csrf_token"),
    }
