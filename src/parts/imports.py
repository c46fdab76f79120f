"""Excel imports of the parts app (issue 11, point 9): the catalogue and stock counts (盘点), and
the registry through which billing adds the parts price list (billing sits above parts).

Each import is one business action, all or nothing: the whole sheet is read and checked first —
every row's errors are collected, named by row and column (``parts.excel.RowError``) — and only a
sheet without any error is written, in one transaction. Stock counts go through the ledger's own
service (``services.stock_count_post``: an ``adjust`` move for each difference, under the balance
row locks); the catalogue is written in bulk, with its change-log rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import ProductModel
from core.changelog import record_bulk
from parts.choices import PartStatus
from parts.excel import (
    CellError,
    Column,
    ImportErrorCode,
    RowError,
    Sheet,
    SheetRefused,
    SheetRow,
    cell_choice,
    cell_codes,
    cell_text,
    cell_whole_number,
    cell_yes_no,
    read_sheet,
)
from parts.exceptions import StockShortage
from parts.models import Part, StockBalance, Warehouse
from parts.policies import FittedModel, obsolete_warnings

#: ``__in`` lookups are split into chunks of this many values (SQLite's bound-parameter limit).
CHUNK = 900


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``counts`` by name (e.g. created / updated / unchanged), the rows
    read, warnings (第七条) and a one-line summary in the reader's language."""

    rows: int
    counts: dict[str, int]
    summary: str
    warnings: list[str] = field(default_factory=list)


# --- the registry: what can be imported, from which page --------------------------------------


@dataclass(frozen=True)
class SheetImport:
    """One kind of import: its key (URL and API), title, the page that offers it (``catalogue``
    or ``stock``), the permissions it needs, its columns, the form of its upload and options, and
    ``run(acting_user=, upload=, options=)``."""

    key: str
    title: Promise | str
    page: str
    permissions: tuple[str, ...]
    columns: Sequence[Column]
    form_class: type
    run: Callable[..., ImportResult]
    description: Promise | str = ""

    def allowed(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and all(user.has_perm(p) for p in self.permissions)


_IMPORTS: dict[str, SheetImport] = {}


def register_sheet_import(entry: SheetImport) -> None:
    _IMPORTS[entry.key] = entry


def sheet_import(key: str) -> SheetImport | None:
    return _IMPORTS.get(key)


def sheet_imports() -> list[SheetImport]:
    return list(_IMPORTS.values())


def sheet_imports_for(user: Any, page: str) -> list[SheetImport]:
    """The imports ``page`` offers that ``user`` may run."""
    return [entry for entry in _IMPORTS.values() if entry.page == page and entry.allowed(user)]


# --- helpers ----------------------------------------------------------------------------------


def _require(user: Any | None, permissions: Iterable[str], message: str) -> None:
    if user is not None and not all(user.has_perm(p) for p in permissions):
        raise PermissionDenied(message)


def chunked(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class RowErrors:
    """The errors of one sheet, in row order."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.items: list[RowError] = []

    def add(self, row: SheetRow | int, key: str, code: ImportErrorCode, message: str) -> None:
        self.items.append(self.sheet.error(row, key, CellError(code, message)))

    def cell(self, row: SheetRow, key: str, parse: Callable[[Any], Any]) -> Any:
        """``parse`` the row's cell of ``key``; a refusal is recorded and gives None."""
        try:
            return parse(row.cells.get(key))
        except CellError as error:
            self.items.append(self.sheet.error(row, key, error))
            return None

    def refuse_if_any(self) -> None:
        if self.items:
            raise SheetRefused(sorted(self.items, key=lambda e: (e.row or 0, e.field)))


def _label(model: Any, name: str) -> Any:
    return model._meta.get_field(name).verbose_name


# --- the catalogue ----------------------------------------------------------------------------

CODE_ALIASES = ("备件编码", "零件编码", "配件编号", "备件号", "料号", "编码", "part", "code")

PART_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        _label(Part, "code"),
        required=True,
        aliases=CODE_ALIASES,
        help=gettext_lazy("The part's code (at most 64 characters): a code the catalogue has updates that part."),
        width=18,
    ),
    Column(
        "name",
        _label(Part, "name"),
        required=True,
        aliases=("备件名称", "配件名称", "零件名称", "part name"),
        help=gettext_lazy("At most 100 characters."),
        width=24,
    ),
    Column(
        "uom",
        _label(Part, "uom"),
        aliases=("计量单位", "uom", "unit of measure"),
        help=gettext_lazy("Unit of measure, at most 16 characters (个 when empty)."),
        width=8,
    ),
    Column(
        "product_models",
        _label(Part, "product_models"),
        aliases=("适用机型", "适用型号", "机型", "models", "product models"),
        help=gettext_lazy("Product model codes, separated by commas."),
        width=28,
    ),
    Column(
        "genuine",
        _label(Part, "genuine"),
        aliases=("是否原厂", "原厂", "genuine"),
        help=gettext_lazy("Yes or no (yes when empty). A part that is not genuine names its supplier."),
        width=10,
    ),
    Column(
        "supplier",
        _label(Part, "supplier"),
        aliases=("供货商", "supplier"),
        help=gettext_lazy("At most 100 characters."),
        width=18,
    ),
    Column(
        "status",
        _label(Part, "status"),
        aliases=("状态",),
        help=gettext_lazy("Active, superseded or obsolete (active when empty)."),
        width=12,
    ),
    Column(
        "superseded_by",
        _label(Part, "superseded_by"),
        aliases=("替代编码", "替代件", "新编码", "successor"),
        help=gettext_lazy("The code of the part that supersedes this one (a superseded part names it)."),
        width=18,
    ),
)


