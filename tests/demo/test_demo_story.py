"""The story the full demo (what ``./dev run`` loads) tells on the day it is loaded.

A plausible operation, on any date (``.ci/dated-runs`` loads it on weekends, before and after the
long holidays, in years without holiday data): of the open orders with a deadline still running
most are on track, some at risk, a few breached; every field technician has a day of visits on the
dispatch board (today, or the next working day when today is a weekend or holiday); nobody is
double-booked or booked outside their shift; and a technician's visits leave time to drive from
one customer to the next. One load of scale 1.0 is shared by the tests of this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from core.choices import UnitKind
from core.models import OrgUnit
from demo.loader import DemoBuilder, board_day, load_demo
from demo.schedule import travel_minutes
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES
from dispatch.geo import approx_location
from dispatch.models import Appointment, TechnicianProfile
from dispatch.policies import shift_on, window_fits_shift
from dispatch.selectors import calendar_of, dispatch_board, shift_rules, technician_shift
from sla import clock
from sla.models import OrderServiceLevel
from sla.selectors import stored_clocks
from tests.demo.support import enter_admin_holidays
from workorders.choices import OPEN_STATUSES
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

pytestmark = pytest.mark.xdist_group("demo-data")

RUNNING = (clock.ON_TRACK, clock.AT_RISK, clock.BREACHED)
MIN_VISITS = 3  # "a day of visits": several appointments for every field technician


@pytest.fixture(scope="module")
def full_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoBuilder]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            enter_admin_holidays()
            with translation.override("en"):
                builder = load_demo(scale=1.0, seed=2026, log=lambda _: None)
            yield builder
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(full_demo: DemoBuilder, db: Any) -> DemoBuilder:
    return full_demo


def running_deadlines() -> Counter[str]:
    """Open orders whose SLA clocks still run (a deadline not yet met), by stored status."""
    rows = OrderServiceLevel.objects.filter(order__status__in=OPEN_STATUSES, status__in=RUNNING)
    return Counter(rows.values_list("status", flat=True))


def test_the_full_demo_builds_through_every_rule(loaded: DemoBuilder) -> None:
    """``./dev run`` loads scale 1.0: every step must pass the real services' rules (e.g. a
    technician must serve the order's unit), which small samples may not reach."""
    assert loaded.counts["work orders"] == 1000  # the scale's number, the last days' operation among them
    # the maintenance plans' orders and the upgrade campaign launched today (one order per sorter)
    expected = (
        loaded.counts["work orders"]
        + loaded.counts["claims"]
        + loaded.counts["maintenance: orders"]
        + loaded.counts["campaign orders"]
    )
    assert WorkOrder.objects.count() == expected
    assert loaded.counts["campaign orders"] > 0 and loaded.counts["training records"] == 3
    for order in WorkOrder.objects.exclude(technician=None).select_related("technician"):
        assert workorders_visible_to(order.technician).filter(pk=order.pk).exists(), order.number


def test_most_open_deadlines_are_on_track_some_at_risk_a_few_breached(loaded: DemoBuilder) -> None:
    counts = running_deadlines()
    total = sum(counts.values())
    shares = {status: counts[status] / total for status in RUNNING}

    assert total >= 40, counts
    assert shares[clock.ON_TRACK] >= 0.6, shares
    assert 0.03 <= shares[clock.AT_RISK] <= 0.3, shares
    assert 0.03 <= shares[clock.BREACHED] <= 0.2, shares


def test_the_stored_sla_status_is_the_one_of_the_moment_the_demo_was_loaded(loaded: DemoBuilder) -> None:
    """The alerts a worker's scan would raise between an order's last step and now are already
    on its timeline, so the lists show the true status before any worker runs."""
    rows = OrderServiceLevel.objects.filter(order__status__in=OPEN_STATUSES, paused_since=None).exclude(
        status=clock.STOPPED
    )
    assert rows.exists()
    for row in rows:
        assert clock.states_at(stored_clocks(row), loaded.now) == row.target_states, row.order_id
        assert row.status == clock.worst(row.target_states.values()), row.order_id


def test_every_field_technician_has_a_day_of_visits_on_the_dispatch_board(loaded: DemoBuilder) -> None:
    day = board_day(timezone.localdate())
    director = get_user_model().objects.get(username="director")
    seen = set()
    for unit in OrgUnit.objects.filter(kind__in=[UnitKind.CENTRE, UnitKind.STATION]).order_by("code"):
        board = dispatch_board(user=director, unit=unit, start=day)
        for row in board.rows:
            if row.loaned:
                continue
            seen.add(row.profile.user_id)
            assert row.days[0]["shift"] is not None, (row.profile.user.username, day)
            assert row.days[0]["count"] >= MIN_VISITS, (row.profile.user.username, day, row.days[0]["count"])
    assert seen == set(TechnicianProfile.objects.values_list("user_id", flat=True))
    assert len(seen) == 22


def test_the_board_day_is_today_or_else_the_next_working_day_with_duty_technicians_today(
    loaded: DemoBuilder,
) -> None:
    today = timezone.localdate()
    day = board_day(today)
    profiles = list(TechnicianProfile.objects.select_related("user__profile__unit", "calendar"))
    calendar = calendar_of(profiles[0])

    assert calendar.is_working_day(day)
    assert all(not calendar.is_working_day(today + timedelta(days=n)) for n in range((day - today).days))
    if day != today:  # a weekend or holiday: one technician of each centre on duty
        on_duty = {p.user.profile.unit.code for p in profiles if technician_shift(p, today) is not None}
        centres = set(OrgUnit.objects.filter(kind=UnitKind.CENTRE).values_list("code", flat=True))
        assert on_duty == centres


def test_nobody_is_double_booked_over_capacity_or_outside_their_shift(loaded: DemoBuilder) -> None:
    profiles = {p.user_id: p for p in TechnicianProfile.objects.prefetch_related("shifts").select_related("calendar")}
    visits: dict[tuple[int, Any], list[Appointment]] = defaultdict(list)
    for appointment in Appointment.objects.filter(status__in=ACTIVE_APPOINTMENT_STATUSES):
        visits[(appointment.technician_id, appointment.date)].append(appointment)

    assert len(visits) > 100
    for (technician, day), booked in visits.items():
        profile = profiles[technician]
        shift = shift_on(shift_rules(profile), calendar_of(profile), day)
        assert len(booked) <= profile.daily_capacity, (technician, day)
        booked.sort(key=lambda a: a.window_start)
        for appointment in booked:
            start, end = timezone.localtime(appointment.window_start), timezone.localtime(appointment.window_end)
            assert window_fits_shift(shift, start, end), (technician, day, start, end, shift)
        for before, after in pairwise(booked):
            assert before.window_end <= after.window_start, (technician, day)


def test_a_technicians_visits_leave_time_to_drive_from_one_customer_to_the_next(loaded: DemoBuilder) -> None:
    day = board_day(timezone.localdate())
    visits: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in Appointment.objects.filter(date=day, status__in=ACTIVE_APPOINTMENT_STATUSES).select_related(
        "order__customer"
    ):
        visits[appointment.technician_id].append(appointment)

    assert len(visits) == 22
    for booked in visits.values():
        booked.sort(key=lambda a: a.window_start)
        for before, after in pairwise(booked):
            drive = travel_minutes(
                approx_location(before.order.customer.adcode), approx_location(after.order.customer.adcode)
            )
            assert after.window_start - before.window_end >= timedelta(minutes=drive), (before.pk, after.pk)
