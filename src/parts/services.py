"""Writes of the parts app: one function per business action, each in one transaction.

Every stock move goes through ``_post``: it locks the balance rows it touches (``SELECT … FOR
UPDATE`` on PostgreSQL, ordered by id so two moves never deadlock; on SQLite every write
transaction already holds the database's write lock — ``BEGIN IMMEDIATE``, ADR 0005), checks that
no available quantity (on hand − reserved) goes below zero, then writes the move, its ledger
entries and the new balances together. A refusal writes nothing. The balance table also carries
a check constraint (on hand ≥ reserved) as the last guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductModel
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from core.services import check_version, save_versioned
from parts import promises
from parts.choices import REVERSIBLE_KINDS, MoveKind, PartStatus, ReservationStatus, WarehouseKind
from parts.exceptions import StockShortage
from parts.models import (
    Part,
    Reservation,
    StockBalance,
    StockCount,
    StockCountLine,
    StockEntry,
    StockMove,
    Warehouse,
)
from parts.policies import FittedModel, obsolete_warnings
from workorders.choices import EventKind
from workorders.models import WorkOrder
from workorders.services import workorder_record_event

MAX_QUANTITY = 1_000_000


def _require(user: Any | None, permission: str, message: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(message)


def _require_warehouse(user: Any | None, warehouse: Warehouse, field: str = "warehouse") -> None:
    """A user moves only the stock of the units they see (a station its own)."""
    if user is None:
        return
    ids = unit_ids_visible_to(user)
    if ids is not None and warehouse.unit_id not in ids:
        raise ValidationError({field: _("Unknown warehouse.")})
    if not warehouse.is_active:
        raise ValidationError({field: _("This warehouse is closed.")})


def _quantity(value: Any, *, signed: bool = False, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Enter a whole number.")})
    if signed and value == 0:
        raise ValidationError({field: _("Enter a non-zero whole number.")})
    if not signed and value <= 0:
        raise ValidationError({field: _("Enter a whole number greater than zero.")})
    if abs(value) > MAX_QUANTITY:
        raise ValidationError({field: _("The quantity is too large.")})
    return value


def _text(value: str | None, field: str, *, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Enter at most %(max)s characters.") % {"max": max_length}})
    return text


# --- the catalogue -------------------------------------------------------------------------------


def _product_models(codes: Iterable[Any]) -> list[ProductModel]:
    wanted = [c.code if isinstance(c, ProductModel) else str(c).strip() for c in codes]
    found = {m.code: m for m in ProductModel.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError(
            {"product_models": _("Unknown product model: %(codes)s.") % {"codes": ", ".join(missing)}}
        )
    return list(found.values())


@transaction.atomic
def part_create(
    *,
    acting_user: Any | None,
    code: str,
    name: str,
    uom: str = "",
    product_models: Sequence[Any] = (),
    genuine: bool = True,
    supplier: str = "",
) -> Part:
    """A new catalogue part. A part that is not genuine must name its supplier."""
    _require(acting_user, "parts.add_part", _("You may not change the parts catalogue."))
    code = _text(code, "code", max_length=64, required=True)
    if Part.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A part with this code already exists.")})
    supplier = _text(supplier, "supplier", max_length=100)
    if not genuine and not supplier:
        raise ValidationError({"supplier": _("Name the supplier of a part that is not genuine.")})
    models = _product_models(product_models)
    part = Part(
        code=code,
        name=_text(name, "name", max_length=100, required=True),
        uom=_text(uom, "uom", max_length=16) or "个",
        genuine=genuine,
        supplier=supplier,
    )
    part.full_clean()
    part.save()
    part.product_models.set(models)
    return part


def part_ensure(*, code: str, name: str, uom: str = "个") -> Part:
    """The catalogue part of ``code``, created when a price list names one it does not know yet
    (billing's price list refers to the catalogue: one source of a part's code)."""
    part = Part.objects.filter(code=code).first()
    if part is None:
        part = Part.objects.create(code=code[:64], name=name[:100] or code[:100], uom=(uom or "个")[:16])
    return part


@dataclass(frozen=True)
class StatusChange:
    part: Part
    warnings: list[str]


@transaction.atomic
def part_set_status(
    *,
    acting_user: Any | None,
    part: Part,
    status: str,
    superseded_by: Part | None = None,
    expected_version: int | None = None,
) -> StatusChange:
    """Active, superseded by another code, or obsolete. Obsoleting a part of a model still made
    or discontinued less than five years ago is allowed but answers with the 第七条 warning."""
    _require(acting_user, "parts.change_part", _("You may not change the parts catalogue."))
    part = Part.objects.select_for_update().get(pk=part.pk)
    check_version(part, expected_version)
    if status not in PartStatus.values:
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": ", ".join(PartStatus.values)}})
    if status == PartStatus.SUPERSEDED:
        if superseded_by is None:
            raise ValidationError({"superseded_by": _("Name the part that supersedes this one.")})
        if superseded_by.pk == part.pk:
            raise ValidationError({"superseded_by": _("A part cannot supersede itself.")})
    else:
        superseded_by = None
    warnings: list[str] = []
    if status == PartStatus.OBSOLETE:
        warnings = obsolete_warnings(
            [FittedModel(m.code, m.name, m.discontinued_on) for m in part.product_models.all()],
            today=timezone.localdate(),
        )
    part.status, part.superseded_by = status, superseded_by
    save_versioned(part, ["status", "superseded_by"])
    return StatusChange(part=part, warnings=warnings)


@transaction.atomic
def warehouse_create(
    *,
    acting_user: Any | None,
    code: str,
    name: str,
    kind: str,
    unit: OrgUnit,
    technician: Any | None = None,
) -> Warehouse:
    _require(acting_user, "parts.add_warehouse", _("You may not set up warehouses."))
    code = _text(code, "code", max_length=32, required=True)
    if Warehouse.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A warehouse with this code already exists.")})
    if kind not in WarehouseKind.values:
        raise ValidationError({"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(WarehouseKind.values)}})
    if acting_user is not None:
        ids = unit_ids_visible_to(acting_user)
        if ids is not None and unit.pk not in ids:
            raise ValidationError({"unit": _("Unknown unit.")})
    if technician is not None and kind != WarehouseKind.VAN:
        raise ValidationError({"technician": _("Only a van belongs to a technician.")})
    warehouse = Warehouse(
        code=code, name=_text(name, "name", max_length=100, required=True), kind=kind, unit=unit, technician=technician
    )
    warehouse.full_clean()
    warehouse.save()
    return warehouse


# --- the ledger ----------------------------------------------------------------------------------

Delta = tuple[int, int, int]  # on hand, reserved, in transit


def _lock_balances(part: Part, warehouses: Iterable[Warehouse]) -> dict[int, StockBalance]:
    """The balance rows of ``part`` in ``warehouses``, created if missing, locked until commit."""
    ids = sorted({w.pk for w in warehouses})
    StockBalance.objects.bulk_create([StockBalance(part=part, warehouse_id=pk) for pk in ids], ignore_conflicts=True)
    rows = StockBalance.objects.select_for_update().filter(part=part, warehouse_id__in=ids).order_by("pk")
    return {row.warehouse_id: row for row in rows}


def _shortage(balance: StockBalance, needed: int, field: str) -> StockShortage:
    available = balance.on_hand - balance.reserved
    return StockShortage(
        _("Only %(available)s available at %(warehouse)s; %(needed)s needed.")
        % {"available": available, "warehouse": balance.warehouse.code, "needed": needed},
        available=available,
        field=field,
    )


def _post(
    *,
    kind: str,
    part: Part,
    warehouse: Warehouse,
    quantity: int,
    effects: Mapping[Warehouse, Delta],
    acting_user: Any | None,
    to_warehouse: Warehouse | None = None,
    work_order: WorkOrder | None = None,
    reservation: Reservation | None = None,
    shipment: StockMove | None = None,
    reverses: StockMove | None = None,
    stock_count: StockCount | None = None,
    note: str = "",
    shortage_field: str = "quantity",
) -> StockMove:
    """Apply ``effects`` (per warehouse: on hand, reserved, in transit) under the row locks, or
    refuse the whole move with what is available. Call inside a transaction."""
    balances = _lock_balances(part, effects)
    for target, (on_hand, reserved, in_transit) in effects.items():
        balance = balances[target.pk]
        balance.warehouse = target
        new_on_hand, new_reserved = balance.on_hand + on_hand, balance.reserved + reserved
        if new_on_hand - new_reserved < 0 or new_on_hand < 0:
            raise _shortage(balance, reserved - on_hand, shortage_field)
        if new_reserved < 0 or balance.in_transit + in_transit < 0:
            raise ValidationError({"quantity": _("More than is reserved or in transit.")})
    move = StockMove.objects.create(
        kind=kind,
        part=part,
        warehouse=warehouse,
        to_warehouse=to_warehouse,
        quantity=quantity,
        work_order=work_order,
        reservation=reservation,
        shipment=shipment,
        reverses=reverses,
        stock_count=stock_count,
        note=note[:300],
        acting_user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        at=timezone.now(),
    )
    StockEntry.objects.bulk_create(
        [
            StockEntry(move=move, part=part, warehouse=target, on_hand=d[0], reserved=d[1], in_transit=d[2])
            for target, d in effects.items()
        ]
    )
    for target, (on_hand, reserved, in_transit) in effects.items():
        balance = balances[target.pk]
        balance.on_hand += on_hand
        balance.reserved += reserved
        balance.in_transit += in_transit
        balance.save(update_fields=["on_hand", "reserved", "in_transit", "updated_at"])
    return move


def _order_event(order: WorkOrder | None, acting_user: Any | None, note: str, data: dict[str, Any]) -> None:
    if order is not None:
        workorder_record_event(
            order=order, kind=EventKind.UPDATED, acting_user=acting_user, note=note, data={"parts": data}
        )


def _require_move(acting_user: Any | None, kind: str) -> None:
    if (
        kind in (MoveKind.ISSUE, MoveKind.RETURN)
        and acting_user is not None
        and (acting_user.has_perm("parts.add_stockmove") or acting_user.has_perm("parts.issue_stockmove"))
    ):
        return
    _require(acting_user, "parts.add_stockmove", _("You may not move stock."))


@transaction.atomic
def stock_move(
    *,
    acting_user: Any | None,
    kind: str,
    part: Part,
    warehouse: Warehouse,
    quantity: Any,
    to_warehouse: Warehouse | None = None,
    work_order: WorkOrder | None = None,
    reservation: Reservation | None = None,
    note: str = "",
    promise: str | None = None,
) -> StockMove:
    """One move of SPEC §14.2: ``receive`` (on hand +), ``transfer`` (at once, between two
    warehouses), ``ship`` (leaves on hand now, in transit at the destination until received),
    ``issue`` (on hand −; naming a reservation consumes it), ``return`` (an issued part that was not
    used back on hand), ``scrap`` (on hand −), ``adjust`` (a signed correction with a note).

    A shipment may name a reservation too: the reserved units leave with it (the reservation is
    consumed), which ships a part request towards the order. A shipment naming an open order
    towards its station is itself a part request; ``promise`` chooses its promise where the order's
    terms do not (``parts.promises``)."""
    _require_move(acting_user, kind)
    _require_warehouse(acting_user, warehouse)
    note = _text(note, "note", max_length=300)
    if kind not in (
        MoveKind.RECEIVE,
        MoveKind.TRANSFER,
        MoveKind.SHIP,
        MoveKind.ISSUE,
        MoveKind.RETURN,
        MoveKind.SCRAP,
        MoveKind.ADJUST,
    ):
        raise ValidationError({"kind": _("Unknown kind of move.")})
    qty = _quantity(quantity, signed=kind == MoveKind.ADJUST)
    if kind in (MoveKind.TRANSFER, MoveKind.SHIP):
        if to_warehouse is None:
            raise ValidationError({"to_warehouse": _("Name the warehouse the stock goes to.")})
        if to_warehouse.pk == warehouse.pk:
            raise ValidationError({"to_warehouse": _("The stock is already in this warehouse.")})
        if kind == MoveKind.TRANSFER:
            _require_warehouse(acting_user, to_warehouse, "to_warehouse")
        elif not to_warehouse.is_active:
            raise ValidationError({"to_warehouse": _("This warehouse is closed.")})
    elif to_warehouse is not None:
        raise ValidationError({"to_warehouse": _("Only a transfer or a shipment goes to another warehouse.")})
    if reservation is not None and kind not in (MoveKind.ISSUE, MoveKind.SHIP):
        raise ValidationError({"reservation": _("Only an issue or a shipment consumes a reservation.")})
    if promise and (kind != MoveKind.SHIP or reservation is not None):
        raise ValidationError(
            {"promise": _("Only a part request on a work order carries a promise.")}, code="promise_not_request"
        )
    if kind == MoveKind.ADJUST and not note:
        raise ValidationError({"note": _("Give the reason for the adjustment.")})
    effects: dict[Warehouse, Delta]
    if kind == MoveKind.RECEIVE:
        effects = {warehouse: (qty, 0, 0)}
    elif kind == MoveKind.TRANSFER:
        assert to_warehouse is not None
        effects = {warehouse: (-qty, 0, 0), to_warehouse: (qty, 0, 0)}
    elif kind == MoveKind.SHIP:
        assert to_warehouse is not None
        effects = {warehouse: (-qty, 0, 0), to_warehouse: (0, 0, qty)}
        if reservation is not None:
            reservation = _consume(reservation, part=part, warehouse=warehouse, quantity=qty, work_order=work_order)
            work_order = reservation.work_order
            effects = {warehouse: (-qty, -qty, 0), to_warehouse: (0, 0, qty)}
    elif kind == MoveKind.ISSUE:
        effects = {warehouse: (-qty, 0, 0)}
        if reservation is not None:
            reservation = _consume(reservation, part=part, warehouse=warehouse, quantity=qty, work_order=work_order)
            work_order = reservation.work_order
            effects = {warehouse: (-qty, -qty, 0)}
    elif kind == MoveKind.RETURN:
        if work_order is None:
            raise ValidationError({"work_order": _("Name the work order the part was issued for.")})
        returnable = _returnable(part, work_order)
        if qty > returnable:
            raise ValidationError(
                {
                    "quantity": _("Only %(n)s of this part were issued for this order and not returned.")
                    % {"n": returnable}
                }
            )
        effects = {warehouse: (qty, 0, 0)}
    elif kind == MoveKind.SCRAP:
        effects = {warehouse: (-qty, 0, 0)}
    else:
        effects = {warehouse: (qty, 0, 0)}
    move = _post(
        kind=kind,
        part=part,
        warehouse=warehouse,
        quantity=qty,
        effects=effects,
        acting_user=acting_user,
        to_warehouse=to_warehouse,
        work_order=work_order,
        reservation=reservation,
        note=note,
    )
    if kind == MoveKind.ISSUE:
        _expect_faulty_part(move)
    request_promise = None
    if kind == MoveKind.SHIP and reservation is None:
        request_promise = promises.shipment_promise_open(move, promise)
    elif kind in (MoveKind.ISSUE, MoveKind.SHIP) and reservation is not None:
        promises.promise_progress(move)
    if kind == MoveKind.SHIP and work_order is not None:
        assert to_warehouse is not None
        note_text = _("Part shipped: %(part)s × %(qty)s from %(warehouse)s to %(to)s") % {
            "part": part.code,
            "qty": qty,
            "warehouse": warehouse.code,
            "to": to_warehouse.code,
        }
        if request_promise is not None:
            note_text = f"{note_text} · {promises.promise_note(request_promise)}"
        _order_event(
            work_order,
            acting_user,
            note_text,
            {
                "move": move.pk,
                "kind": kind,
                "part": part.code,
                "quantity": qty,
                "warehouse": warehouse.code,
                "to_warehouse": to_warehouse.code,
                "reservation": reservation.pk if reservation is not None else None,
            },
        )
    if kind in (MoveKind.ISSUE, MoveKind.RETURN) and work_order is not None:
        message = (
            _("Part issued: %(part)s × %(qty)s from %(warehouse)s")
            if kind == MoveKind.ISSUE
            else _("Unused part returned: %(part)s × %(qty)s to %(warehouse)s")
        )
        _order_event(
            work_order,
            acting_user,
            message % {"part": part.code, "qty": qty, "warehouse": warehouse.code},
            {"move": move.pk, "kind": kind, "part": part.code, "quantity": qty, "warehouse": warehouse.code},
        )
    return move


def _returnable(part: Part, order: WorkOrder) -> int:
    from django.db.models import Sum

    issued = StockMove.objects.filter(kind=MoveKind.ISSUE, part=part, work_order=order, reversal__isnull=True)
    returned = StockMove.objects.filter(kind=MoveKind.RETURN, part=part, work_order=order, reversal__isnull=True)
    total_issued = issued.aggregate(n=Sum("quantity"))["n"] or 0
    total_returned = returned.aggregate(n=Sum("quantity"))["n"] or 0
    return int(total_issued - total_returned)


def _consume(
    reservation: Reservation, *, part: Part, warehouse: Warehouse, quantity: int, work_order: WorkOrder | None
) -> Reservation:
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.status != ReservationStatus.ACTIVE:
        raise ValidationError({"reservation": _("This reservation is no longer active.")})
    if reservation.part_id != part.pk or reservation.warehouse_id != warehouse.pk:
        raise ValidationError({"reservation": _("The reservation is for another part or warehouse.")})
    if work_order is not None and reservation.work_order_id != work_order.pk:
        raise ValidationError({"reservation": _("The reservation is for another work order.")})
    if quantity > reservation.quantity - reservation.issued:
        raise ValidationError(
            {"quantity": _("Only %(n)s remain on this reservation.") % {"n": reservation.quantity - reservation.issued}}
        )
    reservation.issued += quantity
    if reservation.issued == reservation.quantity:
        reservation.status = ReservationStatus.CONSUMED
    reservation.save(update_fields=["issued", "status", "updated_at"])
    return reservation


@transaction.atomic
def shipment_receive(*, acting_user: Any | None, shipment: StockMove, note: str = "") -> StockMove:
    """The destination receives a shipment: in transit → on hand, once."""
    _require(acting_user, "parts.add_stockmove", _("You may not move stock."))
    shipment = (
        StockMove.objects.select_for_update(of=("self",)).select_related("to_warehouse", "part").get(pk=shipment.pk)
    )
    if shipment.kind != MoveKind.SHIP or shipment.to_warehouse is None:
        raise ValidationError({"move": _("Only a shipment is received.")})
    destination = shipment.to_warehouse
    _require_warehouse(acting_user, destination, "move")
    if StockMove.objects.filter(shipment=shipment).exists():
        raise ValidationError({"move": _("This shipment was already received.")})
    receipt = _post(
        kind=MoveKind.SHIP_RECEIVE,
        part=shipment.part,
        warehouse=destination,
        quantity=shipment.quantity,
        effects={destination: (shipment.quantity, 0, -shipment.quantity)},
        acting_user=acting_user,
        shipment=shipment,
        work_order=shipment.work_order,
        note=_text(note, "note", max_length=300),
    )
    promises.promise_progress(receipt)
    return receipt


@transaction.atomic
def move_reverse(*, acting_user: Any | None, move: StockMove, note: str) -> StockMove:
    """Correct a mistaken move by its exact opposite (the ledger is never edited)."""
    _require(acting_user, "parts.add_stockmove", _("You may not move stock."))
    move = StockMove.objects.select_for_update(of=("self",)).select_related("warehouse", "part").get(pk=move.pk)
    _require_warehouse(acting_user, move.warehouse, "move")
    note = _text(note, "note", max_length=300, required=True)
    if move.kind not in REVERSIBLE_KINDS or move.reservation_id is not None:
        raise ValidationError({"move": _("This move cannot be reversed; release or receive it instead.")})
    if StockMove.objects.filter(reverses=move).exists():
        raise ValidationError({"move": _("This move was already reversed.")})
    entries = list(move.entries.select_related("warehouse"))
    effects = {e.warehouse: (-e.on_hand, -e.reserved, -e.in_transit) for e in entries}
    return _post(
        kind=MoveKind.REVERSAL,
        part=move.part,
        warehouse=move.warehouse,
        quantity=move.quantity,
        effects=effects,
        acting_user=acting_user,
        to_warehouse=move.to_warehouse,
        work_order=move.work_order,
        reverses=move,
        note=note,
    )


# --- reservations --------------------------------------------------------------------------------


@transaction.atomic
def reservation_create(
    *,
    acting_user: Any | None,
    part: Part,
    warehouse: Warehouse,
    quantity: Any,
    work_order: WorkOrder,
    promise: str | None = None,
) -> Reservation:
    """Hold units for a work order (the repair plan's materials); refused when not available.
    The reservation is a part request: it carries its promise (``parts.promises``; ``promise``
    chooses one where the order's service level or contract does not say)."""
    _require(acting_user, "parts.add_reservation", _("You may not reserve parts."))
    _require_warehouse(acting_user, warehouse)
    qty = _quantity(quantity)
    if part.status == PartStatus.OBSOLETE:
        raise ValidationError({"part": _("This part is obsolete.")})
    if not work_order.is_open:
        raise ValidationError({"work_order": _("Parts are reserved for open work orders only.")})
    decision = promises.promise_for_order(work_order, promise)
    reservation = Reservation.objects.create(
        part=part, warehouse=warehouse, work_order=work_order, quantity=qty, created_by=_user(acting_user)
    )
    request_promise = promises.promise_open(
        order=work_order, part=part, quantity=qty, requested=promise, reservation=reservation, decision=decision
    )
    _order_event(
        work_order,
        acting_user,
        _("Part reserved: %(part)s × %(qty)s at %(warehouse)s")
        % {"part": part.code, "qty": qty, "warehouse": warehouse.code}
        + " · "
        + promises.promise_note(request_promise),
        {
            "reservation": reservation.pk,
            "part": part.code,
            "quantity": qty,
            "warehouse": warehouse.code,
            "promise": request_promise.promise,
            "promise_due_at": timezone.localtime(request_promise.due_at).isoformat(),
        },
    )
    # The balance row is locked last: the promise and the timeline are written before it, so
    # concurrent reservations of the same part wait on the lock only for the ledger write itself.
    _post(
        kind=MoveKind.RESERVE,
        part=part,
        warehouse=warehouse,
        quantity=qty,
        effects={warehouse: (0, qty, 0)},
        acting_user=acting_user,
        work_order=work_order,
        reservation=reservation,
    )
    return reservation


def _user(acting_user: Any | None) -> Any | None:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


@transaction.atomic
def reservation_release(
    *, acting_user: Any | None, reservation: Reservation, note: str = "", record_event: bool = True
) -> Reservation:
    """Give back what a reservation still holds. A consumed or released one is refused."""
    _require(acting_user, "parts.add_reservation", _("You may not reserve parts."))
    reservation = (
        Reservation.objects.select_for_update(of=("self",)).select_related("warehouse", "part").get(pk=reservation.pk)
    )
    _require_warehouse(acting_user, reservation.warehouse, "reservation")
    if reservation.status == ReservationStatus.CONSUMED:
        raise ValidationError({"reservation": _("This reservation was consumed: its parts were issued.")})
    if reservation.status == ReservationStatus.RELEASED:
        raise ValidationError({"reservation": _("This reservation was already released.")})
    remaining = reservation.quantity - reservation.issued
    _post(
        kind=MoveKind.RELEASE,
        part=reservation.part,
        warehouse=reservation.warehouse,
        quantity=remaining,
        effects={reservation.warehouse: (0, -remaining, 0)},
        acting_user=acting_user,
        work_order=reservation.work_order,
        reservation=reservation,
        note=_text(note, "note", max_length=300),
    )
    reservation.status = ReservationStatus.RELEASED
    reservation.save(update_fields=["status", "updated_at"])
    promises.promise_withdraw(reservation)
    if record_event:
        _order_event(
            reservation.work_order,
            acting_user,
            _("Reservation released: %(part)s × %(qty)s at %(warehouse)s")
            % {"part": reservation.part.code, "qty": remaining, "warehouse": reservation.warehouse.code},
            {"reservation": reservation.pk, "part": reservation.part.code, "quantity": remaining},
        )
    return reservation


def order_reservations_release(order: WorkOrder, event: Any) -> None:
    """Event hook ``parts.reservations``: a cancelled or closed order gives back what it still
    holds, with one timeline event listing the releases (ADR 0016)."""
    if event.kind == "cancel":
        promises.order_promises_withdraw(order)
    active = list(
        Reservation.objects.filter(work_order=order, status=ReservationStatus.ACTIVE).select_related(
            "part", "warehouse"
        )
    )
    if not active:
        return
    released = []
    for reservation in active:
        reservation_release(acting_user=None, reservation=reservation, note=event.kind, record_event=False)
        released.append(
            {
                "reservation": reservation.pk,
                "part": reservation.part.code,
                "quantity": reservation.quantity - reservation.issued,
            }
        )
    _order_event(
        order,
        None,
        _("Parts reservations released when the order ended: %(parts)s")
        % {"parts": ", ".join(f"{r['part']} × {r['quantity']}" for r in released)},
        {"released": released},
    )


# --- stock counts (盘点) --------------------------------------------------------------------------


@transaction.atomic
def stock_count_post(
    *, acting_user: Any | None, warehouse: Warehouse, counts: Mapping[Part, Any], reason: str
) -> StockCount:
    """A count of ``warehouse``: each part whose counted quantity differs from on hand gets an
    ``adjust`` move for the difference, all in one transaction (one bad line refuses the count)."""
    _require(acting_user, "parts.add_stockmove", _("You may not move stock."))
    _require_warehouse(acting_user, warehouse)
    reason = _text(reason, "reason", max_length=200, required=True)
    if not counts:
        raise ValidationError({"counts": _("Count at least one part.")})
    for part, counted in counts.items():
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise ValidationError({f"counts.{part.code}": _("Enter a whole number of zero or more.")})
    count = StockCount.objects.create(warehouse=warehouse, reason=reason, counted_by=_user(acting_user))
    for part, counted in sorted(counts.items(), key=lambda item: item[0].pk):
        balance = _lock_balances(part, [warehouse])[warehouse.pk]
        StockCountLine.objects.create(count=count, part=part, expected=balance.on_hand, counted=counted)
        difference = counted - balance.on_hand
        if difference:
            _post(
                kind=MoveKind.ADJUST,
                part=part,
                warehouse=warehouse,
                quantity=difference,
                effects={warehouse: (difference, 0, 0)},
                acting_user=acting_user,
                stock_count=count,
                note=reason,
                shortage_field=f"counts.{part.code}",
            )
    return count


# --- parts used on an order (the technician's phone) ---------------------------------------------


@transaction.atomic
def order_parts_used(*, order: WorkOrder, acting_user: Any | None, part_code: str, quantity: Any) -> list[StockMove]:
    """The technician's "parts used": issue against the order's reservation of the part (the one
    in the technician's van first), and what is not reserved from the van when they have one.
    A part not in the catalogue, a fractional quantity (a length of cable) or a technician without
    a van and without a reservation records the material line only (no stock is kept of it)."""
    from decimal import Decimal

    from parts.selectors import van_of

    part = Part.objects.filter(code=part_code).first()
    try:
        amount = Decimal(str(quantity))
    except ArithmeticError:
        return []
    if part is None or amount != amount.to_integral_value() or amount <= 0:
        return []
    remaining = int(amount)
    van = van_of(acting_user)
    reservations = list(
        Reservation.objects.filter(work_order=order, part=part, status=ReservationStatus.ACTIVE)
        .select_related("warehouse")
        .order_by("id")
    )
    reservations.sort(key=lambda r: 0 if van is not None and r.warehouse_id == van.pk else 1)
    moves: list[StockMove] = []
    for reservation in reservations:
        if remaining <= 0:
            break
        take = min(remaining, reservation.quantity - reservation.issued)
        moves.append(
            stock_move(
                acting_user=acting_user,
                kind=MoveKind.ISSUE,
                part=part,
                warehouse=reservation.warehouse,
                quantity=take,
                reservation=reservation,
                work_order=order,
            )
        )
        remaining -= take
    if remaining > 0 and van is not None:
        moves.append(
            stock_move(
                acting_user=acting_user,
                kind=MoveKind.ISSUE,
                part=part,
                warehouse=van,
                quantity=remaining,
                work_order=order,
            )
        )
    return moves


# --- faulty-part returns (旧件返还) and trade-in (以旧换新) -----------------------------------------

#: Days a station has to send back a part replaced under warranty (settings.PARTS_FAULTY_RETURN_DAYS).
DEFAULT_FAULTY_RETURN_DAYS = 30


def faulty_return_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "PARTS_FAULTY_RETURN_DAYS", DEFAULT_FAULTY_RETURN_DAYS))


def _expect_faulty_part(move: StockMove) -> None:
    """A part issued on a free (warranty) order is expected back: the replaced part (seed 000 旧件返还)."""
    from datetime import timedelta

    from parts.models import FaultyReturn
    from workorders.choices import ChargeType

    order = move.work_order
    if order is None or order.charge_type != ChargeType.FREE:
        return
    FaultyReturn.objects.create(
        work_order=order,
        part=move.part,
        quantity=move.quantity,
        unit_id=order.unit_id,
        issue=move,
        due_on=timezone.localdate() + timedelta(days=faulty_return_days()),
    )


@transaction.atomic
def trade_in_record(
    *, acting_user: Any | None, order: WorkOrder, part: Part, quantity: Any, credit: Any, note: str = ""
) -> Any:
    """以旧换新: the old part taken back from the customer and the credit given for it; the old part
    is tracked like a faulty return (expected at the station's warehouse, inspected, closed)."""
    from datetime import timedelta
    from decimal import Decimal, InvalidOperation

    from parts.models import FaultyReturn

    _require(acting_user, "parts.add_faultyreturn", _("You may not record returned parts."))
    qty = _quantity(quantity)
    try:
        amount = Decimal(str(credit)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"credit": _("Enter an amount such as 120.00.")}) from None
    if amount < 0:
        raise ValidationError({"credit": _("Enter an amount such as 120.00.")})
    record = FaultyReturn.objects.create(
        work_order=order,
        part=part,
        quantity=qty,
        unit_id=order.unit_id,
        due_on=timezone.localdate() + timedelta(days=faulty_return_days()),
        trade_in=True,
        credit=amount,
        note=_text(note, "note", max_length=300),
    )
    _order_event(
        order,
        acting_user,
        _("Trade-in: old %(part)s × %(qty)s taken back, credit %(credit)s")
        % {"part": part.code, "qty": qty, "credit": f"{amount:.2f}"},
        {"faulty_return": record.pk, "part": part.code, "quantity": qty, "credit": f"{amount:.2f}"},
    )
    return record


