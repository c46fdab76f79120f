"""Console pages of work calendars render, and editing goes through the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from workcalendar.models import CalendarDay, WorkCalendar

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    """Pages in English (the user's chosen language wins over the browser's): messages are
    asserted by their msgids whatever the zh-hans catalogue holds."""
    from core.models import UserProfile

    UserProfile.objects.filter(user=user).update(language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_list_and_detail_render_with_library_and_admin_sources(director: Any, time_machine: Any) -> None:
    # In December the next year's deadlines are near, so its missing data is warned about.
    time_machine.move_to(datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    client = login(director)
    listing = client.get(reverse("workcalendar:list"))
    assert listing.status_code == 200
    assert b"standard" in listing.content and b"No holiday data for 2027" in listing.content
    detail = client.get(reverse("workcalendar:detail", args=["standard"]), {"year": 2026})
    assert detail.status_code == 200
    assert b"Spring Festival" in detail.content and b"library" in detail.content


def test_early_in_the_year_the_next_years_missing_data_is_not_yet_warned(director: Any, time_machine: Any) -> None:
    """The State Council publishes around November: in February, 2027 is not yet a concern."""
    time_machine.move_to(datetime(2026, 2, 14, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    listing = login(director).get(reverse("workcalendar:list"))
    assert listing.status_code == 200
    assert b"standard" in listing.content and b"No holiday data for 2027" not in listing.content


def test_deadline_calculator_on_the_detail_page(agent: Any) -> None:
    response = login(agent).get(
        reverse("workcalendar:detail", args=["standard"]), {"start": "2026-10-09T17:00", "hours": "2"}
    )
    assert response.status_code == 200
    assert b"2026-10-10 10:00" in response.content


def test_create_calendar_from_the_form_and_bad_hours_answer_400(director: Any) -> None:
    client = login(director)
    data = {"code": "late", "name": "夜班", "timezone": "Asia/Shanghai", "use_chinese_holidays": "on"}
    bad = client.post(reverse("workcalendar:create"), {**data, "hours_mon": "18:00-09:00"})
    assert bad.status_code == 400 and b"ends before it starts" in bad.content
    good = client.post(reverse("workcalendar:create"), {**data, "hours_mon": "09:00-12:00, 13:00-18:00"})
    assert good.status_code == 302
    assert WorkCalendar.objects.get(code="late").hours == {"mon": [["09:00", "12:00"], ["13:00", "18:00"]]}


def test_edit_page_saves_with_version(director: Any) -> None:
    client = login(director)
    url = reverse("workcalendar:edit", args=["office"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "办公", "timezone": "Asia/Shanghai", "hours_tue": "10:00-16:00", "is_active": "on", "version": "1"},
    )
    assert response.status_code == 302
    office = WorkCalendar.objects.get(code="office")
    assert office.hours == {"tue": [["10:00", "16:00"]]} and office.version == 2 and not office.use_chinese_holidays


def test_add_entry_and_import_from_the_detail_page(director: Any) -> None:
    client = login(director)
    add = client.post(
        reverse("workcalendar:day_add", args=["standard"]),
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "scope": "national"},
    )
    assert add.status_code == 302
    bad = client.post(
        reverse("workcalendar:days_import", args=["standard"]),
        {"text": "2027-02-06,holiday,春节\n2027-02-07,wrk,调休", "scope": "national"},
    )
    assert bad.status_code == 400 and b"Line 2" in bad.content
    assert CalendarDay.objects.count() == 1
    good = client.post(
        reverse("workcalendar:days_import", args=["standard"]),
        {"text": "2027-02-06,holiday,春节\n2027-02-07,workday,调休", "scope": "national"},
    )
    assert good.status_code == 302 and CalendarDay.objects.count() == 3
    page = client.get(reverse("workcalendar:detail", args=["standard"]), {"year": 2027})
    assert "元旦".encode() in page.content and b"admin (national)" in page.content


def test_station_user_sees_pages_but_cannot_edit(station_a_user: Any) -> None:
    client = login(station_a_user)
    assert client.get(reverse("workcalendar:detail", args=["standard"])).status_code == 200
    assert client.get(reverse("workcalendar:edit", args=["standard"])).status_code == 403
    response = client.post(
        reverse("workcalendar:day_add", args=["standard"]),
        {"date": "2027-01-01", "kind": "holiday", "scope": "national"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()
