"""Writes of the KPI app: only the stored repair time of an order (SPEC §12 MTTR), the one
figure SQL cannot compute because business time needs the order's working calendar (holidays,
调休, lunch breaks). It is written once, by the event hook of the order's first completion as
done, in the transaction of that completion; a later reopen and second completion do not
rewrite it (the period counts the first completion)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from kpis.models import RepairTime
from sla.clock import PAUSE_STATUSES
from workcalendar.calendar import WorkingCalendar, business_time_between
from workorders.choices import EventKind
from workorders.models import TimelineEvent, WorkOrder

#: Completions as done: the customer's sign-off or a remote resolution.
COMPLETION_KINDS = frozenset({EventKind.SIGN_OFF, EventKind.RESOLVE_REMOTELY})
ARRIVAL_KINDS = frozenset({EventKind.CHECK_IN, EventKind.START})


@dataclass(frozen=True)
class Measured:
    started_at: datetime
    resolved_at: datetime
    from_arrival: bool
    business: timedelta
    waiting: timedelta


def _business(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return timedelta(0)
    return end - start if calendar.always_open else business_time_between(calendar, start, end)


def measure_repair(
    events: Iterable[tuple[str, datetime, str]],
    *,
    resolved_at: datetime,
    calendar: WorkingCalendar,
    remote: bool = False,
) -> Measured | None:
    """Time to repair from ``(kind, at, to_status)`` events, oldest first: the first on-site
    arrival (check-in, or the start of work) — or the acceptance where nobody went (``remote``:
    resolved remotely, the start of work is no visit) — to
    ``resolved_at``, in business time of ``calendar``, minus the business time spent waiting
    (for parts or the customer). ``None`` when the order was never accepted."""
    arrival: datetime | None = None
    accepted: datetime | None = None
    pauses: list[tuple[datetime, datetime]] = []
    paused_at: datetime | None = None
    for kind, at, to_status in events:
        if at > resolved_at:
            break
        if kind in ARRIVAL_KINDS and arrival is None and not remote:
            arrival = at
        if kind == EventKind.ACCEPT and accepted is None:
            accepted = at
        if to_status:
            is_waiting = to_status in PAUSE_STATUSES
            if is_waiting and paused_at is None:
                paused_at = at
            elif not is_waiting and paused_at is not None:
                pauses.append((paused_at, at))
                paused_at = None
    if paused_at is not None:
        pauses.append((paused_at, resolved_at))
    start = arrival or accepted
    if start is None:
        return None
    total = _business(calendar, start, resolved_at)
    waiting = sum(
        (_business(calendar, max(a, start), min(b, resolved_at)) for a, b in pauses if b > start),
        timedelta(0),
    )
    waiting = min(waiting, total)
    return Measured(start, resolved_at, arrival is not None, total - waiting, waiting)


def _calendar_of(order: WorkOrder) -> tuple[str, WorkingCalendar]:
    from sla.models import OrderServiceLevel
    from workcalendar.selectors import default_working_calendar, working_calendar

    code = OrderServiceLevel.objects.filter(order_id=order.pk).values_list("calendar_code", flat=True).first() or ""
    if code:
        try:
            return code, working_calendar(code)
        except ObjectDoesNotExist:  # a deleted calendar falls back, never fails a completion
            pass
    calendar = default_working_calendar()
    return getattr(calendar, "code", "") or "", calendar


@transaction.atomic
def repair_time_record(*, order: WorkOrder, resolved_at: datetime, remote: bool = False) -> RepairTime | None:
    """Store the order's repair time unless its first completion already did (idempotent)."""
    existing = RepairTime.objects.filter(order_id=order.pk).first()
    if existing is not None:
        return existing
    code, calendar = _calendar_of(order)
    events = TimelineEvent.objects.filter(order_id=order.pk).order_by("at", "id").values_list("kind", "at", "to_status")
    measured = measure_repair(events, resolved_at=resolved_at, calendar=calendar, remote=remote)
    if measured is None:
        return None
    row = RepairTime(
        order=order,
        started_at=measured.started_at,
        resolved_at=measured.resolved_at,
        from_arrival=measured.from_arrival,
        calendar_code=code[:32],
        business_seconds=int(measured.business.total_seconds()),
        waiting_seconds=int(measured.waiting.total_seconds()),
    )
    row.full_clean(exclude=["order"])
    row.save()
    return row


def record_repair_time_on_event(order: WorkOrder, event: TimelineEvent) -> None:
    """Event hook ``kpis.repair_time``: the first completion as done stores the repair time."""
    if event.kind in COMPLETION_KINDS:
        repair_time_record(order=order, resolved_at=event.at, remote=event.kind == EventKind.RESOLVE_REMOTELY)


def repair_times_backfill(*, orders: Any | None = None) -> int:
    """Store the repair time of completed orders that have none (orders completed before this
    app was installed, or loaded in bulk). A one-off maintenance job, not the KPI path."""
    from django.db.models import Min

    queryset = orders if orders is not None else WorkOrder.objects.all()
    firsts = (
        TimelineEvent.objects.filter(kind__in=COMPLETION_KINDS, order_id__in=queryset.values_list("pk", flat=True))
        .exclude(order__repair_time__isnull=False)
        .values("order_id")
        .annotate(first=Min("at"))
        .order_by("order_id")
    )
    count = 0
    for row in firsts.iterator():
        order = WorkOrder.objects.get(pk=row["order_id"])
        kind = (
            TimelineEvent.objects.filter(order_id=order.pk, at=row["first"], kind__in=COMPLETION_KINDS)
            .values_list("kind", flat=True)
            .first()
        )
        remote = kind == EventKind.RESOLVE_REMOTELY
        if repair_time_record(order=order, resolved_at=row["first"], remote=remote) is not None:
            count += 1
    return count
