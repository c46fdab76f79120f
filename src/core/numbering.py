"""Human-readable numbers, unique under concurrency (row lock on the counter), gaps tolerated."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.models import NumberSequence


def next_number(kind: str, *, width: int = 4) -> str:
    """``next_number("WO")`` → ``WO-20261122-0001``; the counter restarts each local day."""
    prefix = f"{kind}-{timezone.localdate():%Y%m%d}"
    with transaction.atomic():
        updated = NumberSequence.objects.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, last_value=1)
            except IntegrityError:
                NumberSequence.objects.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        value = NumberSequence.objects.get(prefix=prefix).last_value
    return f"{prefix}-{value:0{width}d}"
