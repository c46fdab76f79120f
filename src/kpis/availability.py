"""Device availability per contracted device (SPEC §12, issue 16 item 3):
1 − downtime ÷ scheduled time, both in the service calendar, over the part of the period the
device was under an active contract (policies.Contract: its listed devices, or every device of
the customer when none are listed).

Downtime runs from the fault report (a repair order's request) to its resolution (the first
completion, or now while it is open), and again from a reopen to the next completion. Planned
maintenance and inspections are not downtime: only repair orders count. Rejected and cancelled
orders never count. Overlapping orders of one device count once.

The intervals come from SQL (one query for the devices, one for their orders' events); the
business-time arithmetic needs the calendar (holidays, 调休) and so runs in Python per device —
per contracted device, not per order. Contracts name no calendar of their own: the project's
default working calendar (``WORKCALENDAR_DEFAULT``) is the service calendar.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from core.scoping import scope_by_unit, unit_subtree_ids
from devices.models import Device
from kpis.definitions import AVAILABILITY_FLOOR
from kpis.engine import VOID_KINDS, Figure, Period, Slice, may_view, ratio, sees_all_figures
from policies.models import Contract
from workcalendar.calendar import WorkingCalendar, business_time_between
from workorders.choices import OPEN_STATUSES, EventKind, ServiceType, Status
from workorders.models import TimelineEvent, WorkOrder


def contracted_devices(*, user: Any, period: Period, slice_: Slice) -> dict[int, list[tuple[date, date]]]:
    """Device id → contract terms overlapping the period, for the devices in the user's scope."""
    if not may_view(user) or not sees_all_figures(user) or slice_.technician is not None:
        return {}
    contracts = Contract.objects.filter(is_active=True, starts_on__lte=period.end, ends_on__gte=period.start)
    devices = scope_by_unit(Device.objects.all(), user, field="unit")
    if slice_.unit is not None:
        devices = devices.filter(unit_id__in=sorted(unit_subtree_ids(slice_.unit)))
    if slice_.station is not None:
        devices = devices.filter(unit_id=slice_.station)
    if slice_.product_model is not None:
        devices = devices.filter(product_model_id=slice_.product_model)
    if slice_.customer is not None:
        devices = devices.filter(customer_id=slice_.customer)
    terms: dict[int, list[tuple[date, date]]] = defaultdict(list)
    listed = contracts.filter(devices__isnull=False).values_list("devices", "starts_on", "ends_on")
    visible = set(devices.filter(contracts__in=contracts).values_list("pk", flat=True))
    for device_id, starts_on, ends_on in listed:
        if device_id in visible:
            terms[device_id].append((starts_on, ends_on))
    whole = contracts.filter(devices__isnull=True).values_list("customer_id", "starts_on", "ends_on")
    by_customer: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for customer_id, starts_on, ends_on in whole:
        by_customer[customer_id].append((starts_on, ends_on))
    if by_customer:
        for device_id, customer_id in devices.filter(customer_id__in=list(by_customer)).values_list(
            "pk", "customer_id"
        ):
            terms[device_id].extend(by_customer[customer_id])
    return dict(terms)


def downtime_orders(*, user: Any, period: Period, slice_: Slice) -> QuerySet[WorkOrder]:
    """Repair orders of contracted devices in scope that were down at some time in the period:
    requested before its end and still open, or completed (again) after its start."""
    devices = list(contracted_devices(user=user, period=period, slice_=slice_))
    void = TimelineEvent.objects.filter(order_id=OuterRef("pk"), kind__in=VOID_KINDS)
    completed_since = TimelineEvent.objects.filter(
        order_id=OuterRef("pk"), to_status=Status.COMPLETED, at__gte=period.since
    )
    return (
        WorkOrder.objects.filter(device_id__in=devices, service_type=ServiceType.REPAIR, submitted_at__lt=period.until)
        .exclude(Exists(void))
        .filter(Q(status__in=sorted(OPEN_STATUSES)) | Exists(completed_since))
        .annotate(kpi_at=F("submitted_at"), kpi_hit=Value(False, output_field=BooleanField()))
    )


