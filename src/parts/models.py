"""Spare parts (SPEC §8): the catalogue, warehouses of every kind, and stock as an append-only
ledger of moves with one balance row per part × warehouse kept in step under a row lock."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from parts.choices import (
    FaultyReturnStatus,
    InspectionResult,
    LoanerCondition,
    LoanerStatus,
    MoveKind,
    PartPromiseKind,
    PartStatus,
    PromiseSource,
    PromiseStatus,
    ReservationStatus,
    SuggestionKind,
    SuggestionStatus,
    WarehouseKind,
)
from workorders.models import WorkOrder


class Part(BaseModel):
    """A catalogue part: the one source of a part's code, name and unit (billing's price list
    refers to it). Genuine parts only (seed 000 第二篇 5.2.2): a supplier part is marked."""

    code = models.CharField(_("part code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    uom = models.CharField(_("unit"), max_length=16, default="个")
    product_models = models.ManyToManyField(
        ProductModel, verbose_name=_("fits product models"), blank=True, related_name="parts"
    )
    genuine = models.BooleanField(_("genuine part"), default=True)
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PartStatus.choices, default=PartStatus.ACTIVE)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False), name="parts_superseded_names_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(BaseModel):
    """A place stock is kept: HQ, a distribution centre, a city depot, a station, a technician's
    van. It belongs to an organisational unit, which decides who sees and moves its stock."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=WarehouseKind.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="warehouses")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vans",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockBalance(models.Model):
    """On hand, reserved and in transit (towards this warehouse) of one part in one warehouse:
    the sum of the ledger's entries, kept in the same transaction as each move. The database
    refuses a row whose available quantity (on hand − reserved) is negative."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    in_transit = models.IntegerField(_("in transit"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["part", "warehouse"], name="parts_one_balance_per_part_warehouse"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="parts_reserved_not_negative"),
            models.CheckConstraint(condition=Q(in_transit__gte=0), name="parts_in_transit_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="parts_available_not_negative"),
        ]
        # The stock page (benchmarks/README.md, "stock"): a warehouse's rows are spread over the
        # whole table (one per part, ~800 pages for 2,000 rows), so its page reads them from the
        # index alone (PostgreSQL: the columns the page shows are included); the "nothing
        # available" filter (a few rows in a hundred thousand) counts and reads a small partial
        # index instead of every balance row.
        indexes = [
            models.Index(
                fields=["warehouse", "part"],
                include=["id", "on_hand", "reserved", "in_transit"],
                name="parts_balance_wh",
            ),
            models.Index(
                fields=["warehouse", "part"],
                include=["on_hand", "reserved", "in_transit"],
                condition=Q(on_hand__lte=F("reserved")),
                name="parts_balance_low",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}/{self.in_transit}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(BaseModel):
    """Units of a part held at a warehouse for a work order until issued or released."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="reservations"
    )
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="part_reservations"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    issued = models.PositiveIntegerField(_("issued"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(issued__lte=F("quantity")), name="parts_issued_le_reserved")]

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.issued if self.status == ReservationStatus.ACTIVE else 0


class StockCount(BaseModel):
    """盘点: a count of a warehouse; posting it writes an ``adjust`` move for each difference."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-id"]


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField(_("on hand before the count"))
    counted = models.PositiveIntegerField(_("counted"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["count", "part"], name="parts_count_line_once")]

    def __str__(self) -> str:
        return f"{self.part_id}: {self.expected} → {self.counted}"


class StockMove(models.Model):
    """One move of the ledger: what someone did, never edited nor deleted (a mistake is corrected
    by a ``reversal``). Its effect on each warehouse is in its entries."""

    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="moves"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("to warehouse"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.IntegerField(_("quantity"))
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reservation = models.ForeignKey(
        Reservation,
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves",
    )
    shipment = models.OneToOneField(
        "self",
        verbose_name=_("shipment received"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipt",
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    stock_count = models.ForeignKey(StockCount, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    note = models.CharField(_("note"), max_length=300, blank=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-id"]
        permissions = [("issue_stockmove", _("Can issue and return parts on work orders"))]
        indexes = [
            models.Index(fields=["part", "warehouse", "id"], name="parts_move_part_wh"),
            models.Index(fields=["warehouse", "id"], name="parts_move_wh"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.part_id}"


class StockEntry(models.Model):
    """A move's effect on one warehouse: the ledger lines whose sums are the balance."""

    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="entries")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    in_transit = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["part", "warehouse"], name="parts_entry_part_wh")]

    def __str__(self) -> str:
        return f"{self.move_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}/{self.in_transit}"


