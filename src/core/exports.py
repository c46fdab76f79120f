"""CSV for every export of the console: UTF-8 with a BOM (so Excel shows Chinese), times in local
time to the minute, and cells a spreadsheet would read as a formula defused (CSV injection, OWASP).
The work-order list (workorders.exports) and the audit log (core.audit) write through it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

#: What a spreadsheet reads as the start of a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> str:
    """A cell as CSV text: times in local time to the minute, empty for none, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download: the header row (with the BOM), then the rows as ``csv_text``."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([str(title) for title in header])
        for row in rows:
            yield writer.writerow([csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
