"""Network fixtures: station records of stations A and B, and the KPI tests' clock and ``Flow``
(orders built through the real work-order services)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from network.choices import StationStatus
from network.models import StationProfile
from network.services import station_create
from tests.kpis import conftest as kpis_fixtures
from tests.kpis.conftest import SH

# the KPI tests' fixtures, shared here
clock = kpis_fixtures.clock
flow = kpis_fixtures.flow
people = kpis_fixtures.people


@pytest.fixture
def station_a(org: Any, director: Any) -> StationProfile:
    station = station_create(acting_user=director, unit=org.station_a, legal_entity="杭州西湖维修服务有限公司")
    StationProfile.objects.filter(pk=station.pk).update(status=StationStatus.AUTHORISED)
    station.refresh_from_db()
    return station


@pytest.fixture
def station_b(org: Any, director: Any) -> StationProfile:
    station = station_create(acting_user=director, unit=org.station_b, legal_entity="北京海淀维修服务有限公司")
    StationProfile.objects.filter(pk=station.pk).update(status=StationStatus.AUTHORISED)
    station.refresh_from_db()
    return station


@pytest.fixture
def march_order(flow: Any) -> Any:
    """A repair of customer A (station A's area), completed as done on 2 March 2026."""
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    return flow(when=at).accept(at).assign().start().finish().order


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield
