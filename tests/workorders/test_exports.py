"""The list's Excel export beside the CSV (issue 18, point 10): a real .xlsx opened with openpyxl —
a header row in the reader's language, one row per order of the active filter and the user's
units, times as Excel dates, and the SLA app's status and deadline columns (added through
workorders.list_extensions, so work orders import nothing of the SLA app)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sla.models import OrderServiceLevel
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLA_TITLES_EN = ["SLA status", "First response due", "On-site arrival due", "Resolution due"]


def client_for(user: Any, language: str = "en") -> Client:
    user.profile.language = language
    user.profile.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def order_of(agent: Any, customer: Any, *, service_type: str = "repair", accept: bool = True, **fields: Any) -> Any:
    order = workorder_create(
        acting_user=agent,
        customer=customer,
        service_type=service_type,
        channel="phone",
        description=fields.pop("description", "刹车失灵"),
        **fields,
    )
    if accept:
        order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    return order


def workbook(response: Any) -> Any:
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="work-orders-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.content))


def rows_by_number(sheet: Any) -> dict[str, dict[str, Any]]:
    header = [cell.value for cell in sheet[1]]
    return {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def test_the_workbook_has_the_lists_columns_then_the_sla_columns_in_the_readers_language(
    agent: Any, customer_a: Any
) -> None:
    order_of(agent, customer_a)

    english = workbook(client_for(agent, "en").get(reverse("workorders:export_xlsx"))).active
    chinese = workbook(client_for(agent, "zh-hans").get(reverse("workorders:export_xlsx"))).active

    english_header = [cell.value for cell in english[1]]
    assert english_header[:3] == ["Number", "Time of request", "Status"]
    assert english_header[-4:] == SLA_TITLES_EN
    assert english.title == "Work orders"
    chinese_header = [cell.value for cell in chinese[1]]
    assert chinese_header[:2] == ["编号", "申请时间"]
    assert chinese_header[-4:] == ["SLA 状态", "首次响应截止时间", "上门到达截止时间", "解决截止时间"]
    assert english.freeze_panes == "A2" and english["A1"].font.bold


def test_each_order_is_a_row_with_dates_as_excel_dates_and_its_sla_clocks(agent: Any, customer_a: Any) -> None:
    order = order_of(agent, customer_a)
    clocks = OrderServiceLevel.objects.get(order=order)

    rows = rows_by_number(workbook(client_for(agent).get(reverse("workorders:export_xlsx"))).active)

    row = rows[order.number]
    assert row["Status"].value == "Accepted" and row["Customer"].value == "张三丰"
    assert row["Priority"].value == "P3 normal"
    submitted = row["Time of request"]
    assert submitted.is_date and submitted.number_format == "yyyy-mm-dd hh:mm"
    assert submitted.value == local(order.submitted_at)
    with translation.override("en"):
        assert row["SLA status"].value == clocks.get_status_display()  # "On track" right after acceptance
    for title, due in (("First response due", clocks.response_due), ("On-site arrival due", clocks.arrival_due)):
        assert row[title].is_date, title
        assert row[title].value == local(due)
    assert row["Resolution due"].value == (local(clocks.resolution_due) if clocks.resolution_due else None)


def test_an_order_without_a_service_level_has_empty_sla_cells(agent: Any, customer_a: Any) -> None:
    order = order_of(agent, customer_a, accept=False)  # clocks start at acceptance

    row = rows_by_number(workbook(client_for(agent).get(reverse("workorders:export_xlsx"))).active)[order.number]

    assert [row[title].value for title in SLA_TITLES_EN] == [None, None, None, None]


def test_the_active_filter_is_applied(agent: Any, customer_a: Any) -> None:
    repair = order_of(agent, customer_a, service_type="repair")
    order_of(agent, customer_a, service_type="installation")

    response = client_for(agent).get(reverse("workorders:export_xlsx"), {"service_type": "repair"})

    assert list(rows_by_number(workbook(response).active)) == [repair.number]


def test_the_sla_filter_of_the_list_applies_too(agent: Any, customer_a: Any) -> None:
    with_clocks = order_of(agent, customer_a)
    order_of(agent, customer_a, accept=False)
    status = OrderServiceLevel.objects.get(order=with_clocks).status

    response = client_for(agent).get(reverse("workorders:export_xlsx"), {"sla_status": status})

    assert list(rows_by_number(workbook(response).active)) == [with_clocks.number]


def test_the_workbook_is_scoped_like_the_list(
    agent: Any, station_b_user: Any, customer_a: Any, customer_b: Any
) -> None:
    order_of(agent, customer_a)
    own = order_of(agent, customer_b)

    rows = rows_by_number(workbook(client_for(station_b_user).get(reverse("workorders:export_xlsx"))).active)

    assert list(rows) == [own.number]


def test_text_a_customer_typed_stays_text_in_the_workbook(agent: Any, customer_a: Any) -> None:
    order = order_of(agent, customer_a, accept=False, description='=HYPERLINK("http://x","y")\x07')

    row = rows_by_number(workbook(client_for(agent).get(reverse("workorders:export_xlsx"))).active)[order.number]

    assert row["Description"].value == '=HYPERLINK("http://x","y")'  # the bell character is dropped
    assert row["Description"].data_type == "s"  # a string, not a formula


def test_the_csv_has_the_sla_columns_too(agent: Any, customer_a: Any) -> None:
    order = order_of(agent, customer_a)
    clocks = OrderServiceLevel.objects.get(order=order)

    response = client_for(agent).get(reverse("workorders:export"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()

    assert lines[0].endswith(",".join(SLA_TITLES_EN))
    assert lines[1].startswith(order.number)
    with translation.override("en"):
        status = clocks.get_status_display()
    assert f",{status},{timezone.localtime(clocks.response_due):%Y-%m-%d %H:%M}," in lines[1]


def test_the_list_links_both_exports_with_its_filter(agent: Any, customer_a: Any) -> None:
    order_of(agent, customer_a)

    page = client_for(agent).get(reverse("workorders:list"), {"service_type": "repair"}).content.decode()

    assert f'href="{reverse("workorders:export_xlsx")}?service_type=repair"' in page
    assert f'href="{reverse("workorders:export")}?service_type=repair"' in page


def test_an_export_reads_the_orders_in_one_query_whatever_their_number(agent: Any, customer_a: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(agent)
    order_of(agent, customer_a)
    client.get(reverse("workorders:export_xlsx"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workorders:export_xlsx"))
    for _ in range(5):
        order_of(agent, customer_a)
    with CaptureQueriesContext(connection) as many:
        assert len(rows_by_number(workbook(client.get(reverse("workorders:export_xlsx"))).active)) == 6
    assert len(many.captured_queries) == len(few.captured_queries)
    assert WorkOrder.objects.count() == 6
