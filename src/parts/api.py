"""Parts and stock in the public API v1 (SPEC §14.2): ``/parts``, ``/warehouses``, ``/stock``.
Thin: parse, resolve codes within the user's scope (a part or warehouse the user may not see is
"unknown", naming the field), call the services, serialise."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    MAX_ID,
    BadRequestOut,
    ConflictOut,
    DateTimeText,
    Id,
    PageQuery,
    StrictIn,
    Upload,
    error_body,
    idempotent_create,
    local_iso,
    paginate,
    parse_id,
)
from core.errors import ErrorCode
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from parts import services
from parts.choices import PartStatus, ReservationStatus
from parts.exceptions import StockShortage
from parts.models import Part, Reservation, StockBalance, StockMove, Warehouse
from parts.selectors import (
    moves_visible_to,
    parts_visible_to,
    reservations_visible_to,
    stock_list,
    warehouses_visible_to,
)
from workorders.exports import XLSX_CONTENT_TYPE
from workorders.selectors import workorders_visible_to

parts_router = Router(tags=["parts"])
warehouses_router = Router(tags=["parts"])
stock_router = Router(tags=["parts"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [
    ("/parts", parts_router),
    ("/warehouses", warehouses_router),
    ("/stock", stock_router),
]

Code = str


class StockConflictOut(ConflictOut):
    """409 ``out_of_stock``: the move would take the warehouse's available quantity below zero."""

    available: int | None = Field(default=None, description="What the warehouse has available now")


RESPONSES: dict[int, Any] = {**ERROR_RESPONSES, 409: StockConflictOut}


def _shortage_answer(exc: StockShortage) -> Status:
    body = error_body(exc.message, {exc.field: exc.message}, code=ErrorCode.OUT_OF_STOCK)
    body["available"] = exc.available
    return Status(409, body)


# --- parts ---------------------------------------------------------------------------------


class PartIn(StrictIn):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    uom: str = Field(default="", max_length=16, description="Unit of measure (个 by default)")
    product_models: list[str] = Field(default_factory=list, max_length=200, description="Product model codes")
    genuine: bool = True
    supplier: str = Field(default="", max_length=100)


class PartOut(Schema):
    id: int
    code: str
    name: str
    uom: str
    product_models: list[str]
    genuine: bool
    supplier: str
    status: str
    superseded_by: str | None
    version: int


class PartCreatedOut(PartOut):
    pass


class PartListOut(Schema):
    items: list[PartOut]
    count: int


class PartStatusIn(StrictIn):
    status: Literal["active", "superseded", "obsolete"]
    superseded_by: str | None = Field(default=None, max_length=64, description="The new part's code")
    version: int | None = Field(default=None, ge=1)


class PartStatusOut(PartOut):
    warnings: list[str] = Field(description="第七条: models whose parts must stay orderable")


class PartFilters(PageQuery):
    q: str = Field(default="", max_length=64)
    status: PartStatus | None = None
    product_model: str = Field(default="", max_length=64)


def part_out(part: Part) -> dict[str, Any]:
    return {
        "id": part.pk,
        "code": part.code,
        "name": part.name,
        "uom": part.uom,
        "product_models": sorted(m.code for m in part.product_models.all()),
        "genuine": part.genuine,
        "supplier": part.supplier,
        "status": part.status,
        "superseded_by": part.superseded_by.code if part.superseded_by_id and part.superseded_by else None,
        "version": part.version,
    }


def _part(request: HttpRequest, code: Any, field: str = "part") -> Part:
    part = parts_visible_to(request.user).filter(code=str(code or "").strip()).first()
    if part is None:
        raise ValidationError({field: _("Unknown part.")})
    return part


def _warehouse(request: HttpRequest, code: Any, field: str = "warehouse", *, any_unit: bool = False) -> Warehouse:
    """A warehouse of the user's units by code; ``any_unit``: any active one (a shipment's destination)."""
    queryset = Warehouse.objects.all() if any_unit else warehouses_visible_to(request.user)
    warehouse = queryset.filter(code=str(code or "").strip()).first()
    if warehouse is None:
        raise ValidationError({field: _("Unknown warehouse.")})
    return warehouse


def _order(request: HttpRequest, value: Any, field: str = "work_order") -> Any:
    order = workorders_visible_to(request.user).filter(pk=parse_id(value, field)).first()
    if order is None:
        raise ValidationError({field: _("Unknown work order.")})
    return order


