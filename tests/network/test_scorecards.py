"""Station scorecards: the KPI engine's figures over the station's own orders, the month-not-over
refusal, warnings from thresholds (once per month), the third warning's suspension proposal, the
registry for figures of apps above, and the league table's scoping and order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from network import scorecards
from network.choices import ProposalStatus, StationStatus
from network.models import ScoreThreshold, StationEvent, StationScorecard, StationWarning, SuspensionProposal
from network.scorecards import register_scorecard_figure, station_scorecards_compute
from tests.kpis.conftest import SH

pytestmark = pytest.mark.django_db
APRIL = date(2026, 4, 2)


def test_card_uses_the_kpi_engine_on_the_station(station_a: Any, station_b: Any, march_order: Any) -> None:
    result = station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
    assert result["written"] == 2
    card = StationScorecard.objects.get(station=station_a, month=date(2026, 3, 1))
    assert card.figures["volume"]["value"] == "1"
    assert card.figures["first_time_fix_rate"] == {"value": "1.0000", "numerator": 1, "denominator": 1}
    assert card.figures["return_compliance"]["denominator"] == 0
    assert "fraud_flags" not in card.figures  # settlement registers it (not installed yet)
    other = StationScorecard.objects.get(station=station_b, month=date(2026, 3, 1))
    assert other.figures["volume"]["value"] == "0"


def test_a_month_not_over_is_refused(station_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        station_scorecards_compute(month=date(2026, 4, 1), today=date(2026, 4, 30))
    assert "month" in refused.value.message_dict


def test_api_refuses_a_month_not_over(station_a: Any, director: Any, api_as: Any) -> None:
    response = api_as(director).get("/api/v1/network/scorecards/league?month=2099-01")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "month"


def test_threshold_warns_once_and_moves_to_warned(station_a: Any, march_order: Any) -> None:
    ScoreThreshold.objects.create(figure="volume", direction="min", limit=Decimal("5"))
    first = station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
    again = station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
    assert first["warned"] == 1 and again["warned"] == 0
    warning = StationWarning.objects.get(station=station_a)
    assert warning.breaches[0]["figure"] == "volume"
    station_a.refresh_from_db()
    assert station_a.status == StationStatus.WARNED
    assert StationEvent.objects.filter(station=station_a, action="warn").count() == 1
    assert StationEvent.objects.get(station=station_a, action="warn").by is None  # the system


def test_third_warning_in_twelve_months_proposes_suspension(station_a: Any) -> None:
    ScoreThreshold.objects.create(figure="volume", direction="min", limit=Decimal("5"))
    for month in (date(2025, 12, 1), date(2026, 1, 1)):
        station_scorecards_compute(month=month, today=APRIL)
    assert not SuspensionProposal.objects.exists()
    station_scorecards_compute(month=date(2026, 2, 1), today=APRIL)
    proposal = SuspensionProposal.objects.get(station=station_a)
    assert proposal.status == ProposalStatus.OPEN and proposal.warnings.count() == 3
    station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)  # a fourth: still one open proposal
    assert SuspensionProposal.objects.filter(station=station_a).count() == 1


def test_warnings_older_than_twelve_months_do_not_count(station_a: Any) -> None:
    ScoreThreshold.objects.create(figure="volume", direction="min", limit=Decimal("5"))
    for month in (date(2025, 1, 1), date(2025, 2, 1), date(2026, 2, 1)):
        station_scorecards_compute(month=month, today=APRIL)
    assert not SuspensionProposal.objects.exists()


def test_registered_figure_appears(station_a: Any) -> None:
    register_scorecard_figure(
        "fraud_flags", "Fraud flags", lambda station, period: {"value": Decimal(2), "numerator": 2, "denominator": None}
    )
    try:
        station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
        card = StationScorecard.objects.get(station=station_a)
        assert card.figures["fraud_flags"]["value"] == "2"
    finally:
        scorecards._REGISTRY.pop("fraud_flags")


def test_league_is_sorted_and_scoped(
    station_a: Any, station_b: Any, march_order: Any, director: Any, station_a_user: Any, api_as: Any, clock: Any
) -> None:
    station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
    clock.set(datetime(2026, 4, 2, 9, tzinfo=SH))
    url = "/api/v1/network/scorecards/league?month=2026-03&sort=volume&dir=desc"
    items = api_as(director).get(url).json()["items"]
    assert [i["station"]["code"] for i in items] == ["HZ-XH", "BJ-HD"]
    ascending = api_as(director).get(url.replace("desc", "asc")).json()["items"]
    assert [i["station"]["code"] for i in ascending] == ["BJ-HD", "HZ-XH"]
    own = api_as(station_a_user).get(url).json()["items"]
    assert [i["station"]["code"] for i in own] == ["HZ-XH"]
    bad = api_as(director).get(url.replace("volume", "nonsense"))
    assert bad.status_code == 400 and "nonsense" in bad.json()["detail"]


def test_station_sees_only_its_own_cards(
    station_a: Any, station_b: Any, station_a_user: Any, api_as: Any, client_as: Any
) -> None:
    station_scorecards_compute(month=date(2026, 3, 1), today=APRIL)
    client = api_as(station_a_user)
    assert client.get(f"/api/v1/network/stations/{station_a.pk}/scorecards").status_code == 200
    assert client.get(f"/api/v1/network/stations/{station_b.pk}/scorecards").status_code == 404
    page = client_as(station_a_user).get("/network/league/?month=2026-03")
    assert page.status_code == 200
    assert station_a.unit.name in page.content.decode() and station_b.unit.name not in page.content.decode()
    assert client_as(station_a_user).get(f"/network/stations/{station_b.pk}/scorecards/").status_code == 404
