"""A year the library does not cover is covered only once an admin marks its list complete
(issue 18, point 3): one entry for 元旦 must not hide a missing Spring Festival. The warning stays
and names what is missing; marking complete is refused while a statutory festival has no entry,
unless confirmed; the mark can be withdrawn; who and when are kept."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from core.models import ChangeLogEntry
from tests.conftest import ADMIN_HOLIDAYS
from workcalendar import services
from workcalendar.calendar import add_business_time
from workcalendar.models import DayKind, HolidayYear, WorkCalendar
from workcalendar.policies import holiday_list_check
from workcalendar.selectors import uncovered_years, working_calendar, year_coverage
from workcalendar.warnings import holiday_data_warnings

SH = ZoneInfo("Asia/Shanghai")
BASE = "/api/v1/work-calendars"
EVERY_FESTIVAL_BUT_NEW_YEAR = (
    "Spring Festival, Tomb-sweeping Day, Labour Day, Dragon Boat Festival, Mid-Autumn Festival, National Day"
)
ONE_DATE_WARNING = (
    "The holiday list for 2027 has 1 date but is not marked complete; no entry yet for "
    f"{EVERY_FESTIVAL_BUT_NEW_YEAR}. Until an admin marks it complete, deadlines count only weekends "
    "and the dates entered as days off."
)


def at(y: int, m: int, d: int, hh: int = 0) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SH)


@pytest.fixture
def december_2026(time_machine: Any) -> None:
    """Seen from December 2026 the coming year's data matters (the State Council publishes in November)."""
    time_machine.move_to(datetime(2026, 12, 3, 10, tzinfo=SH))


def enter_new_years_day(user: Any = None) -> None:
    services.calendar_day_set(acting_user=user, day=date(2027, 1, 1), kind="holiday", name="元旦")


# --- the festival check (pure) ------------------------------------------------------------------


