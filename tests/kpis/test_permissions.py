"""KPI permission matrix (ADR 0017): the KPI pages, drill-downs, exports and ``GET /api/v1/kpis``
by role and unit — station A's repair counts in station A's figures; station B sees none of it,
and a technician sees only the orders assigned to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.choices import Role
from tests.kpis.conftest import SH
from tests.matrix import HIDES, Endpoint, Matrix, Page

VIEW = frozenset({Role.AGENT, Role.DIRECTOR, Role.DISPATCHER, Role.QC_INSPECTOR, Role.STATION, Role.ADMIN})
EXPORT = frozenset({Role.DIRECTOR, Role.STATION, Role.ADMIN})
MARCH = "from=2026-03-01&to=2026-03-31"
OWN = {Role.TECHNICIAN: 200}


@pytest.fixture
def kpi_order(flow: Any) -> Any:
    """A repair of customer A (station A's area), first completed on 2 March 2026."""
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    return flow(when=at).accept(at).assign().start().finish().order


@pytest.fixture
def open_order(flow: Any) -> Any:
    """An accepted repair of customer A waiting for a technician (station A's queue)."""
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    return flow(when=at).accept(at).order


MATRIX = Matrix(
    pages=[
        Page("index", f"/kpis/?{MARCH}", VIEW, denied_for=OWN, other_unit=None, fixtures=("kpi_order",)),
        Page("dashboard", "/kpis/dashboard/", VIEW, denied_for=OWN, fixtures=("kpi_order",)),
        Page("queue", "/kpis/queue/", VIEW, denied_for=OWN, other_unit=HIDES, shows="{open_order.number}"),
        Page("capacity", "/kpis/capacity/", VIEW | {Role.TECHNICIAN}, fixtures=("kpi_order",)),
        Page("mine", "/kpis/mine/", VIEW | {Role.TECHNICIAN}, fixtures=("kpi_order",)),
        Page(
            "drilldown",
            f"/kpis/drilldown/first_time_fix_rate/?{MARCH}",
            VIEW,
            denied_for=OWN,
            other_unit=HIDES,
            shows="{kpi_order.number}",
        ),
        Page(
            "export",
            f"/kpis/export.xlsx?{MARCH}",
            EXPORT,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fixtures=("kpi_order",),
        ),
        Page(
            "drilldown_export",
            f"/kpis/drilldown/first_time_fix_rate/export.xlsx?{MARCH}",
            EXPORT,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fixtures=("kpi_order",),
        ),
    ],
    endpoints=[
        Endpoint(
            "kpis",
            f"/api/v1/kpis?{MARCH}",
            VIEW,
            denied_for=OWN,
            other_unit=HIDES,
            shows='"denominator": 1',
            fixtures=("kpi_order",),
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
