"""The board's day (issue 18, point 9): the pure layout (axis, bars, drives, map plot), the picker's
options (technicians only, skill match, load, distance), the drop service and endpoint (the same
checks as booking; nothing half-saved), refused forms that keep what was typed, the unit it opens on."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.choices import Role
from core.testing import make_user
from dispatch import gantt, selectors, services
from dispatch.choices import AppointmentStatus
from dispatch.models import Appointment, TechnicianProfile
from sla.models import OrderServiceLevel
from workorders.choices import Status
from workorders.models import TimelineEvent, WorkOrder

from .conftest import DAY, at, before_day, make_order, make_profile

pytestmark = pytest.mark.django_db


# --- the pure layout --------------------------------------------------------------------------


def test_the_axis_covers_the_shifts_in_whole_hours() -> None:
    axis = gantt.axis_for([(8 * 60 + 30, 17 * 60 + 30), (9 * 60, 12 * 60)])
    assert (axis.start, axis.end) == (8 * 60, 18 * 60)
    assert axis.pct(10 * 60) == pytest.approx(20.0)
    assert axis.pct(6 * 60) == 0.0 and axis.pct(20 * 60) == 100.0  # clamped
    assert axis.width(10 * 60, 11 * 60) == pytest.approx(10.0)
    assert [label for label, _ in axis.hours()] == [f"{hour:02d}:00" for hour in range(8, 19)]
    assert gantt.axis_for([]) == gantt.Axis(9 * 60, 18 * 60)


def test_drives_are_the_planners_estimate_from_home_then_from_visit_to_visit() -> None:
    home, first, second = (30.0, 120.0), (30.1, 120.0), None
    legs = gantt.legs(home, [first, second, home])
    assert legs[0].km == pytest.approx(11.1 * 1.3, abs=0.2)
    assert legs[0].minutes == gantt.travel_minutes(legs[0].km) > 0
    assert legs[1] == gantt.Leg(km=None, minutes=0)  # an unknown place: no drive drawn
    assert legs[2].km == pytest.approx(legs[0].km, abs=0.1)  # from the last known place
    assert gantt.travel_minutes(15) == 30 and gantt.snap(607) == 600


def test_the_map_is_north_up_and_spreads_markers_at_one_place() -> None:
    north, south = (30.3, 120.1), (30.2, 120.1)
    plotted = gantt.plot([north, south, None, south], width=480, height=320)
    assert plotted[2] is None
    a, b, d = plotted[0], plotted[1], plotted[3]
    assert a is not None and b is not None and d is not None
    assert a.y < b.y  # north is up
    assert all(0 <= p.x <= 480 and 0 <= p.y <= 320 for p in (a, b))
    assert (d.x, d.y) != (b.x, b.y)  # the same place twice: both visible
    single = gantt.plot([north], width=480, height=320)[0]
    assert single is not None and (single.x, single.y) == (240, 160)


# --- the board's day from the database --------------------------------------------------------


@pytest.fixture
def booked(dispatcher: Any, technician: Any, tech_profile: Any, order_a: Any) -> Appointment:
    with before_day():
        return services.appointment_book(
            acting_user=dispatcher, order=order_a, technician=technician, window_start=at(10), window_end=at(11)
        )


def test_the_day_lays_out_each_visit_with_its_drive_and_sla_state(
    org: Any, dispatcher: Any, booked: Appointment, agent: Any, customer_a: Any, device_a: Any
) -> None:
    OrderServiceLevel.objects.filter(order=booked.order).update(status="at_risk")
    TechnicianProfile.objects.filter(user=booked.technician).update(home_lat=Decimal("30.35"))  # ~10 km north
    waiting = make_order(agent, customer_a, device=device_a)
    OrderServiceLevel.objects.filter(order=waiting).update(status="breached")
    board = selectors.dispatch_board(user=dispatcher, unit=org.centre, start=DAY)
    assert board.axis == gantt.Axis(9 * 60, 18 * 60)  # the standard calendar's hours
    (row,) = board.rows
    (bar,) = row.bars
    assert bar.appointment == booked
    assert (bar.left, bar.width) == (pytest.approx(100 / 9, abs=0.01), pytest.approx(100 / 9, abs=0.01))
    assert bar.travel_minutes > 0 and bar.travel_left < bar.left
    assert bar.sla == "at_risk"
    assert (row.shift_left, row.shift_width) == (0.0, 100.0)
    assert board.sla[booked.order_id] == "at_risk"
    assert selectors.sla_state(WorkOrder.objects.get(pk=waiting.pk)) == "breached"
    assert board.map is not None
    assert [v["bar"] for v in board.map["visits"]] == [bar]
    assert len(board.map["homes"]) == 1 and len(board.map["routes"]) == 1
    # The week view has no lanes.
    week = selectors.dispatch_board(user=dispatcher, unit=org.centre, start=DAY, days=7)
    assert week.axis is None and week.rows[0].bars == []


# --- the picker -------------------------------------------------------------------------------


def test_the_picker_offers_technicians_only_with_skill_load_and_distance(
    org: Any, dispatcher: Any, booked: Appointment, category: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    installer = make_user(Role.TECHNICIAN, org.centre, username="installer", full_name="安装师傅")
    make_profile(dispatcher, installer, category, lat="30.30", lon="120.16", service_types=["installation"])
    clerk = make_user(Role.STATION, org.centre, username="clerk", full_name="站务员")
    waiting = make_order(agent, customer_a, device=device_a)

    technicians = services.board_technicians(dispatcher, waiting, [])
    assert {user.username for user in technicians} == {"tech", "installer"}
    assert clerk.pk not in {user.pk for user in technicians}

    options = services.picker_options([waiting], technicians, day=DAY, loads={})[waiting.pk]
    first, second = options
    assert (first.user.username, first.qualified, first.load, first.capacity) == ("tech", True, 1, 6)
    assert first.km is not None and first.label == f"tech · skills ✓ · 1/6 visits · {first.km:.1f} km"
    assert (second.user.username, second.qualified) == ("installer", False)
    assert "安装师傅" in second.refusal and second.label.startswith("安装师傅 · skills ✗ · 0/6 visits")


# --- dropping a visit on the board ------------------------------------------------------------


def _events(order: Any) -> int:
    return TimelineEvent.objects.filter(order=order).count()


def test_a_drop_books_moves_and_reassigns_with_the_booking_checks(
    org: Any, dispatcher: Any, technician: Any, tech_profile: Any, far_technician: Any, far_profile: Any, order_a: Any
) -> None:
    with before_day():
        appointment = services.board_drop(acting_user=dispatcher, order=order_a, technician=technician, start=at(9))
        assert (appointment.window_start, appointment.window_end) == (at(9), at(10))
        order_a.refresh_from_db()
        assert (order_a.status, order_a.technician_id) == (Status.SCHEDULED, technician.pk)

        # A move needs a reason, as rescheduling does.
        with pytest.raises(ValidationError) as refused:
            services.board_drop(acting_user=dispatcher, order=order_a, technician=technician, start=at(13))
        assert "reason" in refused.value.message_dict
        moved = services.board_drop(
            acting_user=dispatcher, order=order_a, technician=technician, start=at(13), reason="客户改时间"
        )
        assert (moved.pk, moved.window_start, moved.window_end) == (appointment.pk, at(13), at(14))

        # To another technician: the visit is cancelled and booked anew with the same length.
        other = services.board_drop(
            acting_user=dispatcher, order=order_a, technician=far_technician, start=at(15), reason="就近"
        )
        assert other.pk != appointment.pk and (other.technician_id, other.window_start) == (far_technician.pk, at(15))
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
        order_a.refresh_from_db()
        assert order_a.technician_id == far_technician.pk


def test_a_refused_drop_changes_nothing(
    org: Any, dispatcher: Any, technician: Any, tech_profile: Any, category: Any, order_a: Any
) -> None:
    installer = make_user(Role.TECHNICIAN, org.centre, username="installer")
    make_profile(dispatcher, installer, category, lat="30.30", lon="120.16", service_types=["installation"])
    with before_day():
        before = _events(order_a)
        with pytest.raises(ValidationError):
            services.board_drop(acting_user=dispatcher, order=order_a, technician=installer, start=at(10))
        assert not Appointment.objects.exists() and _events(order_a) == before
        booked = services.board_drop(acting_user=dispatcher, order=order_a, technician=technician, start=at(10))
        before = _events(order_a)
        # To the installer: the cancel would pass, the booking is refused — so the cancel is undone too.
        with pytest.raises(ValidationError):
            services.board_drop(
                acting_user=dispatcher, order=order_a, technician=installer, start=at(14), reason="试试"
            )
        booked.refresh_from_db()
        assert (booked.status, booked.technician_id, booked.window_start) == (
            AppointmentStatus.BOOKED,
            technician.pk,
            at(10),
        )
        assert _events(order_a) == before


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_drop_endpoint_answers_json_with_the_refusal_and_its_code(
    org: Any, dispatcher: Any, technician: Any, tech_profile: Any, order_a: Any, agent: Any
) -> None:
    dispatcher.profile.language = "en"
    dispatcher.profile.save(update_fields=["language"])
    data = {"order": order_a.pk, "technician": technician.pk, "day": DAY.isoformat(), "start": "07:00"}
    # Logged in on the eve: a session begun on the suite's own day may have expired by then.
    with before_day():
        client = _client(dispatcher)
        refused = client.post("/dispatch/board/drop/", data)
        assert refused.status_code == 400
        body = json.loads(refused.content)
        assert body["code"] == "validation_error"
        assert body["errors"][0]["field"] == "window_start"
        assert "07:00–08:00" in body["detail"] and "09:00–18:00" in body["detail"]
        assert not Appointment.objects.exists()

        bad = client.post("/dispatch/board/drop/", {**data, "start": "7 o'clock"})
        assert bad.status_code == 400 and json.loads(bad.content)["errors"][0]["field"] == "start"
        unknown = client.post("/dispatch/board/drop/", {**data, "order": 999999})
        assert unknown.status_code == 404 and json.loads(unknown.content)["code"] == "not_found"

        done = client.post("/dispatch/board/drop/", {**data, "start": "09:30"})
        assert done.status_code == 200
        assert json.loads(done.content)["message"] == f"{order_a.number}: tech, 09:30–10:30."

        # An agent may book from the order page, but not assign: no dragging on the board.
        denied = _client(agent).post("/dispatch/board/drop/", {**data, "start": "11:00"})
        assert denied.status_code == 403 and json.loads(denied.content)["code"] == "permission_denied"
    assert Appointment.objects.count() == 1


def test_the_board_page_has_lanes_a_map_and_the_drag_script(
    org: Any, dispatcher: Any, booked: Appointment, agent: Any
) -> None:
    page = _client(dispatcher).get("/dispatch/", {"day": DAY.isoformat(), "unit": org.centre.pk}).content.decode()
    assert 'class="gantt-lane' in page and 'id="board-map"' in page
    assert "dispatch/board.js" in page and 'data-drop-url="/dispatch/board/drop/"' in page
    assert f"10:00–11:00 {booked.order.number}</a>" in page
    # Someone who may not book sees the board without drag and drop.
    viewer = make_user(Role.DIRECTOR, org.hq, username="viewer")
    viewer_page = _client(viewer).get("/dispatch/", {"day": DAY.isoformat(), "unit": org.centre.pk}).content.decode()
    assert 'class="gantt-lane' in viewer_page


# --- refused forms keep what was typed; the unit the board opens on ---------------------------


def test_a_refused_assignment_and_a_refused_booking_keep_what_was_typed(
    org: Any,
    dispatcher: Any,
    technician: Any,
    tech_profile: Any,
    category: Any,
    booked: Appointment,
    agent: Any,
    customer_a: Any,
    device_a: Any,
) -> None:
    # On the eve of DAY throughout: the session, the booking and the form kept for the next page.
    with before_day():
        installer = make_user(Role.TECHNICIAN, org.centre, username="installer")
        make_profile(dispatcher, installer, category, lat="30.30", lon="120.16", service_types=["installation"])
        waiting = make_order(agent, customer_a, device=device_a)
        client = _client(dispatcher)
        client.post(
            f"/dispatch/orders/{waiting.pk}/assign/",
            {"technician": installer.pk, "reason": "最近", "unit": waiting.unit_id, "day": DAY.isoformat()},
        )
        page = client.get("/dispatch/", {"day": DAY.isoformat(), "unit": waiting.unit_id}).content.decode()
        assert f'<option value="{installer.pk}" selected' in page and 'value="最近"' in page
        again = client.get("/dispatch/", {"day": DAY.isoformat(), "unit": waiting.unit_id}).content.decode()
        assert 'value="最近"' not in again  # once

        client.post(
            f"/dispatch/orders/{waiting.pk}/appointment/",
            {"technician": technician.pk, "date": DAY.isoformat(), "start": "10:30", "end": "11:30", "content": "检修"},
        )
        order_page = client.get(f"/work-orders/{waiting.pk}/").content.decode()
        assert 'value="10:30"' in order_page and 'value="检修"' in order_page
        assert f'<option value="{technician.pk}" selected' in order_page


def test_the_board_opens_on_the_users_own_unit_when_orders_wait_there(
    org: Any, category: Any, agent: Any, customer_a: Any
) -> None:
    station = make_user(Role.STATION, org.station_a, username="xh_staff")
    make_profile(
        station, make_user(Role.TECHNICIAN, org.station_a, username="xh_tech"), category, lat="30.2", lon="120.1"
    )
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    # Nothing waits at the centre, which has no technicians: the station's board.
    assert services.unit_for_plans(centre_dispatcher, None) == org.station_a
    from customers.services import customer_create

    customer = customer_create(
        acting_user=None, name="赵六", phone="13900000099", address="浙江省杭州市上城区解放路9号"
    )
    order = make_order(agent, customer)
    assert order.unit == org.centre
    assert services.unit_for_plans(centre_dispatcher, None) == org.centre


def test_an_hour_axis_of_visits_outside_every_shift_still_shows_them() -> None:
    axis = gantt.axis_for([(9 * 60, 17 * 60), (18 * 60 + 15, 19 * 60)])
    assert axis.end == 19 * 60 and axis.pct(18 * 60 + 15) < 100
    assert datetime.time(0).hour == 0
