"""The KPI engine (SPEC §12, ADR 0024): every figure from the timeline history, in SQL.

Each figure is a *population* — a queryset of work orders (or follow-up events, or complaints)
whose deciding event fell in the period — annotated with ``kpi_hit``, whether the row is in the
numerator. The figure is two counts of that queryset, and the drill-down is the same queryset,
so a figure and the orders behind it can never disagree. Nothing loops over orders in Python;
the one figure SQL cannot compute (business hours of a repair in the order's working calendar)
is stored per order when it first completes (``kpis.RepairTime``) and averaged here.

Rules common to every figure:

* Periods are whole days ``[from 00:00, to + 1 day 00:00)`` in the project's time zone
  (Asia/Shanghai): an order completed at 23:59 on 31 March counts in March.
* Rejected and cancelled orders (a ``reject`` or ``cancel`` event on the timeline) never count.
* Scoping is the work-order list's (``workorders_visible_to``): a station sees its own figures; a
  user who may only see their own figures (technicians) gets the orders assigned to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from core.models import OrgUnit
from core.scoping import scope_by_unit, unit_ids_visible_to, unit_subtree_ids
from followup.models import Complaint
from kpis.definitions import AVAILABILITY_FLOOR, BY_NAME
from workorders.choices import EventKind, FaultCause, Satisfaction, ServiceType, Status
from workorders.models import TimelineEvent, WorkOrder
from workorders.selectors import workorders_visible_to

RESPONSE_KINDS = (EventKind.ACCEPT, EventKind.REQUEST_INFO, EventKind.REJECT)
ARRIVAL_KINDS = (EventKind.CHECK_IN, EventKind.START)
RESOLUTION_KINDS = (EventKind.SIGN_OFF, EventKind.RESOLVE_REMOTELY, EventKind.CLOSE_INCOMPLETE)
DONE_KINDS = (EventKind.SIGN_OFF, EventKind.RESOLVE_REMOTELY)
VOID_KINDS = (EventKind.REJECT, EventKind.CANCEL)
PLACES = Decimal("0.0001")


# --- period and slice ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), self.tz)

    @property
    def until(self) -> datetime:
        """Exclusive: the first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), self.tz)

    def contains(self, prefix: str) -> Q:
        return Q(**{f"{prefix}__gte": self.since, f"{prefix}__lt": self.until})


@dataclass(frozen=True)
class Slice:
    """Which orders a figure is about, beyond the user's scope. Every id was checked visible."""

    unit: int | None = None  # with its sub-units
    station: int | None = None  # exactly this unit
    technician: int | None = None
    product_model: int | None = None
    service_type: str = ""
    customer: int | None = None

    def order_filter(self) -> Q:
        q = Q()
        if self.unit is not None:
            q &= Q(unit_id__in=sorted(unit_subtree_ids(self.unit)))
        if self.station is not None:
            q &= Q(unit_id=self.station)
        if self.technician is not None:
            q &= Q(technician_id=self.technician)
        if self.product_model is not None:
            q &= Q(product_model_id=self.product_model) | Q(
                product_model__isnull=True, device__product_model_id=self.product_model
            )
        if self.service_type:
            q &= Q(service_type=self.service_type)
        if self.customer is not None:
            q &= Q(customer_id=self.customer)
        return q

    def complaint_filter(self) -> Q:
        q = Q()
        if self.unit is not None:
            q &= Q(unit_id__in=sorted(unit_subtree_ids(self.unit)))
        if self.station is not None:
            q &= Q(unit_id=self.station) | Q(station_id=self.station)
        if self.technician is not None:
            q &= Q(technician_id=self.technician)
        if self.product_model is not None:
            q &= Q(product_model_id=self.product_model)
        if self.service_type:
            q &= Q(work_order__service_type=self.service_type)
        if self.customer is not None:
            q &= Q(customer_id=self.customer)
        return q


def sees_all_figures(user: Any) -> bool:
    return bool(user.has_perm("kpis.view_kpis"))


def may_view(user: Any) -> bool:
    return bool(user.has_perm("kpis.view_kpis") or user.has_perm("kpis.view_own_kpis"))


