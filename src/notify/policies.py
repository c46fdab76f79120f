"""Pure decisions of the outbox: when to try a failed message again, and when to give up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings


@dataclass(frozen=True)
class RetryDecision:
    give_up: bool
    next_attempt_at: datetime | None
    reason: str


def notify_setting(name: str, default: int | float) -> float:
    return float(getattr(settings, name, default))


def retry_decide(
    *,
    attempts: int,
    permanent: bool,
    now: datetime,
    max_attempts: int | None = None,
    base_seconds: float | None = None,
    cap_seconds: float | None = None,
    jitter: float | None = None,
) -> RetryDecision:
    """After a failed attempt number ``attempts`` (1-based): give up, or retry later.

    Exponential backoff ``base × 2^(attempts-1)`` capped at ``cap``, plus up to 25 % random jitter
    so a provider recovering from an outage is not hit by every message at the same second. A
    permanent error (the provider refused the message itself, e.g. HTTP 400) is not retried.
    """
    limit = int(max_attempts if max_attempts is not None else notify_setting("NOTIFY_MAX_ATTEMPTS", 5))
    if permanent:
        return RetryDecision(True, None, "permanent")
    if attempts >= limit:
        return RetryDecision(True, None, "max_attempts")
    base = base_seconds if base_seconds is not None else notify_setting("NOTIFY_BACKOFF_SECONDS", 30)
    cap = cap_seconds if cap_seconds is not None else notify_setting("NOTIFY_BACKOFF_MAX_SECONDS", 3600)
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    spread = jitter if jitter is not None else random.uniform(0, 0.25)
    return RetryDecision(False, now + timedelta(seconds=delay * (1 + spread)), "backoff")
