"""Human-readable numbers (WO-20261122-0001), unique under concurrency, gaps tolerated.

On PostgreSQL the counter is bumped on a separate connection ("numbering" alias) that commits
at once: concurrent requests queue on the counter row only for that one statement, and a
request that later fails simply leaves a gap. On SQLite the write lock serialises anyway.
"""

from __future__ import annotations

from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from core.models import NumberSequence


def _alias() -> str:
    return "numbering" if "numbering" in connections.databases else "default"


def next_number(kind: str, *, width: int = 4) -> str:
    """``next_number("WO")`` → ``WO-20261122-0001``; the counter restarts each local day."""
    prefix = f"{kind}-{timezone.localdate():%Y%m%d}"
    alias = _alias()
    sequences = NumberSequence.objects.using(alias)
    with transaction.atomic(using=alias):
        updated = sequences.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                with transaction.atomic(using=alias):
                    sequences.create(prefix=prefix, last_value=1)
            except IntegrityError:
                sequences.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        value = sequences.get(prefix=prefix).last_value
    return f"{prefix}-{value:0{width}d}"