def orders_in_scope(user: Any, slice_: Slice) -> QuerySet[WorkOrder]:
    """The one scoping function of the KPI engine: the orders the user's figures are made of."""
    if not may_view(user):
        return WorkOrder.objects.none()
    orders = workorders_visible_to(user)
    if not sees_all_figures(user):
        orders = orders.filter(technician_id=user.pk)
    void = TimelineEvent.objects.filter(order_id=OuterRef("pk"), kind__in=VOID_KINDS)
    return orders.filter(slice_.order_filter()).exclude(Exists(void))


def complaints_in_scope(user: Any, slice_: Slice) -> QuerySet[Complaint]:
    if not may_view(user):
        return Complaint.objects.none()
    complaints = scope_by_unit(Complaint.objects.select_related("customer", "unit", "work_order"), user, field="unit")
    if not sees_all_figures(user):
        complaints = complaints.filter(technician_id=user.pk)
    return complaints.filter(slice_.complaint_filter())


# --- timeline expressions ------------------------------------------------------------------


def _events(**filters: Any) -> QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(order_id=OuterRef("pk"), **filters).order_by("at", "id")


def _first_at(**filters: Any) -> Subquery:
    return Subquery(_events(**filters).values("at")[:1])


def _first_after_last_reopen(kinds: Iterable[str]) -> Subquery:
    """The first event of ``kinds`` with no reopen after it: a reopened order's targets count
    again from the reopen (sla.clock), so its met time is the one after the reopen."""
    later_reopen = TimelineEvent.objects.filter(
        order_id=OuterRef("order_id"), kind=EventKind.REOPEN, at__gt=OuterRef("at")
    )
    return Subquery(_events(kind__in=list(kinds)).exclude(Exists(later_reopen)).values("at")[:1])