@parts_router.post("", response={201: PartCreatedOut, **ERROR_RESPONSES}, summary="Add a part to the catalogue")
def create_part(request: HttpRequest, payload: PartIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        part = services.part_create(
            acting_user=request.user,
            code=payload.code,
            name=payload.name,
            uom=payload.uom,
            product_models=payload.product_models,
            genuine=payload.genuine,
            supplier=payload.supplier,
        )
        return 201, part_out(part)

    return idempotent_create(request, "parts.part", create)


@parts_router.get("", response={200: PartListOut, **ERROR_RESPONSES}, summary="The parts catalogue")
def list_parts(request: HttpRequest, filters: Query[PartFilters]) -> Any:
    from django.db.models import Q

    parts = parts_visible_to(request.user).select_related("superseded_by").prefetch_related("product_models")
    text = filters.q.strip()
    if text:
        parts = parts.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if filters.status:
        parts = parts.filter(status=filters.status)
    if filters.product_model:
        parts = parts.filter(product_models__code=filters.product_model)
    return paginate(parts.order_by("code"), page=filters.page, page_size=filters.page_size, serialize=part_out)


@parts_router.get("/{code}", response={200: PartOut, **ERROR_RESPONSES}, summary="One part by its code")
def get_part(request: HttpRequest, code: str) -> Any:
    return part_out(parts_visible_to(request.user).get(code=code))


@parts_router.post(
    "/{code}/status", response={200: PartStatusOut, **ERROR_RESPONSES}, summary="Active, superseded or obsolete"
)
def set_part_status(request: HttpRequest, code: str, payload: PartStatusIn) -> Any:
    part = parts_visible_to(request.user).get(code=code)
    successor = _part(request, payload.superseded_by, "superseded_by") if payload.superseded_by else None
    change = services.part_set_status(
        acting_user=request.user,
        part=part,
        status=payload.status,
        superseded_by=successor,
        expected_version=payload.version,
    )
    return {**part_out(change.part), "warnings": change.warnings}


# --- warehouses ----------------------------------------------------------------------------


class WarehouseIn(StrictIn):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["hq", "centre", "depot", "station", "van"]
    unit: Id | None = Field(default=None, description="Org-unit id (the user's own unit by default)")
    technician: Id | None = Field(default=None, description="The van's technician (a user id)")


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: int
    technician: int | None
    is_active: bool


class WarehouseListOut(Schema):
    items: list[WarehouseOut]
    count: int


def warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.pk,
        "code": warehouse.code,
        "name": warehouse.name,
        "kind": warehouse.kind,
        "unit": warehouse.unit_id,
        "technician": warehouse.technician_id,
        "is_active": warehouse.is_active,
    }


