"""The network's permission matrix (ADR 0017): station A's record, its scorecard of last month
and a support request on one of its orders; station B sees none of them (pages and API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from core.choices import Role
from kpis.scorecards import previous_month
from network.models import StationProfile, StationScorecard, SupportRequest
from network.scorecards import station_scorecards_compute
from network.services import support_escalate
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Matrix, Page
from workorders.services import workorder_create

VIEW = frozenset({Role.DIRECTOR, Role.ADMIN, Role.QC_INSPECTOR, Role.DISPATCHER, Role.AGENT, Role.STATION})
SCORES = frozenset({Role.DIRECTOR, Role.ADMIN, Role.QC_INSPECTOR, Role.STATION})
SUPPORT = frozenset({Role.DIRECTOR, Role.ADMIN, Role.QC_INSPECTOR, Role.DISPATCHER, Role.STATION})
ANSWER = frozenset({Role.DIRECTOR, Role.ADMIN, Role.QC_INSPECTOR})
TRANSITION = frozenset({Role.DIRECTOR, Role.ADMIN})
ESCALATE = frozenset({Role.STATION, Role.ADMIN})
NOT_SEEN = {Role.TECHNICIAN: 404, Role.FINANCE: 404, Role.PARTS_CLERK: 404}


@pytest.fixture
def scorecard_a(station_a: Any, station_b: Any) -> StationScorecard:
    month = previous_month(timezone.localdate())
    station_scorecards_compute(month=month)
    return StationScorecard.objects.get(station=station_a, month=month)


@pytest.fixture
def order_a(customer_a: Any, agent: Any) -> Any:
    return workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="开机无反应"
    )


@pytest.fixture
def support_a(order_a: Any, station_a_user: Any) -> SupportRequest:
    return support_escalate(acting_user=station_a_user, order=order_a, reason="diagnosis", question="无法判断故障")


def _status(f: Any) -> str:
    return StationProfile.objects.get(pk=f.station_a.pk).status


MATRIX = Matrix(
    pages=[
        Page("stations", "/network/stations/", VIEW, other_unit=HIDES, shows="{station_a.legal_entity}"),
        Page(
            "station", "/network/stations/{station_a.pk}/", VIEW, other_unit=NOT_FOUND, shows="{station_a.legal_entity}"
        ),
        Page(
            "station_scorecards", "/network/stations/{scorecard_a.station.pk}/scorecards/", SCORES, other_unit=NOT_FOUND
        ),
        Page("league", "/network/league/", SCORES, other_unit=HIDES, shows="{scorecard_a.station.unit.name}"),
        Page("support", "/network/support/", SUPPORT, other_unit=HIDES, shows="{support_a.order.number}"),
        Page("support_detail", "/network/support/{support_a.pk}/", SUPPORT, other_unit=NOT_FOUND),
        Page("escalate", "/network/orders/{order_a.pk}/escalate/", ESCALATE, other_unit=NOT_FOUND),
        Page(
            "transition",
            "/network/stations/{station_a.pk}/transition/",
            TRANSITION,
            method="POST",
            body={"action": "warn", "reason": "投诉较多"},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_status,
        ),
    ],
    endpoints=[
        Endpoint(
            "stations", "/api/v1/network/stations", VIEW, denied=200, other_unit=HIDES, shows="{station_a.legal_entity}"
        ),
        Endpoint("station", "/api/v1/network/stations/{station_a.pk}", VIEW, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "transition",
            "/api/v1/network/stations/{station_a.pk}/transition",
            TRANSITION,
            method="POST",
            body={"action": "warn", "reason": "投诉较多"},
            denied_for=NOT_SEEN,
            other_unit=NOT_FOUND,
            unchanged=_status,
        ),
        Endpoint(
            "scorecards",
            "/api/v1/network/stations/{scorecard_a.station.pk}/scorecards",
            SCORES,
            denied=404,
            denied_for={Role.DISPATCHER: 200, Role.AGENT: 200},
            other_unit=NOT_FOUND,
        ),
        Endpoint(
            "league",
            lambda f: f"/api/v1/network/scorecards/league?month={f.scorecard_a.month:%Y-%m}",
            SCORES,
            other_unit=HIDES,
            shows="{scorecard_a.station.unit.code}",
        ),
        Endpoint(
            "support",
            "/api/v1/network/support-requests",
            SUPPORT,
            denied=200,
            other_unit=HIDES,
            shows="{support_a.order.number}",
        ),
        Endpoint(
            "escalate",
            "/api/v1/network/support-requests",
            ESCALATE,
            method="POST",
            body=lambda f: {"work_order": f.order_a.pk, "reason": "diagnosis", "question": "无法判断故障"},
            status=201,
            other_unit=NOT_FOUND,
            not_found=400,
            unchanged=lambda f: SupportRequest.objects.count(),
        ),
        Endpoint(
            "answer",
            "/api/v1/network/support-requests/{support_a.pk}/answer",
            ANSWER,
            method="POST",
            body={"answer": "检查保险丝"},
            denied_for={**NOT_SEEN, Role.AGENT: 404},
            other_unit=NOT_FOUND,
            unchanged=lambda f: SupportRequest.objects.get(pk=f.support_a.pk).status,
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
