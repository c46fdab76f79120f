"""The route planner end to end with the real solver: propose, edit, approve, apply."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import Role
from core.testing import make_user
from dispatch import services
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, PlanStatus
from dispatch.models import Appointment
from workorders.choices import Status
from workorders.services import workorder_transition

from .conftest import DAY, at, before_day, make_order, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def station_team(org: Any, station_a_user: Any, category: Any) -> list[Any]:
    """Two technicians of station A (西湖), homes a few kilometres apart."""
    team = []
    for name, lat, lon in (("xh_tech1", "30.259463", "120.130194"), ("xh_tech2", "30.290000", "120.100000")):
        user = make_user(Role.TECHNICIAN, org.station_a, username=name)
        make_profile(station_a_user, user, category, lat=lat, lon=lon, service_types=["repair", "maintenance"])
        team.append(user)
    return team


@pytest.fixture
def field_orders(agent: Any, customer_a: Any, device_a: Any) -> list[Any]:
    """Five repairs and one installation (nobody has that skill) in 西湖区."""
    orders = [make_order(agent, customer_a, device=device_a) for _ in range(5)]
    orders.append(make_order(agent, customer_a, device=device_a, service_type="installation"))
    return orders


def _propose(user: Any, org: Any) -> Any:
    with before_day():
        return services.plan_propose(acting_user=user, unit=org.station_a, day=DAY, time_limit=1.0)


def test_propose_plans_what_fits_and_reports_what_cannot(org, station_a_user, station_team, field_orders):
    started = time.perf_counter()
    plan = _propose(station_a_user, org)
    took = time.perf_counter() - started

    assert took < 5  # the solver's limit is 1 s; the rest is the database
    assert plan.status == PlanStatus.PROPOSED
    planned = set(plan.visits.values_list("order_id", flat=True))
    assert planned == {o.pk for o in field_orders[:5]}
    assert plan.dropped == [
        {
            "order": field_orders[5].pk,
            "number": field_orders[5].number,
            "reasons": [
                {
                    "code": "no_skill",
                    "detail": "svc:installation",
                    "text": "no technician on shift has the skill “Installation & commissioning”",
                }
            ],
        }
    ]
    assert plan.summary["status"] in {"optimal", "feasible", "timed_out"}
    assert plan.summary["solve_seconds"] <= 1.5
    for visit in plan.visits.all():
        assert at(9) <= visit.start_at and visit.finish_at <= at(18)
        assert visit.technician_id in {u.pk for u in station_team}


def test_a_booked_appointment_keeps_its_window_and_technician(org, station_a_user, station_team, field_orders):
    booked = services.appointment_book(
        acting_user=station_a_user,
        order=field_orders[0],
        technician=station_team[1],
        window_start=at(14),
        window_end=at(15),
    )
    plan = _propose(station_a_user, org)
    visit = plan.visits.get(order=field_orders[0])
    assert visit.technician_id == station_team[1].pk
    assert at(14) <= visit.start_at <= at(15)
    assert booked.pk == plan.summary["jobs"][str(field_orders[0].pk)]["appointment"]


def test_approved_plan_applies_every_visit_once(org, director, station_a_user, station_team, field_orders):
    plan = _propose(station_a_user, org)
    with pytest.raises(ValidationError):
        services.plan_apply(acting_user=station_a_user, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(acting_user=station_a_user, plan=plan)

    plan = services.plan_approve(acting_user=director, plan=plan, expected_version=plan.version)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == director
    plan = services.plan_apply(acting_user=station_a_user, plan=plan)

    assert plan.status == PlanStatus.APPLIED
    for visit in plan.visits.select_related("order"):
        order = visit.order
        order.refresh_from_db()
        assert order.status == Status.SCHEDULED
        assert order.technician_id == visit.technician_id
        assert order.appointment_at == visit.start_at
    appointments = Appointment.objects.filter(status__in=ACTIVE_APPOINTMENT_STATUSES).count()
    assert appointments == 5

    again = services.plan_apply(acting_user=station_a_user, plan=plan)
    assert again.status == PlanStatus.APPLIED
    assert Appointment.objects.count() == 5


def test_apply_is_all_or_nothing(org, agent, director, station_a_user, station_team, field_orders):
    plan = _propose(station_a_user, org)
    plan = services.plan_approve(acting_user=director, plan=plan)
    last = plan.visits.order_by("-start_at").first().order
    workorder_transition(order=last, action="cancel", acting_user=agent, data={"reason": "客户取消"})

    with pytest.raises(ValidationError) as error:
        services.plan_apply(acting_user=station_a_user, plan=plan)

    assert error.value.message_dict["visits"][0].startswith(last.number)
    assert Appointment.objects.count() == 0
    assert not type(last).objects.filter(pk__in=[o.pk for o in field_orders], technician__isnull=False).exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_edit_moves_and_drops_visits_and_rechecks_the_rules(org, station_a_user, station_team, field_orders):
    plan = _propose(station_a_user, org)
    visit = plan.visits.order_by("id").first()
    other = next(u for u in station_team if u.pk != visit.technician_id)

    plan = services.plan_visit_move(
        acting_user=station_a_user, plan=plan, order_id=visit.order_id, technician_id=other.pk, position=1
    )
    moved = plan.visits.get(order_id=visit.order_id)
    assert moved.technician_id == other.pk and moved.sequence == 1
    assert plan.version == 2

    plan = services.plan_visit_drop(acting_user=station_a_user, plan=plan, order_id=visit.order_id, reason="客户改期")
    assert not plan.visits.filter(order_id=visit.order_id).exists()
    assert plan.dropped[-1]["reasons"] == [{"code": "manual", "detail": "客户改期", "text": "客户改期"}]

    # The installation needs a skill nobody has: moving it into a route breaks a rule.
    with pytest.raises(ValidationError) as error:
        services.plan_visit_move(
            acting_user=station_a_user, plan=plan, order_id=field_orders[5].pk, technician_id=other.pk, position=1
        )
    assert "lacks skills" in error.value.message_dict["visits"][0]


def test_rejected_plan_cannot_be_approved(org, director, station_a_user, station_team, field_orders):
    plan = _propose(station_a_user, org)
    with pytest.raises(ValidationError):
        services.plan_reject(acting_user=station_a_user, plan=plan, reason="")
    plan = services.plan_reject(acting_user=station_a_user, plan=plan, reason="明天再排")
    assert plan.status == PlanStatus.REJECTED
    with pytest.raises(ValidationError):
        services.plan_approve(acting_user=director, plan=plan)


def test_a_station_cannot_plan_for_another_station(org, station_b_user):
    with pytest.raises(ValidationError) as error:
        _propose(station_b_user, org)
    assert error.value.message_dict == {"unit": ["Unknown unit."]}
