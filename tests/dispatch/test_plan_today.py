"""A route plan for today starts from now and says what it changes (issue 18, point 4).

The clock is frozen on DAY: data is made in the morning, the plan at 14:40. A plan made then must
not propose visits before 14:40 plus the drive from where each technician is; visits already in
progress stay with their technician; every change against the current assignment is listed with
before and after; the page says who may approve; a day that has passed is refused."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.choices import Role
from core.testing import make_user
from dispatch import services
from dispatch.choices import PlanChangeKind
from dispatch.models import DispatchPlan
from dispatch.optimizer import ROAD_FACTOR, haversine_km
from dispatch.policies import Slot, plan_changes
from dispatch.selectors import order_location, plan_approvers, plan_change_rows
from fieldwork.services import fieldwork_check_in

from ..conftest import logged_in_client, speak_english, token_client
from .conftest import DAY, at, make_order, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = at(14, 40)
SPEED_KMH = 30.0  # optimizer.Technician's default
XIAOSHAN = (Decimal("30.162932"), Decimal("120.270693"))  # about 16 km from 西湖区
ONE_MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clock() -> Iterator[Any]:
    """DAY, 08:00, standing still; a test moves it on (``clock.move_to``). Requested before every
    other fixture (``usefixtures``), so the orders are made that morning."""
    with time_machine.travel(at(8), tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(org: Any, station_a_user: Any, category: Any) -> list[Any]:
    """Two technicians of station A (西湖), homes a few kilometres from the customers, on the standard hours."""
    users = []
    for name, lat, lon in (("xh_tech1", "30.210000", "120.210000"), ("xh_tech2", "30.290000", "120.100000")):
        user = make_user(Role.TECHNICIAN, org.station_a, username=name)
        make_profile(station_a_user, user, category, lat=lat, lon=lon, service_types=["repair", "maintenance"])
        users.append(user)
    return users


def _propose(user: Any, org: Any, day: datetime.date = DAY) -> DispatchPlan:
    return services.plan_propose(acting_user=user, unit=org.station_a, day=day, time_limit=0.5)


def _drive(km: Decimal | float) -> datetime.timedelta:
    return datetime.timedelta(minutes=float(km) / SPEED_KMH * 60)


def test_a_plan_made_at_1440_starts_no_visit_before_1440_plus_the_drive(
    clock, org, station_a_user, team, agent, customer_a, device_a
):
    orders = [make_order(agent, customer_a, device=device_a) for _ in range(3)]
    clock.move_to(NOW)

    plan = _propose(station_a_user, org)

    visits = list(plan.visits.order_by("technician_id", "sequence"))
    assert {v.order_id for v in visits} == {o.pk for o in orders}
    for visit in visits:
        assert visit.start_at >= NOW, f"{visit.order_id} starts at {visit.start_at:%H:%M}, before 14:40"
        if visit.sequence == 1:  # left from home base at 14:40 at the earliest
            assert visit.travel_km > 0
            assert visit.arrival_at >= NOW + _drive(visit.travel_km) - ONE_MINUTE
    for technician in plan.summary["technicians"].values():
        assert technician["shift_start"] == 14 * 60 + 40 and technician["from"] == {"kind": "home"}
    assert plan.summary["opens"] == 14 * 60 + 40

    # An edit re-times the routes from the same start: moving a visit first does not bring it forward.
    visit = visits[-1]
    other = next(u for u in team if u.pk != visit.technician_id)
    plan = services.plan_visit_move(
        acting_user=station_a_user, plan=plan, order_id=visit.order_id, technician_id=other.pk, position=1
    )
    assert min(v.start_at for v in plan.visits.all()) >= NOW
    moved = plan.visits.get(order_id=visit.order_id)
    assert moved.arrival_at >= NOW + _drive(moved.travel_km) - ONE_MINUTE


def test_the_start_is_rounded_up_to_five_minutes(clock, org, station_a_user, team, agent, customer_a, device_a):
    make_order(agent, customer_a, device=device_a)
    clock.move_to(at(14, 41))

    plan = _propose(station_a_user, org)

    assert plan.summary["opens"] == 14 * 60 + 45
    assert min(v.start_at for v in plan.visits.all()) >= at(14, 45)


def test_a_technician_on_site_sets_off_from_there_after_the_visit_in_progress(
    clock, org, station_a_user, team, agent, customer_a, device_a
):
    on_site = make_order(agent, customer_a, device=device_a)
    services.appointment_book(
        acting_user=station_a_user, order=on_site, technician=team[0], window_start=at(14), window_end=at(15)
    )
    next_visit = make_order(agent, customer_a, device=device_a)
    services.appointment_book(
        acting_user=station_a_user, order=next_visit, technician=team[0], window_start=at(15), window_end=at(17)
    )
    clock.move_to(at(14, 5))
    fieldwork_check_in(order=on_site, acting_user=team[0], lat=XIAOSHAN[0], lon=XIAOSHAN[1])
    clock.move_to(NOW)

    plan = _propose(station_a_user, org)

    # The visit in progress is not planned again, nor reported as left out.
    assert not plan.visits.filter(order=on_site).exists()
    assert on_site.pk not in {item["order"] for item in plan.dropped}
    assert str(on_site.pk) not in plan.summary["jobs"]
    busy = plan.summary["technicians"][str(team[0].pk)]
    assert busy["home"] == [float(XIAOSHAN[0]), float(XIAOSHAN[1])]
    assert busy["shift_start"] == 15 * 60 + 5  # arrived 14:05, the booked visit takes 60 minutes
    assert busy["from"] == {"kind": "visit", "order": on_site.number, "at": "14:05"}
    assert busy["capacity"] == 5  # one of the six visits of the day is this one
    # The next booked visit (15:00–17:00) starts once the technician has finished and driven over.
    location = order_location(next_visit)
    assert location is not None
    drive = _drive(haversine_km((float(XIAOSHAN[0]), float(XIAOSHAN[1])), location) * ROAD_FACTOR)
    assert drive > datetime.timedelta(minutes=20)
    visit = plan.visits.get(order=next_visit)
    assert visit.technician_id == team[0].pk and visit.sequence == 1
    assert visit.start_at >= at(15, 5) + drive - ONE_MINUTE


def test_the_change_list_names_the_moved_order_and_both_technicians(
    clock, org, station_a_user, director, team, agent, customer_a, device_a
):
    first, second = team
    services.shift_override_set(
        acting_user=station_a_user,
        profile=first.technician,
        day=DAY,
        starts_at=datetime.time(9),
        ends_at=datetime.time(14),
    )
    moved = make_order(agent, customer_a, device=device_a)
    services.dispatch_assign(acting_user=station_a_user, order=moved, technician=first)
    new = make_order(agent, customer_a, device=device_a)
    clock.move_to(NOW)

    plan = _propose(station_a_user, org)

    assert plan.summary["shift_over"] == ["xh_tech1"]  # the shift ended at 14:00
    rows = {row.order.pk: row for row in plan_change_rows(plan)}
    assert set(rows) == {moved.pk, new.pk}
    change = rows[moved.pk]
    assert change.change.kind == PlanChangeKind.MOVED
    assert (change.before_technician, change.after_technician) == ("xh_tech1", "xh_tech2")
    assert change.change.before.technician_id == first.pk and change.change.after.technician_id == second.pk
    visit = plan.visits.get(order=moved)
    assert (
        change.after_when
        == f"{visit.start_at.astimezone(NOW.tzinfo):%H:%M}–{visit.finish_at.astimezone(NOW.tzinfo):%H:%M}"
    )
    assert rows[new.pk].change.kind == PlanChangeKind.ASSIGNED and rows[new.pk].before_technician == ""

    page = logged_in_client(speak_english(director)).get(f"/dispatch/plans/{plan.pk}/").content.decode()
    changes = page[page.index('id="plan-changes"') :]
    item = changes[changes.index(f'data-order="{moved.number}"') :].split("</li>")[0]
    assert 'data-kind="moved"' in changes and "Moved to another technician" in item
    assert "xh_tech1" in item and "xh_tech2" in item
    assert "Changes to the current assignment (2)" in page
    assert "Planned at 14:40 for today: no visit starts before 14:40" in page


def test_a_booked_window_that_is_over_is_left_out_and_listed_as_a_change(
    clock, org, station_a_user, team, agent, customer_a, device_a
):
    missed = make_order(agent, customer_a, device=device_a)
    services.appointment_book(
        acting_user=station_a_user, order=missed, technician=team[0], window_start=at(9), window_end=at(10)
    )
    clock.move_to(NOW)

    plan = _propose(station_a_user, org)

    assert plan.dropped == [
        {
            "order": missed.pk,
            "number": missed.number,
            "reasons": [
                {
                    "code": "window_passed",
                    "detail": "09:00–10:00",
                    "text": "the booked window 09:00–10:00 has already passed",
                }
            ],
        }
    ]
    (row,) = plan_change_rows(plan)
    assert row.change.kind == PlanChangeKind.DROPPED
    assert (row.before_technician, row.before_when, row.after_when) == ("xh_tech1", "09:00–10:00", "")


def test_a_plan_for_a_day_that_has_passed_is_refused_on_day(clock, org, station_a_user, team, agent, customer_a):
    clock.move_to(NOW)
    yesterday = DAY - datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        _propose(station_a_user, org, day=yesterday)

    assert error.value.message_dict == {"day": ["2026-12-14 has passed: plan today or a later day."]}
    assert [e.code for e in error.value.error_dict["day"]] == ["past_day"]
    assert not DispatchPlan.objects.exists()

    api = token_client(speak_english(station_a_user))
    response = api.post(
        "/api/v1/dispatch/plans", {"day": yesterday.isoformat(), "time_limit": 0.5}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "2026-12-14 has passed: plan today or a later day.",
        "code": "validation_error",
        "errors": [{"field": "day", "message": "2026-12-14 has passed: plan today or a later day."}],
    }

    console = logged_in_client(station_a_user)
    refused = console.post("/dispatch/plans/propose/", {"day": yesterday.isoformat()}, follow=True)
    assert refused.status_code == 200
    assert "2026-12-14 has passed: plan today or a later day." in refused.content.decode()
    assert 'id="propose-plan"' not in refused.content.decode()  # the board of a past day offers no plan
    assert not DispatchPlan.objects.exists()


def test_the_plan_page_says_who_may_approve(clock, org, station_a_user, director, team, agent, customer_a, device_a):
    make_order(agent, customer_a, device=device_a)
    other_station_director = make_user(Role.DIRECTOR, org.station_b, username="director_b")
    centre_director = make_user(Role.DIRECTOR, org.centre, username="director_centre", full_name="中心主任")
    clock.move_to(NOW)
    plan = _propose(station_a_user, org)

    approvers = plan_approvers(plan)

    assert approvers.roles == ["Service director"]
    assert {u.username for u in approvers.users} == {director.username, centre_director.username}
    assert other_station_director not in approvers.users and station_a_user not in approvers.users
    page = logged_in_client(speak_english(station_a_user)).get(f"/dispatch/plans/{plan.pk}/").content.decode()
    box = page[page.index('id="plan-approvers"') :].split("</div>")[0]
    assert "Who may approve" in box and "中心主任" in box and director.username in box
    assert "director_b" not in box and "Service director" in box
    assert 'id="approve-plan"' not in page  # the station itself may not


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        pytest.param(Slot(None), Slot(2, at(15), at(16)), PlanChangeKind.ASSIGNED, id="newly-assigned"),
        pytest.param(Slot(1), Slot(2, at(15), at(16)), PlanChangeKind.MOVED, id="moved"),
        pytest.param(Slot(1, at(14), at(15)), Slot(1, at(14, 30), at(15, 30)), None, id="within-the-window"),
        pytest.param(Slot(1, at(14), at(15)), Slot(1, at(15, 10), at(16, 10)), PlanChangeKind.RETIMED, id="later"),
        pytest.param(Slot(1), Slot(1, at(15), at(16)), PlanChangeKind.RETIMED, id="time-set"),
        pytest.param(Slot(1, at(9), at(10)), None, PlanChangeKind.DROPPED, id="left-out"),
        pytest.param(Slot(None), None, None, id="unassigned-stays-unassigned"),
    ],
)
def test_plan_changes_compares_each_order_with_its_current_assignment(before, after, kind):
    changes = plan_changes(current={7: before}, planned={7: after} if after else {})
    assert [change.kind for change in changes] == ([kind] if kind else [])