def _faulty_return_locked(record: Any, acting_user: Any | None) -> Any:
    from parts.models import FaultyReturn

    record = FaultyReturn.objects.select_for_update(of=("self",)).select_related("part").get(pk=record.pk)
    if acting_user is not None:
        ids = unit_ids_visible_to(acting_user)
        if ids is not None and record.unit_id not in ids:
            raise ValidationError({"faulty_return": _("Unknown return.")})
    return record


@transaction.atomic
def faulty_return_receive(*, acting_user: Any | None, record: Any, warehouse: Warehouse) -> Any:
    """The old part arrived at a warehouse (kept apart: it is not on hand)."""
    from parts.choices import FaultyReturnStatus

    _require(acting_user, "parts.change_faultyreturn", _("You may not record returned parts."))
    record = _faulty_return_locked(record, acting_user)
    _require_warehouse(acting_user, warehouse)
    if record.status != FaultyReturnStatus.PENDING:
        raise ValidationError({"status": _("This part was already received.")})
    record.status, record.warehouse, record.received_at = FaultyReturnStatus.RECEIVED, warehouse, timezone.now()
    record.save(update_fields=["status", "warehouse", "received_at", "updated_at"])
    return record


@transaction.atomic
def faulty_return_inspect(*, acting_user: Any | None, record: Any, result: str) -> Any:
    """Fault confirmed, no fault found, or customer damage."""
    from parts.choices import FaultyReturnStatus, InspectionResult

    _require(acting_user, "parts.change_faultyreturn", _("You may not record returned parts."))
    record = _faulty_return_locked(record, acting_user)
    if record.status != FaultyReturnStatus.RECEIVED:
        raise ValidationError({"status": _("Only a received part is inspected.")})
    if result not in InspectionResult.values:
        raise ValidationError(
            {"result": _("Choose one of: %(choices)s.") % {"choices": ", ".join(InspectionResult.values)}}
        )
    record.status, record.result, record.inspected_at = FaultyReturnStatus.INSPECTED, result, timezone.now()
    record.save(update_fields=["status", "result", "inspected_at", "updated_at"])
    return record


