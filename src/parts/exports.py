"""Excel exports of the stock page and the move journal: the page's own query (scoped by the
selectors, with the page's filters), written row by row into a write-only workbook and streamed
(``parts.excel.export_response``). The stock sheet carries an empty "Counted quantity" column, so
a filled-in export imports back as a stock count (盘点)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from parts.excel import ExportColumn, export_filename, export_response
from parts.models import StockBalance, StockMove

#: The most rows one export carries (narrow the page's filters for more).
EXPORT_LIMIT = 100_000

STOCK_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn(gettext_lazy("Warehouse code"), lambda b: b.warehouse.code, 14),
    ExportColumn(gettext_lazy("Warehouse name"), lambda b: b.warehouse.name, 22),
    ExportColumn(gettext_lazy("Part code"), lambda b: b.part.code, 18),
    ExportColumn(gettext_lazy("Part name"), lambda b: b.part.name, 24),
    ExportColumn(gettext_lazy("Unit"), lambda b: b.part.uom, 8),
    ExportColumn(gettext_lazy("On hand"), lambda b: b.on_hand, 10),
    ExportColumn(gettext_lazy("Reserved"), lambda b: b.reserved, 10),
    ExportColumn(pgettext_lazy("stock", "Available"), lambda b: b.on_hand - b.reserved, 10),
    ExportColumn(gettext_lazy("In transit"), lambda b: b.in_transit, 10),
    ExportColumn(gettext_lazy("Counted quantity"), lambda b: None, 12),
)


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


MOVE_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn(gettext_lazy("Number"), lambda m: m.pk, 10),
    ExportColumn(gettext_lazy("When"), lambda m: m.at, 17),
    ExportColumn(gettext_lazy("Kind"), lambda m: m.get_kind_display(), 12),
    ExportColumn(gettext_lazy("Part code"), lambda m: m.part.code, 18),
    ExportColumn(gettext_lazy("Part name"), lambda m: m.part.name, 24),
    ExportColumn(gettext_lazy("Warehouse code"), lambda m: m.warehouse.code, 14),
    ExportColumn(gettext_lazy("To warehouse"), lambda m: m.to_warehouse.code if m.to_warehouse else "", 14),
    ExportColumn(gettext_lazy("Quantity"), lambda m: m.quantity, 10),
    ExportColumn(gettext_lazy("Work order number"), lambda m: m.work_order.number if m.work_order else "", 20),
    ExportColumn(gettext_lazy("Reverses move"), lambda m: m.reverses_id, 10),
    ExportColumn(gettext_lazy("Note"), lambda m: m.note, 30),
    ExportColumn(gettext_lazy("By"), lambda m: _person(m.acting_user), 14),
)


def stock_xlsx(balances: QuerySet[StockBalance]) -> FileResponse:
    rows = balances.select_related("part", "warehouse")[:EXPORT_LIMIT].iterator(chunk_size=2000)
    return export_response(rows=rows, columns=STOCK_COLUMNS, sheet_title=_("Stock"), filename=export_filename("stock"))


def moves_xlsx(moves: QuerySet[StockMove]) -> FileResponse:
    rows = moves[:EXPORT_LIMIT].iterator(chunk_size=2000)
    return export_response(
        rows=rows, columns=MOVE_COLUMNS, sheet_title=_("Stock moves"), filename=export_filename("stock-moves")
    )
