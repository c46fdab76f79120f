"""Reads of the SLA app. ``order_slas_visible_to`` is the one scoping rule for order clocks:
they follow their order's unit (a station sees only its own orders' deadlines). The reads the
clocks are computed from (the level an order matches, its terms, history and calendar) are here
too; ``sla.services`` writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.process_cache import StampedCache
from core.scoping import scope_by_unit, unit_parents
from sla import clock
from sla.choices import ResolutionFrom, SlaStatus
from sla.models import BackupUnitTask, OrderServiceLevel, ServiceLevel, hours_delta
from sla.policies import LevelDecision, LevelRule, OrderFacts, parse_tags, service_level_match, unit_chain
from workorders.choices import OPEN_STATUSES
from workorders.models import TimelineEvent, WorkOrder

ALERT_STATUSES = (SlaStatus.AT_RISK, SlaStatus.BREACHED)


def service_levels_visible_to(user: Any) -> QuerySet[ServiceLevel]:
    """Service levels are configuration of the whole organisation: the view permission decides."""
    if not user.has_perm("sla.view_servicelevel"):
        return ServiceLevel.objects.none()
    return ServiceLevel.objects.select_related("calendar").prefetch_related("units")


def order_slas_visible_to(user: Any) -> QuerySet[OrderServiceLevel]:
    if not user.has_perm("workorders.view_workorder"):
        return OrderServiceLevel.objects.none()
    return scope_by_unit(
        OrderServiceLevel.objects.select_related("order", "order__customer", "order__unit", "level"),
        user,
        field="order__unit",
        permission="sla.view_orderservicelevel",
    )


def sla_alerts_for(user: Any, *, status: str = "") -> QuerySet[OrderServiceLevel]:
    """The dashboard: open orders at risk or breached, nearest deadline first."""
    statuses = [status] if status in ALERT_STATUSES else list(ALERT_STATUSES)
    return (
        order_slas_visible_to(user)
        .filter(status__in=statuses, order__status__in=OPEN_STATUSES)
        .select_related("order__technician")
        .order_by("nearest_deadline", "order_id")
    )


def backup_unit_tasks_visible_to(user: Any) -> QuerySet[BackupUnitTask]:
    return scope_by_unit(
        BackupUnitTask.objects.select_related("order", "order__customer", "level"),
        user,
        field="order__unit",
        permission="sla.view_backupunittask",
    )


def order_sla_for(user: Any, order_id: int) -> OrderServiceLevel | None:
    return order_slas_visible_to(user).filter(order_id=order_id).first()


# --- reads of the clocks (the services and pages share them) -----------------------------------
# Matching an order to its level: the active levels as pure rules and the order's facts.


_levels_cache: StampedCache[tuple[ServiceLevel, ...]] = StampedCache(
    "sla.levels",
    models=[ServiceLevel, ServiceLevel._meta.get_field("calendar").related_model],
    through=[ServiceLevel.units.through],
)


def _active_levels() -> list[ServiceLevel]:
    """The active levels with their calendars and units (cached per process: read at every
    acceptance and change of classification). The rows are shared: read them, never change them."""
    return list(
        _levels_cache.get(
            "active",
            lambda: tuple(
                ServiceLevel.objects.filter(is_active=True).select_related("calendar").prefetch_related("units")
            ),
        )
    )


def level_rules(levels: list[ServiceLevel] | None = None) -> list[LevelRule]:
    """The active levels as pure rules (two queries, or none when ``levels`` are given)."""
    levels = _active_levels() if levels is None else levels
    return [
        LevelRule(
            id=level.pk,
            code=level.code,
            name=level.name,
            rank=level.rank,
            service_types=tuple(level.service_types or ()),
            urgencies=tuple(level.urgencies or ()),
            priorities=tuple(int(p) for p in level.priorities or ()),
            customer_tags=tuple(level.customer_tags or ()),
            unit_ids=tuple(unit.pk for unit in level.units.all()),
            region_prefixes=tuple(level.region_prefixes or ()),
        )
        for level in levels
    ]


def order_facts(order: WorkOrder) -> OrderFacts:
    parents = unit_parents()  # cached per process
    customer = order.customer
    return OrderFacts(
        service_type=order.service_type,
        urgency=order.urgency,
        priority=int(order.priority),
        customer_tags=parse_tags(customer.tags or ""),
        unit_ids=unit_chain(order.unit_id, parents),
        adcode=customer.adcode or "",
    )


def _service_level_pick(order: WorkOrder) -> tuple[LevelDecision, ServiceLevel | None]:
    """The decision and the level it picked, read in the same two queries."""
    levels = _active_levels()
    decision = service_level_match(level_rules(levels), order_facts(order))
    chosen = decision.level
    return decision, next((level for level in levels if chosen is not None and level.pk == chosen.id), None)


# The clocks of one order: its terms, its history, its calendar, what is stored, time left.


def terms_of(row: OrderServiceLevel) -> clock.Terms:
    return clock.Terms(
        response=hours_delta(row.response_hours),
        arrival=hours_delta(row.arrival_hours),
        resolution=hours_delta(row.resolution_hours),
        at_risk_ratio=row.at_risk_percent / 100,
        resolution_from_arrival=row.resolution_from == ResolutionFrom.ARRIVAL,
    )


def order_history(order: WorkOrder) -> clock.History:
    events = (
        TimelineEvent.objects.filter(order_id=order.pk)
        .order_by("at", "id")
        .values_list("kind", "at", "from_status", "to_status")
    )
    return clock.history_from_events(order.submitted_at, events)


def working_calendar_for(code: str) -> Any:
    from workcalendar.selectors import working_calendar

    return working_calendar(code)


def stored_clocks(row: OrderServiceLevel) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    for name in clock.TARGETS:
        deadline = getattr(row, f"{name}_due")
        if deadline is None:
            continue
        at_risk = (row.at_risk_times or {}).get(name)
        stored[name] = {
            "deadline": deadline,
            "at_risk_at": parse_datetime(at_risk) if at_risk else deadline,
            "met_at": getattr(row, f"{name}_met_at"),
        }
    return stored


def time_left(row: OrderServiceLevel, target: str, now: datetime | None = None) -> timedelta | None:
    """Business time left until a target's deadline (negative once overdue; None when met)."""
    from workcalendar.calendar import business_time_between

    deadline = getattr(row, f"{target}_due")
    if deadline is None or getattr(row, f"{target}_met_at") is not None:
        return None
    moment = row.paused_since or now or timezone.now()
    return business_time_between(working_calendar_for(row.calendar_code), moment, deadline)