@transaction.atomic
def faulty_return_close(*, acting_user: Any | None, record: Any, outcome: str, supplier_claim: str = "") -> Any:
    """Scrapped, or returned to the supplier with a claim reference."""
    from parts.choices import FaultyReturnStatus

    _require(acting_user, "parts.change_faultyreturn", _("You may not record returned parts."))
    record = _faulty_return_locked(record, acting_user)
    if record.status != FaultyReturnStatus.INSPECTED:
        raise ValidationError({"status": _("Inspect the part first.")})
    if outcome not in (FaultyReturnStatus.SCRAPPED, FaultyReturnStatus.SUPPLIER):
        raise ValidationError({"outcome": _("Choose one of: %(choices)s.") % {"choices": "scrapped, supplier"}})
    claim = _text(supplier_claim, "supplier_claim", max_length=64)
    if outcome == FaultyReturnStatus.SUPPLIER and not claim:
        raise ValidationError({"supplier_claim": _("Give the supplier claim's reference.")})
    record.status, record.supplier_claim, record.closed_at = outcome, claim, timezone.now()
    record.save(update_fields=["status", "supplier_claim", "closed_at", "updated_at"])
    return record


# --- spare units (备用机) ---------------------------------------------------------------------------


@transaction.atomic
def loaner_create(*, acting_user: Any | None, serial_number: str, product_model: ProductModel, unit: OrgUnit) -> Any:
    from parts.models import Loaner

    _require(acting_user, "parts.add_loaner", _("You may not manage spare units."))
    serial = _text(serial_number, "serial_number", max_length=64, required=True)
    if Loaner.objects.filter(serial_number=serial).exists():
        raise ValidationError({"serial_number": _("A spare unit with this serial number already exists.")})
    if acting_user is not None:
        ids = unit_ids_visible_to(acting_user)
        if ids is not None and unit.pk not in ids:
            raise ValidationError({"unit": _("Unknown unit.")})
    return Loaner.objects.create(serial_number=serial, product_model=product_model, unit=unit)


