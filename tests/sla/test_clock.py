"""The pure SLA clocks: deadlines over the 2026 Spring Festival and National Day with their 调休
Saturdays, pauses added back in business time, states at a given moment."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla import clock
from sla.clock import History, Terms, compute_clocks, deadline_after_pauses, history_from_events
from workcalendar.calendar import WorkingCalendar, make_calendar
from workcalendar.statutory import library_days, library_years

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
WORKDAY = ((time(9), time(12)), (time(13), time(18)))  # 8 h with a lunch break


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture(scope="module")
def standard() -> WorkingCalendar:
    holidays, workdays = library_days()
    return make_calendar(
        code="standard",
        weekly_hours={day: WORKDAY for day in range(5)},
        holidays=set(holidays),
        workdays=set(workdays),
        covered_years=set(library_years()),
    )


@pytest.fixture(scope="module")
def always() -> WorkingCalendar:
    return make_calendar(code="7x24", always_open=True)


# --- deadlines on the Chinese working calendar ---------------------------------------------------


def test_spring_festival_skips_the_holiday_and_counts_the_makeup_saturday(standard: WorkingCalendar) -> None:
    # Fri 13 Feb 16:00: 2 h that day, Sat 14 Feb is a 调休 working day (8 h), 15–23 Feb are off,
    # so the remaining 6 h run on Tue 24 Feb 09:00–12:00 and 13:00–16:00.
    deadline = deadline_after_pauses(standard, at(2026, 2, 13, 16), 16 * H, [], now=at(2026, 2, 13, 16))
    assert deadline == at(2026, 2, 24, 16)


def test_national_day_deadline_lands_on_the_makeup_saturday(standard: WorkingCalendar) -> None:
    # Wed 30 Sep 17:00 (1 h), 1–7 Oct off, Thu 8 + Fri 9 (16 h), Sat 10 Oct 调休 (7 h more).
    deadline = deadline_after_pauses(standard, at(2026, 9, 30, 17), 24 * H, [], now=at(2026, 9, 30, 17))
    assert deadline == at(2026, 10, 10, 17)


def test_a_pause_spanning_the_spring_festival_adds_back_only_its_business_time(standard: WorkingCalendar) -> None:
    # Thu 12 Feb 09:00, 16 h to resolve. Waiting for parts Fri 13 Feb 10:00 → Tue 24 Feb 10:00:
    # 7 h (Fri) + 8 h (Sat 调休) + 1 h (Tue) = 16 business hours paused, none for the holiday.
    # 9 h ran before the pause; the other 7 h run Tue 10:00–12:00, 13:00–18:00.
    history = History(submitted_at=at(2026, 2, 12, 9), pauses=((at(2026, 2, 13, 10), at(2026, 2, 24, 10)),))
    clocks = compute_clocks(Terms(resolution=16 * H), standard, history, now=at(2026, 2, 24, 11))
    assert clocks.targets["resolution"].deadline == at(2026, 2, 24, 18)
    assert clocks.paused_business == 16 * H


def test_seven_by_twenty_four_counts_through_holidays(always: WorkingCalendar) -> None:
    deadline = deadline_after_pauses(always, at(2026, 10, 1, 10), 4 * H, [], now=at(2026, 10, 1, 10))
    assert deadline == at(2026, 10, 1, 14)


def test_an_open_pause_moves_the_deadline_with_the_clock_and_freezes_the_state(standard: WorkingCalendar) -> None:
    history = History(submitted_at=at(2026, 3, 2, 9), pauses=((at(2026, 3, 2, 10), None),))
    terms = Terms(resolution=4 * H)
    clocks = compute_clocks(terms, standard, history, now=at(2026, 3, 3, 17))
    # 1 h ran before the pause; resumed "now" (Tue 17:00) the other 3 h end Wed 11:00.
    assert clocks.targets["resolution"].deadline == at(2026, 3, 4, 11)
    assert clocks.targets["resolution"].state == clock.ON_TRACK
    assert clocks.paused_since == at(2026, 3, 2, 10)
    assert clocks.next_check_at is None


# --- states ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(2026, 3, 2, 10), clock.ON_TRACK),
        (at(2026, 3, 2, 13, 30), clock.AT_RISK),  # past 3 h 12 min of 4 h = 80 %
        (at(2026, 3, 2, 14), clock.BREACHED),  # 09–12 + 13–14 = 4 h
    ],
    ids=["on-track", "at-risk-at-80-percent", "breached-at-the-deadline"],
)
def test_state_follows_the_share_of_the_target_used(standard: WorkingCalendar, now: datetime, state: str) -> None:
    clocks = compute_clocks(Terms(arrival=4 * H), standard, History(submitted_at=at(2026, 3, 2, 9)), now=now)
    assert clocks.targets["arrival"].deadline == at(2026, 3, 2, 14)
    assert clocks.targets["arrival"].at_risk_at == at(2026, 3, 2, 13, 12)
    assert clocks.targets["arrival"].state == state
    assert clocks.status == state


def test_met_in_time_is_met_and_met_late_is_breached(standard: WorkingCalendar) -> None:
    terms = Terms(response=2 * H, arrival=4 * H)
    history = History(
        submitted_at=at(2026, 3, 2, 9), response_met_at=at(2026, 3, 2, 10), arrival_met_at=at(2026, 3, 2, 15)
    )
    clocks = compute_clocks(terms, standard, history, now=at(2026, 3, 2, 16))
    assert clocks.targets["response"].state == clock.MET
    assert clocks.targets["arrival"].state == clock.BREACHED
    assert clocks.status == clock.BREACHED
    assert clocks.nearest_deadline is None


def test_next_check_is_the_next_at_risk_instant_then_the_deadline(standard: WorkingCalendar) -> None:
    history = History(submitted_at=at(2026, 3, 2, 9))
    first = compute_clocks(Terms(arrival=4 * H), standard, history, now=at(2026, 3, 2, 9))
    assert first.next_check_at == at(2026, 3, 2, 13, 12)
    later = compute_clocks(Terms(arrival=4 * H), standard, history, now=at(2026, 3, 2, 13, 20))
    assert later.next_check_at == at(2026, 3, 2, 14)


def test_resolution_counted_from_the_arrival_for_the_two_plus_three_hour_commitment(
    always: WorkingCalendar,
) -> None:
    terms = Terms(arrival=2 * H, resolution=3 * H, resolution_from_arrival=True)
    history = History(submitted_at=at(2026, 3, 2, 9), arrival_met_at=at(2026, 3, 2, 10, 30))
    clocks = compute_clocks(terms, always, history, now=at(2026, 3, 2, 11))
    assert clocks.targets["resolution"].deadline == at(2026, 3, 2, 13, 30)
    not_yet = compute_clocks(terms, always, History(submitted_at=at(2026, 3, 2, 9)), now=at(2026, 3, 2, 9))
    assert not_yet.targets["resolution"].deadline == at(2026, 3, 2, 14)  # arrival deadline + 3 h


def test_a_stopped_order_is_stopped_unless_already_breached(always: WorkingCalendar) -> None:
    history = History(submitted_at=at(2026, 3, 2, 9), stopped_at=at(2026, 3, 2, 10))
    clocks = compute_clocks(Terms(arrival=4 * H), always, history, now=at(2026, 3, 5, 9))
    assert clocks.status == clock.STOPPED
    assert clocks.next_check_at is None


# --- history from the timeline -----------------------------------------------------------------


def test_history_folds_waiting_states_into_pauses_and_finds_the_met_times() -> None:
    events = [
        ("created", at(2026, 3, 2, 9), "", "submitted"),
        ("request_info", at(2026, 3, 2, 9, 30), "submitted", "info_requested"),
        ("provide_info", at(2026, 3, 2, 11), "info_requested", "submitted"),
        ("accept", at(2026, 3, 2, 11, 10), "submitted", "accepted"),
        ("start", at(2026, 3, 2, 13), "accepted", "in_progress"),
        ("pause", at(2026, 3, 2, 14), "in_progress", "waiting"),
        ("comment", at(2026, 3, 2, 15), "", ""),
        ("resume", at(2026, 3, 3, 9), "waiting", "in_progress"),
        ("submit_qc", at(2026, 3, 3, 10), "in_progress", "qc"),
        ("qc_pass", at(2026, 3, 3, 11), "qc", "awaiting_signoff"),
        ("sign_off", at(2026, 3, 3, 12), "awaiting_signoff", "completed"),
    ]
    history = history_from_events(at(2026, 3, 2, 9), events)
    assert history.pauses == (
        (at(2026, 3, 2, 9, 30), at(2026, 3, 2, 11)),
        (at(2026, 3, 2, 14), at(2026, 3, 3, 9)),
    )
    assert history.response_met_at == at(2026, 3, 2, 9, 30)  # asking for information is a reply
    assert history.arrival_met_at == at(2026, 3, 2, 13)
    assert history.resolution_met_at == at(2026, 3, 3, 12)
    assert history.stopped_at is None


def test_a_reopen_restarts_arrival_and_resolution() -> None:
    events = [
        ("accept", at(2026, 3, 2, 9), "submitted", "accepted"),
        ("start", at(2026, 3, 2, 10), "accepted", "in_progress"),
        ("resolve_remotely", at(2026, 3, 2, 11), "in_progress", "completed"),
        ("reopen", at(2026, 3, 9, 9), "completed", "accepted"),
    ]
    history = history_from_events(at(2026, 3, 2, 8), events)
    assert history.restarted_at == at(2026, 3, 9, 9)
    assert history.arrival_met_at is None and history.resolution_met_at is None
    assert history.response_met_at == at(2026, 3, 2, 9)
