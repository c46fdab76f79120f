"""Absolute links people follow from outside the console: the QR label's self-service page, the
links in messages. A configured ``PUBLIC_BASE_URL`` (production: the address customers see, behind
nginx) wins; without one, a link made while serving a request points at the host that request
reached (``./dev run`` on another host or port), and one made by a background job at
``DEV_PUBLIC_URL`` (the address ``./dev run`` serves) or, last, the development default."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

DEVELOPMENT_DEFAULT = "http://127.0.0.1:8000"


def public_url(path: str, request: Any | None = None) -> str:
    configured = (settings.PUBLIC_BASE_URL or "").strip()
    if configured:
        return f"{configured.rstrip('/')}{path}"
    if request is not None:
        return str(request.build_absolute_uri(path))
    base = os.environ.get("DEV_PUBLIC_URL", "").strip() or DEVELOPMENT_DEFAULT
    return f"{base.rstrip('/')}{path}"
