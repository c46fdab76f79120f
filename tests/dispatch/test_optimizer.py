"""The route optimiser core on generated data: hard rules kept, what cannot fit dropped with its reason."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.optimizer import (
    DropCode,
    Job,
    Plan,
    PlanRequest,
    PlanStatus,
    Technician,
    plan_routes,
    plan_violations,
    schedule_route,
)

SKILLS = ["aircon", "fridge", "washer"]
HOUR = 60


def generated_request(seed: int, *, jobs: int = 30, technicians: int = 4, seconds: float = 0.6) -> PlanRequest:
    """A city day on a 20 km × 20 km plane: morning/afternoon windows, one skill per job, two per technician,
    shifts of 8:00–17:00 or 9:00–18:00, capacities of 4–7 jobs, some demands of 2, some deadlines."""
    rng = random.Random(seed)
    techs = [
        Technician(
            id=f"T{k}",
            home=(rng.uniform(0, 20), rng.uniform(0, 20)),
            shift_start=rng.choice([8, 9]) * HOUR,
            shift_end=rng.choice([17, 18]) * HOUR,
            skills=frozenset(rng.sample(SKILLS, 2)),
            capacity=rng.randint(4, 7),
            speed_kmh=rng.choice([25.0, 35.0]),
        )
        for k in range(technicians)
    ]
    generated = []
    for k in range(jobs):
        start = rng.choice([8, 9, 10, 13, 14]) * HOUR
        generated.append(
            Job(
                id=f"J{k}",
                location=(rng.uniform(0, 20), rng.uniform(0, 20)),
                service_minutes=rng.choice([30, 45, 60, 90]),
                window_start=start,
                window_end=start + rng.choice([60, 120, 180]),
                skills=frozenset([rng.choice(SKILLS)]),
                demand=rng.choice([1, 1, 1, 2]),
                priority=rng.choice([1, 1, 2]),
                deadline=start + 150 if k % 4 == 0 else None,
            )
        )
    return PlanRequest(jobs=generated, technicians=techs, time_limit_seconds=seconds, seed=seed, planar=True)


def reasons(plan: Plan, job_id: str) -> list[tuple[DropCode, str]]:
    dropped = {d.job_id: d for d in plan.dropped}
    return [(r.code, r.detail) for r in dropped[job_id].reasons]


@pytest.fixture(scope="module")
def generated_plans() -> list[tuple[PlanRequest, Plan]]:
    requests = [generated_request(seed) for seed in (1, 2, 3)]
    return [(request, plan_routes(request)) for request in requests]


def test_generated_plans_pass_the_independent_check(generated_plans):
    for request, plan in generated_plans:
        assert plan_violations(request, plan) == []
        assert len(plan.planned_job_ids) + len(plan.dropped) == len(request.jobs)
        assert plan.planned_job_ids  # the check is not vacuous


def test_generated_plans_start_every_visit_within_its_window(generated_plans):
    for request, plan in generated_plans:
        jobs = {job.id: job for job in request.jobs}
        for route in plan.routes:
            for visit in route.visits:
                job = jobs[visit.job_id]
                assert job.window_start <= visit.start <= job.window_end
                assert visit.arrival <= visit.start
                assert visit.finish == pytest.approx(visit.start + job.service_minutes, abs=0.02)


def test_generated_plans_give_jobs_only_to_technicians_with_the_skill(generated_plans):
    for request, plan in generated_plans:
        jobs = {job.id: job for job in request.jobs}
        techs = {tech.id: tech for tech in request.technicians}
        for route in plan.routes:
            for visit in route.visits:
                assert jobs[visit.job_id].skills <= techs[route.technician_id].skills


def test_generated_plans_keep_technicians_within_their_shift(generated_plans):
    for request, plan in generated_plans:
        techs = {tech.id: tech for tech in request.technicians}
        for route in plan.routes:
            if route.visits:
                tech = techs[route.technician_id]
                assert route.depart is not None and route.return_ is not None
                assert tech.shift_start <= route.depart
                assert route.return_ <= tech.shift_end
                for before, after in zip(route.visits, route.visits[1:], strict=False):
                    assert before.finish <= after.arrival


def test_generated_plans_keep_loads_within_capacity(generated_plans):
    for request, plan in generated_plans:
        jobs = {job.id: job for job in request.jobs}
        techs = {tech.id: tech for tech in request.technicians}
        for route in plan.routes:
            assert route.load == sum(jobs[v.job_id].demand for v in route.visits)
            assert route.load <= techs[route.technician_id].capacity


def test_generated_plans_drop_only_with_a_reason(generated_plans):
    for _request, plan in generated_plans:
        for dropped in plan.dropped:
            assert dropped.reasons
            assert all(reason.text for reason in dropped.reasons)


TECH = Technician(id="wang", home=(0.0, 0.0), shift_start=8 * HOUR, shift_end=17 * HOUR, skills=frozenset({"aircon"}))


def plan_of(jobs: list[Job], techs: list[Technician] | None = None, **options) -> Plan:
    request = PlanRequest(jobs=jobs, technicians=techs or [TECH], planar=True, time_limit_seconds=0.5, **options)
    plan = plan_routes(request)
    assert plan_violations(request, plan) == []
    return plan


def test_a_job_needing_a_skill_nobody_has_is_dropped_naming_the_skill():
    plan = plan_of([Job(id="lift", location=(1, 1), skills=frozenset({"elevator"})), Job(id="ac", location=(2, 2))])

    assert reasons(plan, "lift") == [(DropCode.NO_SKILL, "elevator")]
    assert plan.dropped[0].reasons[0].text == "no technician has skill elevator"
    assert plan.planned_job_ids == ["ac"]


def test_a_job_whose_window_is_outside_every_shift_is_dropped():
    plan = plan_of([Job(id="night", location=(1, 1), window_start=20 * HOUR, window_end=22 * HOUR)])

    assert reasons(plan, "night") == [(DropCode.OUTSIDE_SHIFTS, "")]


def test_a_job_larger_than_every_capacity_is_dropped_for_capacity():
    plan = plan_of([Job(id="big", location=(1, 1), demand=9)])

    assert reasons(plan, "big") == [(DropCode.CAPACITY, "")]


def test_jobs_beyond_the_capacity_are_dropped_for_capacity():
    small = Technician(id="li", home=(0, 0), shift_start=8 * HOUR, shift_end=17 * HOUR, capacity=3)
    jobs = [Job(id=f"J{k}", location=(1, k), service_minutes=20) for k in range(5)]

    plan = plan_of(jobs, [small])

    assert len(plan.route_of("li").visits) == 3
    assert len(plan.dropped) == 2
    assert all(reasons(plan, d.job_id) == [(DropCode.CAPACITY, "")] for d in plan.dropped)


def test_a_job_too_far_to_reach_and_come_back_within_the_shift_is_dropped_for_time():
    # 400 km away at 30 km/h: more than the nine-hour shift there and back.
    plan = plan_of([Job(id="far", location=(400, 0), service_minutes=30)])

    assert reasons(plan, "far") == [(DropCode.NOT_ENOUGH_TIME, "")]


def test_two_jobs_in_the_same_narrow_window_far_apart_leave_one_for_lack_of_time():
    jobs = [
        Job(id="east", location=(10, 0), window_start=9 * HOUR, window_end=9 * HOUR + 10, service_minutes=60),
        Job(id="west", location=(-10, 0), window_start=9 * HOUR, window_end=9 * HOUR + 10, service_minutes=60),
    ]

    plan = plan_of(jobs)

    assert len(plan.planned_job_ids) == 1
    dropped = next(d.job_id for d in plan.dropped)
    assert reasons(plan, dropped) == [(DropCode.NOT_ENOUGH_TIME, "")]


def test_a_job_goes_to_the_technician_with_its_skill_even_if_another_is_next_door():
    near = Technician(id="near", home=(1, 1), shift_start=8 * HOUR, shift_end=17 * HOUR, skills=frozenset({"tv"}))
    far = Technician(id="far", home=(15, 15), shift_start=8 * HOUR, shift_end=17 * HOUR, skills=frozenset({"fridge"}))

    plan = plan_of([Job(id="fridge", location=(1, 2), skills=frozenset({"fridge"}))], [near, far])

    assert [v.job_id for v in plan.route_of("far").visits] == ["fridge"]
    assert plan.route_of("near").visits == []


def test_windows_decide_the_order_of_visits():
    jobs = [
        Job(id="near-afternoon", location=(1, 0), window_start=14 * HOUR, window_end=15 * HOUR, service_minutes=30),
        Job(id="far-morning", location=(5, 0), window_start=8 * HOUR, window_end=9 * HOUR, service_minutes=30),
    ]

    plan = plan_of(jobs)

    visits = plan.route_of("wang").visits
    assert [v.job_id for v in visits] == ["far-morning", "near-afternoon"]
    assert visits[1].start == 14 * HOUR


def test_the_technician_leaves_home_late_enough_not_to_wait_at_the_first_visit():
    plan = plan_of([Job(id="ten", location=(5, 0), window_start=10 * HOUR, window_end=11 * HOUR)])

    route = plan.route_of("wang")
    assert route.visits[0].arrival == route.visits[0].start == 10 * HOUR
    # 5 km × 1.3 road factor at 30 km/h = 13 minutes.
    assert route.depart == pytest.approx(10 * HOUR - 13, abs=0.02)
    assert route.travel_km == pytest.approx(13.0)


def test_a_missed_deadline_is_soft_and_reported_as_lateness():
    # Opening at 10:00 and needing 2 hours, it cannot be finished by the 11:00 deadline: planned, 60 min late.
    plan = plan_of(
        [
            Job(
                id="sla",
                location=(1, 0),
                window_start=10 * HOUR,
                window_end=12 * HOUR,
                service_minutes=120,
                deadline=11 * HOUR,
            )
        ]
    )

    visit = plan.route_of("wang").visits[0]
    assert visit.start == 10 * HOUR
    assert visit.late_minutes == pytest.approx(60)
    assert plan.lateness_minutes == pytest.approx(60)


def test_the_job_with_a_deadline_is_served_first_when_both_cannot_be_on_time():
    jobs = [
        Job(id="plain", location=(2, 0), window_start=9 * HOUR, window_end=12 * HOUR, service_minutes=60),
        Job(
            id="urgent",
            location=(2, 1),
            window_start=9 * HOUR,
            window_end=12 * HOUR,
            service_minutes=60,
            deadline=10 * HOUR + 15,
        ),
    ]

    plan = plan_of(jobs)

    assert [v.job_id for v in plan.route_of("wang").visits] == ["urgent", "plain"]
    assert plan.lateness_minutes == 0


def test_when_only_one_of_two_jobs_fits_the_higher_priority_one_is_kept():
    jobs = [
        Job(id="routine", location=(3, 0), window_start=9 * HOUR, window_end=9 * HOUR, priority=1),
        Job(id="vip", location=(-3, 0), window_start=9 * HOUR, window_end=9 * HOUR, priority=3),
        Job(id="filler", location=(0, 4), window_start=8 * HOUR, window_end=16 * HOUR),
    ]

    plan = plan_of(jobs)

    assert "vip" in plan.planned_job_ids
    assert [d.job_id for d in plan.dropped] == ["routine"]


def test_a_given_travel_matrix_replaces_the_distance_function():
    jobs = [Job(id="a", location=(0, 0)), Job(id="b", location=(0, 0))]
    # homes first, then jobs: the technician's home is 2 km from a, 50 km from b; a–b 3 km.
    matrix = [[0, 2, 50], [2, 0, 3], [50, 3, 0]]

    plan = plan_of(jobs, travel_km=matrix)

    assert plan.route_of("wang").travel_km == pytest.approx(2 + 3 + 50)


def test_latitude_longitude_distances_use_haversine_times_the_road_factor():
    tech = Technician(id="hz", home=(30.0, 120.0), shift_start=8 * HOUR, shift_end=17 * HOUR)
    request = PlanRequest(jobs=[Job(id="north", location=(30.1, 120.0))], technicians=[tech], time_limit_seconds=0.5)

    plan = plan_routes(request)

    # 0.1° of latitude ≈ 11.12 km each way, × 1.3.
    assert plan.travel_km == pytest.approx(2 * 11.12 * 1.3, rel=0.002)


def test_without_technicians_every_job_is_dropped_saying_so():
    plan = plan_routes(PlanRequest(jobs=[Job(id="a", location=(0, 0))], technicians=[], time_limit_seconds=0.5))

    assert reasons(plan, "a") == [(DropCode.NO_TECHNICIANS, "")]
    assert plan.routes == []


def test_a_single_job_goes_to_the_nearest_able_technician_and_is_optimal():
    techs = [
        Technician(id="far", home=(10, 0), shift_start=8 * HOUR, shift_end=17 * HOUR),
        Technician(id="near", home=(1, 0), shift_start=8 * HOUR, shift_end=17 * HOUR),
    ]

    plan = plan_of([Job(id="one", location=(0, 0))], techs)

    assert plan.status is PlanStatus.OPTIMAL
    assert [v.job_id for v in plan.route_of("near").visits] == ["one"]


def test_a_large_day_returns_within_the_time_limit_with_a_valid_plan():
    request = generated_request(7, jobs=150, technicians=12, seconds=1.0)
    request.stall_iterations = None  # search until the deadline

    started = time.perf_counter()
    plan = plan_routes(request)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0 + 0.5
    assert plan.status is PlanStatus.TIMED_OUT
    assert plan_violations(request, plan) == []
    assert len(plan.planned_job_ids) > 30


def test_the_same_seed_gives_the_same_plan():
    def run() -> list[tuple[str, list[str]]]:
        request = generated_request(5, jobs=15, technicians=3, seconds=2.0)
        request.stall_iterations = 300  # converges well before the limit, so the run is reproducible
        plan = plan_routes(request)
        assert plan.status is PlanStatus.FEASIBLE
        return [(r.technician_id, [v.job_id for v in r.visits]) for r in plan.routes]

    assert run() == run()


def test_a_technician_whose_shift_ends_before_it_starts_gets_nothing():
    upside_down = Technician(id="x", home=(0, 0), shift_start=17 * HOUR, shift_end=8 * HOUR)

    plan = plan_of([Job(id="a", location=(1, 0)), Job(id="b", location=(2, 0))], [upside_down])

    assert plan.route_of("x").visits == []
    assert [(d.job_id, [r.code for r in d.reasons]) for d in plan.dropped] == [
        ("a", [DropCode.OUTSIDE_SHIFTS]),
        ("b", [DropCode.OUTSIDE_SHIFTS]),
    ]


def test_negative_demand_or_speed_is_refused_when_built():
    with pytest.raises(ValueError, match="job a: service minutes and demand cannot be negative"):
        Job(id="a", location=(0, 0), demand=-1)
    with pytest.raises(ValueError, match="technician t: speed must be positive"):
        Technician(id="t", home=(0, 0), shift_start=0, shift_end=60, speed_kmh=0)


minutes = st.integers(min_value=6 * HOUR, max_value=20 * HOUR)
skill_sets = st.frozensets(st.sampled_from(SKILLS), max_size=2)


@st.composite
def small_days(draw) -> PlanRequest:
    """Any small day: windows of any length (even zero), empty or odd shifts, zero capacities, shared places."""
    places = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=5))
    techs = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(minutes)
        techs.append(
            Technician(
                id=f"T{k}",
                home=draw(st.sampled_from(places)),
                shift_start=start,
                shift_end=start + draw(st.integers(0, 10 * HOUR)),
                skills=draw(skill_sets),
                capacity=draw(st.integers(0, 4)),
                speed_kmh=draw(st.sampled_from([15.0, 30.0, 60.0])),
            )
        )
    jobs = []
    for k in range(draw(st.integers(0, 8))):
        start = draw(minutes)
        jobs.append(
            Job(
                id=f"J{k}",
                location=draw(st.sampled_from(places)),
                service_minutes=draw(st.sampled_from([0, 15, 60, 120])),
                window_start=start,
                window_end=start + draw(st.integers(-30, 4 * HOUR)),
                skills=draw(skill_sets),
                demand=draw(st.integers(0, 3)),
                priority=draw(st.integers(1, 3)),
                deadline=draw(st.none() | minutes),
            )
        )
    return PlanRequest(jobs=jobs, technicians=techs, planar=True, time_limit_seconds=0.3, stall_iterations=200)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_days())
def test_any_small_day_gets_a_plan_that_keeps_every_hard_rule(request):
    plan = plan_routes(request)

    assert plan_violations(request, plan) == []
    assert all(dropped.reasons for dropped in plan.dropped)
    assert plan.solve_seconds < 0.3 + 0.2


def test_a_job_needing_skills_that_exist_only_apart_is_dropped_without_naming_one():
    techs = [
        Technician(id="a", home=(0, 0), shift_start=8 * HOUR, shift_end=17 * HOUR, skills=frozenset({"aircon"})),
        Technician(id="f", home=(0, 0), shift_start=8 * HOUR, shift_end=17 * HOUR, skills=frozenset({"fridge"})),
    ]

    plan = plan_of([Job(id="both", location=(1, 1), skills=frozenset({"aircon", "fridge"}))], techs)

    assert reasons(plan, "both") == [(DropCode.NO_SKILL, "")]
    assert plan.dropped[0].reasons[0].text == "no technician has all the skills needed"


def test_an_edited_order_of_visits_is_timed_or_refused():
    jobs = [
        Job(id="morning", location=(5, 0), window_start=9 * HOUR, window_end=10 * HOUR, service_minutes=30),
        Job(id="noon", location=(5, 5), window_start=12 * HOUR, window_end=12 * HOUR + 30, service_minutes=30),
    ]
    request = PlanRequest(jobs=jobs, technicians=[TECH], planar=True)

    route = schedule_route(request, "wang", ["morning", "noon"])

    assert route is not None
    assert [(v.job_id, v.start) for v in route.visits] == [("morning", 9 * HOUR), ("noon", 12 * HOUR)]
    assert route.depart == pytest.approx(9 * HOUR - 13, abs=0.02)
    assert route.travel_km == pytest.approx(1.3 * (5 + 5 + 50**0.5), abs=0.01)
    assert schedule_route(request, "wang", ["noon", "morning"]) is None  # morning's window is long gone