class FaultyReturn(BaseModel):
    """旧件返还: a part replaced under warranty (or taken back in a trade-in, 以旧换新) expected back
    from the station by ``due_on``; recorded apart from usable stock, never on hand."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="faulty_returns"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit = models.ForeignKey(OrgUnit, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    issue = models.ForeignKey(
        StockMove, verbose_name=_("issue"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due back on"))
    status = models.CharField(
        _("status"), max_length=12, choices=FaultyReturnStatus.choices, default=FaultyReturnStatus.PENDING
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("received into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    result = models.CharField(_("inspection"), max_length=16, choices=InspectionResult.choices, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    supplier_claim = models.CharField(_("supplier claim"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    trade_in = models.BooleanField(_("trade-in"), default=False)
    credit = models.DecimalField(_("credit given"), max_digits=12, decimal_places=2, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("faulty-part return")
        verbose_name_plural = _("faulty-part returns")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="parts_return_due")]

    def __str__(self) -> str:
        return f"{self.part_id} × {self.quantity} ({self.status})"


class Loaner(BaseModel):
    """备用机: a serialised spare unit of a unit's pool, lent to a customer while theirs is repaired."""

    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("pool of"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=LoanerStatus.choices, default=LoanerStatus.AVAILABLE)
    condition = models.CharField(
        _("condition"), max_length=12, choices=LoanerCondition.choices, default=LoanerCondition.GOOD
    )

    class Meta:
        verbose_name = _("spare unit")
        verbose_name_plural = _("spare units")
        ordering = ["serial_number"]

    def __str__(self) -> str:
        return self.serial_number


class LoanerLoan(BaseModel):
    """One lending of a spare unit against a work order, until it comes back (with its condition)."""

    loaner = models.ForeignKey(Loaner, verbose_name=_("spare unit"), on_delete=models.PROTECT, related_name="loans")
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    lent_at = models.DateTimeField(_("lent at"))
    due_back = models.DateField(_("due back on"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    condition_on_return = models.CharField(
        _("condition on return"), max_length=12, choices=LoanerCondition.choices, blank=True
    )
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-lent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loaner"], condition=Q(returned_at__isnull=True), name="parts_one_open_loan_per_loaner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loaner_id} → {self.work_order_id}"


class ReorderPoint(BaseModel):
    """Min / max of one part in one warehouse: below the minimum (projected: on hand + in transit −
    reserved) the daily job proposes bringing it back up to the maximum."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    minimum = models.PositiveIntegerField(_("minimum"))
    maximum = models.PositiveIntegerField(_("maximum"))

    class Meta:
        verbose_name = _("reorder point")
        verbose_name_plural = _("reorder points")
        constraints = [
            models.UniqueConstraint(fields=["part", "warehouse"], name="parts_one_reorder_point"),
            models.CheckConstraint(condition=Q(maximum__gte=F("minimum")), name="parts_reorder_max_ge_min"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.warehouse_id}: {self.minimum}–{self.maximum}"


class ReorderSuggestion(BaseModel):
    """A proposed purchase, or a transfer from a warehouse that has the parts; one open per part ×
    warehouse (a database constraint), updated by each day's scan rather than repeated."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=SuggestionKind.choices)
    source = models.ForeignKey(
        Warehouse, verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    projected = models.IntegerField(_("projected"))
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )

    class Meta:
        verbose_name = _("reorder suggestion")
        verbose_name_plural = _("reorder suggestions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["part", "warehouse"], condition=Q(status="open"), name="parts_one_open_suggestion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.part_id} → {self.warehouse_id}"


class PartPromise(BaseModel):
    """The promise a part request on a work order carries (issue 11, point 7): 5×10×NBD — shipped
    by the end of the next business day — or 7×24×4 — on site within four calendar hours. The
    request is a reservation at a warehouse, or a shipment towards the order's station. Met or
    missed is decided once: when the whole quantity has shipped / arrived, or by the periodic scan
    when the deadline passes first. The timeline records each decision, so it is not change-logged."""

    change_logged = False

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="part_promises"
    )
    reservation = models.OneToOneField(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="promise"
    )
    shipment = models.OneToOneField(StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="promise")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    promise = models.CharField(_("promise"), max_length=12, choices=PartPromiseKind.choices)
    source = models.CharField(_("promise from"), max_length=16, choices=PromiseSource.choices)
    reason = models.CharField(_("why this promise"), max_length=200, blank=True)
    calendar_code = models.CharField(_("calendar"), max_length=32)
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("promised by"))
    status = models.CharField(_("status"), max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    done_quantity = models.PositiveIntegerField(_("shipped / arrived"), default=0)
    progress_at = models.DateTimeField(_("last shipped / arrived at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("part promise")
        verbose_name_plural = _("part promises")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reservation__isnull=False, shipment__isnull=True)
                | Q(reservation__isnull=True, shipment__isnull=False),
                name="parts_promise_one_request",
            ),
            models.CheckConstraint(condition=Q(done_quantity__lte=F("quantity")), name="parts_promise_done_le_qty"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="parts_promise_due"),
            models.Index(fields=["due_at"], name="parts_promise_due_at"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} {self.part_id} → {self.work_order_id} ({self.status})"

    @property
    def met(self) -> bool | None:
        """True / False once decided; None while open or when the request was withdrawn."""
        if self.status == PromiseStatus.MET:
            return True
        if self.status == PromiseStatus.MISSED:
            return False
        return None
