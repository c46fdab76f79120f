from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.navigation import header_links_for, nav_groups_for, system_warnings_for
from core.roles import user_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The page frame's data. The menu and the header shortcuts (the inbox's unread count: one
    query) are worked out only when a template shows them — an htmx partial costs nothing."""
    user = getattr(request, "user", None)
    path = request.path
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_roles": user_roles(user) if user is not None else set(),
        "nav_groups": SimpleLazyObject(lambda: nav_groups_for(user, path=path)),
        "header_links": SimpleLazyObject(lambda: header_links_for(user)),
        "system_warnings": system_warnings_for(user),
    }