@transaction.atomic
def loaner_lend(*, acting_user: Any | None, loaner: Any, order: WorkOrder, due_back: Any, note: str = "") -> Any:
    """Lend a spare unit against an order (the backup unit a missed 3-hour fix promises, seed 002);
    recorded on the order's timeline as a ``backup_unit`` event."""
    from datetime import date

    from parts.choices import LoanerStatus
    from parts.models import Loaner, LoanerLoan

    _require(acting_user, "parts.change_loaner", _("You may not lend spare units."))
    loaner = Loaner.objects.select_for_update().get(pk=loaner.pk)
    if acting_user is not None:
        ids = unit_ids_visible_to(acting_user)
        if ids is not None and loaner.unit_id not in ids:
            raise ValidationError({"loaner": _("Unknown spare unit.")})
    if loaner.status != LoanerStatus.AVAILABLE:
        raise ValidationError({"loaner": _("This spare unit is not available.")})
    if not isinstance(due_back, date) or due_back < timezone.localdate():
        raise ValidationError({"due_back": _("Choose a due-back date from today on.")})
    if not order.is_open:
        raise ValidationError({"work_order": _("Spare units are lent against open work orders only.")})
    loan = LoanerLoan.objects.create(
        loaner=loaner,
        work_order=order,
        lent_at=timezone.now(),
        due_back=due_back,
        lent_by=_user(acting_user),
        note=_text(note, "note", max_length=300),
    )
    loaner.status = LoanerStatus.LENT
    loaner.save(update_fields=["status", "updated_at"])
    workorder_record_event(
        order=order,
        kind=EventKind.BACKUP_UNIT,
        acting_user=acting_user,
        note=_("Spare unit %(serial)s lent, due back on %(day)s")
        % {"serial": loaner.serial_number, "day": due_back.isoformat()},
        data={"loaner": loaner.serial_number, "due_back": due_back.isoformat(), "loan": loan.pk},
    )
    return loan