def _count(**filters: Any) -> Coalesce:
    counted = (
        TimelineEvent.objects.filter(order_id=OuterRef("pk"), **filters)
        .order_by()
        .values("order_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def _hit(*conditions: Q) -> Case:
    """``kpi_hit``: true when every condition holds (a NULL comparison is a miss, never a hit)."""
    q = Q()
    for condition in conditions:
        q &= condition
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _miss_case(*misses: Q) -> Case:
    """``kpi_hit``: false as soon as one of ``misses`` holds (NULLs never make a miss)."""
    return Case(*(When(miss, then=Value(False)) for miss in misses), default=Value(True), output_field=BooleanField())


# --- populations ---------------------------------------------------------------------------


def _now() -> datetime:
    return timezone.now()


def in_time_population(orders: QuerySet[WorkOrder], period: Period, target: str) -> QuerySet[WorkOrder]:
    """Orders whose ``target`` (response / arrival) fell due in the period: met in time ÷ due.
    A target is decided once it was met or its due time passed (open and past due: a miss)."""
    met = _first_at(kind__in=list(RESPONSE_KINDS)) if target == "response" else _first_after_last_reopen(ARRIVAL_KINDS)
    return (
        orders.filter(period.contains(f"sla__{target}_due"))
        .annotate(kpi_due=F(f"sla__{target}_due"), kpi_met=met)
        .filter(Q(kpi_due__lte=_now()) | Q(kpi_met__isnull=False))
        .annotate(kpi_hit=_hit(Q(kpi_met__isnull=False), Q(kpi_met__lte=F("kpi_due"))))
        .annotate(kpi_at=F("kpi_due"))
    )


def commitment_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    """Orders whose last target fell due in the period; a hit met every target that fell due."""
    now = _now()
    r, a, s = F("sla__response_due"), F("sla__arrival_due"), F("sla__resolution_due")
    any_due = (
        period.contains("sla__response_due")
        | period.contains("sla__arrival_due")
        | period.contains("sla__resolution_due")
    )
    annotated = (
        orders.filter(any_due)
        .annotate(
            kpi_r_met=_first_at(kind__in=list(RESPONSE_KINDS)),
            kpi_a_met=_first_after_last_reopen(ARRIVAL_KINDS),
            kpi_s_met=_first_after_last_reopen(RESOLUTION_KINDS),
            kpi_at=Greatest(Coalesce(r, a, s), Coalesce(a, r, s), Coalesce(s, r, a)),
        )
        .filter(period.contains("kpi_at"))
    )

    def decided(due: str, met: str) -> Q:
        return Q(**{f"sla__{due}__isnull": True}) | Q(**{f"{met}__isnull": False})

    all_met = decided("response_due", "kpi_r_met") & decided("arrival_due", "kpi_a_met")
    all_met &= decided("resolution_due", "kpi_s_met")
    annotated = annotated.filter(Q(kpi_at__lte=now) | all_met)

    def miss(due: str, met: str) -> list[Q]:
        late = Q(**{f"{met}__gt": F(f"sla__{due}")})
        open_past = Q(**{f"{met}__isnull": True, f"sla__{due}__lte": now})
        return [late, open_past]

    return annotated.annotate(
        kpi_hit=_miss_case(
            *miss("response_due", "kpi_r_met"), *miss("arrival_due", "kpi_a_met"), *miss("resolution_due", "kpi_s_met")
        )
    )


def completed_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    """Orders whose first completion (done or not done) fell in the period, each once."""
    # The period's completion events first (index kpis_event_status_at), then the first one.
    completed_in_period = TimelineEvent.objects.filter(period.contains("at"), to_status=Status.COMPLETED)
    return (
        orders.filter(pk__in=completed_in_period.values("order_id"))
        .annotate(kpi_at=_first_at(to_status=Status.COMPLETED))
        .filter(period.contains("kpi_at"))
    )


def repair_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    first_kind = Subquery(_events(to_status=Status.COMPLETED).values("kind")[:1])
    return completed_population(orders.filter(service_type=ServiceType.REPAIR), period).annotate(
        kpi_first_kind=first_kind,
        kpi_reopened=Exists(TimelineEvent.objects.filter(order_id=OuterRef("pk"), kind=EventKind.REOPEN)),
        kpi_check_ins=_count(kind=EventKind.CHECK_IN),
    )


def first_time_fix_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    return repair_population(orders, period).annotate(
        kpi_hit=_hit(Q(kpi_first_kind__in=list(DONE_KINDS)), Q(kpi_reopened=False), Q(kpi_check_ins__lte=1))
    )


def repeat_repair_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    """Reopened, or a later repair order (not rejected or cancelled) for the same device and
    fault cause submitted after the first completion and within the repair warranty."""
    later = (
        WorkOrder.objects.filter(
            device_id=OuterRef("device_id"),
            service_type=ServiceType.REPAIR,
            fault_cause=OuterRef("fault_cause"),
            submitted_at__gt=OuterRef("kpi_at"),
            submitted_at__lte=OuterRef("repair_warranty_ends_at"),
        )
        .exclude(pk=OuterRef("pk"))
        .exclude(status__in=[Status.REJECTED, Status.CANCELLED])
        .exclude(fault_cause=FaultCause.UNKNOWN)  # not diagnosed: no cause to be the same
    )
    return (
        repair_population(orders, period)
        .annotate(kpi_followed=Exists(later))
        .annotate(
            kpi_hit=Case(
                When(kpi_reopened=True, then=Value(True)),
                When(Q(device__isnull=False, kpi_followed=True), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def mttr_population(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[WorkOrder]:
    """Repair orders first completed as done in the period, with their stored repair time."""
    return (
        repair_population(orders, period)
        .filter(kpi_first_kind__in=list(DONE_KINDS), repair_time__isnull=False)  # type: ignore[misc]
        .annotate(kpi_seconds=F("repair_time__business_seconds"), kpi_hit=Value(True, output_field=BooleanField()))
    )


def rating_events(orders: QuerySet[WorkOrder], period: Period) -> QuerySet[TimelineEvent]:
    """Follow-ups with a rating recorded in the period (each follow-up counts)."""
    return (
        TimelineEvent.objects.filter(kind=EventKind.FOLLOW_UP, order_id__in=orders.values("pk"))
        .filter(period.contains("at"))
        .filter(data__satisfaction__in=list(Satisfaction.values))
        .annotate(kpi_score=Cast(KT("data__score"), FloatField()))
    )


POPULATIONS = {
    "response_in_time_rate": lambda o, p: in_time_population(o, p, "response"),
    "onsite_in_time_rate": lambda o, p: in_time_population(o, p, "arrival"),
    "first_time_fix_rate": first_time_fix_population,
    "repeat_repair_rate": repeat_repair_population,
    "commitment_fulfilment_rate": commitment_population,
}


# --- figures -------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: Decimal | None
    numerator: Any = 0
    denominator: Any = 0
    count: int | None = None  # mean figures: how many values were averaged
    flagged: list[dict[str, Any]] = field(default_factory=list)  # availability: devices under 97 %

    @property
    def definition(self) -> Any:
        return BY_NAME[self.name]

    def as_api(self) -> dict[str, Any]:
        value = None if self.value is None else float(self.value)
        if self.count is not None:
            return {"value": value, "count": self.count}
        numerator = float(self.numerator) if isinstance(self.numerator, Decimal) else self.numerator
        denominator = float(self.denominator) if isinstance(self.denominator, Decimal) else self.denominator
        return {"value": value, "numerator": numerator, "denominator": denominator}


def ratio(numerator: Any, denominator: Any) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _counted(name: str, population: QuerySet[Any]) -> Figure:
    counts = population.order_by().aggregate(d=Count("pk"), n=Count("pk", filter=Q(kpi_hit=True)))
    return Figure(name, ratio(counts["n"], counts["d"]), counts["n"], counts["d"])


def mttr_figure(orders: QuerySet[WorkOrder], period: Period) -> Figure:
    totals = mttr_population(orders, period).order_by().aggregate(n=Count("pk"), s=Sum("kpi_seconds"))
    count = totals["n"] or 0
    seconds = Decimal(totals["s"] or 0)
    hours = seconds / Decimal(3600)
    value = (hours / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count else None
    return Figure("mttr_hours", value, hours.quantize(Decimal("0.01")), count, count=count)


def satisfaction_figures(orders: QuerySet[WorkOrder], period: Period) -> tuple[Figure, Figure]:
    from django.db.models import Avg

    events = rating_events(orders, period)
    totals = events.order_by().aggregate(
        d=Count("pk"),
        n=Count("pk", filter=Q(data__satisfaction=Satisfaction.SATISFIED)),
        scores=Count("kpi_score"),
        mean=Avg("kpi_score"),
        total=Sum("kpi_score"),
    )
    satisfaction = Figure("satisfaction_rate", ratio(totals["n"], totals["d"]), totals["n"], totals["d"])
    scores = totals["scores"] or 0
    mean = Decimal(str(totals["mean"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if scores else None
    score = Figure("mean_score", mean, Decimal(str(totals["total"] or 0)), scores, count=scores)
    return satisfaction, score


def complaint_figure(user: Any, slice_: Slice, orders: QuerySet[WorkOrder], period: Period) -> Figure:
    complaints = complaints_in_scope(user, slice_).filter(period.contains("received_at")).count()
    completed = completed_population(orders, period).order_by().count()
    return Figure("complaint_rate", ratio(complaints, completed), complaints, completed)


def compute(*, user: Any, period: Period, slice_: Slice, names: Iterable[str] | None = None) -> dict[str, Figure]:
    """Every figure (or the ``names`` asked for) of the period and slice, in the user's scope."""
    from kpis.availability import availability_figure

    wanted = list(names) if names is not None else list(BY_NAME)
    orders = orders_in_scope(user, slice_)
    figures: dict[str, Figure] = {}
    for name in wanted:
        if name in figures:
            continue
        if name in POPULATIONS:
            figures[name] = _counted(name, POPULATIONS[name](orders, period))
        elif name == "mttr_hours":
            figures[name] = mttr_figure(orders, period)
        elif name in {"satisfaction_rate", "mean_score"}:
            satisfaction, score = satisfaction_figures(orders, period)
            figures["satisfaction_rate"], figures["mean_score"] = satisfaction, score
        elif name == "complaint_rate":
            figures[name] = complaint_figure(user, slice_, orders, period)
        elif name == "device_availability":
            figures[name] = availability_figure(user=user, period=period, slice_=slice_)
    return {name: figures[name] for name in wanted}


# --- drill-down ----------------------------------------------------------------------------

PART_NUMERATOR, PART_DENOMINATOR, PART_MISSES = "numerator", "denominator", "misses"
PARTS = (PART_DENOMINATOR, PART_NUMERATOR, PART_MISSES)


def drilldown(*, user: Any, period: Period, slice_: Slice, name: str, part: str) -> QuerySet[Any]:
    """The rows behind a figure: work orders annotated with ``kpi_at`` (the deciding instant)
    and ``kpi_hit``; for the complaint rate's numerator, the complaints; for availability, the
    repair orders of the contracted devices that were down in the period."""
    orders = orders_in_scope(user, slice_)
    if name in POPULATIONS:
        rows: QuerySet[Any] = POPULATIONS[name](orders, period)
    elif name == "mttr_hours":
        rows = mttr_population(orders, period)
    elif name in {"satisfaction_rate", "mean_score"}:
        events = rating_events(orders, period)
        if name == "mean_score":
            events = events.exclude(kpi_score__isnull=True)  # type: ignore[misc]
        first = events.filter(order_id=OuterRef("pk")).order_by("at", "id")
        rows = WorkOrder.objects.filter(pk__in=events.values("order_id")).annotate(
            kpi_at=Subquery(first.values("at")[:1]),
            kpi_hit=Exists(events.filter(order_id=OuterRef("pk"), data__satisfaction=Satisfaction.SATISFIED)),
        )
        if name == "mean_score":
            part = PART_DENOMINATOR
    elif name == "complaint_rate":
        if part == PART_NUMERATOR:
            return complaints_in_scope(user, slice_).filter(period.contains("received_at")).order_by("received_at")
        rows = completed_population(orders, period).annotate(kpi_hit=Value(True, output_field=BooleanField()))
        part = PART_DENOMINATOR
    elif name == "device_availability":
        from kpis.availability import downtime_orders

        rows = downtime_orders(user=user, period=period, slice_=slice_)
        part = PART_DENOMINATOR
    else:
        return WorkOrder.objects.none()
    if part == PART_NUMERATOR:
        rows = rows.filter(kpi_hit=True)
    elif part == PART_MISSES:
        rows = rows.filter(kpi_hit=False)
    return rows.select_related("customer", "unit", "technician").order_by("kpi_at", "id")


# --- breakdowns for dashboards -------------------------------------------------------------


def by_unit(*, user: Any, period: Period, name: str) -> list[tuple[OrgUnit, Figure]]:
    """One ratio figure per visible unit (each with its sub-units), in one query per figure."""
    ids = unit_ids_visible_to(user)
    units = OrgUnit.objects.all() if ids is None else OrgUnit.objects.filter(pk__in=ids)
    orders = orders_in_scope(user, Slice())
    population = POPULATIONS[name](orders, period)
    rows = {
        row["unit_id"]: row
        for row in population.order_by()
        .values("unit_id")
        .annotate(d=Count("pk"), n=Count("pk", filter=Q(kpi_hit=True)))
    }
    result = []
    for unit in units.order_by("code"):
        below = unit_subtree_ids(unit.pk)
        n = sum(rows[u]["n"] for u in below if u in rows)
        d = sum(rows[u]["d"] for u in below if u in rows)
        result.append((unit, Figure(name, ratio(n, d), n, d)))
    return result


def daily_series(*, user: Any, period: Period, name: str) -> list[tuple[date, Figure]]:
    """The figure day by day (the week's on-time trend): one grouped query."""
    from django.db.models.functions import TruncDate

    orders = orders_in_scope(user, Slice())
    population = POPULATIONS[name](orders, period)
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = {
        row["day"]: row
        for row in population.order_by()
        .annotate(day=TruncDate("kpi_at", tzinfo=tz))
        .values("day")
        .annotate(d=Count("pk"), n=Count("pk", filter=Q(kpi_hit=True)))
    }
    days = []
    day = period.start
    while day <= period.end:
        row = rows.get(day, {"n": 0, "d": 0})
        days.append((day, Figure(name, ratio(row["n"], row["d"]), row["n"], row["d"])))
        day += timedelta(days=1)
    return days


__all__ = ["AVAILABILITY_FLOOR", "Figure", "Min", "Period", "Slice", "compute", "drilldown"]