def _intervals(order_ids: list[int], now: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Device id → down intervals from its repair orders' timelines (one query)."""
    rows = (
        TimelineEvent.objects.filter(order_id__in=order_ids)
        .filter(Q(kind__in=[EventKind.CREATED, EventKind.REOPEN]) | Q(to_status=Status.COMPLETED))
        .order_by("order_id", "at", "id")
        .values_list("order__device_id", "order_id", "kind", "at", "order__submitted_at")
    )
    result: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    open_since: dict[int, datetime] = {}
    last_order: dict[int, int] = {}
    for device_id, order_id, kind, at, submitted_at in rows:
        last_order[order_id] = device_id
        if kind == EventKind.CREATED:
            open_since[order_id] = submitted_at
        elif kind == EventKind.REOPEN:
            open_since[order_id] = at
        elif order_id in open_since:
            result[device_id].append((open_since.pop(order_id), at))
    for order_id, since in open_since.items():
        result[last_order[order_id]].append((since, now))
    return result


def _business(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return timedelta(0)
    return end - start if calendar.always_open else business_time_between(calendar, start, end)


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def device_rows(*, user: Any, period: Period, slice_: Slice) -> list[dict[str, Any]]:
    """Per contracted device: scheduled and down hours in the period, and its availability."""
    from workcalendar.selectors import default_working_calendar

    terms = contracted_devices(user=user, period=period, slice_=slice_)
    if not terms:
        return []
    calendar = default_working_calendar()
    now = timezone.now()
    tz = period.tz
    order_ids = list(downtime_orders(user=user, period=period, slice_=slice_).values_list("pk", flat=True))
    down = _intervals(order_ids, now)
    devices = {d.pk: d for d in Device.objects.filter(pk__in=list(terms)).select_related("product_model", "customer")}
    rows = []
    for device_id, device_terms in terms.items():
        windows = _merged(
            [
                (
                    max(period.since, datetime.combine(starts_on, time(0), tz)),
                    min(period.until, datetime.combine(ends_on + timedelta(days=1), time(0), tz), now),
                )
                for starts_on, ends_on in device_terms
            ]
        )
        windows = [(a, b) for a, b in windows if b > a]
        scheduled = sum((_business(calendar, a, b) for a, b in windows), timedelta(0))
        downtime = timedelta(0)
        for d_start, d_end in _merged(down.get(device_id, [])):
            for w_start, w_end in windows:
                downtime += _business(calendar, max(d_start, w_start), min(d_end, w_end))
        scheduled_h = Decimal(scheduled.total_seconds()) / 3600
        down_h = min(Decimal(downtime.total_seconds()) / 3600, scheduled_h)
        value = ratio(scheduled_h - down_h, scheduled_h)
        device = devices.get(device_id)
        rows.append(
            {
                "device": device,
                "scheduled_hours": scheduled_h.quantize(Decimal("0.01")),
                "down_hours": down_h.quantize(Decimal("0.01")),
                "value": value,
                "flagged": value is not None and value < AVAILABILITY_FLOOR,
            }
        )
    rows.sort(key=lambda row: (row["value"] is None, row["value"] or 0))
    return rows


def availability_figure(*, user: Any, period: Period, slice_: Slice) -> Figure:
    rows = device_rows(user=user, period=period, slice_=slice_)
    scheduled = sum((row["scheduled_hours"] for row in rows), Decimal(0))
    down = sum((row["down_hours"] for row in rows), Decimal(0))
    figure = Figure("device_availability", ratio(scheduled - down, scheduled), scheduled - down, scheduled)
    figure.flagged = [
        {"device": row["device"].pk, "serial_number": row["device"].serial_number, "value": float(row["value"])}
        for row in rows
        if row["flagged"]
    ]
    return figure
