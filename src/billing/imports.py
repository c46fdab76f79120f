"""The parts price list from Excel (issue 11, point 9): a new version of the list (附件2), effective
from a chosen day, whose rows refer to the parts catalogue. Registered with the parts app's
imports (``parts.imports``), offered on the catalogue page and at ``POST /api/v1/imports/part-prices``.

The sheet's prices replace or add to those of the list in force on that day; parts the sheet does
not name keep their price (copied into the new version), so a partial sheet never drops prices.
A code the catalogue does not have is an error (import the parts first): a typing mistake never
becomes a new catalogue part. All or nothing, like every import.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import services
from billing.models import PartPrice, PartPriceList
from billing.selectors import part_price_list_in_force
from parts.excel import CellError, Column, ImportErrorCode, SheetRefused, cell_text, read_sheet
from parts.imports import CODE_ALIASES, ImportResult, RowErrors, SheetImport, chunked, register_sheet_import
from parts.models import Part


def _label(name: str) -> Any:
    return PartPrice._meta.get_field(name).verbose_name  # type: ignore[union-attr]


PRICE_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        _label("code"),
        required=True,
        aliases=CODE_ALIASES,
        help=gettext_lazy("A part of the catalogue."),
        width=18,
    ),
    Column(
        "name",
        _label("name"),
        aliases=("备件名称", "配件名称", "零件名称", "part name"),
        help=gettext_lazy("As the list prints it (the catalogue's name when empty)."),
        width=24,
    ),
    Column(
        "uom",
        _label("unit_of_measure"),
        aliases=("计量单位", "uom", "unit of measure"),
        help=gettext_lazy("The catalogue's unit when empty."),
        width=8,
    ),
    Column(
        "unit_price",
        _label("unit_price"),
        required=True,
        aliases=("价格", "售价", "零售价", "单价(元)", "price", "unit price (cny)"),
        help=gettext_lazy("In yuan, at most two decimals, zero or more."),
        width=12,
    ),
)


def _price(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(ImportErrorCode.REQUIRED, _("This cell is required."))
    try:
        return services.parse_decimal(value, "unit_price")
    except ValidationError as error:
        message = error.message_dict["unit_price"][0]
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except (InvalidOperation, ValueError):
            number = None
        if number is not None and number.is_finite() and number < 0:
            raise CellError(ImportErrorCode.NEGATIVE, message) from None
        if number is not None and number.is_finite() and number > services.MAX_MONEY:
            raise CellError(ImportErrorCode.TOO_LARGE, message) from None
        raise CellError(ImportErrorCode.INVALID_AMOUNT, message) from None


@transaction.atomic
def part_prices_import(*, acting_user: Any | None, upload: Any, effective_from: date, note: str = "") -> ImportResult:
    """A new parts price list effective from ``effective_from`` (columns: ``PRICE_COLUMNS``): the
    list in force that day with the sheet's prices replacing or adding to it, written by
    ``services.part_price_list_create``. Nothing is written if any row is wrong."""
    if acting_user is not None and not acting_user.has_perm("billing.add_partpricelist"):
        raise PermissionDenied(_("You may not change the parts price list."))
    if not isinstance(effective_from, date):
        raise ValidationError({"effective_from": _("Enter a date as YYYY-MM-DD.")})
    if PartPriceList.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("A price list with this effective date already exists.")})
    sheet = read_sheet(upload, PRICE_COLUMNS)
    errors = RowErrors(sheet)
    read: list[tuple[Any, str, str, str, Decimal]] = []
    seen: dict[str, int] = {}
    for row in sheet.rows():
        before = len(errors.items)
        code = errors.cell(row, "code", lambda v: cell_text(v, max_length=64, required=True))
        name = errors.cell(row, "name", lambda v: cell_text(v, max_length=100))
        uom = errors.cell(row, "uom", lambda v: cell_text(v, max_length=16))
        price = errors.cell(row, "unit_price", _price)
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
            read.append((row, code, name or "", uom or "", price))
    catalogue: dict[str, Part] = {}
    for chunk in chunked(sorted(seen)):
        catalogue.update({p.code: p for p in Part.objects.filter(code__in=chunk)})
    for row, code, _name, _uom, _price_value in read:
        if code not in catalogue:
            errors.add(
                row,
                "code",
                ImportErrorCode.UNKNOWN_PART,
                _("Unknown part: the catalogue has no part %(code)s (import it into the catalogue first).")
                % {"code": code},
            )
    errors.refuse_if_any()
    specs = [
        services.PartPriceSpec(
            code=code,
            name=name or catalogue[code].name,
            unit_price=price,
            unit_of_measure=uom or catalogue[code].uom,
        )
        for _row, code, name, uom, price in read
    ]
    in_force = part_price_list_in_force(effective_from)
    kept = [
        services.PartPriceSpec(code=p.code, name=p.name, unit_price=p.unit_price, unit_of_measure=p.unit_of_measure)
        for p in (in_force.prices.order_by("code") if in_force is not None else [])
        if p.code not in seen
    ]
    try:
        price_list = services.part_price_list_create(
            acting_user=acting_user, effective_from=effective_from, prices=specs + kept, note=note
        )
    except ValidationError as error:
        _refuse_from_service(sheet, read, error)
        raise
    counts = {"prices": len(specs), "kept": len(kept), "price_list": price_list.pk}
    summary = _(
        "New parts price list from %(day)s: %(prices)s prices from the sheet, %(kept)s kept from the list in force."
    ) % {"day": effective_from.isoformat(), "prices": len(specs), "kept": len(kept)}
    return ImportResult(rows=len(specs), counts=counts, summary=summary)


def _refuse_from_service(sheet: Any, read: list[tuple[Any, str, str, str, Decimal]], error: ValidationError) -> None:
    """The service's row errors (``prices.<index>.<field>``) named by the sheet's row; other
    errors (the effective date) stay errors of their field."""
    if not hasattr(error, "error_dict"):
        return
    rows = []
    for name, messages in error.message_dict.items():
        parts = name.split(".")
        if parts[0] != "prices" or len(parts) < 3 or not parts[1].isdigit() or int(parts[1]) >= len(read):
            continue
        key = {"unit_of_measure": "uom"}.get(parts[2], parts[2])
        for message in messages:
            rows.append(sheet.error(read[int(parts[1])][0], key, CellError(ImportErrorCode.INVALID_CHOICE, message)))
    if rows:
        raise SheetRefused(rows)


def _run(*, acting_user: Any, upload: Any, options: Mapping[str, Any]) -> ImportResult:
    return part_prices_import(
        acting_user=acting_user,
        upload=upload,
        effective_from=options.get("effective_from"),  # type: ignore[arg-type]
        note=options.get("note") or "",
    )


def register() -> None:
    from billing.forms import PriceImportForm

    register_sheet_import(
        SheetImport(
            key="part-prices",
            title=gettext_lazy("Import part prices"),
            page="catalogue",
            permissions=("billing.add_partpricelist",),
            columns=PRICE_COLUMNS,
            form_class=PriceImportForm,
            run=_run,
            description=gettext_lazy(
                "A new version of the parts price list from the chosen day: the sheet's prices replace or add to "
                "the list in force, the other parts keep theirs."
            ),
        )
    )
