"""The imports in the API: ``POST /api/v1/imports/{kind}`` (multipart ``file``) answers 200 with
what was written or 400 naming every bad row and column (nothing written); Idempotency-Key replays."""

from __future__ import annotations

import pytest

from billing.models import PartPriceList
from parts.models import Part, StockMove
from parts.selectors import balance_of
from tests.parts.sheets import XLSX, read_rows, xlsx_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/parts"


def test_a_good_catalogue_sheet_answers_its_counts(api_as, clerk, product_model):
    upload = xlsx_upload([["Part code", "Name", "Fits product models"], ["API-1", "接口件", "TDR-2000"]])

    response = api_as(clerk).post(URL, {"file": upload})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "parts" and body["rows"] == 1
    assert body["counts"]["created"] == 1 and body["counts"]["updated"] == 0 and body["counts"]["adjusted"] is None
    assert body["summary"] == "Parts imported: 1 added, 0 updated, 0 unchanged." and body["warnings"] == []
    assert Part.objects.filter(code="API-1").exists()


def test_a_bad_sheet_answers_400_with_every_row_error_and_writes_nothing(api_as, clerk):
    upload = xlsx_upload([["编码", "名称", "原厂件"], ["B-1", "", "是"], ["B-2", "好", "maybe"], ["B-3", "好", ""]])

    response = api_as(clerk).post(URL, {"file": upload})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"] == "Nothing was imported: the file has 2 errors."
    assert [(r["row"], r["column"], r["field"], r["code"]) for r in body["rows"]] == [
        (2, "名称", "name", "required"),
        (3, "原厂件", "genuine", "invalid_choice"),
    ]
    assert body["errors"][0] == {"field": "rows.2.name", "message": "Row 2, 名称: This cell is required."}
    assert not Part.objects.filter(code__startswith="B-").exists()


def test_a_file_that_is_not_a_workbook_answers_400_on_the_file(api_as, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_as(clerk).post(URL, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})

    assert response.status_code == 400
    assert response.json()["rows"] == [
        {
            "row": None,
            "column": "",
            "field": "file",
            "code": "not_xlsx",
            "message": "The file is not an Excel workbook (.xlsx), or it is damaged.",
        }
    ]


def test_no_file_answers_422_naming_it(api_as, clerk):
    response = api_as(clerk).post(URL, {})

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_a_role_that_may_not_import_gets_403_and_an_unknown_kind_404(api_as, technician, clerk):
    upload = xlsx_upload([["编码", "名称"], ["T-1", "件"]])

    assert api_as(technician).post(URL, {"file": upload}).json()["code"] == "permission_denied"
    assert api_as(clerk).post("/api/v1/imports/nothing", {"file": xlsx_upload([["a"]])}).status_code == 404
    assert not Part.objects.filter(code="T-1").exists()


def test_a_stock_count_of_another_stations_warehouse_answers_400_naming_the_row(
    api_as, station_a_user, stocked, part, wh_b
):
    upload = xlsx_upload([["仓库编码", "配件编码", "盘点数量"], ["XH-01", "BAT-48V", 9], ["HD-01", "BAT-48V", 1]])

    response = api_as(station_a_user).post("/api/v1/imports/stock-counts", {"file": upload, "reason": "盘点"})

    assert response.status_code == 400
    assert [(r["row"], r["field"], r["code"]) for r in response.json()["rows"]] == [
        (3, "warehouse", "unknown_warehouse")
    ]
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)


def test_a_stock_count_retried_with_the_same_key_is_one_count(api_as, station_a_user, stocked, part):
    client = api_as(station_a_user)
    rows = [["仓库编码", "配件编码", "盘点数量"], ["XH-01", "BAT-48V", 7]]

    first = client.post("/api/v1/imports/stock-counts", {"file": xlsx_upload(rows)}, HTTP_IDEMPOTENCY_KEY="count-1")
    again = client.post("/api/v1/imports/stock-counts", {"file": xlsx_upload(rows)}, HTTP_IDEMPOTENCY_KEY="count-1")

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["counts"]["adjusted"] == 1
    assert StockMove.objects.filter(kind="adjust").count() == 1
    assert balance_of(part=part, warehouse=stocked) == (7, 0, 0)


def test_prices_need_their_effective_date_and_then_make_a_new_list(api_as, director, part):
    client = api_as(director)
    rows = [["Part code", "Unit price"], ["BAT-48V", 1288]]

    missing = client.post("/api/v1/imports/part-prices", {"file": xlsx_upload(rows)})
    done = client.post("/api/v1/imports/part-prices", {"file": xlsx_upload(rows), "effective_from": "2025-06-01"})

    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "effective_from"
    assert done.status_code == 200 and done.json()["counts"]["prices"] == 1
    assert PartPriceList.objects.get(pk=done.json()["counts"]["price_list"]).prices.get().code == "BAT-48V"


@pytest.mark.parametrize(("language", "first"), [("en", "Warehouse code"), ("zh-hans", "仓库编码")])
def test_the_template_comes_in_the_callers_language(api_as, station_a_user, language, first):
    response = api_as(station_a_user).get("/api/v1/imports/stock-counts/template", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert read_rows(b"".join(response.streaming_content))[0][0] == first