@transaction.atomic
def loaner_return(*, acting_user: Any | None, loan: Any, condition: str, note: str = "") -> Any:
    """The spare unit comes back; its condition is recorded (a damaged one is retired from the pool)."""
    from parts.choices import LoanerCondition, LoanerStatus
    from parts.models import LoanerLoan

    _require(acting_user, "parts.change_loaner", _("You may not lend spare units."))
    loan = LoanerLoan.objects.select_for_update(of=("self",)).select_related("loaner").get(pk=loan.pk)
    if loan.returned_at is not None:
        raise ValidationError({"loan": _("This spare unit was already returned.")})
    if condition not in LoanerCondition.values:
        raise ValidationError(
            {"condition": _("Choose one of: %(choices)s.") % {"choices": ", ".join(LoanerCondition.values)}}
        )
    loan.returned_at, loan.condition_on_return = timezone.now(), condition
    if note:
        loan.note = _text(note, "note", max_length=300)
    loan.save(update_fields=["returned_at", "condition_on_return", "note", "updated_at"])
    loaner = loan.loaner
    loaner.condition = condition
    loaner.status = LoanerStatus.RETIRED if condition == LoanerCondition.DAMAGED else LoanerStatus.AVAILABLE
    loaner.save(update_fields=["condition", "status", "updated_at"])
    workorder_record_event(
        order=loan.work_order,
        kind=EventKind.BACKUP_UNIT,
        acting_user=acting_user,
        note=_("Spare unit %(serial)s returned (%(condition)s)")
        % {"serial": loaner.serial_number, "condition": LoanerCondition(condition).label},
        data={"loaner": loaner.serial_number, "loan": loan.pk, "condition": condition},
    )
    return loan


