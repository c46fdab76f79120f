"""Part shipment promises (issue 11, point 7; SPEC §6 "spare part shipped next business day
(5×10×NBD) or on site within 4 h (7×24×4)"). ADR 0018, amendment "Part promises".

A **part request** on a work order is a reservation at a warehouse, or a shipment of a part
naming the order towards the order's station (a warehouse of its unit or below, or its
technician's van). Each carries one ``PartPromise``:

* **which promise** — the order's service level (an app above registers how to read it: ``sla``
  maps its ``PARTS-7X24X4`` / ``PARTS-5X10-NBD`` levels), else the customer's contract tag
  (``7×24×4`` / ``5×10×NBD``, the tags those levels match on), else what the request chose, else
  ``settings.PARTS_DEFAULT_PROMISE`` (5×10×NBD, the seed's "默认备件级别"). A request naming another
  promise than the order's terms is refused (field ``promise``).
* **the deadline** on the work calendar (``workcalendar``): 5×10×NBD is the end of the next
  business day of the ``5x10`` calendar (Mon–Fri 08:00–18:00, statutory holidays and 调休);
  7×24×4 is four hours later on the ``24x7`` calendar (calendar hours). No pause: the promise is
  the vendor's logistics, waiting for parts is what it measures.
* **met / missed**, decided once, with a timeline event on the order: when the whole quantity has
  shipped (NBD: an issue or a shipment of the reservation; a shipment request ships at once) or
  arrived (7×24×4: an issue of the reservation — the part is fitted on site — or the receipt of
  its shipment); or, when the deadline passes first, by the periodic scan
  (``parts.tasks.promises_overdue_task``), which only looks at open promises past due and locks
  each row, so a second run or a concurrent one finds nothing to do. A request withdrawn before
  its deadline (the reservation released, the order cancelled) is ``withdrawn`` and never counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parts.choices import MoveKind, PartPromiseKind, PromiseSource, PromiseStatus
from parts.models import Part, PartPromise, Reservation, StockMove, Warehouse
from parts.policies import (
    ON_SITE,
    PROMISE_MEASURES,
    PROMISE_NAMES,
    SHIPPED,
    PromiseDecision,
    promise_decide,
    promise_due,
    promise_from_tags,
)
from workcalendar.calendar import WorkingCalendar
from workorders.models import WorkOrder

DEFAULT_PROMISE = PartPromiseKind.NBD.value
#: The calendar each promise counts in (settings.PARTS_PROMISE_CALENDARS overrides).
DEFAULT_PROMISE_CALENDARS = {PartPromiseKind.NBD.value: "5x10", PartPromiseKind.ONSITE_4H.value: "24x7"}
#: The 5×10 calendar's hours when the calendar is missing (sla's reference data creates it).
FIVE_BY_TEN_HOURS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

# --- where the order's service level says which promise applies ------------------------------------

#: ``source(order) -> (promise, service level code) | None``: an app that knows the order's service
#: level (``sla``) says which promise it carries; None leaves it to the next source.
ServiceLevelPromise = Callable[[WorkOrder], "tuple[str, str] | None"]
_SERVICE_LEVEL_SOURCES: list[ServiceLevelPromise] = []


def register_service_level_promise(source: ServiceLevelPromise) -> ServiceLevelPromise:
    if source not in _SERVICE_LEVEL_SOURCES:
        _SERVICE_LEVEL_SOURCES.append(source)
    return source


def _from_service_level(order: WorkOrder) -> tuple[str, str] | None:
    for source in _SERVICE_LEVEL_SOURCES:
        found = source(order)
        if found is not None and found[0] in PartPromiseKind.values:
            return found
    return None


def _customer_tags(order: WorkOrder) -> list[str]:
    raw = getattr(order.customer, "tags", "") or ""
    for separator in ("，", "、", ";", "；", " "):
        raw = raw.replace(separator, ",")
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def default_promise() -> str:
    value = str(getattr(settings, "PARTS_DEFAULT_PROMISE", DEFAULT_PROMISE))
    return value if value in PartPromiseKind.values else DEFAULT_PROMISE


def promise_for_order(order: WorkOrder, requested: str | None = None) -> PromiseDecision:
    """The promise a part request on ``order`` carries (see the module's docstring), or a
    ``ValidationError`` naming ``promise`` for an unknown one or one the order's terms contradict."""
    requested = (requested or "").strip() or None
    if requested is not None and requested not in PartPromiseKind.values:
        raise ValidationError(
            {
                "promise": _("Choose one of: %(choices)s.") % {"choices": ", ".join(PartPromiseKind.values)},
            },
            code="invalid_promise",
        )
    decision = promise_decide(
        from_service_level=_from_service_level(order),
        from_tags=promise_from_tags(_customer_tags(order)),
        requested=requested,
        default=default_promise(),
    )
    if requested is not None and decision.source != PromiseSource.REQUEST and requested != decision.promise:
        raise ValidationError(
            {
                "promise": _("%(reason)s A part request on this order cannot promise %(requested)s.")
                % {"reason": decision.reason, "requested": PROMISE_NAMES[requested]}
            },
            code="promise_conflict",
        )
    return decision


def promise_calendar(promise: str) -> WorkingCalendar:
    """The work calendar ``promise`` counts in; a missing one falls back to its definition
    (5×10 with Chinese holidays, or 7×24) — never an error."""
    from workcalendar.calendar import make_calendar
    from workcalendar.models import WorkCalendar
    from workcalendar.selectors import build_working_calendar, working_calendar

    calendars = {**DEFAULT_PROMISE_CALENDARS, **getattr(settings, "PARTS_PROMISE_CALENDARS", {})}
    code = calendars[promise]
    try:
        return working_calendar(code)
    except WorkCalendar.DoesNotExist:
        if PROMISE_MEASURES[promise] == SHIPPED:
            return build_working_calendar(WorkCalendar(code=code, hours=FIVE_BY_TEN_HOURS, use_chinese_holidays=True))
        return make_calendar(code=code, always_open=True, observes_holidays=False)


# --- the life of a promise ------------------------------------------------------------------------


def _due_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def promise_note(promise: PartPromise) -> str:
    """What the order's timeline says when the request is made."""
    return _("Promise %(promise)s: due %(due)s.") % {
        "promise": PROMISE_NAMES[promise.promise],
        "due": _due_text(promise.due_at),
    }


def towards_order(order: WorkOrder, warehouse: Warehouse) -> bool:
    """A warehouse of the order's unit (or below it), or the van of the order's technician."""
    from core.scoping import unit_subtree_ids

    if warehouse.technician_id is not None and warehouse.technician_id == order.technician_id:
        return True
    return warehouse.unit_id in unit_subtree_ids(order.unit_id)


def promise_open(
    *,
    order: WorkOrder,
    part: Part,
    quantity: int,
    requested: str | None,
    reservation: Reservation | None = None,
    shipment: StockMove | None = None,
    at: datetime | None = None,
    decision: PromiseDecision | None = None,
) -> PartPromise:
    """The promise of a new part request (call inside the request's transaction); ``decision``:
    the one ``promise_for_order`` already made for it."""
    decision = decision or promise_for_order(order, requested)
    calendar = promise_calendar(decision.promise)
    requested_at = at or timezone.now()
    return PartPromise.objects.create(
        work_order=order,
        reservation=reservation,
        shipment=shipment,
        part=part,
        quantity=quantity,
        promise=decision.promise,
        source=decision.source,
        reason=decision.reason[:200],
        calendar_code=calendar.code,
        requested_at=requested_at,
        due_at=promise_due(decision.promise, calendar=calendar, requested_at=requested_at),
    )


def _settle(promise: PartPromise, *, fulfilled_at: datetime | None, now: datetime) -> None:
    """Decide met / missed once and say so on the order's timeline."""
    from parts.services import _order_event

    met = fulfilled_at is not None and fulfilled_at <= promise.due_at
    promise.status = PromiseStatus.MET if met else PromiseStatus.MISSED
    promise.settled_at = now
    promise.save(update_fields=["status", "settled_at", "done_quantity", "progress_at", "fulfilled_at", "updated_at"])
    values = {
        "promise": PROMISE_NAMES[promise.promise],
        "part": promise.part.code,
        "qty": promise.done_quantity if fulfilled_at is not None else promise.quantity,
        "due": _due_text(promise.due_at),
        "at": _due_text(fulfilled_at) if fulfilled_at else "",
    }
    on_site = PROMISE_MEASURES[promise.promise] == ON_SITE
    if fulfilled_at is None:
        note = (
            _("Part promise missed (%(promise)s): %(part)s × %(qty)s not on site by %(due)s.")
            if on_site
            else _("Part promise missed (%(promise)s): %(part)s × %(qty)s not shipped by %(due)s.")
        )
    elif met:
        note = (
            _("Part promise met (%(promise)s): %(part)s × %(qty)s on site at %(at)s, due %(due)s.")
            if on_site
            else _("Part promise met (%(promise)s): %(part)s × %(qty)s shipped at %(at)s, due %(due)s.")
        )
    else:
        note = (
            _("Part promise missed (%(promise)s): %(part)s × %(qty)s on site at %(at)s, due %(due)s.")
            if on_site
            else _("Part promise missed (%(promise)s): %(part)s × %(qty)s shipped at %(at)s, due %(due)s.")
        )
    _order_event(
        promise.work_order,
        None,
        note % values,
        {
            "promise": promise.pk,
            "kind": promise.promise,
            "state": promise.status,
            "due": timezone.localtime(promise.due_at).isoformat(),
            "fulfilled_at": timezone.localtime(fulfilled_at).isoformat() if fulfilled_at else None,
            "reservation": promise.reservation_id,
            "shipment": promise.shipment_id,
        },
    )


def _locked(**lookup: Any) -> PartPromise | None:
    return (
        PartPromise.objects.select_for_update(of=("self",))
        .select_related("part", "work_order")
        .filter(**lookup)
        .first()
    )


def _progress(promise: PartPromise, quantity: int, at: datetime) -> None:
    promise.done_quantity = min(promise.quantity, promise.done_quantity + quantity)
    promise.progress_at = at
    if promise.done_quantity < promise.quantity:
        promise.save(update_fields=["done_quantity", "progress_at", "updated_at"])
        return
    promise.fulfilled_at = at
    if promise.status == PromiseStatus.OPEN:
        _settle(promise, fulfilled_at=at, now=at)
    else:  # already decided (missed by the scan): the late arrival is kept, nothing is said twice
        promise.save(update_fields=["done_quantity", "progress_at", "fulfilled_at", "updated_at"])


def promise_progress(move: StockMove) -> PartPromise | None:
    """A move that ships or brings the part of a request: an issue or a shipment of a reservation,
    or the receipt of a shipment. Call inside the move's transaction, after it was written."""
    promise: PartPromise | None = None
    if move.kind in (MoveKind.ISSUE, MoveKind.SHIP) and move.reservation_id is not None:
        promise = _locked(reservation_id=move.reservation_id)
        if promise is None:
            return None
        shipped_now = PROMISE_MEASURES[promise.promise] == SHIPPED or move.kind == MoveKind.ISSUE
        if shipped_now:
            _progress(promise, move.quantity, move.at)
        return promise
    if move.kind == MoveKind.SHIP_RECEIVE and move.shipment_id is not None:
        shipment = StockMove.objects.filter(pk=move.shipment_id).values_list("reservation_id", flat=True).first()
        promise = _locked(shipment_id=move.shipment_id)
        if promise is None and shipment is not None:
            promise = _locked(reservation_id=shipment)
        if promise is not None and PROMISE_MEASURES[promise.promise] == ON_SITE:
            _progress(promise, move.quantity, move.at)
        return promise
    return None


def shipment_promise_open(move: StockMove, requested: str | None) -> PartPromise | None:
    """A shipment naming an open order towards its station is a part request: its promise is
    opened (a 5×10×NBD one is met at once: it is shipped)."""
    order = move.work_order
    if order is None or move.reservation_id is not None or move.to_warehouse is None:
        if requested:
            raise ValidationError(
                {"promise": _("Only a part request on a work order carries a promise.")}, code="promise_not_request"
            )
        return None
    if not order.is_open or not towards_order(order, move.to_warehouse):
        if requested:
            raise ValidationError(
                {"promise": _("Only a shipment towards the order's station carries a promise.")},
                code="promise_not_request",
            )
        return None
    promise = promise_open(
        order=order, part=move.part, quantity=move.quantity, requested=requested, shipment=move, at=move.at
    )
    if PROMISE_MEASURES[promise.promise] == SHIPPED:
        _progress(promise, move.quantity, move.at)
    return promise


def promise_withdraw(reservation: Reservation, *, now: datetime | None = None) -> PartPromise | None:
    """The reservation was released: an open promise is withdrawn when nothing was shipped yet and
    its deadline has not passed; what was shipped / arrived decides it otherwise; past its deadline
    with nothing done, it is missed (as the scan would have said)."""
    now = now or timezone.now()
    promise = _locked(reservation_id=reservation.pk, status=PromiseStatus.OPEN)
    if promise is None:
        return None
    if promise.done_quantity:
        promise.fulfilled_at = promise.progress_at
        _settle(promise, fulfilled_at=promise.progress_at, now=now)
    elif now > promise.due_at:
        _settle(promise, fulfilled_at=None, now=now)
    else:
        promise.status, promise.settled_at = PromiseStatus.WITHDRAWN, now
        promise.save(update_fields=["status", "settled_at", "updated_at"])
    return promise


def order_promises_withdraw(order: WorkOrder, *, now: datetime | None = None) -> int:
    """A cancelled order: its open shipment promises are withdrawn too (its reservations are
    released by the same hook, which withdraws theirs)."""
    now = now or timezone.now()
    return PartPromise.objects.filter(
        work_order=order, status=PromiseStatus.OPEN, shipment__isnull=False, due_at__gte=now
    ).update(status=PromiseStatus.WITHDRAWN, settled_at=now, updated_at=now)


def promises_overdue_scan(*, now: datetime | None = None, limit: int = 2000) -> int:
    """The periodic scan: every open promise whose deadline has passed is missed, with one timeline
    event. Each row is locked and re-read as open, so running it twice (or twice at once) decides
    each promise once. Returns how many it decided."""
    now = now or timezone.now()
    due = list(
        PartPromise.objects.filter(status=PromiseStatus.OPEN, due_at__lt=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    missed = 0
    for pk in due:
        with transaction.atomic():
            promise = _locked(pk=pk, status=PromiseStatus.OPEN, due_at__lt=now)
            if promise is None:
                continue
            _settle(promise, fulfilled_at=None, now=now)
            missed += 1
    return missed
