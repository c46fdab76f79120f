"""The KPI page, drill-down, dashboard and exports."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

from tests.kpis.conftest import SH

MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def done(flow: Any) -> Any:
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    return flow(when=at).accept(at).assign().start().finish().order


@pytest.mark.django_db
def test_kpi_page_shows_definitions_and_a_dash_for_zero_denominators(client_as: Any, director: Any, done: Any) -> None:
    page = client_as(director).get(f"/kpis/?{MARCH}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="kpi-first_time_fix_rate"' in text and "100.0%" in text
    # Nothing was rated: satisfaction has no denominator and shows "—", never 0 % or 100 %.
    row = text.split('id="kpi-satisfaction_rate"')[1].split("</tr>")[0]
    assert "—" in row and "%" not in row.split("kpi-value")[1].split("</td>")[0]
    assert "/kpis/drilldown/first_time_fix_rate/" in text


@pytest.mark.django_db
def test_kpi_page_refuses_bad_parameters_naming_them(client_as: Any, director: Any) -> None:
    page = client_as(director).get("/kpis/?from=2026-04-01&to=2026-03-01")
    assert page.status_code == 400 and "<strong>from</strong>" in page.content.decode()


@pytest.mark.django_db
def test_drilldown_lists_the_orders_behind_a_figure(client_as: Any, director: Any, done: Any) -> None:
    client = client_as(director)
    numerator = client.get(f"/kpis/drilldown/first_time_fix_rate/?{MARCH}&part=numerator")
    assert done.number in numerator.content.decode()
    misses = client.get(f"/kpis/drilldown/first_time_fix_rate/?{MARCH}&part=misses")
    assert done.number not in misses.content.decode()
    assert client.get(f"/kpis/drilldown/nonsense/?{MARCH}").status_code == 404


@pytest.mark.django_db
def test_excel_exports(client_as: Any, director: Any, done: Any) -> None:
    from openpyxl import load_workbook

    client = client_as(director)
    table = load_workbook(io.BytesIO(client.get(f"/kpis/export.xlsx?{MARCH}").content))
    rows = list(table.active.iter_rows(values_only=True))
    assert len(rows) == 11 and rows[3][1] == 1.0 and rows[3][2:4] == (1, 1)
    drill = load_workbook(io.BytesIO(client.get(f"/kpis/drilldown/first_time_fix_rate/export.xlsx?{MARCH}").content))
    assert [r[0] for r in drill.active.iter_rows(values_only=True)][1:] == [done.number]


@pytest.mark.django_db
def test_dashboard_has_chart_data_and_tables(client_as: Any, director: Any, done: Any, clock: Any) -> None:
    clock.set(datetime(2026, 3, 3, 12, tzinfo=SH))
    page = client_as(director).get("/kpis/dashboard/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="dashboard-data"' in text and "kpis/dashboard.js" in text and "echarts.min.js" in text
    assert 'id="table-trend"' in text and 'id="dash-units"' in text
    assert "<script>" not in text  # CSP: no inline script, data in json_script only
