"""Guards of the customer's public pages against enumeration (issue 10, point 6): order tracking
(number + phone), the survey links and the device labels' request links.

Order numbers are sequential, so number + phone is the secret and guessing phones must be slow;
survey and label links carry an unguessable token (``secrets``, ≥ 128 bits), so guessing tokens
must be slow too. Counts live in the cache (Redis in production, shared by every process;
per-process memory in development and tests) over a 10-minute window:

* **failures** — a wrong number/phone pair or an unknown token — per browser session, per client
  address, and for tracking per order number (a guesser who changes address and session still
  gets only ``ORDER_LIMIT`` tries at one order). At a limit, further lookups — right or wrong —
  are refused for 15 minutes. The address limit is higher than the session one because many
  customers may share one address (NAT, a company);
* **requests** — every request to a token page, found or not, per client address
  (``PORTAL_REQUEST_IP_LIMIT``), every answer sent to one survey (``SURVEY_ANSWER_LIMIT``), and
  every vote on the public FAQ (``FAQ_VOTE_IP_LIMIT``; one vote per article and browser session).

A refusal is a 429 page in the customer's language with ``Retry-After`` (``too_many_attempts``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.http import client_ip

WINDOW_SECONDS = 10 * 60
LOCKOUT_SECONDS = 15 * 60
SESSION_LIMIT = 10
ORDER_LIMIT = 10
SURVEY_ANSWER_LIMIT = 20


def _ip_limit() -> int:
    return int(getattr(settings, "PORTAL_TRACK_IP_LIMIT", 30))


def _request_ip_limit() -> int:
    return int(getattr(settings, "PORTAL_REQUEST_IP_LIMIT", 120))


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().upper().encode()).hexdigest()[:32]


def _failure_keys(request: HttpRequest, number: str = "") -> list[tuple[str, int]]:
    if not request.session.session_key:
        request.session.save()
    keys = [
        (f"portal:track:session:{request.session.session_key}", SESSION_LIMIT),
        (f"portal:track:ip:{client_ip(request)}", _ip_limit()),
    ]
    if number.strip():
        keys.append((f"portal:track:order:{_digest(number)}", ORDER_LIMIT))
    return keys


def _count(key: str) -> int:
    """One more in ``key``'s window (the window starts with the first count)."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def tracking_locked(request: HttpRequest, *, number: str = "") -> bool:
    """Whether lookups are refused for this session, address or (given) order number."""
    return any(cache.get(f"{key}:locked") for key, _limit in _failure_keys(request, number))


def tracking_failed(request: HttpRequest, *, number: str = "") -> None:
    """Count one failed lookup (a wrong pair, an unknown token); lock the session, the address or
    the order number once it reaches its limit in the window."""
    for key, limit in _failure_keys(request, number):
        if _count(key) >= limit:
            cache.set(f"{key}:locked", True, timeout=LOCKOUT_SECONDS)


def token_requests_exceeded(request: HttpRequest) -> bool:
    """Count a request to a token page (survey, device label) from this address; True once the
    address sent more than ``PORTAL_REQUEST_IP_LIMIT`` in the window."""
    return _count(f"portal:token:ip:{client_ip(request)}") > _request_ip_limit()


def faq_votes_exceeded(request: HttpRequest) -> bool:
    """Count a vote on the public FAQ ("this helped" / "it did not") from this address; True past
    ``FAQ_VOTE_IP_LIMIT`` in the window (the knowledge base ranks answers by these votes)."""
    limit = int(getattr(settings, "FAQ_VOTE_IP_LIMIT", 30))
    return _count(f"portal:faq:votes:ip:{client_ip(request)}") > limit


def survey_answers_exceeded(token: str) -> bool:
    """Count an answer sent to one survey; True past ``SURVEY_ANSWER_LIMIT`` in the window."""
    return _count(f"portal:survey:answers:{hashlib.sha256(token.encode()).hexdigest()[:32]}") > SURVEY_ANSWER_LIMIT


def too_many_attempts(request: HttpRequest, message: str = "") -> HttpResponse:
    """The 429 page: what happened, how long to wait, and the hotline (in the customer's language)."""
    response = render(
        request,
        "portal/rate_limited.html",
        {
            "message": message or _("Too many attempts. Try again later."),
            "minutes": LOCKOUT_SECONDS // 60,
            "hotline": str(getattr(settings, "SERVICE_HOTLINE", "") or ""),
        },
        status=429,
    )
    response["Retry-After"] = str(LOCKOUT_SECONDS)
    return response
