"""The header's search box: one query over every kind of record the apps register here (orders
by number, customers by name / pinyin / initials / phone, devices by serial), so ``core`` needs
no import of the apps above it.

Each kind finds through its app's ``*_visible_to(user)`` selector and the Chinese-aware search
text (core.search): a user never finds what their role and unit may not open. A query that names
one record exactly (an order number, a device's serial) goes straight to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import urlencode

#: Hits shown per kind on the results page; the kind's list page has the rest.
SEARCH_LIMIT = 10
#: A longer query is cut (the work-order list takes 100 characters; core.search keeps eight words).
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True, kw_only=True)
class SearchKind:
    key: str
    label: Promise | str
    #: The role's view permission; without it the kind is not searched at all.
    permission: str
    #: ``find(user, query)``: the user's visible matches, best first (a lazy queryset).
    find: Callable[[Any, str], QuerySet[Any]]
    hit: Callable[[Any], SearchHit]
    #: ``exact(user, query)``: the URL of the one visible record the query names exactly, or None.
    exact: Callable[[Any, str], str | None] | None = None
    #: The kind's list page, which filters by ``?q=`` the same way ("show all").
    list_url_name: str = ""
    order: int = 100


@dataclass
class SearchGroup:
    key: str
    label: Promise | str
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False
    more_url: str = ""


_KINDS: list[SearchKind] = []


def register_search_kind(kind: SearchKind) -> None:
    if all(existing.key != kind.key for existing in _KINDS):
        _KINDS.append(kind)


def _kinds_for(user: Any) -> list[SearchKind]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [kind for kind in sorted(_KINDS, key=lambda k: (k.order, k.key)) if user.has_perm(kind.permission)]


def search_query_clean(raw: str | None) -> str:
    # NUL is never part of a name or a number, and PostgreSQL refuses it in any text parameter.
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def site_search_exact(*, user: Any, query: str) -> str | None:
    """The page of the one record the query names exactly (order number first), else None."""
    query = search_query_clean(query)
    if not query:
        return None
    for kind in _kinds_for(user):
        if kind.exact is not None and (url := kind.exact(user, query)):
            return url
    return None


def site_search(*, user: Any, query: str, limit: int = SEARCH_LIMIT) -> list[SearchGroup]:
    """Every kind the user may search, with its first ``limit`` visible matches (kinds without a
    match are left out). One query per kind: ``limit + 1`` rows tell whether there are more."""
    query = search_query_clean(query)
    if not query:
        return []
    groups = []
    for kind in _kinds_for(user):
        rows = list(kind.find(user, query)[: limit + 1])
        if not rows:
            continue
        more_url = ""
        if kind.list_url_name:
            try:
                more_url = f"{reverse(kind.list_url_name)}?{urlencode({'q': query})}"
            except NoReverseMatch:
                more_url = ""
        groups.append(
            SearchGroup(
                key=kind.key,
                label=kind.label,
                hits=[kind.hit(row) for row in rows[:limit]],
                has_more=len(rows) > limit,
                more_url=more_url,
            )
        )
    return groups
