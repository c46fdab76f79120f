"""Order clocks through the real work-order services: deadlines at acceptance, pauses,
reclassification, the periodic scan (idempotent), alerts and the backup-unit task."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sla.models import BackupUnitTask, OrderServiceLevel, ServiceLevel
from sla.reference import REFERENCE_LEVELS, install_reference_data
from sla.services import order_sla_recompute, service_level_create, service_level_update, sla_scan
from workcalendar.models import WorkCalendar
from workorders.choices import EventKind
from workorders.services import workorder_transition, workorder_update

from .conftest import Clock, tag_customer

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def sla_of(order: Any) -> OrderServiceLevel:
    return OrderServiceLevel.objects.select_related("level").get(order=order)


def sla_events(order: Any) -> list[Any]:
    return list(order.events.filter(kind=EventKind.SLA).order_by("at", "id"))


def test_reference_levels_are_installed_once_and_keep_admin_edits(director: Any) -> None:
    codes = {spec["code"] for spec in REFERENCE_LEVELS}
    assert codes <= set(ServiceLevel.objects.values_list("code", flat=True))
    level = ServiceLevel.objects.get(code="REPAIR-48H")
    service_level_update(level=level, acting_user=director, changes={"arrival_hours": 36})
    install_reference_data()
    install_reference_data()
    assert ServiceLevel.objects.filter(code__in=codes).count() == len(codes)
    assert ServiceLevel.objects.get(code="REPAIR-48H").arrival_hours == 36


def test_acceptance_sets_the_deadlines_of_the_matching_level(make_order: Any, customer_a: Any, clock: Clock) -> None:
    start = clock.moment
    order = make_order(customer_a)
    row = sla_of(order)
    assert row.level.code == "REPAIR-48H"
    assert row.response_due == start + 24 * H
    assert row.response_met_at == start  # accepted at once: the first response is met
    assert row.arrival_due == start + 48 * H
    assert row.target_states == {"response": "met", "arrival": "on_track"}
    assert row.status == "on_track"
    assert row.next_check_at == start + 48 * H * 0.8
    assert [r["rule"] for r in row.reasons] == ["level", "service_type"]


def test_deadlines_are_set_at_acceptance_and_count_from_the_request(
    make_order: Any, customer_a: Any, agent: Any, clock: Clock
) -> None:
    start = clock.moment
    order = make_order(customer_a, accept=False)
    assert not OrderServiceLevel.objects.filter(order=order).exists()
    clock.advance(hours=30)
    workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    row = sla_of(order)
    assert row.response_due == start + 24 * H
    assert row.response_met_at == start + 30 * H
    assert row.target_states["response"] == "breached"  # replied after 30 h: late
    events = sla_events(order)
    assert [(e.data["state"], e.data["target"], e.data["escalated_to"]) for e in events] == [
        ("breached", "response", "director")
    ]


def test_a_change_of_urgency_picks_the_level_again_and_recomputes_from_the_history(
    make_order: Any, customer_a: Any, agent: Any, clock: Clock
) -> None:
    start = clock.moment
    order = make_order(customer_a)
    clock.advance(hours=2)
    workorder_update(order=order, acting_user=agent, changes={"urgency": "safety"})
    row = sla_of(order)
    assert row.level.code == "SAFETY-24H"
    assert row.arrival_due == start + 24 * H  # counted from the request, not from the change
    assert row.response_met_at == start
    assert [r["rule"] for r in row.reasons] == ["level", "service_type", "urgency"]


def test_reclassified_out_of_every_level_its_clocks_stop(
    make_order: Any, customer_a: Any, agent: Any, clock: Clock
) -> None:
    order = make_order(customer_a)
    assert sla_of(order).level.code == "REPAIR-48H"
    ServiceLevel.objects.update(is_active=False)  # e.g. an admin retired every level that could apply

    clock.advance(hours=2)
    workorder_update(order=order, acting_user=agent, changes={"urgency": "urgent"})

    row = sla_of(order)
    assert (row.status, row.nearest_deadline, row.next_check_at) == ("stopped", None, None)
    assert order_sla_recompute(order=order, rematch=True) is None


def test_a_level_edit_does_not_move_deadlines_already_set(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    order = make_order(customer_a)
    due = sla_of(order).arrival_due
    service_level_update(
        level=ServiceLevel.objects.get(code="REPAIR-48H"), acting_user=director, changes={"arrival_hours": 12}
    )
    clock.advance(hours=1)
    workorder_transition(order=order, action="assign", acting_user=director, data={"technician": director.pk})
    assert sla_of(order).arrival_due == due
    order_sla_recompute(order=order, rematch=True)  # asked for: the new terms apply
    assert sla_of(order).arrival_due == order.submitted_at + 12 * H


def test_on_track_then_at_risk_then_breached_each_alert_once(make_order: Any, customer_a: Any, clock: Clock) -> None:
    start = clock.moment
    order = make_order(customer_a)
    assert sla_scan(now=start + 10 * H) == 0
    assert sla_of(order).status == "on_track"

    at_risk = start + 40 * H  # 80 % of 48 h = 38.4 h
    assert sla_scan(now=at_risk) == 1
    assert sla_scan(now=at_risk) == 0  # idempotent: nothing new to say
    row = sla_of(order)
    assert (row.status, row.target_states["arrival"]) == ("at_risk", "at_risk")
    assert row.next_check_at == start + 48 * H

    breached = start + 49 * H
    assert sla_scan(now=breached) == 1
    assert sla_scan(now=breached) == 0
    assert sla_of(order).status == "breached"
    events = sla_events(order)
    assert [(e.data["state"], e.data["target"], e.data["escalated_to"]) for e in events] == [
        ("at_risk", "arrival", "agent"),
        ("breached", "arrival", "director"),
    ]
    assert events[1].data["deadline"] == (start + 48 * H).isoformat()
    assert events[1].actor is None


def test_arrival_in_time_is_met(make_order: Any, customer_a: Any, director: Any, clock: Clock) -> None:
    order = make_order(customer_a)
    clock.advance(hours=5)
    workorder_transition(order=order, action="start", acting_user=director)
    row = sla_of(order)
    assert row.arrival_met_at == clock.moment
    assert row.target_states == {"response": "met", "arrival": "met"}
    assert row.status == "met"
    assert row.next_check_at is None
    assert sla_scan(now=clock.moment + 100 * H) == 0


def test_waiting_for_parts_pauses_the_resolution_clock(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    tag_customer(customer_a, "VIP")
    start = clock.moment
    order = make_order(customer_a)
    assert sla_of(order).level.code == "ONSITE-4H-24H"
    clock.advance(hours=1)
    workorder_transition(order=order, action="start", acting_user=director)
    clock.advance(hours=1)
    workorder_transition(order=order, action="pause", acting_user=director, data={"wait_reason": "parts"})
    row = sla_of(order)
    assert row.paused_since == start + 2 * H
    assert row.next_check_at is None
    clock.advance(hours=10)
    assert sla_scan(now=clock.moment) == 0  # paused: nothing is due
    workorder_transition(order=order, action="resume", acting_user=director)
    row = sla_of(order)
    assert row.paused_since is None
    assert row.paused_seconds == 10 * 3600
    assert row.resolution_due == start + 34 * H  # 24 h + the 10 h paused
    assert row.status == "on_track"
    assert row.target_states["resolution"] == "on_track"


def test_the_two_hour_three_hour_commitment_lends_a_backup_unit_when_the_fix_misses(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    tag_customer(customer_a, "备用机承诺")
    start = clock.moment
    order = make_order(customer_a)
    row = sla_of(order)
    assert row.level.code == "BACKUP-2H-3H"
    assert row.resolution_due == start + 5 * H  # arrival deadline + 3 h before anyone arrived
    clock.advance(hours=1, minutes=30)
    workorder_transition(order=order, action="start", acting_user=director)
    assert sla_of(order).resolution_due == start + 4.5 * H  # 3 h from the actual arrival
    assert sla_scan(now=start + 4 * H) == 1  # at risk (80 % of 3 h used)
    assert not BackupUnitTask.objects.filter(order=order).exists()
    assert sla_scan(now=start + 5 * H) == 1  # breached
    assert sla_scan(now=start + 6 * H) == 0
    task = BackupUnitTask.objects.get(order=order)
    assert task.status == "open"
    backup_events = list(order.events.filter(kind=EventKind.BACKUP_UNIT))
    assert len(backup_events) == 1 and backup_events[0].data["state"] == "requested"
    order_sla_recompute(order=order, now=start + 7 * H)  # a recompute does not ask twice
    assert BackupUnitTask.objects.filter(order=order).count() == 1
    assert order.events.filter(kind=EventKind.BACKUP_UNIT).count() == 1


def test_a_cancelled_order_stops_its_clocks(make_order: Any, customer_a: Any, agent: Any, clock: Clock) -> None:
    order = make_order(customer_a)
    clock.advance(hours=1)
    workorder_transition(order=order, action="cancel", acting_user=agent, data={"reason": "客户自行解决"})
    row = sla_of(order)
    assert row.status == "stopped"
    assert row.next_check_at is None and row.nearest_deadline is None
    assert sla_scan(now=clock.moment + 100 * H) == 0


def test_deadlines_in_working_hours_skip_the_spring_festival(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    clock.set(datetime(2026, 2, 13, 16, 0, tzinfo=clock.moment.tzinfo))  # Friday before the holiday
    order = make_order(customer_a, service_type="return")
    row = sla_of(order)
    assert row.level.code == "RESOLVE-7WD"
    assert row.calendar_code == "standard"
    # 56 h in 09–12/13–18: Fri 2 h, Sat 14 Feb (调休) 8 h, holiday 15–23 Feb, then from Tue 24 Feb
    # 5 working days of 8 h (24, 25, 26, 27 Feb, Sat 28 Feb 调休 counts) = 40 h, then 6 h on Mon 2 Mar.
    assert row.resolution_due == datetime(2026, 3, 2, 16, 0, tzinfo=clock.moment.tzinfo)


@translation.override("en")
def test_service_level_refuses_unknown_codes_and_missing_targets(director: Any) -> None:
    calendar = WorkCalendar.objects.get(code="24x7")
    with pytest.raises(ValidationError) as error:
        service_level_create(
            acting_user=director, code="BAD", name="bad", calendar=calendar, service_types=["repare"], response_hours=1
        )
    assert error.value.message_dict == {"service_types": ["Unknown value in service_types."]}
    with pytest.raises(ValidationError) as error:
        service_level_create(acting_user=director, code="NONE", name="none", calendar=calendar)
    assert error.value.message_dict == {"response_hours": ["Set at least one target."]}


def test_bulk_recompute_agrees_with_the_per_order_path_and_alerts_once(
    make_order: Any, customer_a: Any, customer_b: Any, director: Any, clock: Clock
) -> None:
    from sla.services import sla_recompute_open

    start = clock.moment
    tag_customer(customer_b, "VIP")
    late, vip = make_order(customer_a), make_order(customer_b)
    clock.advance(hours=1)
    workorder_transition(order=vip, action="start", acting_user=director)
    clock.advance(hours=1)
    workorder_transition(order=vip, action="pause", acting_user=director, data={"wait_reason": "customer"})
    clock.advance(hours=3)
    workorder_transition(order=vip, action="resume", acting_user=director)
    expected = {
        row.order_id: (row.arrival_due, row.resolution_due, row.paused_seconds)
        for row in OrderServiceLevel.objects.all()
    }
    # At the moment of the last event the bulk path computes what the per-order path stored:
    # nothing to write.
    assert sla_recompute_open(now=clock.moment) == {"orders": 2, "written": 0, "alerts": 0}
    moment = start + 49 * H
    assert sla_recompute_open(now=moment) == {"orders": 2, "written": 2, "alerts": 2}
    assert sla_recompute_open(now=moment) == {"orders": 2, "written": 0, "alerts": 0}  # nothing new
    rows = {row.order_id: row for row in OrderServiceLevel.objects.all()}
    assert {pk: (r.arrival_due, r.resolution_due, r.paused_seconds) for pk, r in rows.items()} == expected
    assert rows[vip.pk].resolution_due == start + 27 * H  # 24 h + 3 h waiting for the customer
    assert (rows[late.pk].status, rows[vip.pk].status) == ("breached", "breached")
    assert [e.data["target"] for e in sla_events(late)] == ["arrival"]
    assert [e.data["target"] for e in sla_events(vip)] == ["resolution"]


def test_the_periodic_task_runs_the_scan_and_a_second_run_writes_nothing(
    make_order: Any, customer_a: Any, clock: Clock
) -> None:
    from sla.tasks import sla_scan_task

    order = make_order(customer_a)
    clock.advance(hours=49)
    assert sla_scan_task.call_local() == 1
    assert sla_scan_task.call_local() == 0
    assert [e.data["state"] for e in sla_events(order)] == ["breached"]


def test_an_event_that_moves_no_clock_writes_nothing_until_a_state_is_due(
    make_order: Any, customer_a: Any, clock: Clock
) -> None:
    """Assignment and the like change no clock input: the stored clocks stand (one read), and
    the recompute runs only once the stored at-risk instant has come."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sla.services import order_sla_on_event
    from workorders.models import TimelineEvent

    order = make_order(customer_a)
    row = sla_of(order)
    assign = TimelineEvent(order=order, kind="assign", from_status="accepted", to_status="assigned")

    assign.at = clock.advance(hours=1)
    with CaptureQueriesContext(connection) as queries:
        order_sla_on_event(order, assign)
    assert len(queries) == 1
    assert sla_of(order).computed_at == row.computed_at

    assert row.target_states == {"response": "met", "arrival": "on_track"}
    assign.at = row.next_check_at  # the at-risk instant of the arrival target
    order_sla_on_event(order, assign)
    after = sla_of(order)
    assert after.computed_at == row.next_check_at
    assert after.target_states == {"response": "met", "arrival": "at_risk"}
    assert [(e.data["target"], e.data["state"]) for e in sla_events(order)] == [("arrival", "at_risk")]


