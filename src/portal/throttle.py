"""Brute-force guard for order tracking: order numbers are sequential, so number + phone is the
secret, and guessing phones must be slow.

Failed lookups are counted in the cache per session and per client IP over a 10-minute window;
at the limit further lookups (right or wrong) are refused for a lock-out period. The IP limit is
higher than the session one because many customers may share one address (NAT, a company).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.http import client_ip

WINDOW_SECONDS = 10 * 60
LOCKOUT_SECONDS = 15 * 60
SESSION_LIMIT = 10


def _ip_limit() -> int:
    return int(getattr(settings, "PORTAL_TRACK_IP_LIMIT", 30))


def _keys(request: HttpRequest) -> list[tuple[str, int]]:
    if not request.session.session_key:
        request.session.save()
    ip = client_ip(request)
    return [
        (f"portal:track:session:{request.session.session_key}", SESSION_LIMIT),
        (f"portal:track:ip:{ip}", _ip_limit()),
    ]


def tracking_locked(request: HttpRequest) -> bool:
    return any(cache.get(f"{key}:locked") for key, _limit in _keys(request))


def tracking_failed(request: HttpRequest) -> None:
    """Count one failed lookup; lock the session (or IP) once it reaches its limit in the window."""
    for key, limit in _keys(request):
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            count = 1
        if count >= limit:
            cache.set(f"{key}:locked", True, timeout=LOCKOUT_SECONDS)
