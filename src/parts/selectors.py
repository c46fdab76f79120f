"""Reads of the parts app, scoped by the warehouse's unit (core.scoping): a station sees only its
own warehouses, their stock, moves and reservations; the catalogue is company-wide."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from core.scoping import ALL_UNITS, unit_ids_visible_to
from parts.choices import ReservationStatus
from parts.models import Part, Reservation, StockBalance, StockEntry, StockMove, Warehouse


def _unit_filter(user: Any, *fields: str) -> Q | None:
    """None: every unit; otherwise a Q over ``fields`` (any of them in the user's units)."""
    ids = unit_ids_visible_to(user)
    if ids is ALL_UNITS:
        return None
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__in": ids})
    return q


def parts_visible_to(user: Any) -> QuerySet[Part]:
    if not user.has_perm("parts.view_part"):
        return Part.objects.none()
    return Part.objects.all()


def warehouses_visible_to(user: Any) -> QuerySet[Warehouse]:
    if not user.has_perm("parts.view_warehouse"):
        return Warehouse.objects.none()
    warehouses = Warehouse.objects.select_related("unit", "technician")
    q = _unit_filter(user, "unit")
    return warehouses if q is None else warehouses.filter(q)


def balances_visible_to(user: Any) -> QuerySet[StockBalance]:
    if not user.has_perm("parts.view_stockbalance"):
        return StockBalance.objects.none()
    balances = StockBalance.objects.select_related("part", "warehouse")
    q = _unit_filter(user, "warehouse__unit")
    return balances if q is None else balances.filter(q)


def moves_visible_to(user: Any) -> QuerySet[StockMove]:
    """A move is seen by the units of its warehouse and of its destination (a shipment coming in)."""
    if not user.has_perm("parts.view_stockmove"):
        return StockMove.objects.none()
    moves = StockMove.objects.select_related(
        "part", "warehouse", "to_warehouse", "work_order", "acting_user", "promise"
    )
    q = _unit_filter(user, "warehouse__unit", "to_warehouse__unit")
    return moves if q is None else moves.filter(q)


def reservations_visible_to(user: Any) -> QuerySet[Reservation]:
    if not user.has_perm("parts.view_reservation"):
        return Reservation.objects.none()
    reservations = Reservation.objects.select_related("part", "warehouse", "work_order", "promise")
    q = _unit_filter(user, "warehouse__unit")
    return reservations if q is None else reservations.filter(q)


def stock_list(
    *, user: Any, part: str = "", warehouse: str = "", low: bool = False, q: str = ""
) -> QuerySet[StockBalance]:
    """Balances by part code and warehouse code; ``low``: available at or below zero... or below
    the reorder minimum where one is set."""
    balances = balances_visible_to(user)
    if part:
        balances = balances.filter(part__code=part)
    if warehouse:
        balances = balances.filter(warehouse__code=warehouse)
    text = (q or "").strip()[:64]
    if text:
        balances = balances.filter(Q(part__code__icontains=text) | Q(part__name__icontains=text))
    if low:
        balances = balances.filter(on_hand__lte=F("reserved"))
    return balances.order_by("warehouse__code", "part__code")


def move_journal(*, user: Any, part: str = "", warehouse: str = "", kind: str = "") -> QuerySet[StockMove]:
    """The journal page's (and its export's) moves: by part code, warehouse code (as source or
    destination) and kind, newest first."""
    from parts.choices import MoveKind

    journal = moves_visible_to(user)
    if part:
        journal = journal.filter(part__code=part)
    if warehouse:
        journal = journal.filter(Q(warehouse__code=warehouse) | Q(to_warehouse__code=warehouse))
    if kind in MoveKind.values:
        journal = journal.filter(kind=kind)
    return journal.order_by("-id")


def balance_of(*, part: Part, warehouse: Warehouse) -> tuple[int, int, int]:
    """(on hand, reserved, in transit) of one part × warehouse, from its balance row."""
    row = StockBalance.objects.filter(part=part, warehouse=warehouse).values_list("on_hand", "reserved", "in_transit")
    return row.first() or (0, 0, 0)


def ledger_balance_of(*, part: Part, warehouse: Warehouse) -> tuple[int, int, int]:
    """The same, summed from the ledger's entries (the check and the benchmark's comparison)."""
    sums = StockEntry.objects.filter(part=part, warehouse=warehouse).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), in_transit=Sum("in_transit")
    )
    return (sums["on_hand"] or 0, sums["reserved"] or 0, sums["in_transit"] or 0)


def active_reservations_for(order: Any) -> QuerySet[Reservation]:
    return Reservation.objects.filter(work_order=order, status=ReservationStatus.ACTIVE).select_related(
        "part", "warehouse"
    )


