"""Background jobs of the shared base (huey; discovered by ``manage.py run_huey``).

Jobs are thin and idempotent: running one twice, late, or after a killed worker gives the same
result, because what to do is derived from the database (docs/decisions/0003).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from core.models import IdempotencyRecord

#: How long a replayable response to an ``Idempotency-Key`` is kept. Clients retry within
#: minutes; a week covers a client that retries after a long outage. They are caches, not
#: business records, so deleting them loses no history.
IDEMPOTENCY_RETENTION = timedelta(days=7)


def idempotency_records_purge(*, older_than: timedelta = IDEMPOTENCY_RETENTION) -> int:
    """Delete idempotency records created more than ``older_than`` ago; return how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# huey's crontab counts in UTC: 19:17 UTC is 03:17 in Asia/Shanghai, a quiet hour.
@db_periodic_task(crontab(hour="19", minute="17"))
def purge_idempotency_records() -> int:
    """Daily: drop idempotency records older than a week."""
    return idempotency_records_purge()
