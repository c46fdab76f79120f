"""What apps above add to the work-order list and API (ADR 0016): filters, sort keys, related rows
read with the list, columns of the list page, columns of the list's exports (CSV and Excel) and
fields of the API's order answers — the SLA app adds its status filter, "nearest deadline first",
its badge column, its deadline columns and the ``deadlines`` field, so work orders know nothing of
its clocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.utils.functional import Promise

    from workorders.models import WorkOrder


@dataclass(frozen=True)
class ListFilter:
    """A filter of the list page and saved views: query key ``name``, a choice among ``choices()``."""

    name: str
    label: Promise | str
    choices: Callable[[], list[tuple[str, Any]]]
    apply: Callable[[QuerySet[WorkOrder], str], QuerySet[WorkOrder]]


@dataclass(frozen=True)
class ListSort:
    key: str
    label: Promise | str
    ordering: tuple[Any, ...]


@dataclass(frozen=True)
class ExportColumn:
    """A column of the list's exports after the list's own: ``value(order)`` is text, a number,
    an aware datetime or a date (Excel gets a real date), or None for an empty cell. It reads only
    what the list's query brings (``register_list_related``), so an export stays one query."""

    key: str
    title: Promise | str
    value: Callable[[WorkOrder], Any]


@dataclass(frozen=True)
class ListColumn:
    """A column of the list page after the list's own: its heading and each row's cell are
    templates of the app that adds it (given ``order`` and the list's ``sort``); the cell reads only
    what the list's query brings (``register_list_related``)."""

    key: str
    heading_template: str
    cell_template: str
    cell_class: str = ""


_FILTERS: dict[str, ListFilter] = {}
_SORTS: dict[str, ListSort] = {}
_RELATED: list[str] = []
_API_FIELDS: dict[str, Callable[[WorkOrder], Any]] = {}
_EXPORT_COLUMNS: dict[str, ExportColumn] = {}
_COLUMNS: dict[str, ListColumn] = {}


def register_list_filter(list_filter: ListFilter) -> None:
    _FILTERS[list_filter.name] = list_filter


def register_list_sort(sort: ListSort) -> None:
    _SORTS[sort.key] = sort


def register_list_related(name: str) -> None:
    """A row read with each listed order in the same query (select_related), e.g. its SLA clocks."""
    if name not in _RELATED:
        _RELATED.append(name)


def register_list_column(column: ListColumn) -> None:
    """Add a column to the list page (registering a key again replaces it)."""
    _COLUMNS[column.key] = column


def register_export_column(column: ExportColumn) -> None:
    """Add a column to the CSV and Excel exports of the list (registering a key again replaces it)."""
    _EXPORT_COLUMNS[column.key] = column


def register_order_api_field(name: str, value: Callable[[WorkOrder], Any]) -> None:
    """``value(order)`` fills field ``name`` of the API's order answers (created, detail)."""
    _API_FIELDS[name] = value


def list_filters() -> list[ListFilter]:
    return list(_FILTERS.values())


def list_sorts() -> list[ListSort]:
    return list(_SORTS.values())


def list_related() -> tuple[str, ...]:
    return tuple(_RELATED)


def list_columns() -> list[ListColumn]:
    return list(_COLUMNS.values())


def export_columns() -> list[ExportColumn]:
    return list(_EXPORT_COLUMNS.values())


def order_api_fields(order: WorkOrder) -> dict[str, Any]:
    return {name: value(order) for name, value in _API_FIELDS.items()}
