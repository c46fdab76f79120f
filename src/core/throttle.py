"""Slow down password guessing: failed sign-ins are counted per username and per client address.

Ten failures for one username (or fifty from one address) within ten minutes lock further
attempts for fifteen minutes — right or wrong password — for the console login and the API
token endpoint alike. Counts live in the cache (Redis in production, shared by all processes).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from core.http import client_ip

WINDOW_SECONDS = 10 * 60
LOCKOUT_SECONDS = 15 * 60
USERNAME_LIMIT = 10
ADDRESS_LIMIT = 50


def _keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    return [
        (f"signin:user:{hashlib.sha256((username or '').strip().lower().encode()).hexdigest()}", USERNAME_LIMIT),
        (f"signin:ip:{client_ip(request)}", ADDRESS_LIMIT),
    ]


def signin_locked(request: HttpRequest, username: str) -> bool:
    return any(cache.get(f"{key}:locked") for key, _limit in _keys(request, username))


def signin_failed(request: HttpRequest, username: str) -> None:
    for key, limit in _keys(request, username):
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            count = 1
        if count >= limit:
            cache.set(f"{key}:locked", True, timeout=LOCKOUT_SECONDS)
