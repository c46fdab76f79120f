"""Calendars in the database: validation, entries, import, cache, reference data, coverage."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workcalendar import services
from workcalendar.calendar import add_business_time
from workcalendar.models import CalendarDay, WorkCalendar
from workcalendar.reference import install_reference_data
from workcalendar.selectors import default_working_calendar, uncovered_years, working_calendar
from workcalendar.warnings import holiday_data_warnings

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
LUNCH = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def at(y: int, m: int, d: int, hh: int = 0) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SH)


def messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return error.value.message_dict[field]


def test_reference_calendars_are_installed_and_reinstalling_keeps_admin_edits() -> None:
    assert set(WorkCalendar.objects.values_list("code", flat=True)) >= {"24x7", "standard", "office"}
    standard = WorkCalendar.objects.get(code="standard")
    assert standard.hours["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert "sat" not in standard.hours
    services.work_calendar_update(calendar=standard, acting_user=None, changes={"name": "改过的"})
    install_reference_data()
    install_reference_data()
    assert WorkCalendar.objects.get(code="standard").name == "改过的"
    assert WorkCalendar.objects.filter(code="standard").count() == 1


def test_default_calendar_is_24x7() -> None:
    calendar = default_working_calendar()
    assert calendar.code == "24x7" and calendar.always_open
    assert add_business_time(calendar, at(2026, 10, 1, 23), timedelta(hours=2)) == at(2026, 10, 2, 1)


def test_standard_calendar_from_the_database_skips_spring_festival_2026() -> None:
    calendar = working_calendar("standard")
    assert add_business_time(calendar, at(2026, 2, 14, 17), timedelta(hours=2)) == at(2026, 2, 24, 10)


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({"mon": [["12:00", "09:00"]]}, "Monday: 12:00–09:00 ends before it starts"),
        ({"mon": [["09:00", "12:00"], ["11:00", "14:00"]]}, "Monday: 09:00–12:00 overlaps 11:00–14:00"),
        ({"mon": [["9am", "12:00"]]}, "“9am” is not a time"),
        ({"funday": [["09:00", "12:00"]]}, "Unknown weekday “funday”"),
        ({}, "no working time at all"),
        ({"mon": []}, "no working time at all"),
    ],
    ids=["inverted", "overlapping", "not-a-time", "unknown-weekday", "no-hours", "empty-day"],
)
def test_bad_working_hours_are_refused_naming_hours(hours: dict, fragment: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.work_calendar_create(acting_user=None, code="bad", name="Bad", hours=hours)
    assert any(fragment in message for message in messages(error, "hours")), messages(error, "hours")
    assert not WorkCalendar.objects.filter(code="bad").exists()


def test_unknown_timezone_is_refused_naming_timezone() -> None:
    with pytest.raises(ValidationError) as error:
        services.work_calendar_create(acting_user=None, code="bad", name="Bad", timezone="Mars/Olympus", hours=LUNCH)
    assert messages(error, "timezone") == ["Unknown timezone “Mars/Olympus”; use an IANA name such as Asia/Shanghai."]


def test_hours_are_normalised_and_24_00_ends_the_day() -> None:
    calendar = services.work_calendar_create(
        acting_user=None, code="late", name="Late", hours={"sun": [["20:00", "24:00"], ["08:00", "10:00"]]}
    )
    assert calendar.hours == {"sun": [["08:00", "10:00"], ["20:00", "24:00"]]}


def test_reserved_code_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        services.work_calendar_create(acting_user=None, code="days", name="x", hours=LUNCH)
    assert "code" in error.value.message_dict


def test_station_user_cannot_change_calendars(station_a_user: Any) -> None:
    calendar = WorkCalendar.objects.get(code="standard")
    with pytest.raises(PermissionDenied):
        services.work_calendar_update(calendar=calendar, acting_user=station_a_user, changes={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.calendar_day_set(acting_user=station_a_user, day=date(2027, 1, 1), kind="holiday")
    assert station_a_user.has_perm("workcalendar.view_workcalendar")


def test_director_may_change_calendars(director: Any) -> None:
    calendar = WorkCalendar.objects.get(code="office")
    updated = services.work_calendar_update(
        calendar=calendar, acting_user=director, changes={"name": "办公"}, expected_version=calendar.version
    )
    assert updated.version == calendar.version + 1


def test_edit_is_seen_by_working_calendar_at_once() -> None:
    before = working_calendar("office")
    assert add_business_time(before, at(2026, 3, 10, 16), timedelta(hours=2)) == at(2026, 3, 11, 10)
    services.work_calendar_update(
        calendar=WorkCalendar.objects.get(code="office"),
        acting_user=None,
        changes={"hours": {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}},
    )
    after = working_calendar("office")
    assert add_business_time(after, at(2026, 3, 10, 16), timedelta(hours=2)) == at(2026, 3, 10, 18)


# --- 2027: the library stops at 2026 ---------------------------------------------------------------


def test_2027_without_data_counts_only_weekends_and_is_flagged(director: Any, time_machine: Any) -> None:
    # Seen from December 2026: the coming year is the one without data (in 2028, 2028 is too).
    time_machine.move_to(datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    calendar = working_calendar("standard")
    assert 2027 not in calendar.covered_years
    # 2027-01-01 is a Friday: without data it is a normal working day.
    assert add_business_time(calendar, at(2026, 12, 31, 17), timedelta(hours=2)) == at(2027, 1, 1, 10)
    assert uncovered_years(date(2026, 12, 1)) == [2027]
    assert holiday_data_warnings(director) == [
        "No holiday data for 2027: deadlines count only weekends as days off. Enter the State Council's dates."
    ]


def test_2027_works_the_day_an_admin_imports_the_state_council_dates(director: Any, agent: Any) -> None:
    count = services.calendar_days_import(
        acting_user=director,
        text="date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,休,春节\n2027-02-07,workday,春节调休\n",
    )
    assert count == 3
    # Entries alone no longer cover a year (issue 18, point 3): the admin also marks the list
    # complete; these three lines lack 清明 … 国庆, so the mark needs the explicit confirmation.
    services.holiday_year_mark_complete(acting_user=director, year=2027, confirm_missing=True)
    calendar = working_calendar("standard")
    assert 2027 in calendar.covered_years
    assert add_business_time(calendar, at(2026, 12, 31, 17), timedelta(hours=2)) == at(2027, 1, 4, 10)
    assert add_business_time(calendar, at(2027, 2, 5, 17), timedelta(hours=2)) == at(2027, 2, 7, 10)
    assert uncovered_years(date(2026, 12, 1)) == []
    assert holiday_data_warnings(agent) == []  # agents do not manage calendars anyway


def test_import_is_all_or_nothing_and_names_every_bad_line() -> None:
    text = "2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n2027-02-07,rest,y\n2027-01-01,workday,dup\n"
    with pytest.raises(ValidationError) as error:
        services.calendar_days_import(acting_user=None, text=text)
    assert messages(error, "text") == [
        "Line 2: “2027-13-01” is not a date (YYYY-MM-DD).",
        "Line 3: “rest” is neither holiday nor workday.",
        "Line 4: 2027-01-01 is already on line 1.",
    ]
    assert not CalendarDay.objects.exists()


def test_entry_for_one_calendar_does_not_touch_the_others() -> None:
    office = WorkCalendar.objects.get(code="office")
    services.calendar_day_set(acting_user=None, day=date(2026, 3, 10), kind="holiday", name="司庆", calendar=office)
    assert date(2026, 3, 10) in working_calendar("office").holidays
    assert date(2026, 3, 10) not in working_calendar("standard").holidays
    assert 2026 in working_calendar("office").covered_years


def test_admin_entry_overrides_the_library_and_removing_it_restores_it() -> None:
    entry = services.calendar_day_set(acting_user=None, day=date(2026, 2, 14), kind="holiday", name="改")
    assert date(2026, 2, 14) in working_calendar("standard").holidays
    services.calendar_day_set(acting_user=None, day=date(2026, 2, 14), kind="holiday", name="再改")
    assert CalendarDay.objects.filter(date=date(2026, 2, 14)).count() == 1
    services.calendar_day_remove(acting_user=None, entry=entry)
    assert date(2026, 2, 14) in working_calendar("standard").workdays


@pytest.mark.parametrize("hours", ["0", "-1", "abc", "NaN", "Infinity"])
def test_deadline_hours_must_be_a_positive_number(hours: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.work_calendar_deadline(code="standard", start=at(2026, 3, 10, 9), hours=hours)
    assert "hours" in error.value.message_dict


def test_deadline_naive_start_is_in_the_calendars_timezone() -> None:
    result = services.work_calendar_deadline(code="standard", start=datetime(2026, 3, 10, 11), hours="1.5")
    assert result == datetime(2026, 3, 10, 13, 30, tzinfo=SH)
