"""The work-order list's exports: CSV (UTF-8 with BOM, so Excel shows Chinese) and a real Excel
workbook (.xlsx, openpyxl) with the same columns — the list's own, then those the apps above add
(workorders.list_extensions: the SLA status and deadlines). Both take the list's query as it is
(scoped by ``workorders_visible_to``, filtered, sorted), so an export shows what the list shows.

Cells hold typed values: an Excel date is a date (a number with a date format, which Excel sorts
and filters), not text. Text a customer typed never runs as a formula when the file is opened.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.exports import csv_text  # the shared CSV cell (core.exports: also the audit log)
from workorders.list_extensions import export_columns
from workorders.models import WorkOrder

#: The most rows one export carries (the list's filters narrow it further).
EXPORT_LIMIT = 20000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
EXCEL_DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    title: Promise | str
    value: Callable[[WorkOrder], Any]
    width: int = 14


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


OWN_COLUMNS: tuple[Column, ...] = (
    Column(_("Number"), lambda o: o.number, 20),
    Column(_("Time of request"), lambda o: o.submitted_at, 17),
    Column(_("Status"), lambda o: o.get_status_display()),
    Column(_("Service type"), lambda o: o.get_service_type_display()),
    Column(_("Channel"), lambda o: o.get_channel_display()),
    Column(_("Urgency"), lambda o: o.get_urgency_display()),
    Column(_("Priority"), lambda o: o.get_priority_display()),
    Column(_("Customer"), lambda o: o.customer.name, 20),
    Column(_("Applicant"), lambda o: o.applicant_name),
    Column(_("Contact phone"), lambda o: o.contact_phone, 16),
    Column(_("Product model"), lambda o: o.product_model.name if o.product_model else "", 20),
    Column(_("Serial number"), lambda o: o.device.serial_number if o.device else o.reported_serial, 16),
    Column(_("Responsible department"), lambda o: o.unit.name, 18),
    Column(_("Technician"), lambda o: _person(o.technician)),
    Column(_("Description"), lambda o: o.description, 40),
)


def columns() -> list[Column]:
    """The list's own columns, then the apps' (read at export time: every app has registered)."""
    return [*OWN_COLUMNS, *(Column(c.title, c.value, 17) for c in export_columns())]


def _rows(orders: QuerySet[WorkOrder], cols: list[Column]) -> Iterator[list[Any]]:
    for order in orders.iterator(chunk_size=500):
        yield [column.value(order) for column in cols]


# --- CSV ---------------------------------------------------------------------------------------


def csv_lines(orders: QuerySet[WorkOrder], write: Callable[[list[str]], str]) -> Iterator[str]:
    """The header (with the BOM Excel needs for UTF-8) and one line per order, written by ``write``
    (a ``csv.writer``'s ``writerow`` onto an echo buffer), for a streaming response."""
    cols = columns()
    yield "\ufeff" + write([str(column.title) for column in cols])
    for row in _rows(orders, cols):
        yield write([csv_text(value) for value in row])


# --- Excel -------------------------------------------------------------------------------------


def _excel_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time, as the list shows it.
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None, microsecond=0))
        cell.number_format = EXCEL_DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = EXCEL_DATE_FORMAT
        return cell
    if value is None or isinstance(value, (int, float, Decimal)):
        return WriteOnlyCell(sheet, value=value)
    # Control characters are not allowed in the file format; a leading "=" stays text, never a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
    return cell


def xlsx_bytes(orders: QuerySet[WorkOrder], *, sheet_title: str) -> bytes:
    """The orders as one sheet: a bold, frozen header row in the reader's language, a row each."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = columns()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in cols:
        cell = WriteOnlyCell(sheet, value=str(column.title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(orders, cols):
        sheet.append([_excel_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_filename(extension: str) -> str:
    return f"work-orders-{timezone.localtime():%Y%m%d-%H%M}.{extension}"