@pytest.mark.own_holiday_data  # it enters 2027's dates itself
def test_open_orders_follow_the_2027_dates_the_day_an_admin_imports_them(
    make_order: Any, customer_a: Any, director: Any, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    """Without 2027 data New Year's Day counts as a working day (weekends-only fallback); once
    an admin imports the State Council's dates, the open order's deadline moves past it."""
    from workcalendar.services import calendar_days_import

    clock.set(datetime(2026, 12, 24, 9, 0, tzinfo=clock.moment.tzinfo))  # Thursday
    order = make_order(customer_a, service_type="return")
    row = sla_of(order)
    assert row.level.code == "RESOLVE-7WD"
    # 7 × 8 h: 24, 25, 28, 29, 30, 31 Dec and Fri 1 Jan 2027 (no data yet: a working day).
    assert row.resolution_due == datetime(2027, 1, 1, 18, 0, tzinfo=clock.moment.tzinfo)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_days_import(acting_user=director, text="2027-01-01,holiday,元旦")

    assert sla_of(order).resolution_due == datetime(2027, 1, 4, 18, 0, tzinfo=clock.moment.tzinfo)


def test_time_left_reads_in_the_readers_language() -> None:
    from datetime import timedelta

    from django.utils import translation

    from sla.panels import duration_text

    with translation.override("zh-hans"):
        assert duration_text(timedelta(hours=3, minutes=5)) == "3 小时 05 分"
        assert duration_text(-timedelta(minutes=70)) == "-1 小时 10 分"
    with translation.override("en"):
        assert duration_text(timedelta(hours=3, minutes=5)) == "3 h 05 min"
