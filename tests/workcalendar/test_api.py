"""/api/v1/work-calendars (SPEC §14): create, list, detail, edit, deadline, day entries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workcalendar.models import CalendarDay, WorkCalendar

pytestmark = pytest.mark.django_db
BASE = "/api/v1/work-calendars"
HOURS = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def post(client: Any, url: str, body: Any, **headers: Any) -> Any:
    """Messages are asserted in English (the msgids): the API follows Accept-Language."""
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def put(client: Any, url: str, body: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_create_calendar_as_in_the_spec(api_as: Any, director: Any) -> None:
    client = api_as(director)
    body = {"code": "svc", "name": "服务台", "timezone": "Asia/Shanghai", "hours": HOURS, "chinese_holidays": True}
    response = post(client, BASE, body, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"] == "svc" and data["chinese_holidays"] is True and data["version"] == 1
    assert data["hours"]["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    again = post(client, BASE, body, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again.json()["id"] == data["id"]
    assert WorkCalendar.objects.filter(code="svc").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": {"mon": [["18:00", "09:00"]]}}, "hours"),
        ({"hours": {"mon": [["09:00", "12:00"], ["11:30", "13:00"]]}}, "hours"),
        ({"hours": {}}, "hours"),
        ({"timezone": "Nowhere/City"}, "timezone"),
    ],
    ids=["inverted", "overlapping", "no-working-time", "unknown-timezone"],
)
def test_bad_calendar_is_400_naming_the_field(api_as: Any, director: Any, body: dict, field: str) -> None:
    response = post(api_as(director), BASE, {"code": "bad", "name": "Bad", "hours": HOURS, **body})
    assert response.status_code == 400, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert response.json()["detail"]


def test_list_and_detail(api_as: Any, agent: Any) -> None:
    client = api_as(agent)
    listing = client.get(BASE).json()
    codes = [item["code"] for item in listing["items"]]
    assert listing["count"] == WorkCalendar.objects.count() == len(codes)
    assert {"24x7", "office", "standard"} <= set(codes) and codes == sorted(codes)
    detail = client.get(f"{BASE}/standard")
    assert detail.status_code == 200 and detail.json()["timezone"] == "Asia/Shanghai"
    assert client.get(f"{BASE}/nope").status_code == 404


def test_deadline_across_spring_festival_2026(api_as: Any, agent: Any) -> None:
    response = api_as(agent).get(f"{BASE}/standard/deadline", {"start": "2026-02-14T17:00:00+08:00", "hours": "2"})
    assert response.status_code == 200, response.content
    assert response.json()["deadline"] == "2026-02-24T10:00:00+08:00"


def test_deadline_into_2027_warns_until_dates_are_entered(api_as: Any, director: Any) -> None:
    client = api_as(director)
    query = {"start": "2026-12-31T17:00:00+08:00", "hours": "2"}
    first = client.get(f"{BASE}/standard/deadline", query).json()
    assert first["deadline"] == "2027-01-01T10:00:00+08:00"
    assert first["warnings"] and "2027" in first["warnings"][0]
    response = post(client, f"{BASE}/days/import", {"text": "2027-01-01,holiday,元旦"})
    assert response.status_code == 200 and response.json() == {"imported": 1}
    # The entry counts at once, but one entry does not cover the year (issue 18, point 3) …
    second = client.get(f"{BASE}/standard/deadline", query, HTTP_ACCEPT_LANGUAGE="en").json()
    assert second["deadline"] == "2027-01-04T10:00:00+08:00"
    assert second["warnings"] and "not marked complete" in second["warnings"][0]
    # … until an admin marks the list complete (here confirming the festivals it lacks).
    mark = put(client, f"{BASE}/years/2027", {"complete": True, "confirm_missing": True})
    assert mark.status_code == 200, mark.content
    third = client.get(f"{BASE}/standard/deadline", query).json()
    assert third == {"deadline": "2027-01-04T10:00:00+08:00", "warnings": []}


@pytest.mark.parametrize("hours", ["0", "-3", "x"])
def test_deadline_bad_hours_is_400(api_as: Any, agent: Any, hours: str) -> None:
    response = api_as(agent).get(f"{BASE}/standard/deadline", {"start": "2026-03-10T09:00:00+08:00", "hours": hours})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "hours"


def test_deadline_bad_start_is_422(api_as: Any, agent: Any) -> None:
    response = api_as(agent).get(f"{BASE}/standard/deadline", {"start": "yesterday", "hours": "2"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_deadline_past_year_9999_is_400_naming_start(api_as: Any, agent: Any) -> None:
    query = {"start": "9999-12-31T09:00:00+08:00", "hours": "99999"}
    response = api_as(agent).get(f"{BASE}/standard/deadline", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "start", "message": "The deadline falls outside the supported dates."}
    ]


def test_patch_with_version_and_stale_version(api_as: Any, director: Any) -> None:
    client = api_as(director)
    response = patch(client, f"{BASE}/office", {"version": 1, "name": "办公时间", "chinese_holidays": False})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["chinese_holidays"] is False
    stale = patch(client, f"{BASE}/office", {"version": 1, "name": "x"})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


def test_station_user_cannot_change_calendars_but_may_read(api_as: Any, station_a_user: Any) -> None:
    client = api_as(station_a_user)
    assert client.get(f"{BASE}/standard").status_code == 200
    assert post(client, BASE, {"code": "mine", "name": "x", "hours": HOURS}).status_code == 403
    assert patch(client, f"{BASE}/standard", {"version": 1, "name": "x"}).status_code == 403
    assert post(client, f"{BASE}/days", {"date": "2027-01-01", "kind": "holiday"}).status_code == 403
    assert WorkCalendar.objects.get(code="standard").version == 1
    assert not CalendarDay.objects.exists()


def test_day_entries_create_and_list(api_as: Any, director: Any) -> None:
    client = api_as(director)
    response = post(client, f"{BASE}/days", {"date": "2027-02-07", "kind": "workday", "name": "春节调休"})
    assert response.status_code == 201, response.content
    assert response.json()["calendar"] is None
    own = post(client, f"{BASE}/days", {"date": "2027-03-01", "kind": "holiday", "calendar": "office"})
    assert own.status_code == 201 and own.json()["calendar"] == "office"
    national = client.get(f"{BASE}/days", {"year": 2027}).json()
    assert [item["date"] for item in national["items"]] == ["2027-02-07"]
    office = client.get(f"{BASE}/days", {"calendar": "office"}).json()
    assert [item["date"] for item in office["items"]] == ["2027-03-01"]


def test_import_bad_lines_is_400_and_saves_nothing(api_as: Any, director: Any) -> None:
    response = post(api_as(director), f"{BASE}/days/import", {"text": "2027-01-01,holiday\n2027-02-30,holiday"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "text", "message": "Line 2: “2027-02-30” is not a date (YYYY-MM-DD)."}
    ]
    assert not CalendarDay.objects.exists()