#: Words a sheet may use for a part's status, besides the codes and the site's labels.
STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    PartStatus.ACTIVE: ("有效", "正常", "在用", "启用"),
    PartStatus.SUPERSEDED: ("替代", "已替代", "被替代", "已被替代"),
    PartStatus.OBSOLETE: ("停用", "淘汰", "已淘汰", "停产"),
}


@dataclass
class _PartRow:
    row: SheetRow
    code: str
    name: str
    uom: str
    models: list[str] | None
    genuine: bool | None
    supplier: str
    status: str | None
    successor: str


def _read_part_rows(sheet: Sheet, errors: RowErrors) -> tuple[list[_PartRow], set[str]]:
    """The rows without a cell error, and every code the sheet names (a successor may be one)."""
    rows: list[_PartRow] = []
    seen: dict[str, int] = {}
    has_models = sheet.has("product_models")
    for row in sheet.rows():
        before = len(errors.items)
        code = errors.cell(row, "code", lambda v: cell_text(v, max_length=64, required=True))
        name = errors.cell(row, "name", lambda v: cell_text(v, max_length=100, required=True))
        uom = errors.cell(row, "uom", lambda v: cell_text(v, max_length=16))
        models = errors.cell(row, "product_models", cell_codes) if has_models else None
        genuine = errors.cell(row, "genuine", cell_yes_no)
        supplier = errors.cell(row, "supplier", lambda v: cell_text(v, max_length=100))
        status = errors.cell(row, "status", lambda v: cell_choice(v, PartStatus.choices, STATUS_SYNONYMS))
        successor = errors.cell(row, "superseded_by", lambda v: cell_text(v, max_length=64))
        if code and code in seen:
            errors.add(
                row,
                "code",
                ImportErrorCode.DUPLICATE_ROW,
                _("Part code %(code)s is already on row %(row)s.") % {"code": code, "row": seen[code]},
            )
        elif code:
            seen[code] = row.number
        if len(errors.items) == before:
            rows.append(_PartRow(row, code, name, uom or "", models, genuine, supplier or "", status, successor or ""))
    return rows, set(seen)


def _existing_parts(codes: Sequence[str]) -> dict[str, Part]:
    found: dict[str, Part] = {}
    for chunk in chunked(list(codes)):
        for part in Part.objects.select_for_update(of=("self",)).filter(code__in=chunk).select_related("superseded_by"):
            found[part.code] = part
    return found


