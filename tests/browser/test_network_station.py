"""The service network in a real browser (issue 12): the director opens a station from the menu,
moves it along its lifecycle with a reason (the history shows who and why), and the league table
sorts the stations by a figure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kpis.scorecards import previous_month
from network.models import StationProfile, StationScorecard
from network.services import station_create

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _card(station: StationProfile, month: date, volume: int, ftf: str) -> None:
    StationScorecard.objects.create(
        station=station,
        month=month,
        computed_at=timezone.now(),
        figures={
            "volume": {"value": str(volume), "numerator": volume, "denominator": None},
            "first_time_fix_rate": {"value": ftf, "numerator": 0, "denominator": 0},
        },
    )


def test_station_lifecycle_and_league_table(page: Page, login: Any, nav_to: Any, org: Any, director: Any) -> None:
    station = station_create(acting_user=director, unit=org.station_a, legal_entity="杭州西湖维修服务有限公司")
    other = station_create(acting_user=director, unit=org.station_b, legal_entity="北京海淀维修服务有限公司")
    month = previous_month(timezone.localdate())
    _card(station, month, 3, "0.9500")
    _card(other, month, 12, "0.7000")

    login(page, director)
    nav_to(page, "#nav-stations")
    page.locator("#station-table a", has_text=org.station_a.name).click()
    expect(page.locator("#station-status")).to_have_attribute("data-status", "applying")
    page.locator("#transition-reason").fill("资质审核通过，进入试运行")
    page.locator("#action-start_trial").click()
    expect(page.locator("#station-status")).to_have_attribute("data-status", "on_trial")
    expect(page.locator("#station-history")).to_contain_text("资质审核通过，进入试运行")
    expect(page.locator("#station-history")).to_contain_text(director.get_full_name() or director.username)
    # an action the new state does not offer is not on the page; the next one is
    expect(page.locator("#action-start_trial")).to_have_count(0)
    page.locator("#transition-reason").fill("试运行合格")
    page.locator("#action-authorise").click()
    expect(page.locator("#station-status")).to_have_attribute("data-status", "authorised")
    assert StationProfile.objects.get(pk=station.pk).status == "authorised"

    nav_to(page, "#nav-league")
    rows = page.locator("#league-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-station", org.station_a.code)  # first-time fix 95 % first
    page.locator("#sort-volume").click()
    expect(rows.first).to_have_attribute("data-station", org.station_b.code)  # 12 orders first
    page.locator("#sort-volume").click()
    expect(rows.first).to_have_attribute("data-station", org.station_a.code)  # ascending now