LOANER_OVERDUE_TEMPLATE = "loaner_overdue"


def loaners_overdue_alert(*, today: Any = None) -> int:
    """Tell the lender and the unit's station staff / parts clerks of every spare unit past its
    due-back date, once per loan and day (the dedupe key). Idempotent: the daily job calls it."""
    from django.contrib.auth import get_user_model

    from core.choices import Role
    from notify.recipients import Recipient
    from notify.services import notification_enqueue
    from parts.models import LoanerLoan

    day = today or timezone.localdate()
    overdue = LoanerLoan.objects.filter(returned_at__isnull=True, due_back__lt=day).select_related(
        "loaner", "work_order", "lent_by"
    )
    users = get_user_model().objects.filter(is_active=True, groups__name__in=[Role.STATION, Role.PARTS_CLERK])
    alerted = 0
    for loan in overdue:
        recipients = {u.pk: u for u in users.filter(profile__unit_id=loan.loaner.unit_id).select_related("profile")}
        if loan.lent_by is not None:
            recipients.setdefault(loan.lent_by.pk, loan.lent_by)
        with transaction.atomic():
            for user in recipients.values():
                notification_enqueue(
                    template_key=LOANER_OVERDUE_TEMPLATE,
                    recipient=Recipient.for_user(user),
                    context={
                        "serial_number": loan.loaner.serial_number,
                        "order_number": loan.work_order.number,
                        "due_back": loan.due_back.isoformat(),
                        "days_overdue": (day - loan.due_back).days,
                    },
                    order_id=loan.work_order_id,
                    customer_id=None,
                    dedupe_key=f"loaner:{loan.pk}:overdue:{day.isoformat()}",
                    unit_id=loan.loaner.unit_id,
                    fetch=False,
                )
        alerted += 1
    return alerted


