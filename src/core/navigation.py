"""Menu entries contributed by each app (registered in its AppConfig.ready), so base.html
does not need to know every app. An entry shows when the user holds its permission.

The header is one line at every width: the brand, the search box, shortcuts with a badge (the
inbox and its unread count) and a toggler; the menu behind the toggler lists the entries grouped
by area (``NAV_GROUPS``), one dropdown per area."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

Section = Literal["main", "setup"]
NavGroup = Literal[
    "orders", "dispatch", "parts", "customers", "aftercare", "maintenance", "billing", "knowledge", "reports", "setup"
]

#: The areas of the menu, in the order they are shown (工单 / 派工 / 备件 / 客户与设备 / 回访与投诉 /
#: 保养与升级 / 费用与理赔 / 知识库 / 报表 / 配置). An area no entry of the user's role falls in is not shown.
NAV_GROUPS: tuple[tuple[NavGroup, Promise], ...] = (
    ("orders", pgettext_lazy("menu", "Work orders")),
    ("dispatch", pgettext_lazy("menu", "Dispatch")),
    ("parts", pgettext_lazy("menu", "Parts")),
    ("customers", pgettext_lazy("menu", "Customers and devices")),
    ("aftercare", pgettext_lazy("menu", "Follow-ups and complaints")),
    ("maintenance", pgettext_lazy("menu", "Maintenance and upgrades")),
    ("billing", pgettext_lazy("menu", "Fees and claims")),
    ("knowledge", pgettext_lazy("menu", "Knowledge base")),
    ("reports", pgettext_lazy("menu", "Reports")),
    ("setup", pgettext_lazy("menu", "Setup")),
)

_GROUP_KEYS = frozenset(key for key, _label in NAV_GROUPS)


@dataclass(frozen=True, kw_only=True)
class NavEntry:
    label: Promise | str
    url_name: str
    group: NavGroup = "orders"
    permission: str = ""  # "app.codename"; empty: every signed-in staff user
    order: int = 100
    element_id: str = ""
    #: Before the menu had areas: ``"setup"`` puts the entry in the setup area (kept for callers).
    section: Section | None = None

    def __post_init__(self) -> None:
        if self.section == "setup" and self.group == "orders":
            object.__setattr__(self, "group", "setup")
        if self.group not in _GROUP_KEYS:
            raise ValueError(f"NavEntry {self.url_name!r}: unknown menu group {self.group!r} (see NAV_GROUPS)")


_ENTRIES: list[NavEntry] = []


def register_nav(entry: NavEntry) -> None:
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)


def _may_open(user: Any, permission: str) -> bool:
    return not permission or bool(user.has_perm(permission))


def _is_current(path: str, url: str) -> bool:
    return bool(path) and (path == url or (url != "/" and path.startswith(url)))


def nav_groups_for(user: Any, *, path: str = "") -> list[dict[str, Any]]:
    """The menu of this user: the areas that have an entry the user's role may open, each with
    those entries; the area and entry of the current page (``path``) are marked ``active``."""
    if not getattr(user, "is_authenticated", False):
        return []
    by_group: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(_ENTRIES, key=lambda e: (e.order, str(e.label))):
        if not _may_open(user, entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        by_group.setdefault(entry.group, []).append(
            {"label": entry.label, "url": url, "id": entry.element_id, "active": _is_current(path, url)}
        )
    # Only the most specific entry is the current one (/work-orders/register/ is not also /work-orders/).
    current = max(
        (e for entries in by_group.values() for e in entries if e["active"]), key=lambda e: len(e["url"]), default=None
    )
    groups = []
    for key, label in NAV_GROUPS:
        items = by_group.get(key, [])
        for item in items:
            item["active"] = item is current
        if items:
            groups.append(
                {"key": key, "label": label, "entries": items, "active": any(item is current for item in items)}
            )
    return groups


# --- shortcuts in the header bar (always visible), e.g. the inbox with its unread count -------


@dataclass(frozen=True, kw_only=True)
class HeaderLink:
    label: Promise | str
    url_name: str
    icon: str  # a bootstrap-icons name, e.g. "bell"
    permission: str = ""
    #: ``badge(user) -> int``: a number shown on the icon when not zero; one cheap query.
    badge: Callable[[Any], int] | None = None
    #: What the number counts, for screen readers ("unread messages").
    badge_hint: Promise | str = ""
    order: int = 100
    element_id: str = ""


_HEADER_LINKS: list[HeaderLink] = []


def register_header_link(link: HeaderLink) -> None:
    if link not in _HEADER_LINKS:
        _HEADER_LINKS.append(link)


def header_links_for(user: Any) -> list[dict[str, Any]]:
    """The header shortcuts this user may open, with their badge counts (computed here only)."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    for link in sorted(_HEADER_LINKS, key=lambda item: (item.order, str(item.label))):
        if not _may_open(user, link.permission):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        links.append(
            {
                "label": link.label,
                "url": url,
                "icon": link.icon,
                "id": link.element_id,
                "badge": link.badge(user) if link.badge is not None else 0,
                "badge_hint": link.badge_hint,
            }
        )
    return links


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


# --- where a role lands after signing in ---------------------------------------------------


@dataclass(frozen=True)
class Landing:
    """The page a role starts its day on (e.g. the technician's jobs of today on the phone)."""

    role: str
    url_name: str
    order: int = 100


_LANDINGS: list[Landing] = []


def register_landing(landing: Landing) -> None:
    if landing not in _LANDINGS:
        _LANDINGS.append(landing)


def landing_url_for(user: Any) -> str | None:
    """The start page of the first registered role the user holds, or None (the console home).
    Roles without a registered landing keep ``LOGIN_REDIRECT_URL``."""
    from core.roles import user_roles

    roles = user_roles(user)
    for landing in sorted(_LANDINGS, key=lambda entry: entry.order):
        if landing.role not in roles:
            continue
        try:
            return reverse(landing.url_name)
        except NoReverseMatch:
            continue
    return None
