"""Technicians' dispatch profiles and weekly shifts written through the API (issue 10, point 6: an
HR or planning system syncs them as the console's technician page edits them)."""

from __future__ import annotations

from typing import Any

import pytest

from core.choices import Role
from core.testing import make_user
from dispatch.models import Shift, TechnicianProfile

pytestmark = pytest.mark.django_db


def put(api: Any, url: str, body: dict[str, Any]) -> Any:
    return api.put(url, body, content_type="application/json")


def test_a_profile_is_created_then_edited_with_its_version(
    api_as: Any, dispatcher: Any, technician: Any, category: Any
) -> None:
    api = api_as(dispatcher)
    url = f"/api/v1/dispatch/technicians/by-user/{technician.pk}"
    created = put(
        api,
        url,
        {
            "categories": [category.code],
            "service_types": ["repair", "installation"],
            "home_lat": "30.259000",
            "home_lon": "120.130000",
            "daily_capacity": 5,
        },
    )
    assert created.status_code == 200, created.content
    profile = created.json()
    assert [c["code"] for c in profile["categories"]] == [category.code]
    assert profile["service_types"] == ["installation", "repair"] and profile["daily_capacity"] == 5
    edited = put(api, url, {"version": profile["version"], "daily_capacity": 7})
    assert edited.status_code == 200 and edited.json()["daily_capacity"] == 7
    stale = put(api, url, {"version": profile["version"], "daily_capacity": 3})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert TechnicianProfile.objects.get(user=technician).daily_capacity == 7


def test_bad_input_names_the_field_and_saves_nothing(api_as: Any, dispatcher: Any, technician: Any) -> None:
    api = api_as(dispatcher)
    url = f"/api/v1/dispatch/technicians/by-user/{technician.pk}"
    unknown = put(api, url, {"categories": ["NOPE"]})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "categories"
    half_located = put(api, url, {"home_lat": "30.1"})
    assert half_located.status_code == 400 and half_located.json()["errors"][0]["field"] == "home_lat"
    assert put(api, url, {"service_types": ["teleport"]}).status_code == 422
    assert put(api, url, {"daily_capacity": True}).status_code == 422  # a boolean is not a number
    assert not TechnicianProfile.objects.filter(user=technician).exists()


def test_weekly_shifts_are_replaced(api_as: Any, dispatcher: Any, technician: Any, category: Any) -> None:
    api = api_as(dispatcher)
    profile = put(api, f"/api/v1/dispatch/technicians/by-user/{technician.pk}", {"categories": [category.code]}).json()
    url = f"/api/v1/dispatch/technicians/{profile['id']}/shifts"
    week = [{"weekday": day, "start": "08:30", "end": "17:30"} for day in range(5)]
    assert put(api, url, {"shifts": week}).status_code == 200
    assert Shift.objects.filter(profile_id=profile["id"], weekday__isnull=False).count() == 5
    backwards = put(api, url, {"shifts": [{"weekday": 5, "start": "18:00", "end": "09:00"}]})
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "shifts"
    assert put(api, url, {"shifts": [{"weekday": 7, "start": "08:00", "end": "09:00"}]}).status_code == 422
    assert Shift.objects.filter(profile_id=profile["id"], weekday__isnull=False).count() == 5  # unchanged


def test_who_may_write_a_profile(api_as: Any, agent: Any, technician: Any, org: Any) -> None:
    url = f"/api/v1/dispatch/technicians/by-user/{technician.pk}"
    assert put(api_as(agent), url, {"daily_capacity": 4}).status_code == 403
    elsewhere = make_user(Role.DISPATCHER, org.station_b, username="bj_dispatcher")
    assert put(api_as(elsewhere), url, {"daily_capacity": 4}).status_code == 404
    assert not TechnicianProfile.objects.filter(user=technician).exists()