def van_of(user: Any) -> Warehouse | None:
    """The technician's van, if they have one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Warehouse.objects.filter(technician=user, is_active=True).select_related("unit").first()


def faulty_returns_visible_to(user: Any) -> QuerySet[Any]:
    """旧件返还 of the stations the user sees (the station's own for a station)."""
    from parts.models import FaultyReturn

    if not user.has_perm("parts.view_faultyreturn"):
        return FaultyReturn.objects.none()
    records = FaultyReturn.objects.select_related("part", "work_order", "unit", "warehouse")
    q = _unit_filter(user, "unit")
    return records if q is None else records.filter(q)


def faulty_returns_overdue(*, user: Any, today: Any = None) -> QuerySet[Any]:
    """Parts still expected back after their due date, per station (the settlement uses them)."""
    from django.utils import timezone

    from parts.choices import FaultyReturnStatus

    day = today or timezone.localdate()
    return faulty_returns_visible_to(user).filter(status=FaultyReturnStatus.PENDING, due_on__lt=day)


def loaners_visible_to(user: Any) -> QuerySet[Any]:
    from parts.models import Loaner

    if not user.has_perm("parts.view_loaner"):
        return Loaner.objects.none()
    loaners = Loaner.objects.select_related("product_model", "unit")
    q = _unit_filter(user, "unit")
    return loaners if q is None else loaners.filter(q)


def open_loans_by_loaner(loaner_ids: list[int]) -> dict[int, Any]:
    from parts.models import LoanerLoan

    loans = LoanerLoan.objects.filter(loaner_id__in=loaner_ids, returned_at__isnull=True).select_related("work_order")
    return {loan.loaner_id: loan for loan in loans}


# --- part shipment promises: the fulfilment rate for the KPIs (SPEC §12) ---------------------------


def promises_of_order(order: Any) -> QuerySet[Any]:
    """The promises of an order's part requests (the parts card; visible with the order)."""
    from parts.models import PartPromise

    return PartPromise.objects.filter(work_order=order).select_related("part").order_by("id")


def _period_bounds(date_from: Any, date_to: Any) -> tuple[Any, Any]:
    """[start of ``date_from``, start of the day after ``date_to``) in the site's timezone."""
    from datetime import datetime, time, timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if date_to < date_from:
        raise ValidationError({"to": _("The end of the period is before its start.")}, code="period_inverted")
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time(0), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def promise_orders(
    *, date_from: Any, date_to: Any, user: Any = None, unit_ids: Any = None, now: Any = None
) -> QuerySet[Any]:
    """The orders behind the parts share of ``commitment_fulfilment_rate`` (SPEC §12): orders with
    a part promise that fell due in the period (its deadline in [from, to], local days; one still
    open and past due is a miss; one due later in the period counts once decided), rejected and
    cancelled orders never; withdrawn requests never. Each order is annotated ``promise_missed``
    (a promise of the period missed). Scoped by the order's unit: ``user`` (their units),
    ``unit_ids`` (e.g. a unit and its sub-units); the caller (the KPI app) checks who may read figures."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from parts.choices import PromiseStatus
    from parts.models import PartPromise
    from workorders.choices import Status
    from workorders.models import WorkOrder

    start, end = _period_bounds(date_from, date_to)
    moment = now or timezone.now()
    counted = PartPromise.objects.filter(work_order=OuterRef("pk"), due_at__gte=start, due_at__lt=end).filter(
        Q(status__in=[PromiseStatus.MET, PromiseStatus.MISSED]) | Q(status=PromiseStatus.OPEN, due_at__lte=moment)
    )
    missed = counted.filter(Q(status=PromiseStatus.MISSED) | Q(status=PromiseStatus.OPEN))
    orders = WorkOrder.objects.exclude(status__in=[Status.REJECTED, Status.CANCELLED]).filter(Exists(counted))
    if user is not None:
        q = _unit_filter(user, "unit")
        if q is not None:
            orders = orders.filter(q)
    if unit_ids is not None:
        orders = orders.filter(unit_id__in=list(unit_ids))
    return orders.annotate(promise_missed=Exists(missed))


def promise_fulfilment_rate(
    *, date_from: Any, date_to: Any, user: Any = None, unit_ids: Any = None, now: Any = None
) -> dict[str, Any]:
    """Parts promises kept, per unit and in total: ``{"value", "numerator", "denominator",
    "by_unit": {unit_id: {"value", "numerator", "denominator"}}}`` — numerator: orders of
    ``promise_orders`` none of whose promises of the period was missed; value ``None`` when the
    denominator is 0 (SPEC §14.2). One aggregate query."""
    from django.db.models import Count

    rows = (
        promise_orders(date_from=date_from, date_to=date_to, user=user, unit_ids=unit_ids, now=now)
        .order_by()
        .values("unit_id")
        .annotate(denominator=Count("id"), numerator=Count("id", filter=Q(promise_missed=False)))
    )

    def rate(numerator: int, denominator: int) -> dict[str, Any]:
        return {
            "value": numerator / denominator if denominator else None,
            "numerator": numerator,
            "denominator": denominator,
        }

    by_unit = {row["unit_id"]: rate(row["numerator"], row["denominator"]) for row in rows}
    numerator = sum(r["numerator"] for r in by_unit.values())
    denominator = sum(r["denominator"] for r in by_unit.values())
    return {**rate(numerator, denominator), "by_unit": by_unit}