def test_every_statutory_festival_without_a_holiday_entry_is_named() -> None:
    check = holiday_list_check(year=2027, entries=[(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")])
    assert check.entries == 1
    assert check.missing_codes == [
        "spring_festival",
        "tomb_sweeping",
        "labour_day",
        "dragon_boat",
        "mid_autumn",
        "national_day",
    ]


def test_the_state_councils_full_list_misses_nothing() -> None:
    entries = [
        (date.fromisoformat(day), kind, name)
        for day, kind, name in (line.split(",") for line in ADMIN_HOLIDAYS[2027].strip().splitlines())
    ]
    assert holiday_list_check(year=2027, entries=entries).missing == ()


@pytest.mark.parametrize(
    ("entry", "present"),
    [
        ((date(2027, 2, 20), DayKind.WORKDAY, "春节调休"), []),
        ((date(2027, 10, 3), DayKind.HOLIDAY, "中秋国庆"), ["mid_autumn", "national_day"]),
        ((date(2027, 10, 1), DayKind.HOLIDAY, ""), ["national_day"]),
        ((date(2027, 5, 1), DayKind.HOLIDAY, "公司假"), ["labour_day"]),
        ((date(2027, 6, 9), DayKind.HOLIDAY, "Dragon Boat Festival"), ["dragon_boat"]),
        ((date(2026, 10, 1), DayKind.HOLIDAY, "国庆节"), []),
    ],
    ids=[
        "make-up-day-is-no-day-off",
        "one-name-two-festivals",
        "fixed-date-unnamed",
        "fixed-date-any-name",
        "english-name",
        "other-year",
    ],
)
def test_what_counts_as_an_entry_for_a_festival(entry: tuple[date, str, str], present: list[str]) -> None:
    check = holiday_list_check(year=2027, entries=[entry])
    assert {f.code for f in check.missing} == {
        "new_year",
        "spring_festival",
        "tomb_sweeping",
        "labour_day",
        "dragon_boat",
        "mid_autumn",
        "national_day",
    } - set(present)


# --- coverage and the warning ------------------------------------------------------------------


@pytest.mark.django_db
def test_one_entry_does_not_cover_the_year_and_the_warning_names_what_is_missing(
    director: Any, december_2026: None
) -> None:
    enter_new_years_day(director)
    calendar = working_calendar("standard")
    assert 2027 not in calendar.covered_years
    # The entry itself counts (1 January is off) …
    assert add_business_time(calendar, at(2026, 12, 31, 17), timedelta(hours=2)) == at(2027, 1, 4, 10)
    # … but the Spring Festival is not there: the warning stays and says so.
    assert uncovered_years(date(2026, 12, 3)) == [2027]
    assert holiday_data_warnings(director) == [ONE_DATE_WARNING]
    coverage = year_coverage(2027)
    assert (coverage.covered, coverage.national_entries, coverage.complete) == (False, 1, False)


@pytest.mark.django_db
def test_marking_complete_is_refused_while_festivals_lack_an_entry(director: Any, december_2026: None) -> None:
    enter_new_years_day(director)
    with pytest.raises(ValidationError) as error:
        services.holiday_year_mark_complete(acting_user=director, year=2027)
    assert error.value.message_dict == {
        "confirm_missing": [
            f"No entry yet for {EVERY_FESTIVAL_BUT_NEW_YEAR} in 2027. Enter their dates, or confirm that the "
            "list is complete without them."
        ]
    }
    assert error.value.error_dict["confirm_missing"][0].code == services.FESTIVALS_MISSING == "festivals_missing"
    assert not HolidayYear.objects.filter(is_complete=True).exists()
    assert holiday_data_warnings(director) == [ONE_DATE_WARNING]


@pytest.mark.django_db
def test_a_year_without_any_entry_cannot_be_marked_complete(director: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.holiday_year_mark_complete(acting_user=director, year=2027, confirm_missing=True)
    assert error.value.message_dict == {
        "year": ["There are no dates for 2027 yet: enter the State Council's dates first."]
    }


@pytest.mark.django_db
def test_a_confirmed_mark_covers_the_year_and_records_who_and_when(director: Any, december_2026: None) -> None:
    enter_new_years_day(director)
    mark = services.holiday_year_mark_complete(acting_user=director, year=2027, confirm_missing=True)
    assert mark.is_complete and mark.marked_by == director
    assert mark.marked_at is not None and abs(mark.marked_at - datetime.now(SH)) < timedelta(minutes=1)
    assert mark.confirmed_missing == [
        "spring_festival",
        "tomb_sweeping",
        "labour_day",
        "dragon_boat",
        "mid_autumn",
        "national_day",
    ]
    assert 2027 in working_calendar("standard").covered_years
    assert holiday_data_warnings(director) == []
    logged = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(HolidayYear), object_id=str(mark.pk)
    )
    assert logged.filter(after__is_complete=True).exists()


@pytest.mark.django_db
def test_the_full_list_is_marked_without_confirmation_and_the_mark_can_be_withdrawn(
    director: Any, december_2026: None
) -> None:
    services.calendar_days_import(acting_user=director, text=ADMIN_HOLIDAYS[2027])
    services.holiday_year_mark_complete(acting_user=director, year=2027)
    assert holiday_data_warnings(director) == []

    mark = services.holiday_year_mark_incomplete(acting_user=director, year=2027)
    assert not mark.is_complete and mark.marked_by == director
    assert 2027 not in working_calendar("standard").covered_years
    assert holiday_data_warnings(director) == [
        "The holiday list for 2027 has 28 dates but is not marked complete. Check it against the State "
        "Council's notice and mark it complete."
    ]


@pytest.mark.django_db
def test_an_entry_for_one_calendar_is_not_part_of_the_national_list(director: Any) -> None:
    office = WorkCalendar.objects.get(code="office")
    services.calendar_day_set(acting_user=director, day=date(2027, 1, 1), kind="holiday", name="元旦", calendar=office)
    with pytest.raises(ValidationError) as error:
        services.holiday_year_mark_complete(acting_user=director, year=2027, confirm_missing=True)
    assert "year" in error.value.message_dict


@pytest.mark.django_db
def test_only_calendar_managers_may_mark_a_year(station_a_user: Any, director: Any) -> None:
    enter_new_years_day(director)
    with pytest.raises(PermissionDenied):
        services.holiday_year_mark_complete(acting_user=station_a_user, year=2027, confirm_missing=True)
    with pytest.raises(PermissionDenied):
        services.holiday_year_mark_incomplete(acting_user=station_a_user, year=2027)
    assert not HolidayYear.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("year", [1899, 2201, "2027"])
def test_a_year_out_of_range_is_refused_naming_year(director: Any, year: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.holiday_year_mark_complete(acting_user=director, year=year)
    assert error.value.message_dict == {"year": ["Enter a year from 1900 to 2200."]}


# --- the pages -----------------------------------------------------------------------------------


def login(user: Any) -> Client:
    from core.models import UserProfile

    UserProfile.objects.filter(user=user).update(language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_detail_page_keeps_the_warning_until_the_list_is_marked_complete(director: Any, december_2026: None) -> None:
    client = login(director)
    enter_new_years_day(director)
    detail = reverse("workcalendar:detail", args=["standard"])
    page = client.get(detail, {"year": 2027}).content.decode()
    assert ONE_DATE_WARNING in page and 'id="year-complete-form"' in page

    refused = client.post(reverse("workcalendar:year_complete", args=["standard", 2027]), {})
    assert refused.status_code == 400
    assert (
        '<li data-field="confirm_missing"><strong>Mark complete although these festivals have no entry</strong>: '
        f"No entry yet for {EVERY_FESTIVAL_BUT_NEW_YEAR} in 2027." in refused.content.decode()
    )
    assert not HolidayYear.objects.filter(is_complete=True).exists()

    done = client.post(reverse("workcalendar:year_complete", args=["standard", 2027]), {"confirm_missing": "on"})
    assert done.status_code == 302 and done["Location"].endswith("?year=2027")
    page = client.get(detail, {"year": 2027}).content.decode()
    assert "is marked complete (director" in page and "not marked complete" not in page
    assert "Statutory festivals without an entry: Spring Festival" in page

    withdrawn = client.post(reverse("workcalendar:year_incomplete", args=["standard", 2027]))
    assert withdrawn.status_code == 302
    assert ONE_DATE_WARNING in client.get(detail, {"year": 2027}).content.decode()


@pytest.mark.django_db
def test_list_page_says_the_year_is_not_marked_complete(director: Any, december_2026: None) -> None:
    enter_new_years_day(director)
    page = login(director).get(reverse("workcalendar:list")).content.decode()
    assert ONE_DATE_WARNING in page
    assert "not marked complete" in page and f"no entry yet for {EVERY_FESTIVAL_BUT_NEW_YEAR}" in page


@pytest.mark.django_db
def test_station_user_may_not_mark_a_year_on_the_page(station_a_user: Any, director: Any) -> None:
    enter_new_years_day(director)
    client = login(station_a_user)
    page = client.get(reverse("workcalendar:detail", args=["standard"]), {"year": 2027}).content.decode()
    assert 'id="year-complete-form"' not in page
    response = client.post(reverse("workcalendar:year_complete", args=["standard", 2027]), {"confirm_missing": "on"})
    assert response.status_code == 403
    assert not HolidayYear.objects.exists()


# --- the API ---------------------------------------------------------------------------------------


def put(client: Any, url: str, body: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_api_reads_the_year_and_refuses_an_unconfirmed_mark_naming_confirm_missing(api_as: Any, director: Any) -> None:
    client = api_as(director)
    enter_new_years_day(director)
    state = client.get(f"{BASE}/years/2027", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {k: state[k] for k in ("year", "covered", "library", "entries", "complete", "marked_at")} == {
        "year": 2027,
        "covered": False,
        "library": False,
        "entries": 1,
        "complete": False,
        "marked_at": None,
    }
    assert [f["code"] for f in state["missing_festivals"]][:2] == ["spring_festival", "tomb_sweeping"]
    assert state["warning"] == ONE_DATE_WARNING

    refused = put(client, f"{BASE}/years/2027", {"complete": True})
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {
            "field": "confirm_missing",
            "message": f"No entry yet for {EVERY_FESTIVAL_BUT_NEW_YEAR} in 2027. Enter their dates, or confirm "
            "that the list is complete without them.",
        }
    ]

    marked = put(client, f"{BASE}/years/2027", {"complete": True, "confirm_missing": True})
    assert marked.status_code == 200
    data = marked.json()
    assert data["covered"] is True and data["complete"] is True and data["warning"] == ""
    assert data["marked_by"] == (director.get_full_name() or director.username) and data["marked_at"]

    withdrawn = put(client, f"{BASE}/years/2027", {"complete": False})
    assert withdrawn.status_code == 200 and withdrawn.json()["covered"] is False


@pytest.mark.django_db
def test_api_refusals_are_localised_and_never_5xx(api_as: Any, director: Any, station_a_user: Any) -> None:
    enter_new_years_day(director)
    assert put(api_as(station_a_user), f"{BASE}/years/2027", {"complete": True}).status_code == 403
    out_of_range = put(api_as(director), f"{BASE}/years/1800", {"complete": True})
    assert out_of_range.status_code == 400
    assert out_of_range.json()["errors"] == [{"field": "year", "message": "Enter a year from 1900 to 2200."}]
    assert api_as(director).get(f"{BASE}/years/3000").status_code == 400
    assert put(api_as(director), f"{BASE}/years/2027", {"complete": "yes please"}).status_code == 422