# --- reorder points and suggestions ---------------------------------------------------------------


@transaction.atomic
def reorder_point_set(*, acting_user: Any | None, part: Part, warehouse: Warehouse, minimum: Any, maximum: Any) -> Any:
    from parts.models import ReorderPoint

    _require(acting_user, "parts.add_stockmove", _("You may not move stock."))
    _require_warehouse(acting_user, warehouse)
    for name, value in (("minimum", minimum), ("maximum", maximum)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError({name: _("Enter a whole number of zero or more.")})
    if maximum < minimum:
        raise ValidationError({"maximum": _("The maximum may not be below the minimum.")})
    point, _created = ReorderPoint.objects.update_or_create(
        part=part, warehouse=warehouse, defaults={"minimum": minimum, "maximum": maximum}
    )
    return point


def _source_for(point: Any, quantity: int) -> Warehouse | None:
    """A warehouse of the same or a parent unit (a depot, centre or HQ) with ``quantity`` available."""
    from django.db.models import F

    from core.scoping import unit_ancestry

    units = unit_ancestry(point.warehouse.unit_id)
    rows = (
        StockBalance.objects.filter(part=point.part, warehouse__unit_id__in=units, warehouse__is_active=True)
        .exclude(warehouse=point.warehouse)
        .exclude(warehouse__kind=WarehouseKind.VAN)
        .annotate(free=F("on_hand") - F("reserved"))
        .filter(free__gte=quantity)
        .select_related("warehouse")
    )
    ranked = sorted(rows, key=lambda b: (units.index(b.warehouse.unit_id), -(b.on_hand - b.reserved)))
    return ranked[0].warehouse if ranked else None


def reorder_scan() -> dict[str, int]:
    """The daily job: for every reorder point whose projected quantity (on hand + in transit −
    reserved) is below its minimum, one open suggestion (purchase, or a transfer from a warehouse
    above that has the parts) to bring it up to the maximum; an open one is updated, never repeated;
    one no longer needed is marked done."""
    from parts.choices import SuggestionKind, SuggestionStatus
    from parts.models import ReorderPoint, ReorderSuggestion

    counts = {"created": 0, "updated": 0, "closed": 0}
    for point in ReorderPoint.objects.select_related("part", "warehouse").order_by("id"):
        with transaction.atomic():
            on_hand, reserved, in_transit = StockBalance.objects.filter(
                part=point.part, warehouse=point.warehouse
            ).values_list("on_hand", "reserved", "in_transit").first() or (0, 0, 0)
            projected = on_hand + in_transit - reserved
            open_one = (
                ReorderSuggestion.objects.select_for_update()
                .filter(part=point.part, warehouse=point.warehouse, status=SuggestionStatus.OPEN)
                .first()
            )
            if projected >= point.minimum:
                if open_one is not None:
                    open_one.status = SuggestionStatus.DONE
                    open_one.save(update_fields=["status", "updated_at"])
                    counts["closed"] += 1
                continue
            quantity = point.maximum - projected
            source = _source_for(point, quantity)
            kind = SuggestionKind.TRANSFER if source is not None else SuggestionKind.PURCHASE
            if open_one is None:
                ReorderSuggestion.objects.create(
                    part=point.part,
                    warehouse=point.warehouse,
                    kind=kind,
                    source=source,
                    quantity=quantity,
                    projected=projected,
                )
                counts["created"] += 1
            elif (open_one.kind, open_one.source_id, open_one.quantity, open_one.projected) != (
                kind,
                source.pk if source else None,
                quantity,
                projected,
            ):
                open_one.kind, open_one.source, open_one.quantity, open_one.projected = (
                    kind,
                    source,
                    quantity,
                    projected,
                )
                open_one.save(update_fields=["kind", "source", "quantity", "projected", "updated_at"])
                counts["updated"] += 1
    return counts


def minimum_suggested_for(*, part: Part, warehouse: Warehouse, months: int = 3) -> Any:
    """The suggested minimum of ``part`` at ``warehouse`` from the installed base its unit serves
    (devices of the models the part fits) and the last ``months`` of issues there (formula shown)."""
    from datetime import timedelta

    from django.db.models import Sum

    from core.scoping import unit_subtree_ids
    from devices.models import Device
    from parts.policies import suggested_minimum

    units = unit_subtree_ids(warehouse.unit_id)
    devices = Device.objects.filter(unit_id__in=units, product_model__in=part.product_models.all()).count()
    since = timezone.now() - timedelta(days=30 * months)
    issued = (
        StockMove.objects.filter(
            kind=MoveKind.ISSUE, part=part, warehouse__unit_id__in=units, at__gte=since, reversal__isnull=True
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    return suggested_minimum(devices=devices, issued=int(issued), months=months)
