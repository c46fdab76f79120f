"""The Excel pages: the import forms of the catalogue and stock pages (upload, every error listed,
what was written), the template download in the reader's language, and the exports of the stock
page and the move journal (the page's filters, the user's scope), opened as a user would."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from billing.models import PartPriceList
from parts import services
from parts.models import Part, StockMove
from parts.selectors import balance_of
from tests.conftest import speak, speak_english
from tests.parts.sheets import XLSX, read_rows, response_bytes, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock_ab(part, other_part, wh_a, wh_a2, wh_b):
    """Station A: 10 batteries and 4 brake pads at XH-01, 2 batteries at XH-02; station B: 6 at HD-01."""
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=10, note="入库")
    services.stock_move(acting_user=None, kind="receive", part=other_part, warehouse=wh_a, quantity=4, note="入库")
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a2, quantity=2, note="入库")
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=6, note="入库")
    services.stock_move(acting_user=None, kind="scrap", part=part, warehouse=wh_a, quantity=1, note="损坏")
    return wh_a


# --- the import forms ---------------------------------------------------------------------------


def test_the_catalogue_offers_parts_and_prices_imports_to_the_parts_clerk(client_as, clerk):
    page = client_as(speak_english(clerk)).get("/parts/").content.decode()

    assert 'id="import-parts"' in page and 'id="import-part-prices"' in page
    assert 'id="new-part"' in page
    assert 'id="import-stock-counts"' not in page


def test_a_technician_sees_no_import_and_no_new_part_button(client_as, technician):
    page = client_as(technician).get("/parts/").content.decode()

    assert 'id="sheet-imports"' not in page and 'id="new-part"' not in page


def test_the_stock_page_offers_the_count_import_to_a_station_and_the_export_to_readers(
    client_as, station_a_user, dispatcher
):
    station = client_as(station_a_user).get("/parts/stock/").content.decode()
    reader = client_as(dispatcher).get("/parts/stock/?warehouse=XH-01").content.decode()

    assert 'id="import-stock-counts"' in station and 'id="new-move"' in station
    assert 'id="import-stock-counts"' not in reader and 'id="new-move"' not in reader
    assert 'href="/parts/stock/export.xlsx?warehouse=XH-01"' in reader


def test_a_good_upload_goes_back_to_the_catalogue_saying_what_was_written(client_as, clerk, product_model):
    client = client_as(speak_english(clerk))
    upload = xlsx_upload([["Part code", "Name", "Fits product models"], ["NEW-1", "新件", "TDR-2000"]])

    response = client.post("/parts/import/parts/", {"file": upload}, follow=True)

    assert response.redirect_chain == [("/parts/", 302)]
    assert "Parts imported: 1 added, 0 updated, 0 unchanged." in response.content.decode()
    assert Part.objects.get(code="NEW-1").product_models.get().code == "TDR-2000"


def test_a_refused_upload_lists_every_error_by_row_and_column_and_writes_nothing(client_as, clerk):
    client = client_as(speak_english(clerk))
    upload = xlsx_upload(
        [["Part code", "Name", "Genuine part"], ["A-1", "", "yes"], ["A-2", "好", "maybe"], ["A-3", "好", ""]]
    )

    response = client.post("/parts/import/parts/", {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: the file has 2 errors." in page
    assert "Row 2, Name: This cell is required." in page
    assert 'data-row="3" data-field="genuine" data-code="invalid_choice"' in page
    assert not Part.objects.filter(code__startswith="A-").exists()


def test_an_upload_without_a_file_names_the_file_field(client_as, clerk):
    response = client_as(speak_english(clerk)).post("/parts/import/parts/", {})

    assert response.status_code == 400
    assert 'data-field="file"' in response.content.decode()


def test_a_station_counts_its_stock_from_the_stock_page(client_as, station_a_user, stock_ab, part):
    client = client_as(speak_english(station_a_user))
    upload = xlsx_upload([["Warehouse code", "Part code", "Counted quantity"], ["XH-01", "BAT-48V", 7]])

    response = client.post("/parts/import/stock-counts/", {"file": upload, "reason": "季度盘点"}, follow=True)

    assert response.redirect_chain == [("/parts/stock/", 302)]
    assert "1 adjusted" in response.content.decode()
    assert balance_of(part=part, warehouse=stock_ab) == (7, 0, 0)
    assert StockMove.objects.filter(kind="adjust").get().note == "季度盘点"


def test_a_station_counting_another_stations_warehouse_gets_the_row_named(
    client_as, station_a_user, stock_ab, part, wh_b
):
    client = client_as(speak_english(station_a_user))
    upload = xlsx_upload(
        [["Warehouse code", "Part code", "Counted quantity"], ["XH-01", "BAT-48V", 7], ["HD-01", "BAT-48V", 0]]
    )

    response = client.post("/parts/import/stock-counts/", {"file": upload})

    assert response.status_code == 400
    assert "Row 3, Warehouse code: Unknown warehouse." in response.content.decode()
    assert balance_of(part=part, warehouse=stock_ab) == (9, 0, 0)
    assert balance_of(part=part, warehouse=wh_b) == (6, 0, 0)


def test_prices_from_the_catalogue_page_need_their_effective_date(client_as, director, part):
    client = client_as(speak_english(director))
    rows = [["Part code", "Unit price"], ["BAT-48V", "1299.00"]]

    missing = client.post("/parts/import/part-prices/", {"file": xlsx_upload(rows)})
    done = client.post("/parts/import/part-prices/", {"file": xlsx_upload(rows), "effective_from": "2025-03-01"})

    assert missing.status_code == 400 and 'data-field="effective_from"' in missing.content.decode()
    assert done.status_code == 302
    price_list = PartPriceList.objects.get(effective_from=date(2025, 3, 1))
    assert price_list.prices.get().unit_price == Decimal("1299.00")


def test_an_import_the_user_may_not_run_is_forbidden_and_an_unknown_one_not_found(client_as, technician, clerk):
    assert client_as(technician).get("/parts/import/parts/").status_code == 403
    assert client_as(technician).post("/parts/import/stock-counts/", {"file": xlsx_upload([["a"]])}).status_code == 403
    assert client_as(clerk).get("/parts/import/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("language", "headers"),
    [("en", ["Part code", "Name", "Unit"]), ("zh-hans", ["配件编码", "名称", "单位"])],
)
def test_the_template_has_the_readers_headers_and_imports_once_filled(client_as, clerk, language, headers):
    client = client_as(speak(clerk, language))

    response = client.get("/parts/import/parts/template.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = read_rows(response_bytes(response))
    assert rows[0][:3] == headers
    assert len(rows[0]) == 8
    instructions = read_rows(response_bytes(client.get("/parts/import/parts/template.xlsx")), sheet=1)
    assert len(instructions) == 9
    filled = xlsx_upload([rows[0], ["TPL-1", "模板件", "个", None, None, None, None, None]])
    assert client.post("/parts/import/parts/", {"file": filled}).status_code == 302
    assert Part.objects.filter(code="TPL-1").exists()


# --- exports ------------------------------------------------------------------------------------


def test_the_stock_export_has_the_pages_rows_in_the_users_scope(client_as, station_a_user, stock_ab):
    with translation.override("en"):
        response = client_as(speak_english(station_a_user)).get("/parts/stock/export.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="stock-')
    rows = read_rows(response_bytes(response))
    assert rows[0] == [
        "Warehouse code",
        "Warehouse name",
        "Part code",
        "Part name",
        "Unit",
        "On hand",
        "Reserved",
        "Available",
        "In transit",
        "Counted quantity",
    ]
    assert [row[:3] + row[5:9] for row in rows[1:]] == [
        ["XH-01", "西湖站备件库", "BAT-48V", 9, 0, 9, 0],
        ["XH-01", "西湖站备件库", "BRK-PAD", 4, 0, 4, 0],
        ["XH-02", "西湖站二号库", "BAT-48V", 2, 0, 2, 0],
    ]  # station B's HD-01 is not theirs


def test_the_stock_export_applies_the_pages_filters(client_as, clerk, stock_ab):
    rows = read_rows(response_bytes(client_as(clerk).get("/parts/stock/export.xlsx?warehouse=XH-01&q=BRK")))

    assert [row[:3] for row in rows[1:]] == [["XH-01", "西湖站备件库", "BRK-PAD"]]


def test_an_exported_stock_sheet_with_its_counts_filled_in_imports_back_as_a_count(
    client_as, station_a_user, stock_ab, part, other_part, wh_a2
):
    client = client_as(speak_english(station_a_user))
    rows = [row + [None] * (10 - len(row)) for row in read_rows(response_bytes(client.get("/parts/stock/export.xlsx")))]
    rows[1][9] = 8  # XH-01 batteries: 9 on hand, 8 found
    rows[2][9] = 4  # brake pads as expected; XH-02 not counted (empty)

    response = client.post("/parts/import/stock-counts/", {"file": xlsx_upload(rows)}, follow=True)

    assert "2 lines in 1 warehouse(s), 1 adjusted, 1 unchanged, 1 not counted." in response.content.decode()
    assert balance_of(part=part, warehouse=stock_ab) == (8, 0, 0)
    assert balance_of(part=part, warehouse=wh_a2) == (2, 0, 0)


def test_the_move_journal_export_round_trips_the_moves(client_as, clerk, stock_ab, order_a, part):
    services.stock_move(acting_user=clerk, kind="adjust", part=part, warehouse=stock_ab, quantity=-2, note="盘亏")
    client = client_as(speak_english(clerk))

    rows = read_rows(response_bytes(client.get("/parts/moves/export.xlsx?warehouse=XH-01")))

    assert rows[0][:4] == ["Number", "When", "Kind", "Part code"]
    journal = list(StockMove.objects.filter(warehouse__code="XH-01").order_by("-id"))
    assert [row[0] for row in rows[1:]] == [m.pk for m in journal]
    assert rows[1][2:8] == ["Adjust", "BAT-48V", "48V 锂电池", "XH-01", None, -2]
    assert rows[1][10:] == ["盘亏", "parts"]
    assert rows[1][1] == timezone.localtime(journal[0].at).replace(tzinfo=None, microsecond=0)


def test_the_move_journal_export_filters_by_kind_and_hides_other_stations(client_as, station_b_user, stock_ab):
    client = client_as(speak_english(station_b_user))

    rows = read_rows(response_bytes(client.get("/parts/moves/export.xlsx?kind=receive")))

    assert [(row[2], row[5], row[7]) for row in rows[1:]] == [("Receive", "HD-01", 6)]


def test_text_that_looks_like_a_formula_is_exported_as_text(client_as, clerk, part, wh_a):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=1, note="=HYPERLINK(1)")

    data = response_bytes(client_as(clerk).get("/parts/moves/export.xlsx"))

    cell = load_workbook(io.BytesIO(data)).worksheets[0]["K2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_a_large_export_streams_from_a_file(client_as, clerk, part, wh_a):
    from parts.models import StockEntry

    moves = [
        StockMove(kind="receive", part=part, warehouse=wh_a, quantity=1, note=f"批 {n}", at=wh_a.created_at)
        for n in range(3000)
    ]
    StockMove.objects.bulk_create(moves)
    assert not StockEntry.objects.exists()  # journal rows only: the export reads moves

    response = client_as(clerk).get("/parts/moves/export.xlsx")

    assert response.streaming
    assert len(read_rows(response_bytes(response))) == 3001


def test_an_empty_export_has_its_header(client_as, clerk):
    rows = read_rows(response_bytes(client_as(clerk).get("/parts/stock/export.xlsx")))

    assert len(rows) == 1 and len(rows[0]) == 10
