"""Real Excel files for the import and export tests: written with openpyxl, read back with it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows: Iterable[Sequence[Any]], *, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows), content_type=XLSX)


def response_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def read_rows(data: bytes, sheet: int = 0) -> list[list[Any]]:
    """Every row of a workbook's sheet, as values (an export opened as a user would)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def sheet_text(data: bytes) -> str:
    """All cells of the first sheet as text (what the permission matrix looks for)."""
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in read_rows(data))
