"""Spreadsheets of the parts app (openpyxl): uploaded workbooks read row by row, and the template
and export workbooks written row by row.

Reading uses ``load_workbook(read_only=True)``: the sheet's XML is parsed as the rows are asked
for, never built as a whole in memory. The first non-empty row is the header; each column is
found by its header in any of the site's languages or by a known synonym (``Column.aliases``),
whatever the order, so a sheet made from the Chinese template, the English one or an export
imports alike; columns the import does not know are ignored.

Every refusal is a ``RowError``: the row number as Excel shows it, the column's header as the
sheet has it, a stable ``code`` (``ImportErrorCode``, for programs) and a message in the reader's
language. An import collects the errors of every row before it writes anything and refuses the
whole file if there is one (``SheetRefused``).

Writing uses a write-only workbook (rows are serialised as they are appended, into openpyxl's
temporary file) saved to a temporary file that the response streams in blocks (``FileResponse``):
memory stays flat however many rows an export has (ADR 0018).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from workorders.exports import XLSX_CONTENT_TYPE
from workorders.exports import _excel_cell as excel_cell  # typed, formula-safe cells (shared with the order list)

#: The largest upload an import reads (a 50,000-row sheet is about 2 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: The most data rows one import takes (more: split the file).
MAX_IMPORT_ROWS = 50_000
#: Columns read of each row (a sheet with thousands of empty styled columns is not read through).
MAX_IMPORT_COLUMNS = 40
#: The largest quantity a cell may hold (as the ledger's moves: ``parts.services.MAX_QUANTITY``).
MAX_QUANTITY = 1_000_000


class ImportErrorCode(StrEnum):
    """Why a row (or the file) was refused: stable snake_case codes, never renamed or reused."""

    #: The upload is not an Excel workbook (.xlsx), or it is damaged.
    NOT_XLSX = "not_xlsx"
    #: The upload is larger than ``MAX_IMPORT_BYTES``.
    FILE_TOO_LARGE = "file_too_large"
    #: More data rows than ``MAX_IMPORT_ROWS``.
    TOO_MANY_ROWS = "too_many_rows"
    #: The sheet has a header but no data row.
    NO_ROWS = "no_rows"
    #: A required column's header is not in the header row.
    MISSING_COLUMN = "missing_column"
    #: Two headers of the header row name the same column.
    DUPLICATE_COLUMN = "duplicate_column"
    #: A required cell is empty.
    REQUIRED = "required"
    #: A text is longer than its field.
    TOO_LONG = "too_long"
    #: A text holds control characters (NUL…).
    INVALID_TEXT = "invalid_text"
    #: Not a whole number.
    NOT_WHOLE_NUMBER = "not_whole_number"
    #: A negative number.
    NEGATIVE = "negative"
    #: A number larger than allowed.
    TOO_LARGE = "too_large"
    #: Not an amount with at most two decimals.
    INVALID_AMOUNT = "invalid_amount"
    #: Not one of the values the column takes (yes/no, a status).
    INVALID_CHOICE = "invalid_choice"
    #: The same record on two rows of the file.
    DUPLICATE_ROW = "duplicate_row"
    #: A part code the catalogue does not have.
    UNKNOWN_PART = "unknown_part"
    #: A product model code the catalogue does not have.
    UNKNOWN_PRODUCT_MODEL = "unknown_product_model"
    #: A warehouse the user does not have (another unit's is unknown too: scoping, ADR 0002).
    UNKNOWN_WAREHOUSE = "unknown_warehouse"
    #: A warehouse that is closed.
    CLOSED_WAREHOUSE = "closed_warehouse"
    #: A part that is not genuine must name its supplier.
    SUPPLIER_REQUIRED = "supplier_required"
    #: A superseded part must name the part that supersedes it.
    SUCCESSOR_REQUIRED = "successor_required"
    #: A part cannot supersede itself.
    INVALID_SUCCESSOR = "invalid_successor"
    #: A count below what is reserved would make the available quantity negative.
    BELOW_RESERVED = "below_reserved"


@dataclass(frozen=True)
class RowError:
    """One refusal: ``row`` as Excel numbers it (None: the file as a whole), ``column`` the
    header as the sheet has it (or the expected header when it is missing), ``field`` the
    column's key, ``code`` an ``ImportErrorCode``, ``message`` localised."""

    row: int | None
    column: str
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}: {self.message}" if self.column else self.message
        if self.column:
            return _("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "code": self.code, "message": self.message}


class SheetRefused(Exception):
    """The import refused the file: nothing was written. ``errors`` names every bad row and cell."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = list(errors)


class CellError(Exception):
    """A cell's value is refused (raised by the cell parsers, turned into a ``RowError``)."""

    def __init__(self, code: ImportErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    """A column an import reads (and its template and instructions show)."""

    key: str
    label: Promise | str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: Promise | str = ""
    width: int = 16

    def title(self) -> str:
        """The header in the active language."""
        return capfirst(str(self.label))

    def accepted_headers(self) -> set[str]:
        """The header in every language of the site, the key and the synonyms, normalised."""
        names = {self.key, *self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label))
        return {normalise_header(name) for name in names}


_HEADER_NOISE = re.compile(r"[\s*＊:：]+")
_HEADER_MARK = re.compile(r"\((必填|选填|可选|required|optional)\)$")


def normalise_header(text: Any) -> str:
    """``" 数量 * "``, ``"数量（必填）"`` and ``"Quantity"`` → comparable keys (NFKC, case, marks)."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold()
    value = _HEADER_NOISE.sub("", value)
    return _HEADER_MARK.sub("", value)


# --- cell values ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 12345, not 12345.0
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def cell_text(value: Any, *, max_length: int, required: bool = False) -> str:
    text = _as_text(value)
    if not text:
        if required:
            raise CellError(ImportErrorCode.REQUIRED, _("This cell is required."))
        return ""
    if _CONTROL.search(text):
        raise CellError(ImportErrorCode.INVALID_TEXT, _("The text holds control characters."))
    if len(text) > max_length:
        raise CellError(ImportErrorCode.TOO_LONG, _("Enter at most %(max)s characters.") % {"max": max_length})
    return text


def cell_whole_number(value: Any, *, maximum: int = MAX_QUANTITY) -> int | None:
    """A whole number of zero or more (5, 5.0, "5", "５"); None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(ImportErrorCode.NOT_WHOLE_NUMBER, _("Enter a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if value != value or not float(value).is_integer():  # NaN or a fraction
            raise CellError(ImportErrorCode.NOT_WHOLE_NUMBER, _("Enter a whole number."))
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not _WHOLE.match(text):
            raise CellError(ImportErrorCode.NOT_WHOLE_NUMBER, _("Enter a whole number."))
        number = int(Decimal(text))
    if number < 0:
        raise CellError(ImportErrorCode.NEGATIVE, _("Enter a whole number of zero or more."))
    if number > maximum:
        raise CellError(ImportErrorCode.TOO_LARGE, _("The quantity is too large."))
    return number


YES = ("yes", "y", "true", "1", "是", "原厂", "原厂件", "正品")
NO = ("no", "n", "false", "0", "否", "非原厂", "副厂")


def cell_yes_no(value: Any) -> bool | None:
    """Yes or no (是/否, 1/0, TRUE/FALSE, the site's words for them); None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    key = normalise_header(_as_text(value))
    yes, no = {normalise_header(w) for w in YES}, {normalise_header(w) for w in NO}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            yes.add(normalise_header(_("Yes")))
            no.add(normalise_header(_("No")))
    if key in yes:
        return True
    if key in no:
        return False
    raise CellError(ImportErrorCode.INVALID_CHOICE, _("Enter yes or no."))


def cell_choice(
    value: Any, choices: Iterable[tuple[str, Any]], synonyms: Mapping[str, Iterable[str]] | None = None
) -> str | None:
    """A choice by its code, its label in any language or a synonym; None for an empty cell."""
    text = _as_text(value)
    if not text:
        return None
    options = list(choices)
    key = normalise_header(text)
    for code, label in options:
        names = {normalise_header(code), *(normalise_header(s) for s in (synonyms or {}).get(code, ()))}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(normalise_header(str(label)))
        if key in names:
            return code
    shown = ", ".join(str(label) for _code, label in options)
    raise CellError(ImportErrorCode.INVALID_CHOICE, _("Choose one of: %(choices)s.") % {"choices": shown})


_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


def cell_codes(value: Any, *, max_length: int = 64) -> list[str]:
    """Codes separated by commas, 、, semicolons, spaces or line breaks, each at most ``max_length``."""
    text = cell_text(value, max_length=5000)
    codes = [code for code in _LIST_SEPARATORS.split(text) if code]
    too_long = [code for code in codes if len(code) > max_length]
    if too_long:
        raise CellError(ImportErrorCode.TOO_LONG, _("Enter at most %(max)s characters.") % {"max": max_length})
    return list(dict.fromkeys(codes))


# --- reading an upload ------------------------------------------------------------------------


@dataclass
class SheetRow:
    """A data row: its Excel row number and its cells by column key (absent columns: missing)."""

    number: int
    cells: dict[str, Any]


@dataclass
class Sheet:
    """The header found and the data rows, read as they are iterated."""

    columns: Sequence[Column]
    headers: dict[str, str]  # column key → header as the sheet has it
    header_row: int
    _rows: Iterator[tuple[int, tuple[Any, ...]]]
    _positions: dict[str, int]
    _book: Any = None

    def has(self, key: str) -> bool:
        return key in self.headers

    def header(self, key: str) -> str:
        column = next(c for c in self.columns if c.key == key)
        return self.headers.get(key) or column.title()

    def rows(self) -> Iterator[SheetRow]:
        """Data rows (blank ones skipped); a damaged file or too many rows refuses the import."""
        count = 0
        try:
            for number, values in self._rows:
                if not any(_as_text(v) for v in values):
                    continue
                count += 1
                if count > MAX_IMPORT_ROWS:
                    raise SheetRefused(
                        [
                            _file_error(
                                ImportErrorCode.TOO_MANY_ROWS,
                                _("The sheet has more than %(max)s rows: split it into several files.")
                                % {"max": MAX_IMPORT_ROWS},
                            )
                        ]
                    )
                cells = {key: values[index] if index < len(values) else None for key, index in self._positions.items()}
                yield SheetRow(number=number, cells=cells)
        except SheetRefused:
            raise
        except Exception:  # openpyxl parses the XML lazily: a damaged part shows only here
            raise SheetRefused([_not_xlsx()]) from None
        finally:
            if self._book is not None:
                self._book.close()
        if count == 0:
            raise SheetRefused([_file_error(ImportErrorCode.NO_ROWS, _("The sheet has no rows to import."))])

    def error(self, row: SheetRow | int, key: str, error: CellError) -> RowError:
        number = row.number if isinstance(row, SheetRow) else row
        return RowError(row=number, column=self.header(key), field=key, code=error.code, message=error.message)


def _file_error(code: ImportErrorCode, message: str, column: str = "") -> RowError:
    return RowError(row=None, column=column, field="file", code=code, message=message)


def _not_xlsx() -> RowError:
    return _file_error(ImportErrorCode.NOT_XLSX, _("The file is not an Excel workbook (.xlsx), or it is damaged."))


def read_sheet(upload: Any, columns: Sequence[Column]) -> Sheet:
    """Open an uploaded workbook in read-only (streaming) mode and find its header row.

    Refuses (``SheetRefused``) a file that is too large or not a workbook, and a header row that
    lacks a required column or names one twice. ``upload`` is a Django ``UploadedFile`` or any
    binary file object."""
    from openpyxl import load_workbook

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_IMPORT_BYTES:
        raise SheetRefused(
            [
                _file_error(
                    ImportErrorCode.FILE_TOO_LARGE,
                    _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)},
                )
            ]
        )
    try:
        if hasattr(upload, "seek"):
            upload.seek(0)
        book = load_workbook(upload, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = enumerate(sheet.iter_rows(max_col=MAX_IMPORT_COLUMNS, values_only=True), start=1)
        header_row, header = 0, cast(tuple[Any, ...], ())
        for number, values in rows:
            if any(_as_text(v) for v in values):
                header_row, header = number, values
                break
    except Exception:  # a zip that is not a workbook, a .xls, a CSV, random bytes…
        raise SheetRefused([_not_xlsx()]) from None
    if not header_row:
        book.close()
        raise SheetRefused([_file_error(ImportErrorCode.NO_ROWS, _("The sheet is empty."))])
    by_header: dict[str, Column] = {}
    for wanted in columns:
        for name in wanted.accepted_headers():
            by_header[name] = wanted
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for index, value in enumerate(header):
        column: Column | None = by_header.get(normalise_header(value)) if _as_text(value) else None
        if column is None:
            continue  # a column this import does not read (an export's extra columns)
        if column.key in positions:
            errors.append(
                RowError(
                    row=header_row,
                    column=_as_text(value),
                    field=column.key,
                    code=ImportErrorCode.DUPLICATE_COLUMN,
                    message=_("This column appears twice in the header row."),
                )
            )
            continue
        positions[column.key] = index
        headers[column.key] = _as_text(value)
    for wanted in columns:
        if wanted.required and wanted.key not in positions:
            errors.append(
                RowError(
                    row=header_row,
                    column=wanted.title(),
                    field=wanted.key,
                    code=ImportErrorCode.MISSING_COLUMN,
                    message=_("The header row has no column “%(column)s”.") % {"column": wanted.title()},
                )
            )
    if errors:
        book.close()
        raise SheetRefused(errors)
    return Sheet(columns=columns, headers=headers, header_row=header_row, _rows=rows, _positions=positions, _book=book)


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    title: Promise | str
    value: Callable[[Any], Any]
    width: int = 14


def _bold_row(sheet: Any, titles: Iterable[str]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    return cells


def _sheet(book: Any, title: str, widths: Sequence[int]) -> Any:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _streamed(book: Any, filename: str) -> FileResponse:
    """Save the workbook to a temporary file and stream it (the file goes when the response closes)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def export_response(
    *, rows: Iterable[Any], columns: Sequence[ExportColumn], sheet_title: str, filename: str
) -> FileResponse:
    """One sheet: a bold, frozen header row in the reader's language, then a row per record."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = _sheet(book, sheet_title, [c.width for c in columns])
    sheet.append(_bold_row(sheet, [capfirst(str(c.title)) for c in columns]))
    for record in rows:
        sheet.append([excel_cell(sheet, column.value(record)) for column in columns])
    return _streamed(book, filename)


def template_response(*, columns: Sequence[Column], sheet_title: str, filename: str) -> FileResponse:
    """An empty sheet with the columns' headers in the reader's language, and a second sheet that
    says what each column takes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = _sheet(book, sheet_title, [c.width for c in columns])
    sheet.append(_bold_row(sheet, [c.title() for c in columns]))
    notes = _sheet(book, _("Instructions"), [24, 10, 80])
    notes.append(_bold_row(notes, [_("Column"), _("Required"), _("What it takes")]))
    for column in columns:
        notes.append([column.title(), _("Yes") if column.required else _("No"), str(column.help)])
    return _streamed(book, filename)


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