def _model_codes_of(parts: Iterable[Part]) -> dict[int, set[str]]:
    through = Part.product_models.through
    ids = [p.pk for p in parts]
    codes: dict[int, set[str]] = {pk: set() for pk in ids}
    for chunk in chunked(ids):
        for part_id, model_code in through.objects.filter(part_id__in=chunk).values_list(
            "part_id", "productmodel__code"
        ):
            codes[part_id].add(model_code)
    return codes


@transaction.atomic
def parts_import(*, acting_user: Any | None, upload: Any) -> ImportResult:
    """Add and update catalogue parts from a sheet (columns: ``PART_COLUMNS``).

    A code the catalogue has updates that part; a new code adds one. An empty cell, or a column
    the sheet does not have, keeps an existing part's value (a new part takes the default: unit
    个, genuine, active); fitted models are the codes listed (replacing the part's). A part that
    is not genuine names its supplier; a superseded one names its successor (a catalogue part or
    one of the sheet); making a part obsolete answers the 第七条 warnings. Nothing is written if
    any row is wrong."""
    _require(acting_user, ("parts.add_part", "parts.change_part"), _("You may not change the parts catalogue."))
    sheet = read_sheet(upload, PART_COLUMNS)
    errors = RowErrors(sheet)
    rows, in_sheet = _read_part_rows(sheet, errors)
    codes = [r.code for r in rows]
    existing = _existing_parts(codes + [r.successor for r in rows if r.successor])
    current_models = _model_codes_of([existing[c] for c in codes if c in existing])
    model_codes = {code for r in rows for code in (r.models or [])} | {c for cs in current_models.values() for c in cs}
    models: dict[str, ProductModel] = {}
    for chunk in chunked(sorted(model_codes)):
        models.update({m.code: m for m in ProductModel.objects.filter(code__in=chunk)})

    plans: list[tuple[_PartRow, Part | None, dict[str, Any], set[str] | None]] = []
    warnings: list[str] = []
    today = timezone.localdate()
    for r in rows:
        part = existing.get(r.code)
        unknown = [code for code in (r.models or []) if code not in models]
        if unknown:
            errors.add(
                r.row,
                "product_models",
                ImportErrorCode.UNKNOWN_PRODUCT_MODEL,
                _("Unknown product model: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        genuine = r.genuine if r.genuine is not None else (part.genuine if part else True)
        supplier = r.supplier or (part.supplier if part else "")
        if not genuine and not supplier:
            errors.add(
                r.row,
                "supplier",
                ImportErrorCode.SUPPLIER_REQUIRED,
                _("Name the supplier of a part that is not genuine."),
            )
        status = r.status or (PartStatus.SUPERSEDED if r.successor else (part.status if part else PartStatus.ACTIVE))
        successor = ""
        if status == PartStatus.SUPERSEDED:
            successor = r.successor or (part.superseded_by.code if part and part.superseded_by else "")
            if not successor:
                errors.add(
                    r.row,
                    "superseded_by",
                    ImportErrorCode.SUCCESSOR_REQUIRED,
                    _("Name the part that supersedes this one."),
                )
            elif successor == r.code:
                errors.add(
                    r.row, "superseded_by", ImportErrorCode.INVALID_SUCCESSOR, _("A part cannot supersede itself.")
                )
            elif successor not in existing and successor not in in_sheet:
                errors.add(r.row, "superseded_by", ImportErrorCode.UNKNOWN_PART, _("Unknown part."))
        elif r.successor:
            errors.add(
                r.row,
                "superseded_by",
                ImportErrorCode.INVALID_SUCCESSOR,
                _("Only a superseded part names the part that supersedes it."),
            )
        fields = {
            "name": r.name,
            "uom": r.uom or (part.uom if part else "个"),
            "genuine": genuine,
            "supplier": supplier,
            "status": status,
            "successor": successor,
        }
        wanted_models = set(r.models) if r.models is not None else None
        if status == PartStatus.OBSOLETE and (part is None or part.status != PartStatus.OBSOLETE):
            fitted = (
                wanted_models if wanted_models is not None else current_models.get(part.pk, set()) if part else set()
            )
            fitted_models = [models[c] for c in sorted(fitted) if c in models]
            for warning in obsolete_warnings(
                [FittedModel(m.code, m.name, m.discontinued_on) for m in fitted_models], today=today
            ):
                warnings.append(
                    _("Row %(row)s, %(code)s: %(warning)s") % {"row": r.row.number, "code": r.code, "warning": warning}
                )
        plans.append((r, part, fields, wanted_models))
    errors.refuse_if_any()
    return _write_parts(plans, existing, models, current_models, warnings, len(rows))


def _write_parts(
    plans: list[tuple[_PartRow, Part | None, dict[str, Any], set[str] | None]],
    existing: dict[str, Part],
    models: Mapping[str, ProductModel],
    current_models: Mapping[int, set[str]],
    warnings: list[str],
    row_count: int,
) -> ImportResult:
    through = Part.product_models.through
    new = [
        Part(
            code=r.code,
            name=f["name"],
            uom=f["uom"],
            genuine=f["genuine"],
            supplier=f["supplier"],
            status=(PartStatus.ACTIVE if f["status"] == PartStatus.SUPERSEDED else f["status"]),
        )
        for r, part, f, _models in plans
        if part is None
    ]
    Part.objects.bulk_create(new, batch_size=500)
    by_code = {**existing, **{p.code: p for p in new}}
    changed: list[Part] = []
    before: dict[Any, dict[str, Any]] = {}
    superseded_new: list[Part] = []
    links: list[Any] = []
    relinked: list[int] = []
    unchanged = 0
    for r, part, f, wanted in plans:
        successor = by_code[f["successor"]] if f["successor"] else None
        if part is None:
            created = by_code[r.code]
            if successor is not None:
                created.status, created.superseded_by = PartStatus.SUPERSEDED, successor
                superseded_new.append(created)
            links += [through(part_id=created.pk, productmodel_id=models[c].pk) for c in sorted(wanted or ())]
            continue
        values = {
            "name": f["name"],
            "uom": f["uom"],
            "genuine": f["genuine"],
            "supplier": f["supplier"],
            "status": f["status"],
            "superseded_by_id": successor.pk if successor is not None else None,
        }
        old = {key: getattr(part, key) for key in values if getattr(part, key) != values[key]}
        models_changed = wanted is not None and wanted != current_models.get(part.pk, set())
        if not old and not models_changed:
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(part, key, value)
        part.version += 1
        before[part.pk] = old
        changed.append(part)
        if models_changed:
            relinked.append(part.pk)
            links += [through(part_id=part.pk, productmodel_id=models[c].pk) for c in sorted(wanted or ())]
    update_fields = ["name", "uom", "genuine", "supplier", "status", "superseded_by", "version", "updated_at"]
    now = timezone.now()
    for part in changed + superseded_new:
        part.updated_at = now
    Part.objects.bulk_update(changed + superseded_new, update_fields, batch_size=500)
    for chunk in chunked(relinked):
        through.objects.filter(part_id__in=chunk).delete()
    through.objects.bulk_create(links, batch_size=500)
    record_bulk(list(new), action="create")
    record_bulk(changed, action="update", before=before)
    counts = {"created": len(new), "updated": len(changed), "unchanged": unchanged}
    summary = _("Parts imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.") % counts
    return ImportResult(rows=row_count, counts=counts, summary=summary, warnings=warnings)


# --- stock counts (盘点) ------------------------------------------------------------------------

COUNT_COLUMNS: tuple[Column, ...] = (
    Column(
        "warehouse",
        gettext_lazy("Warehouse code"),
        required=True,
        aliases=("仓库", "库房", "仓库代码", "warehouse"),
        help=gettext_lazy("The code of one of your warehouses."),
        width=14,
    ),
    Column(
        "part",
        gettext_lazy("Part code"),
        required=True,
        aliases=CODE_ALIASES,
        help=gettext_lazy("A part of the catalogue."),
        width=18,
    ),
    Column(
        "counted",
        gettext_lazy("Counted quantity"),
        required=True,
        aliases=("盘点数量", "实盘数量", "实盘数", "盘点数", "counted", "count"),
        help=gettext_lazy(
            "The quantity found, a whole number of zero or more. An empty cell: the part was not counted."
        ),
        width=12,
    ),
)


@dataclass
class _CountRow:
    row: SheetRow
    warehouse: Warehouse
    part: Part
    counted: int


def _visible(queryset_of: Callable[[Any], Any], user: Any | None, model: Any) -> Any:
    return queryset_of(user) if user is not None else model.objects.all()


@transaction.atomic
def stock_counts_import(*, acting_user: Any | None, upload: Any, reason: str = "") -> ImportResult:
    """Post the stock counts of a sheet (columns: ``COUNT_COLUMNS``): for each warehouse, one
    count (盘点) through ``services.stock_count_post`` — an ``adjust`` move for each part whose
    counted quantity differs from its on hand, none where they agree. A user counts only the
    warehouses of their units (another unit's is unknown). An empty count cell skips the row.
    A count below what is reserved is refused (available would go negative). All or nothing."""
    from parts import services
    from parts.selectors import parts_visible_to, warehouses_visible_to

    _require(acting_user, ("parts.add_stockmove",), _("You may not move stock."))
    reason = (reason or "").strip()[:200] or _("Stock count (Excel) %(day)s") % {
        "day": timezone.localdate().isoformat()
    }
    sheet = read_sheet(upload, COUNT_COLUMNS)
    errors = RowErrors(sheet)
    raw: list[tuple[SheetRow, str, str, int | None]] = []
    for row in sheet.rows():
        before = len(errors.items)
        warehouse = errors.cell(row, "warehouse", lambda v: cell_text(v, max_length=32, required=True))
        part = errors.cell(row, "part", lambda v: cell_text(v, max_length=64, required=True))
        counted = errors.cell(row, "counted", cell_whole_number)
        if len(errors.items) == before:
            raw.append((row, warehouse, part, counted))
    warehouses: dict[str, Warehouse] = {}
    scope = _visible(warehouses_visible_to, acting_user, Warehouse)
    for chunk in chunked(sorted({w for _r, w, _p, _c in raw})):
        warehouses.update({w.code: w for w in scope.filter(code__in=chunk)})
    parts: dict[str, Part] = {}
    catalogue = _visible(parts_visible_to, acting_user, Part)
    for chunk in chunked(sorted({p for _r, _w, p, _c in raw})):
        parts.update({p.code: p for p in catalogue.filter(code__in=chunk)})
    rows: list[_CountRow] = []
    seen: dict[tuple[str, str], int] = {}
    skipped = 0
    for row, warehouse_code, part_code, counted in raw:
        warehouse, part = warehouses.get(warehouse_code), parts.get(part_code)
        if warehouse is None:
            errors.add(row, "warehouse", ImportErrorCode.UNKNOWN_WAREHOUSE, _("Unknown warehouse."))
        elif not warehouse.is_active:
            errors.add(row, "warehouse", ImportErrorCode.CLOSED_WAREHOUSE, _("This warehouse is closed."))
        if part is None:
            errors.add(row, "part", ImportErrorCode.UNKNOWN_PART, _("Unknown part."))
        key = (warehouse_code, part_code)
        if key in seen:
            errors.add(
                row,
                "part",
                ImportErrorCode.DUPLICATE_ROW,
                _("Part %(part)s of warehouse %(warehouse)s is already on row %(row)s.")
                % {"part": part_code, "warehouse": warehouse_code, "row": seen[key]},
            )
            continue
        seen[key] = row.number
        if counted is None:
            skipped += 1
            continue
        if warehouse is not None and part is not None and warehouse.is_active:
            rows.append(_CountRow(row, warehouse, part, counted))
    reserved = _reserved_of(rows)
    for r in rows:
        held = reserved.get((r.part.pk, r.warehouse.pk), 0)
        if r.counted < held:
            errors.add(
                r.row,
                "counted",
                ImportErrorCode.BELOW_RESERVED,
                _("%(reserved)s of this part are reserved here: count at least that many or release them first.")
                % {"reserved": held},
            )
    errors.refuse_if_any()
    by_warehouse: dict[int, list[_CountRow]] = {}
    for r in rows:
        by_warehouse.setdefault(r.warehouse.pk, []).append(r)
    adjusted = 0
    for lines in sorted(by_warehouse.values(), key=lambda ls: ls[0].warehouse.code):
        warehouse = lines[0].warehouse
        try:
            count = services.stock_count_post(
                acting_user=acting_user,
                warehouse=warehouse,
                counts={line.part: line.counted for line in lines},
                reason=reason,
            )
        except (ValidationError, StockShortage) as error:
            _refuse_from_service(sheet, lines, error)
        adjusted += count.moves.count()
    counts = {
        "counted": len(rows),
        "adjusted": adjusted,
        "unchanged": len(rows) - adjusted,
        "skipped": skipped,
        "warehouses": len(by_warehouse),
    }
    summary = (
        ngettext(
            "Stock counted: %(counted)s line in %(warehouses)s warehouse(s), %(adjusted)s adjusted, "
            "%(unchanged)s unchanged, %(skipped)s not counted.",
            "Stock counted: %(counted)s lines in %(warehouses)s warehouse(s), %(adjusted)s adjusted, "
            "%(unchanged)s unchanged, %(skipped)s not counted.",
            len(rows),
        )
        % counts
    )
    return ImportResult(rows=len(rows) + skipped, counts=counts, summary=summary)


def _reserved_of(rows: Sequence[_CountRow]) -> dict[tuple[int, int], int]:
    reserved: dict[tuple[int, int], int] = {}
    by_warehouse: dict[int, list[int]] = {}
    for r in rows:
        by_warehouse.setdefault(r.warehouse.pk, []).append(r.part.pk)
    for warehouse_id, part_ids in by_warehouse.items():
        for chunk in chunked(part_ids):
            balances = StockBalance.objects.filter(warehouse_id=warehouse_id, part_id__in=chunk, reserved__gt=0)
            for part_id, held in balances.values_list("part_id", "reserved"):
                reserved[(part_id, warehouse_id)] = held
    return reserved


def _refuse_from_service(sheet: Sheet, lines: Sequence[_CountRow], error: Exception) -> None:
    """The ledger refused a line after the checks (a reservation made meanwhile): name its row."""
    by_field = {f"counts.{line.part.code}": line for line in lines}
    items: list[RowError] = []
    if isinstance(error, StockShortage):
        messages = {error.field: [error.message]}
        code = ImportErrorCode.BELOW_RESERVED
    else:
        assert isinstance(error, ValidationError)
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        code = ImportErrorCode.INVALID_CHOICE
    for name, texts in messages.items():
        line = by_field.get(name)
        for text in texts:
            if line is not None:
                items.append(sheet.error(line.row, "counted", CellError(code, text)))
            else:
                items.append(sheet.error(lines[0].row, "warehouse", CellError(ImportErrorCode.UNKNOWN_WAREHOUSE, text)))
    raise SheetRefused(items)


# --- registration ------------------------------------------------------------------------------


def _run_parts(*, acting_user: Any, upload: Any, options: Mapping[str, Any]) -> ImportResult:
    return parts_import(acting_user=acting_user, upload=upload)


def _run_counts(*, acting_user: Any, upload: Any, options: Mapping[str, Any]) -> ImportResult:
    return stock_counts_import(acting_user=acting_user, upload=upload, reason=options.get("reason") or "")


def register() -> None:
    from parts.forms import SheetUploadForm, StockCountImportForm

    register_sheet_import(
        SheetImport(
            key="parts",
            title=gettext_lazy("Import parts"),
            page="catalogue",
            permissions=("parts.add_part", "parts.change_part"),
            columns=PART_COLUMNS,
            form_class=SheetUploadForm,
            run=_run_parts,
            description=gettext_lazy("Adds new part codes and updates the parts the catalogue has."),
        )
    )
    register_sheet_import(
        SheetImport(
            key="stock-counts",
            title=gettext_lazy("Import stock counts"),
            page="stock",
            permissions=("parts.add_stockmove",),
            columns=COUNT_COLUMNS,
            form_class=StockCountImportForm,
            run=_run_counts,
            description=gettext_lazy(
                "Each difference between the counted quantity and the quantity on hand is posted as an adjustment."
            ),
        )
    )
