"""KPI permission matrix (ADR 0017): the KPI pages, drill-downs, exports and ``GET /api/v1/kpis``
by role and unit — station A's repair counts in station A's figures; station B sees none of it,
and a technician sees only the orders assigned to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.choices import Role
from kpis.models import Scorecard
from kpis.scorecards import scorecards_compute
from tests.kpis.conftest import SH
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Matrix, Page

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


@pytest.fixture
def scorecard_a(kpi_order: Any, org: Any) -> Scorecard:
    """Station A's card for March 2026 (its repair counted in it)."""
    scorecards_compute(month=date(2026, 3, 1))
    return Scorecard.objects.get(month=date(2026, 3, 1), unit=org.station_a)


MATRIX = Matrix(
    pages=[
        Page("index", f"/kpis/?{MARCH}", VIEW, denied_for=OWN, other_unit=None, fixtures=("kpi_order",)),
        Page("dashboard", "/kpis/dashboard/", VIEW, denied_for=OWN, fixtures=("kpi_order",)),
        Page("queue", "/kpis/queue/", VIEW, denied_for=OWN, other_unit=HIDES, shows="{open_order.number}"),
        Page("capacity", "/kpis/capacity/", VIEW | {Role.TECHNICIAN}, fixtures=("kpi_order",)),
        Page("mine", "/kpis/mine/", VIEW | {Role.TECHNICIAN}, fixtures=("kpi_order",)),
        Page("scorecards", "/kpis/scorecards/?month=2026-03", VIEW, other_unit=HIDES, shows="{scorecard_a.unit.name}"),
        Page(
            "scorecards_export",
            "/kpis/scorecards/export.xlsx?month=2026-03",
            EXPORT,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fixtures=("scorecard_a",),
        ),
        Page(
            "scorecard_lock",
            "/kpis/scorecards/{scorecard_a.pk}/lock/",
            frozenset({Role.DIRECTOR, Role.ADMIN}),
            method="POST",
            body={},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=lambda f: Scorecard.objects.get(pk=f.scorecard_a.pk).status,
        ),
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
