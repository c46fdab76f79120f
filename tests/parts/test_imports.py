"""Excel imports (issue 11, point 9): the catalogue, stock counts (盘点) and the parts price list.
Real workbooks written with openpyxl; all or nothing; every error named by row, column and code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.imports import part_prices_import
from billing.models import PartPrice, PartPriceList
from billing.services import PartPriceSpec, part_price_list_create
from catalog.services import product_model_create
from core.changelog import history_for
from core.models import ChangeLogEntry
from parts import services
from parts.excel import MAX_IMPORT_ROWS, SheetRefused
from parts.imports import parts_import, stock_counts_import
from parts.models import Part, StockCount, StockMove
from parts.selectors import balance_of, ledger_balance_of
from tests.parts.sheets import xlsx_upload

pytestmark = pytest.mark.django_db

ZH_PARTS = ["备件编码", "名称", "单位", "适用机型", "原厂件", "供应商", "状态", "替代为"]
EN_PARTS = ["Part code", "Name", "Unit", "Fits product models", "Genuine part", "Supplier", "Status", "Superseded by"]


def refused(run: Any) -> list[Any]:
    with pytest.raises(SheetRefused) as caught:
        run()
    return caught.value.errors


def only(errors: list[Any]) -> tuple[Any, str, str]:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0].row, errors[0].column, errors[0].code


# --- the catalogue ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [ZH_PARTS, EN_PARTS], ids=["chinese", "english"])
def test_a_good_sheet_adds_the_parts_with_their_models_supplier_and_status(clerk, product_model, headers):
    upload = xlsx_upload(
        [
            headers,
            ["BAT-60V", "60V 锂电池", "块", "TDR-2000", "是", "", "有效", ""],
            ["MIR-L", "左后视镜", "", "", "否", "宁波镜业", "", ""],
            ["BAT-48V-OLD", "48V 铅酸电池", "块", "TDR-2000", "yes", "", "", "BAT-60V"],
        ]
    )

    result = parts_import(acting_user=clerk, upload=upload)

    assert result.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert result.rows == 3
    battery = Part.objects.get(code="BAT-60V")
    assert (battery.name, battery.uom, battery.genuine, battery.status) == ("60V 锂电池", "块", True, "active")
    assert list(battery.product_models.values_list("code", flat=True)) == ["TDR-2000"]
    mirror = Part.objects.get(code="MIR-L")
    assert (mirror.uom, mirror.genuine, mirror.supplier) == ("个", False, "宁波镜业")
    old = Part.objects.get(code="BAT-48V-OLD")
    assert (old.status, old.superseded_by.code) == ("superseded", "BAT-60V")
    assert [e.action for e in history_for(battery)] == ["create"]


def test_a_code_the_catalogue_has_is_updated_and_an_equal_row_left_alone(clerk, part, other_part):
    upload = xlsx_upload(
        [
            ["备件编码", "名称", "单位"],
            ["BAT-48V", "48V 锂电池（新款）", "块"],
            ["BRK-PAD", "刹车片", "副"],
        ]
    )

    result = parts_import(acting_user=clerk, upload=upload)

    assert result.counts == {"created": 0, "updated": 1, "unchanged": 1}
    part.refresh_from_db()
    assert (part.name, part.version) == ("48V 锂电池（新款）", 2)
    assert list(part.product_models.values_list("code", flat=True)) == ["TDR-2000"]  # no models column: kept
    entry = history_for(part).get(action="update")
    assert entry.before == {"name": "48V 锂电池"} and entry.after == {"name": "48V 锂电池（新款）"}


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(clerk, product_model):
    rows = [ZH_PARTS, ["BAT-60V", "60V 锂电池", "块", "TDR-2000", "", "", "", ""]]
    parts_import(acting_user=clerk, upload=xlsx_upload(rows))

    again = parts_import(acting_user=clerk, upload=xlsx_upload(rows))

    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1}
    assert Part.objects.get(code="BAT-60V").version == 1


def test_one_bad_row_refuses_the_whole_sheet_and_writes_nothing(clerk, part):
    before = (Part.objects.count(), ChangeLogEntry.objects.count())
    upload = xlsx_upload(
        [
            ZH_PARTS,
            ["NEW-1", "新件一", "", "", "", "", "", ""],
            ["BAT-48V", "改了名字", "", "", "", "", "", ""],
            ["NEW-2", "", "", "", "", "", "", ""],  # no name
            ["NEW-3", "新件三", "", "", "", "", "", ""],
        ]
    )

    errors = refused(lambda: parts_import(acting_user=clerk, upload=upload))

    assert only(errors) == (4, "名称", "required")
    assert (Part.objects.count(), ChangeLogEntry.objects.count()) == before
    part.refresh_from_db()
    assert part.name == "48V 锂电池"


def test_every_bad_row_is_reported_not_only_the_first(clerk):
    upload = xlsx_upload([["Part code", "Name"], ["", "无编码"], ["A-1", ""], ["A-2", "好"], ["", ""], [None, "x"]])

    errors = refused(lambda: parts_import(acting_user=clerk, upload=upload))

    assert [(e.row, e.column, e.code) for e in errors] == [
        (2, "Part code", "required"),
        (3, "Name", "required"),
        (6, "Part code", "required"),
    ]
    assert str(errors[0]) == "Row 2, Part code: This cell is required."


PART_ERRORS = [
    pytest.param(["X-1", "名" * 101, "", "", "", "", "", ""], "名称", "too_long", id="name-too-long"),
    pytest.param(
        ["X-1", "件", "", "NO-SUCH, TDR-2000", "", "", "", ""], "适用机型", "unknown_product_model", id="model"
    ),
    pytest.param(["X-1", "件", "", "", "也许", "", "", ""], "原厂件", "invalid_choice", id="genuine"),
    pytest.param(["X-1", "件", "", "", "否", "", "", ""], "供应商", "supplier_required", id="supplier"),
    pytest.param(["X-1", "件", "", "", "", "", "报废了", ""], "状态", "invalid_choice", id="status"),
    pytest.param(["X-1", "件", "", "", "", "", "superseded", ""], "替代为", "successor_required", id="successor"),
    pytest.param(["X-1", "件", "", "", "", "", "", "X-1"], "替代为", "invalid_successor", id="self"),
    pytest.param(["X-1", "件", "", "", "", "", "", "NOPE-9"], "替代为", "unknown_part", id="unknown-successor"),
    pytest.param(
        ["X-1", "件", "", "", "", "", "obsolete", "BAT-48V"], "替代为", "invalid_successor", id="not-superseded"
    ),
    pytest.param(["X\x7f-1", "件", "", "", "", "", "", ""], "备件编码", "invalid_text", id="control-characters"),
    pytest.param(["X" * 65, "件", "", "", "", "", "", ""], "备件编码", "too_long", id="code-too-long"),
]


@pytest.mark.parametrize(("row", "column", "code"), PART_ERRORS)
def test_each_kind_of_bad_cell_is_named_by_row_column_and_code(clerk, product_model, part, row, column, code):
    upload = xlsx_upload([ZH_PARTS, ["OK-1", "好件", "", "", "", "", "", ""], row])

    errors = refused(lambda: parts_import(acting_user=clerk, upload=upload))

    assert only(errors) == (3, column, code)
    assert not Part.objects.filter(code="OK-1").exists()


def test_a_code_twice_in_the_sheet_names_both_rows(clerk):
    upload = xlsx_upload([["编码", "名称"], ["D-1", "一"], ["D-2", "二"], ["D-1", "三"]])

    errors = refused(lambda: parts_import(acting_user=clerk, upload=upload))

    assert only(errors) == (4, "编码", "duplicate_row")
    assert errors[0].message == "Part code D-1 is already on row 2."


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([["名称"], ["无编码"]], (1, "Part code", "missing_column"), id="missing-column"),
        pytest.param(
            [["编码", "Part code", "名称"], ["A", "A", "x"]], (1, "Part code", "duplicate_column"), id="twice"
        ),
        pytest.param([["编码", "名称"]], (None, "", "no_rows"), id="no-rows"),
        pytest.param([], (None, "", "no_rows"), id="empty"),
    ],
)
def test_a_sheet_without_its_columns_or_rows_is_refused_as_a_whole(clerk, rows, expected):
    errors = refused(lambda: parts_import(acting_user=clerk, upload=xlsx_upload(rows)))

    assert only(errors) == expected


@pytest.mark.parametrize(
    "content",
    [b"code,name\nA,B\n", b"PK\x03\x04 not really a zip", "编码,名称".encode("gb18030"), b""],
    ids=["csv", "broken-zip", "gb18030-text", "empty-file"],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_not_xlsx(clerk, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    errors = refused(lambda: parts_import(acting_user=clerk, upload=SimpleUploadedFile("x.xlsx", content)))

    assert only(errors) == (None, "", "not_xlsx")


def test_headers_are_found_in_any_order_with_marks_and_other_columns_ignored(clerk):
    upload = xlsx_upload([["备注", " 名称 * ", "编码（必填）"], ["随便", "前叉", "FORK-1"]])

    parts_import(acting_user=clerk, upload=upload)

    assert Part.objects.get(code="FORK-1").name == "前叉"


def test_numbers_typed_as_codes_are_read_as_text(clerk):
    parts_import(acting_user=clerk, upload=xlsx_upload([["编码", "名称"], [100234, "螺丝"], [100235.0, "垫片"]]))

    assert set(Part.objects.values_list("code", flat=True)) == {"100234", "100235"}


def test_making_a_part_of_a_model_still_made_obsolete_warns_by_article_seven(clerk, part):
    result = parts_import(
        acting_user=clerk, upload=xlsx_upload([["编码", "名称", "状态"], ["BAT-48V", "48V 锂电池", "已淘汰"]])
    )

    part.refresh_from_db()
    assert part.status == "obsolete"
    assert result.warnings == [
        "Row 2, BAT-48V: TDR-2000 is still in production: its parts must stay orderable (第七条)."
    ]


def test_a_model_discontinued_long_ago_gives_no_warning(clerk, category):
    model = product_model_create(acting_user=None, code="OLD-1", name="旧车", category=category, warranty_months=12)
    model.discontinued_on = date(2010, 1, 1)
    model.save()
    result = parts_import(
        acting_user=clerk,
        upload=xlsx_upload([["编码", "名称", "适用机型", "状态"], ["P-1", "件", "OLD-1", "obsolete"]]),
    )

    assert result.warnings == []


def test_someone_who_does_not_keep_the_catalogue_may_not_import_parts(technician):
    with pytest.raises(PermissionDenied):
        parts_import(acting_user=technician, upload=xlsx_upload([["编码", "名称"], ["A", "B"]]))
    assert not Part.objects.filter(code="A").exists()


def test_a_sheet_of_5000_parts_imports(clerk, product_model):
    rows = [EN_PARTS] + [
        [
            f"P-{n:05d}",
            f"备件 {n}",
            "个",
            "TDR-2000" if n % 2 else "",
            "yes" if n % 3 else "no",
            "" if n % 3 else "某供应商",
            "",
            "",
        ]
        for n in range(5000)
    ]

    result = parts_import(acting_user=clerk, upload=xlsx_upload(rows))

    assert result.counts == {"created": 5000, "updated": 0, "unchanged": 0}
    assert Part.objects.filter(code__startswith="P-").count() == 5000
    assert Part.objects.filter(code__startswith="P-", product_models__code="TDR-2000").count() == 2500
    assert Part.objects.get(code="P-00003").supplier == "某供应商"
    assert ChangeLogEntry.objects.filter(action="create", object_repr__startswith="P-").count() == 5000


def test_more_rows_than_the_limit_are_refused(clerk, monkeypatch):
    monkeypatch.setattr("parts.excel.MAX_IMPORT_ROWS", 3)
    errors = refused(
        lambda: parts_import(
            acting_user=clerk, upload=xlsx_upload([["编码", "名称"]] + [[f"C{n}", "x"] for n in range(4)])
        )
    )

    assert only(errors)[2] == "too_many_rows"
    assert MAX_IMPORT_ROWS >= 5000


# --- stock counts (盘点) ----------------------------------------------------------------------------

COUNT = ["仓库编码", "配件编码", "盘点数量"]


@pytest.fixture
def counted_stock(part, other_part, wh_a, wh_a2):
    """Station A: 10 batteries and 4 brake pads at XH-01, 3 batteries at XH-02."""
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=10, note="入库")
    services.stock_move(acting_user=None, kind="receive", part=other_part, warehouse=wh_a, quantity=4, note="入库")
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a2, quantity=3, note="入库")
    return wh_a


def test_a_count_posts_adjust_moves_for_the_differences_through_the_ledger(
    station_a_user, counted_stock, part, other_part, wh_a, wh_a2
):
    upload = xlsx_upload([COUNT, ["XH-01", "BAT-48V", 8], ["XH-01", "BRK-PAD", 4], ["XH-02", "BAT-48V", "5"]])

    result = stock_counts_import(acting_user=station_a_user, upload=upload, reason="月末盘点")

    assert result.counts == {"counted": 3, "adjusted": 2, "unchanged": 1, "skipped": 0, "warehouses": 2}
    assert balance_of(part=part, warehouse=wh_a) == (8, 0, 0) == ledger_balance_of(part=part, warehouse=wh_a)
    assert balance_of(part=part, warehouse=wh_a2) == (5, 0, 0) == ledger_balance_of(part=part, warehouse=wh_a2)
    adjusts = StockMove.objects.filter(kind="adjust").order_by("warehouse__code")
    assert [(m.warehouse.code, m.quantity, m.note) for m in adjusts] == [
        ("XH-01", -2, "月末盘点"),
        ("XH-02", 2, "月末盘点"),
    ]
    assert StockCount.objects.count() == 2
    assert {
        (line.part.code, line.expected, line.counted) for line in StockCount.objects.get(warehouse=wh_a).lines.all()
    } == {
        ("BAT-48V", 10, 8),
        ("BRK-PAD", 4, 4),
    }


def test_a_count_equal_to_the_balance_writes_no_move(station_a_user, counted_stock, part, wh_a):
    moves = StockMove.objects.count()

    result = stock_counts_import(acting_user=station_a_user, upload=xlsx_upload([COUNT, ["XH-01", "BAT-48V", 10]]))

    assert result.counts["adjusted"] == 0 and result.counts["unchanged"] == 1
    assert StockMove.objects.count() == moves
    assert balance_of(part=part, warehouse=wh_a) == (10, 0, 0)


def test_a_row_of_another_stations_warehouse_refuses_the_sheet_naming_the_row(
    station_a_user, counted_stock, part, wh_a, wh_b
):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=6, note="入库")
    moves = StockMove.objects.count()
    upload = xlsx_upload([COUNT, ["XH-01", "BAT-48V", 7], ["HD-01", "BAT-48V", 0]])

    errors = refused(lambda: stock_counts_import(acting_user=station_a_user, upload=upload))

    assert only(errors) == (3, "仓库编码", "unknown_warehouse")
    assert errors[0].message == "Unknown warehouse."  # another unit's warehouse is not revealed
    assert StockMove.objects.count() == moves and not StockCount.objects.exists()
    assert balance_of(part=part, warehouse=wh_a) == (10, 0, 0)
    assert balance_of(part=part, warehouse=wh_b) == (6, 0, 0)


def test_hq_counts_any_warehouse(clerk, counted_stock, part, wh_b):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=6, note="入库")

    stock_counts_import(acting_user=clerk, upload=xlsx_upload([COUNT, ["HD-01", "BAT-48V", 0]]))

    assert balance_of(part=part, warehouse=wh_b) == (0, 0, 0)


COUNT_ERRORS = [
    pytest.param(["XH-01", "BAT-48V", 2.5], "盘点数量", "not_whole_number", id="fraction"),
    pytest.param(["XH-01", "BAT-48V", "十"], "盘点数量", "not_whole_number", id="words"),
    pytest.param(["XH-01", "BAT-48V", -1], "盘点数量", "negative", id="negative"),
    pytest.param(["XH-01", "BAT-48V", 10_000_001], "盘点数量", "too_large", id="too-large"),
    pytest.param(["XH-01", "BAT-48V", True], "盘点数量", "not_whole_number", id="boolean"),
    pytest.param(["XH-01", "NO-SUCH", 1], "配件编码", "unknown_part", id="part"),
    pytest.param(["XX-99", "BAT-48V", 1], "仓库编码", "unknown_warehouse", id="warehouse"),
    pytest.param(["", "BAT-48V", 1], "仓库编码", "required", id="no-warehouse"),
    pytest.param(["XH-01", "BRK-PAD", 9], "配件编码", "duplicate_row", id="twice"),
]


@pytest.mark.parametrize(("row", "column", "code"), COUNT_ERRORS)
def test_each_bad_count_row_is_named_by_row_column_and_code(station_a_user, counted_stock, row, column, code):
    moves = StockMove.objects.count()
    upload = xlsx_upload([COUNT, ["XH-01", "BRK-PAD", 3], row])

    errors = refused(lambda: stock_counts_import(acting_user=station_a_user, upload=upload))

    assert only(errors) == (3, column, code)
    assert StockMove.objects.count() == moves


def test_a_count_below_what_is_reserved_is_refused(station_a_user, counted_stock, part, order_a):
    services.reservation_create(acting_user=None, part=part, warehouse=counted_stock, quantity=4, work_order=order_a)

    errors = refused(
        lambda: stock_counts_import(acting_user=station_a_user, upload=xlsx_upload([COUNT, ["XH-01", "BAT-48V", 3]]))
    )

    assert only(errors) == (2, "盘点数量", "below_reserved")
    assert balance_of(part=part, warehouse=counted_stock) == (10, 4, 0)


def test_a_closed_warehouse_is_not_counted(clerk, counted_stock, wh_a2):
    wh_a2.is_active = False
    wh_a2.save()

    errors = refused(
        lambda: stock_counts_import(acting_user=clerk, upload=xlsx_upload([COUNT, ["XH-02", "BAT-48V", 1]]))
    )

    assert only(errors) == (2, "仓库编码", "closed_warehouse")


def test_an_empty_count_cell_skips_the_row(station_a_user, counted_stock, part, wh_a):
    result = stock_counts_import(
        acting_user=station_a_user, upload=xlsx_upload([COUNT, ["XH-01", "BAT-48V", None], ["XH-01", "BRK-PAD", 1]])
    )

    assert result.counts["skipped"] == 1 and result.counts["adjusted"] == 1
    assert balance_of(part=part, warehouse=wh_a) == (10, 0, 0)


def test_a_user_who_may_not_move_stock_may_not_import_counts(technician, counted_stock):
    with pytest.raises(PermissionDenied):
        stock_counts_import(acting_user=technician, upload=xlsx_upload([COUNT, ["XH-01", "BAT-48V", 1]]))


def test_a_count_of_5000_lines_imports(clerk, wh_a):
    from parts.models import Part as PartModel

    PartModel.objects.bulk_create([PartModel(code=f"C-{n:05d}", name=f"件 {n}") for n in range(5000)])
    rows = [COUNT] + [["XH-01", f"C-{n:05d}", n % 7] for n in range(5000)]

    result = stock_counts_import(acting_user=clerk, upload=xlsx_upload(rows))

    assert result.counts["counted"] == 5000
    assert result.counts["adjusted"] == sum(1 for n in range(5000) if n % 7)
    assert balance_of(part=PartModel.objects.get(code="C-00013"), warehouse=wh_a) == (6, 0, 0)


# --- the parts price list ---------------------------------------------------------------------------

PRICES = ["配件编码", "名称", "单位", "单价"]


@pytest.fixture
def price_list_2024(part, other_part):
    return part_price_list_create(
        acting_user=None,
        effective_from=date(2024, 1, 1),
        prices=[
            PartPriceSpec("BAT-48V", "48V 锂电池", Decimal("1280.00"), "块"),
            PartPriceSpec("BRK-PAD", "刹车片", Decimal("45.00"), "副"),
        ],
    )


def test_prices_become_a_new_list_version_keeping_the_parts_the_sheet_does_not_name(director, price_list_2024, part):
    upload = xlsx_upload([PRICES, ["BAT-48V", "", "", 1350], ["BRK-PAD", "刹车片（前）", "副", "48.5"]])

    result = part_prices_import(acting_user=director, upload=upload, effective_from=date(2025, 1, 1), note="调价")

    new = PartPriceList.objects.get(effective_from=date(2025, 1, 1))
    assert result.counts == {"prices": 2, "kept": 0, "price_list": new.pk}
    rows = {p.code: (p.name, p.unit_of_measure, p.unit_price, p.part.code) for p in new.prices.select_related("part")}
    assert rows == {
        "BAT-48V": ("48V 锂电池", "块", Decimal("1350.00"), "BAT-48V"),
        "BRK-PAD": ("刹车片（前）", "副", Decimal("48.50"), "BRK-PAD"),
    }
    assert PartPrice.objects.filter(price_list=price_list_2024, code="BAT-48V").get().unit_price == Decimal("1280.00")


def test_a_partial_price_sheet_keeps_the_other_prices(director, price_list_2024):
    result = part_prices_import(
        acting_user=director,
        upload=xlsx_upload([["Part code", "Unit price"], ["BAT-48V", 1300]]),
        effective_from=date(2025, 1, 1),
    )

    assert result.counts["prices"] == 1 and result.counts["kept"] == 1
    new = PartPriceList.objects.get(effective_from=date(2025, 1, 1))
    assert dict(new.prices.values_list("code", "unit_price")) == {
        "BAT-48V": Decimal("1300.00"),
        "BRK-PAD": Decimal("45.00"),
    }


PRICE_ERRORS = [
    pytest.param(["NOPE-1", "", "", 10], "配件编码", "unknown_part", id="unknown-part"),
    pytest.param(["BRK-PAD", "", "", "abc"], "单价", "invalid_amount", id="not-a-number"),
    pytest.param(["BRK-PAD", "", "", -3], "单价", "negative", id="negative"),
    pytest.param(["BRK-PAD", "", "", "1.005"], "单价", "invalid_amount", id="three-decimals"),
    pytest.param(["BRK-PAD", "", "", None], "单价", "required", id="no-price"),
    pytest.param(["BRK-PAD", "", "", "1e20"], "单价", "too_large", id="too-large"),
    pytest.param(["BAT-48V", "", "", 1], "配件编码", "duplicate_row", id="twice"),
]


@pytest.mark.parametrize(("row", "column", "code"), PRICE_ERRORS)
def test_each_bad_price_row_is_named_and_no_list_is_written(director, price_list_2024, row, column, code):
    upload = xlsx_upload([PRICES, ["BAT-48V", "", "", 1300], row])

    errors = refused(lambda: part_prices_import(acting_user=director, upload=upload, effective_from=date(2025, 1, 1)))

    assert only(errors) == (3, column, code)
    assert PartPriceList.objects.count() == 1


def test_a_price_list_of_that_day_already_existing_names_the_date(director, price_list_2024):
    with pytest.raises(ValidationError) as caught:
        part_prices_import(
            acting_user=director, upload=xlsx_upload([PRICES, ["BAT-48V", "", "", 1]]), effective_from=date(2024, 1, 1)
        )

    assert caught.value.message_dict == {"effective_from": ["A price list with this effective date already exists."]}


def test_a_station_may_not_import_prices(station_a_user, price_list_2024):
    with pytest.raises(PermissionDenied):
        part_prices_import(
            acting_user=station_a_user,
            upload=xlsx_upload([PRICES, ["BAT-48V", "", "", 1]]),
            effective_from=date(2025, 1, 1),
        )