@warehouses_router.post("", response={201: WarehouseOut, **ERROR_RESPONSES}, summary="Set up a warehouse")
def create_warehouse(request: HttpRequest, payload: WarehouseIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        from django.contrib.auth import get_user_model

        user: Any = request.user
        if payload.unit is not None:
            unit = OrgUnit.objects.filter(pk=payload.unit).first()
            ids = unit_ids_visible_to(user)
            if unit is None or (ids is not None and unit.pk not in ids):
                raise ValidationError({"unit": _("Unknown unit.")})
        else:
            profile = getattr(user, "profile", None)
            if profile is None:
                raise ValidationError({"unit": _("This field is required.")})
            unit = profile.unit
        technician = None
        if payload.technician is not None:
            technician = get_user_model().objects.filter(pk=payload.technician, is_active=True).first()
            if technician is None:
                raise ValidationError({"technician": _("Unknown technician.")})
        warehouse = services.warehouse_create(
            acting_user=user, code=payload.code, name=payload.name, kind=payload.kind, unit=unit, technician=technician
        )
        return 201, warehouse_out(warehouse)

    return idempotent_create(request, "parts.warehouse", create)


@warehouses_router.get("", response={200: WarehouseListOut, **ERROR_RESPONSES}, summary="Warehouses (scoped)")
def list_warehouses(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    return paginate(
        warehouses_visible_to(request.user).order_by("code"),
        page=filters.page,
        page_size=filters.page_size,
        serialize=warehouse_out,
    )


# --- stock ---------------------------------------------------------------------------------


class StockItemOut(Schema):
    part: str
    warehouse: str
    on_hand: int
    reserved: int
    available: int = Field(description="on hand − reserved")
    in_transit: int = Field(description="Shipped towards this warehouse, not received yet")


class StockListOut(Schema):
    items: list[StockItemOut]
    count: int


class StockFilters(PageQuery):
    part: str = Field(default="", max_length=64, description="Part code")
    warehouse: str = Field(default="", max_length=32, description="Warehouse code")
    low: bool = Field(default=False, description="Only where nothing is available")


def stock_out(balance: StockBalance) -> dict[str, Any]:
    return {
        "part": balance.part.code,
        "warehouse": balance.warehouse.code,
        "on_hand": balance.on_hand,
        "reserved": balance.reserved,
        "available": balance.on_hand - balance.reserved,
        "in_transit": balance.in_transit,
    }


@stock_router.get("", response={200: StockListOut, **ERROR_RESPONSES}, summary="Stock by part × warehouse (scoped)")
def list_stock(request: HttpRequest, filters: Query[StockFilters]) -> Any:
    balances = stock_list(user=request.user, part=filters.part, warehouse=filters.warehouse, low=filters.low)
    return paginate(balances, page=filters.page, page_size=filters.page_size, serialize=stock_out)


MoveKindIn = Literal["receive", "transfer", "ship", "issue", "return", "scrap", "adjust"]
PromiseIn = Literal["5x10_nbd", "7x24_4"]


def promise_fields(request: Any, attribute: str = "promise") -> dict[str, Any]:
    """``promise``, ``promise_due_at``, ``promise_met``, ``promise_status`` of a part request
    (a reservation, a shipment) from its ``PartPromise``; nulls when it has none."""
    from parts.models import PartPromise

    promise = None
    if request is not None:
        try:
            promise = getattr(request, attribute)
        except PartPromise.DoesNotExist:
            promise = None
    if promise is None:
        return {"promise": None, "promise_due_at": None, "promise_met": None, "promise_status": None}
    return {
        "promise": promise.promise,
        "promise_due_at": local_iso(promise.due_at),
        "promise_met": promise.met,
        "promise_status": promise.status,
    }


class MoveIn(StrictIn):
    kind: MoveKindIn
    part: str = Field(min_length=1, max_length=64, description="Part code")
    warehouse: str = Field(min_length=1, max_length=32, description="Warehouse code")
    to_warehouse: str | None = Field(default=None, max_length=32, description="Destination (transfer, ship)")
    quantity: int = Field(ge=-1_000_000, le=1_000_000, description="An integer > 0 (adjust: non-zero)")
    work_order: Id | None = None
    reservation: Id | None = Field(default=None, description="An issue or a shipment of these reserved units")
    note: str = Field(default="", max_length=300)
    promise: PromiseIn | None = Field(
        default=None,
        description="A shipment naming an open order towards its station is a part request: its promise where "
        "the order's service level / contract does not say (default 5x10_nbd)",
    )


class MoveOut(Schema):
    id: int
    kind: str
    part: str
    warehouse: str
    to_warehouse: str | None
    quantity: int
    work_order: int | None
    reservation: int | None
    shipment: int | None = Field(description="The shipment this move received")
    reverses: int | None
    in_transit: bool = Field(description="A shipment not received yet")
    note: str
    at: DateTimeText
    promise: str | None = Field(description="A shipment that is a part request: 5x10_nbd or 7x24_4")
    promise_due_at: DateTimeText | None = Field(description="When the promise falls due")
    promise_met: bool | None = Field(description="Met / missed once decided; null while open or withdrawn")
    promise_status: str | None = Field(description="open, met, missed or withdrawn")


class MoveListOut(Schema):
    items: list[MoveOut]
    count: int


class MoveFilters(PageQuery):
    part: str = Field(default="", max_length=64)
    warehouse: str = Field(default="", max_length=32)
    kind: str = Field(default="", max_length=16)
    work_order: Id | None = None


def move_out(move: StockMove) -> dict[str, Any]:
    in_transit = False
    if move.kind == "ship":
        in_transit = not StockMove.objects.filter(shipment=move).exists()
    return {
        "id": move.pk,
        "kind": move.kind,
        "part": move.part.code,
        "warehouse": move.warehouse.code,
        "to_warehouse": move.to_warehouse.code if move.to_warehouse else None,
        "quantity": move.quantity,
        "work_order": move.work_order_id,
        "reservation": move.reservation_id,
        "shipment": move.shipment_id,
        "reverses": move.reverses_id,
        "in_transit": in_transit,
        "note": move.note,
        "at": local_iso(move.at),
        **promise_fields(move if move.kind == "ship" else None),
    }


@stock_router.post("/moves", response={201: MoveOut, **RESPONSES}, summary="Post a stock move (Idempotency-Key)")
def create_move(request: HttpRequest, payload: MoveIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        part = _part(request, payload.part)
        warehouse = _warehouse(request, payload.warehouse)
        to_warehouse = None
        if payload.to_warehouse:
            to_warehouse = _warehouse(request, payload.to_warehouse, "to_warehouse", any_unit=payload.kind == "ship")
        order = _order(request, payload.work_order) if payload.work_order is not None else None
        reservation = None
        if payload.reservation is not None:
            reservation = reservations_visible_to(request.user).filter(pk=payload.reservation).first()
            if reservation is None:
                raise ValidationError({"reservation": _("Unknown reservation.")})
        move = services.stock_move(
            acting_user=request.user,
            kind=payload.kind,
            part=part,
            warehouse=warehouse,
            quantity=payload.quantity,
            to_warehouse=to_warehouse,
            work_order=order,
            reservation=reservation,
            note=payload.note,
            promise=payload.promise,
        )
        return 201, move_out(move)

    try:
        return idempotent_create(request, "parts.move", create)
    except StockShortage as exc:
        return _shortage_answer(exc)


@stock_router.get("/moves", response={200: MoveListOut, **ERROR_RESPONSES}, summary="The move journal (scoped)")
def list_moves(request: HttpRequest, filters: Query[MoveFilters]) -> Any:
    moves = moves_visible_to(request.user)
    if filters.part:
        moves = moves.filter(part__code=filters.part)
    if filters.warehouse:
        moves = moves.filter(warehouse__code=filters.warehouse)
    if filters.kind:
        moves = moves.filter(kind=filters.kind)
    if filters.work_order:
        moves = moves.filter(work_order_id=filters.work_order)
    return paginate(moves.order_by("-id"), page=filters.page, page_size=filters.page_size, serialize=move_out)


def _move(request: HttpRequest, move_id: int) -> StockMove:
    if not 1 <= move_id <= MAX_ID:
        raise StockMove.DoesNotExist
    return moves_visible_to(request.user).get(pk=move_id)


@stock_router.get("/moves/{move_id}", response={200: MoveOut, **ERROR_RESPONSES}, summary="One move")
def get_move(request: HttpRequest, move_id: int) -> Any:
    return move_out(_move(request, move_id))


class NoteIn(StrictIn):
    note: str = Field(default="", max_length=300)


@stock_router.post(
    "/moves/{move_id}/receive", response={201: MoveOut, **RESPONSES}, summary="Receive a shipment at its destination"
)
def receive_shipment(
    request: HttpRequest,
    move_id: int,
    payload: NoteIn = NoteIn(),  # noqa: B008 (the body may be left out: no note)
) -> Any:
    shipment = _move(request, move_id)

    def create() -> tuple[int, dict[str, Any]]:
        move = services.shipment_receive(
            acting_user=request.user, shipment=shipment, note=payload.note if payload else ""
        )
        return 201, move_out(move)

    return idempotent_create(request, "parts.receive", create)


@stock_router.post(
    "/moves/{move_id}/reverse", response={201: MoveOut, **RESPONSES}, summary="Correct a move by its reverse"
)
def reverse_move(request: HttpRequest, move_id: int, payload: NoteIn) -> Any:
    move = _move(request, move_id)

    def create() -> tuple[int, dict[str, Any]]:
        return 201, move_out(services.move_reverse(acting_user=request.user, move=move, note=payload.note))

    try:
        return idempotent_create(request, "parts.reverse", create)
    except StockShortage as exc:
        return _shortage_answer(exc)


class ReservationIn(StrictIn):
    part: str = Field(min_length=1, max_length=64)
    warehouse: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=-1_000_000, le=1_000_000)
    work_order: Id
    promise: PromiseIn | None = Field(
        default=None,
        description="5x10_nbd (shipped by the end of the next business day) or 7x24_4 (on site within 4 h), "
        "where the order's service level / contract does not say; default 5x10_nbd",
    )


class ReservationOut(Schema):
    id: int
    status: str
    part: str
    warehouse: str
    quantity: int
    issued: int = Field(description="Issued or shipped against the reservation")
    work_order: int
    created_at: DateTimeText
    promise: str | None = Field(description="5x10_nbd or 7x24_4")
    promise_due_at: DateTimeText | None = Field(description="When the promise falls due")
    promise_met: bool | None = Field(description="Met / missed once decided; null while open or withdrawn")
    promise_status: str | None = Field(description="open, met, missed or withdrawn")


class ReservationListOut(Schema):
    items: list[ReservationOut]
    count: int


class ReservationFilters(PageQuery):
    status: ReservationStatus | None = None
    work_order: Id | None = None
    warehouse: str = Field(default="", max_length=32)


def reservation_out(reservation: Reservation) -> dict[str, Any]:
    return {
        "id": reservation.pk,
        "status": reservation.status,
        "part": reservation.part.code,
        "warehouse": reservation.warehouse.code,
        "quantity": reservation.quantity,
        "issued": reservation.issued,
        "work_order": reservation.work_order_id,
        "created_at": local_iso(reservation.created_at),
        **promise_fields(reservation, "promise"),
    }


@stock_router.post(
    "/reservations", response={201: ReservationOut, **RESPONSES}, summary="Reserve parts for a work order"
)
def create_reservation(request: HttpRequest, payload: ReservationIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        reservation = services.reservation_create(
            acting_user=request.user,
            part=_part(request, payload.part),
            warehouse=_warehouse(request, payload.warehouse),
            quantity=payload.quantity,
            work_order=_order(request, payload.work_order),
            promise=payload.promise,
        )
        return 201, reservation_out(reservation)

    try:
        return idempotent_create(request, "parts.reservation", create)
    except StockShortage as exc:
        return _shortage_answer(exc)


@stock_router.get("/reservations", response={200: ReservationListOut, **ERROR_RESPONSES}, summary="Reservations")
def list_reservations(request: HttpRequest, filters: Query[ReservationFilters]) -> Any:
    reservations = reservations_visible_to(request.user)
    if filters.status:
        reservations = reservations.filter(status=filters.status)
    if filters.work_order:
        reservations = reservations.filter(work_order_id=filters.work_order)
    if filters.warehouse:
        reservations = reservations.filter(warehouse__code=filters.warehouse)
    return paginate(
        reservations.order_by("-id"), page=filters.page, page_size=filters.page_size, serialize=reservation_out
    )


def _reservation(request: HttpRequest, reservation_id: int) -> Reservation:
    if not 1 <= reservation_id <= MAX_ID:
        raise Reservation.DoesNotExist
    return reservations_visible_to(request.user).get(pk=reservation_id)


@stock_router.get(
    "/reservations/{reservation_id}", response={200: ReservationOut, **ERROR_RESPONSES}, summary="One reservation"
)
def get_reservation(request: HttpRequest, reservation_id: int) -> Any:
    return reservation_out(_reservation(request, reservation_id))


@stock_router.post(
    "/reservations/{reservation_id}/release",
    response={200: ReservationOut, **RESPONSES},
    summary="Release what a reservation still holds",
)
def release_reservation(
    request: HttpRequest,
    reservation_id: int,
    payload: NoteIn = NoteIn(),  # noqa: B008 (the body may be left out: no note)
) -> Any:
    reservation = _reservation(request, reservation_id)
    try:
        released = services.reservation_release(
            acting_user=request.user, reservation=reservation, note=payload.note if payload else ""
        )
    except ValidationError as exc:
        if reservation.status != ReservationStatus.ACTIVE or "reservation" in getattr(exc, "error_dict", {}):
            message = exc.message_dict.get("reservation", [str(exc)])[0]
            return Status(409, error_body(message, {"reservation": message}, code=ErrorCode.CONFLICT))
        raise
    return Status(200, reservation_out(released))


# --- Excel imports (issue 11, point 9) ----------------------------------------------------------

imports_router = Router(tags=["parts"])
ROUTERS.append(("/imports", imports_router))


class ImportCountsOut(Schema):
    """What an import wrote; each kind fills its own counts (the others are null)."""

    created: int | None = Field(default=None, description="parts: codes added to the catalogue")
    updated: int | None = Field(default=None, description="parts: catalogue parts changed")
    unchanged: int | None = Field(
        default=None, description="parts: rows equal to the catalogue; stock-counts: lines equal to on hand"
    )
    counted: int | None = Field(default=None, description="stock-counts: lines counted")
    adjusted: int | None = Field(default=None, description="stock-counts: adjust moves written")
    skipped: int | None = Field(default=None, description="stock-counts: rows without a counted quantity")
    warehouses: int | None = Field(default=None, description="stock-counts: warehouses counted (one count each)")
    prices: int | None = Field(default=None, description="part-prices: prices of the sheet")
    kept: int | None = Field(default=None, description="part-prices: prices kept from the list in force")
    price_list: int | None = Field(default=None, description="part-prices: the new price list's id")


class PartsImportOut(Schema):
    kind: str
    rows: int = Field(description="Data rows read")
    counts: ImportCountsOut
    summary: str
    warnings: list[str] = Field(description="第七条 warnings of parts made obsolete")


class ImportRowErrorOut(Schema):
    row: int | None = Field(description="The row as Excel numbers it (null: the file as a whole)")
    column: str = Field(description="The column's header as the sheet has it")
    field: str = Field(description="The column's key (code, name, warehouse, counted, unit_price…) or file")
    code: str = Field(description="Stable: not_xlsx, missing_column, required, not_whole_number, unknown_part…")
    message: str


class ImportRefusedOut(BadRequestOut):
    """400: nothing was imported; ``rows`` names every error (``errors`` has them too, as
    ``rows.<row>.<field>``)."""

    rows: list[ImportRowErrorOut] = Field(default_factory=list)


IMPORT_KINDS = (
    "`parts` (the catalogue), `stock-counts` (盘点; option `reason`), "
    "`part-prices` (a new price list; options `effective_from` YYYY-MM-DD, `note`)"
)


def _sheet_import(request: HttpRequest, kind: str) -> Any:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from parts.imports import sheet_import

    entry = sheet_import(kind[:32])
    if entry is None:
        raise Http404
    if not entry.allowed(request.user):
        raise PermissionDenied(_("You may not import this."))
    return entry


def _refused_body(errors: Any) -> dict[str, Any]:
    from django.utils.translation import ngettext

    fields: dict[str, list[str]] = {}
    for error in errors:
        name = f"rows.{error.row}.{error.field}" if error.row is not None else "file"
        fields.setdefault(name, []).append(str(error))
    detail = ngettext(
        "Nothing was imported: the file has %(count)s error.",
        "Nothing was imported: the file has %(count)s errors.",
        len(errors),
    ) % {"count": len(errors)}
    body = error_body(detail, fields, code=ErrorCode.VALIDATION_ERROR)
    body["rows"] = [error.as_dict() for error in errors]
    return body


@imports_router.post(
    "/{kind}",
    response={200: PartsImportOut, **ERROR_RESPONSES, 400: ImportRefusedOut},
    summary="Import an Excel sheet, all or nothing (multipart field `file`; Idempotency-Key)",
    description=f"Kinds: {IMPORT_KINDS}. The first row holds the headers (Chinese or English). Answers the "
    "counts, or 400 naming every bad row and column; nothing is written then.",
)
def run_import(request: HttpRequest, kind: str, file: File[Upload]) -> Any:
    from parts.excel import SheetRefused

    entry = _sheet_import(request, kind)
    form = entry.form_class(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())

    def create() -> tuple[int, dict[str, Any]]:
        result = entry.run(acting_user=request.user, upload=form.cleaned_data["file"], options=form.options())
        return 200, {
            "kind": entry.key,
            "rows": result.rows,
            "counts": result.counts,
            "summary": result.summary,
            "warnings": result.warnings,
        }

    try:
        return idempotent_create(request, f"parts.import.{entry.key}", create)
    except SheetRefused as refused:
        return Status(400, _refused_body(refused.errors))


@imports_router.get(
    "/{kind}/template",
    response={200: None, **ERROR_RESPONSES},
    summary="The import's empty workbook, headers in the caller's language",
    openapi_extra={"responses": {200: {"description": "An .xlsx workbook", "content": {XLSX_CONTENT_TYPE: {}}}}},
)
def import_template(request: HttpRequest, kind: str) -> Any:
    from parts.excel import template_response

    entry = _sheet_import(request, kind)
    return template_response(columns=entry.columns, sheet_title=str(entry.title), filename=f"{entry.key}-template.xlsx")
