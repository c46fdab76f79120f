"""Menu entries contributed by each app (registered in its AppConfig.ready), so base.html
does not need to know every app. An entry shows when the user holds its permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

Section = Literal["main", "setup"]


@dataclass(frozen=True)
class NavEntry:
    section: Section
    label: Promise | str
    url_name: str
    permission: str = ""  # "app.codename"; empty: every signed-in staff user
    order: int = 100
    element_id: str = ""


_ENTRIES: list[NavEntry] = []


def register_nav(entry: NavEntry) -> None:
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)


def nav_entries_for(user: Any, section: Section) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    entries = []
    for entry in sorted(_ENTRIES, key=lambda e: (e.order, str(e.label))):
        if entry.section != section or (entry.permission and not user.has_perm(entry.permission)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": entry.label, "url": url, "id": entry.element_id})
    return entries


# --- warnings every staff page shows (e.g. "no holiday data for 2027") -----------------------

WarningSource = Callable[[Any], list[str]]
_WARNING_SOURCES: list[WarningSource] = []


def register_warning_source(source: WarningSource) -> None:
    """``source(user) -> [message, …]``: loud, site-wide warnings for staff (cache inside if costly)."""
    if source not in _WARNING_SOURCES:
        _WARNING_SOURCES.append(source)


def system_warnings_for(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [message for source in _WARNING_SOURCES for message in source(user)]
