from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.navigation import nav_entries_for, system_warnings_for
from core.roles import user_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_roles": user_roles(user) if user is not None else set(),
        "nav_main": nav_entries_for(user, "main"),
        "nav_setup": nav_entries_for(user, "setup"),
        "system_warnings": system_warnings_for(user),
    }
