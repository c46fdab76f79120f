"""Route and schedule optimiser core (SPEC §7, issue 5 item 4): who visits which field order, in which order.

Pure and typed, no Django: the dispatch board (a service in this app) turns a unit's open field orders and its
technicians' shifts into a :class:`PlanRequest`, calls :func:`plan_routes` and shows the :class:`Plan` as a
proposal that a person accepts, edits or rejects. Nothing here writes anything.

Two layers:

* **The solver layer** (:class:`SolverProblem` → :func:`solve_routing` → :class:`SolverResult`): integer
  matrices, clients, vehicle types, handed to PyVRP's iterated local search under an absolute deadline. The
  Solomon benchmark (``benchmarks/dispatch.py`` through :mod:`dispatch.solomon`) calls exactly this function, so
  the benchmark's figures are the product's solver's figures.
* **The product layer** (:func:`plan_routes`): jobs and technicians in minutes and kilometres. Hard constraints
  are skills, shifts (leave home at or after the shift start, back home by its end), capacity (units of job
  demand, 1 per job by default, so a capacity is a maximum number of jobs) and appointment windows (the visit
  *starts* within the window — the Solomon convention). Every job is optional with a large dropping penalty
  (scaled by its priority), so the solver always has a feasible plan: it drops rather than violates. A job's
  ``deadline`` (the SLA's "finish by") is soft: the job gets alternative copies in a mutually exclusive group —
  on time, up to an hour late, later — each later copy paying :data:`LATE_PENALTY_KM_PER_HOUR` more, so travel
  and lateness are minimised together and lateness is reported in minutes. See docs/decisions/0012.

After the search the plan is checked by our own simulation (independent of PyVRP's), any violating visit is
removed, every dropped job that still fits somewhere is inserted greedily (the cheapest feasible position), and
each job left over gets its reasons: explicit pre-checks (nobody has the skill, the window lies outside every
shift, its demand exceeds every capacity, nobody can get there and back within the shift) and the post-solve
analysis (the technicians who could do it are full, or their day has no room left).

Reason codes are stable strings (:class:`DropCode`); the Django layer translates them (msgids in English).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType
from pyvrp import solve as pyvrp_solve
from pyvrp.constants import MAX_VALUE

# --- the solver layer (shared with the Solomon benchmark) --------------------------------------------------------

#: Matrix values for "cannot travel here" (a technician without the job's skill): far beyond any day, yet small
#: enough that PyVRP's penalty terms (up to 1e5 per unit of violation) cannot overflow.
BARRED_DISTANCE = 10**9
BARRED_DURATION = 30 * 86_400


@dataclass(frozen=True)
class SolverClient:
    """A visit in integer units: ``tw_late`` is the latest start of service (Solomon's due date)."""

    location: int
    demand: int = 0
    service: int = 0
    tw_early: int = 0
    tw_late: int = MAX_VALUE
    required: bool = True
    prize: int = 0
    group: int | None = None


@dataclass(frozen=True)
class SolverVehicleType:
    """``num_available`` identical vehicles starting and ending at depot ``depot`` within [tw_early, tw_late]."""

    num_available: int
    capacity: int
    depot: int
    tw_early: int = 0
    tw_late: int = MAX_VALUE
    profile: int = 0


@dataclass
class SolverProblem:
    """Locations 0..n-1 with their matrices per profile; depots and clients refer to locations by index."""

    distances: list[np.ndarray]
    durations: list[np.ndarray]
    depots: list[int]
    clients: list[SolverClient]
    vehicle_types: list[SolverVehicleType]
    groups: list[list[int]] = field(default_factory=list)  # mutually exclusive alternatives (client indices)
    coordinates: list[tuple[int, int]] | None = None


@dataclass(frozen=True)
class SolverRoute:
    vehicle_type: int
    clients: tuple[int, ...]
    distance: int


@dataclass(frozen=True)
class SolverResult:
    routes: list[SolverRoute]
    distance: int
    feasible: bool
    converged: bool  # stopped because the search stalled, not because of the deadline
    iterations: int
    seconds: float


class _Deadline:
    """PyVRP stopping criterion: an absolute wall-clock deadline, optionally also a stall count.

    PyVRP's own MaxRuntime starts its clock at the first call, after the initial local search; an absolute
    deadline also counts that, so the optimiser returns within its limit.
    """

    def __init__(self, deadline: float, stall_iterations: int | None) -> None:
        self.deadline = deadline
        self.stall_iterations = stall_iterations
        self.best: float | None = None
        self.stalled = 0
        self.converged = False

    def __call__(self, best_cost: float) -> bool:
        if time.perf_counter() >= self.deadline:
            return True
        if self.stall_iterations is None:
            return False
        if self.best is None or best_cost < self.best:
            self.best, self.stalled = best_cost, 0
        else:
            self.stalled += 1
        if self.stalled >= self.stall_iterations:
            self.converged = True
        return self.converged


def solver_data(problem: SolverProblem) -> ProblemData:
    """The PyVRP instance for a solver problem (depots as given, vehicle types keep their order)."""
    size = problem.distances[0].shape[0]
    coordinates = problem.coordinates or [(0, 0)] * size
    locations = [Location(x=x, y=y) for x, y in coordinates]
    clients = [
        Client(
            location=c.location,
            delivery=[c.demand],
            pickup=[0],
            service_duration=c.service,
            tw_early=c.tw_early,
            tw_late=c.tw_late,
            prize=c.prize,
            required=c.required,
            group=c.group,
        )
        for c in problem.clients
    ]
    depots = [Depot(location=location) for location in problem.depots]
    vehicle_types = [
        VehicleType(
            num_available=v.num_available,
            capacity=[v.capacity],
            start_depot=v.depot,
            end_depot=v.depot,
            tw_early=v.tw_early,
            tw_late=v.tw_late,
            profile=v.profile,
        )
        for v in problem.vehicle_types
    ]
    groups = [ClientGroup(members, required=False) for members in problem.groups]  # at most one member
    distances: list[Any] = [np.asarray(m, dtype=np.int64) for m in problem.distances]
    durations: list[Any] = [np.asarray(m, dtype=np.int64) for m in problem.durations]
    return ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=distances,
        duration_matrices=durations,
        groups=groups,
    )


def solve_routing(
    problem: SolverProblem, *, seconds: float, seed: int = 0, stall_iterations: int | None = None
) -> SolverResult:
    """Best routes PyVRP finds within ``seconds`` of wall clock (or earlier when ``stall_iterations``
    iterations in a row brought no improvement). Client indices in the routes refer to ``problem.clients``."""
    started = time.perf_counter()
    stop = _Deadline(started + max(0.0, seconds), stall_iterations)
    if not problem.clients or not problem.vehicle_types:
        return SolverResult(routes=[], distance=0, feasible=True, converged=True, iterations=0, seconds=0.0)
    data = solver_data(problem)
    result = pyvrp_solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    best = result.best
    routes = [
        SolverRoute(
            vehicle_type=route.vehicle_type(),
            clients=tuple(int(activity.idx) for activity in route if activity.is_client()),
            distance=int(route.distance()),
        )
        for route in best.routes()
    ]
    return SolverResult(
        routes=routes,
        distance=int(best.distance()),
        feasible=bool(best.is_feasible()),
        converged=stop.converged,
        iterations=int(result.num_iterations),
        seconds=time.perf_counter() - started,
    )


# --- the product layer ----------------------------------------------------------------------------------------

#: Dropping a job costs this many kilometres of travel (times its priority, at most
#: :data:`MAX_PRIORITY`): more than any detour in a city, so everything that fits is planned.
DROP_PENALTY_KM = 1_000
MAX_PRIORITY = 5
#: The solver's unit of distance for the product: 100 m. PyVRP penalises a violation (a second of lateness
#: past a window, a unit over capacity) by at most 1e5 cost units during its search, so the dropping penalty
#: (1,000 km × priority ≤ 5 = 50,000 units) must stay below that for capacity and windows to win.
COST_UNIT_METRES = 100
#: Each started hour past a job's deadline costs as much as this many kilometres of travel.
LATE_PENALTY_KM_PER_HOUR = 30
#: How many lateness tiers (copies) a job with a deadline gets: on time, ≤ 1 h late, ..., the rest of its window.
LATE_TIERS = 3
#: Kilometres by road per kilometre as the crow flies (a city's detour factor) for the default distance.
ROAD_FACTOR = 1.3
EARTH_RADIUS_KM = 6371.0088

Point = tuple[float, float]


class DropCode(StrEnum):
    NO_TECHNICIANS = "no_technicians"  # nobody is on shift
    NO_SKILL = "no_skill"  # detail: the skill nobody has (or "" when only the combination is missing)
    INVALID_WINDOW = "invalid_window"  # window ends before it starts
    OUTSIDE_SHIFTS = "outside_shifts"  # the window lies outside every able technician's shift
    CAPACITY = "capacity"  # demand over every capacity, or the able technicians are full
    NOT_ENOUGH_TIME = "not_enough_time"  # cannot get there and back in time, or no room left in their day


#: English texts of the reason codes (the Django layer passes them through gettext).
DROP_REASON_TEXTS: dict[DropCode, str] = {
    DropCode.NO_TECHNICIANS: "no technician is on shift",
    DropCode.NO_SKILL: "no technician has skill {detail}",
    DropCode.INVALID_WINDOW: "the appointment window ends before it starts",
    DropCode.OUTSIDE_SHIFTS: "the window is outside every shift",
    DropCode.CAPACITY: "capacity",
    DropCode.NOT_ENOUGH_TIME: "not enough time",
}


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"  # provably best: nothing or one job to place (enumerated exactly)
    FEASIBLE = "feasible"  # the search converged before the time limit
    TIMED_OUT = "timed_out"  # the time limit stopped the search: the best plan found by then


@dataclass(frozen=True)
class Job:
    """A field visit. Times are minutes from the day's start (the caller converts datetimes).

    The visit must *start* within [window_start, window_end] (hard). ``deadline`` (optional) is when the work
    should be finished (soft: lateness is penalised and reported). ``priority`` ≥ 1 multiplies the penalty for
    dropping the job.
    """

    id: str
    location: Point
    service_minutes: float = 60
    window_start: float = 0
    window_end: float = 24 * 60
    skills: frozenset[str] = frozenset()
    demand: int = 1
    priority: int = 1
    deadline: float | None = None

    def __post_init__(self) -> None:
        if self.service_minutes < 0 or self.demand < 0:
            raise ValueError(f"job {self.id}: service minutes and demand cannot be negative")


@dataclass(frozen=True)
class Technician:
    """Leaves ``home`` at or after ``shift_start``, is back by ``shift_end``; carries at most ``capacity`` units."""

    id: str
    home: Point
    shift_start: float
    shift_end: float
    skills: frozenset[str] = frozenset()
    capacity: int = 8
    speed_kmh: float = 30.0

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.capacity < 0:
            raise ValueError(f"technician {self.id}: speed must be positive and capacity not negative")


@dataclass
class PlanRequest:
    """What to plan. Locations are (lat, lon) by default (haversine × ``road_factor``); with
    ``planar=True`` they are (x, y) in kilometres (Euclidean × ``road_factor``). ``distance_km`` replaces
    the distance function; ``travel_km`` gives a full matrix instead, over the technicians' homes (in
    order) followed by the jobs (in order)."""

    jobs: Sequence[Job]
    technicians: Sequence[Technician]
    time_limit_seconds: float = 5.0
    seed: int = 0
    planar: bool = False
    road_factor: float = ROAD_FACTOR
    distance_km: Callable[[Point, Point], float] | None = None
    travel_km: Sequence[Sequence[float]] | None = None
    stall_iterations: int | None = 3_000


@dataclass(frozen=True)
class Visit:
    job_id: str
    arrival: float  # minutes from the day's start
    start: float
    finish: float
    travel_km: float  # from the previous stop
    late_minutes: float = 0.0  # finish past the job's deadline


@dataclass(frozen=True)
class TechnicianRoute:
    technician_id: str
    visits: list[Visit]
    depart: float | None  # leaves home (None: no visits)
    return_: float | None  # back home
    travel_km: float
    load: int


@dataclass(frozen=True)
class DropReason:
    code: DropCode
    detail: str = ""

    @property
    def text(self) -> str:
        if self.code is DropCode.NO_SKILL and not self.detail:
            return "no technician has all the skills needed"
        return DROP_REASON_TEXTS[self.code].format(detail=self.detail)


@dataclass(frozen=True)
class DroppedJob:
    job_id: str
    reasons: list[DropReason]


@dataclass(frozen=True)
class Plan:
    routes: list[TechnicianRoute]
    dropped: list[DroppedJob]
    travel_km: float
    lateness_minutes: float
    solve_seconds: float
    status: PlanStatus

    def route_of(self, technician_id: str) -> TechnicianRoute:
        return next(route for route in self.routes if route.technician_id == technician_id)

    @property
    def planned_job_ids(self) -> list[str]:
        return [visit.job_id for route in self.routes for visit in route.visits]


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _distance_matrix_km(request: PlanRequest, points: list[Point]) -> np.ndarray:
    size = len(points)
    if request.travel_km is not None:
        matrix = np.asarray(request.travel_km, dtype=float)
        if matrix.shape != (size, size):
            raise ValueError(f"travel_km must be {size}×{size} (technicians' homes, then jobs)")
        return matrix
    if request.distance_km is not None:
        fn = request.distance_km
        return np.array([[fn(a, b) if i != j else 0.0 for j, b in enumerate(points)] for i, a in enumerate(points)])
    coords = np.asarray(points, dtype=float).reshape(size, 2)
    if request.planar:
        diff = coords[:, None, :] - coords[None, :, :]
        return np.sqrt((diff**2).sum(axis=2)) * request.road_factor
    lat, lon = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))) * request.road_factor


def _seconds(minutes: float) -> int:
    return round(minutes * 60)


def _minutes(seconds: int) -> float:
    return round(seconds / 60, 2)


@dataclass
class _Stop:
    job: int
    arrival: int
    start: int
    finish: int


class _Instance:
    """The request in solver units (metres, seconds) with our own route simulation."""

    def __init__(self, request: PlanRequest) -> None:
        self.jobs = list(request.jobs)
        self.techs = list(request.technicians)
        self.n_techs = len(self.techs)
        points = [t.home for t in self.techs] + [j.location for j in self.jobs]
        km = _distance_matrix_km(request, points) if points else np.zeros((0, 0))
        self.metres = np.rint(km * 1000).astype(np.int64)
        np.fill_diagonal(self.metres, 0)
        self.durations: dict[float, np.ndarray] = {}
        for tech in self.techs:
            if tech.speed_kmh not in self.durations:
                metres_per_second = tech.speed_kmh * 1000 / 3600
                self.durations[tech.speed_kmh] = np.rint(self.metres / metres_per_second).astype(np.int64)

    def loc(self, job: int) -> int:
        return self.n_techs + job

    def has_skills(self, tech: int, job: int) -> bool:
        return self.jobs[job].skills <= self.techs[tech].skills

    def simulate(self, tech: int, sequence: Sequence[int]) -> list[_Stop] | None:
        """The schedule of ``sequence`` for technician ``tech`` (each visit as early as possible, leaving home
        just in time for the first); None when a window, the shift, a skill or the capacity is violated."""
        t = self.techs[tech]
        if sum(self.jobs[j].demand for j in sequence) > t.capacity:
            return None
        if not all(self.has_skills(tech, j) for j in sequence):
            return None
        stops = self._forward(tech, sequence, _seconds(t.shift_start))
        if stops is None:
            return None
        # Leave home just in time for the first visit (not at the shift start to wait at the door); every
        # visit still starts as early as travel and its window allow.
        if stops and stops[0].start > stops[0].arrival:
            return self._forward(tech, sequence, _seconds(t.shift_start) + stops[0].start - stops[0].arrival) or stops
        return stops

    def _forward(self, tech: int, sequence: Sequence[int], depart: int) -> list[_Stop] | None:
        t = self.techs[tech]
        durations = self.durations[t.speed_kmh]
        now, here, stops = depart, tech, []
        for j in sequence:
            job = self.jobs[j]
            arrival = now + int(durations[here, self.loc(j)])
            start = max(arrival, _seconds(job.window_start))
            if start > _seconds(job.window_end):
                return None
            now = start + _seconds(job.service_minutes)
            stops.append(_Stop(job=j, arrival=arrival, start=start, finish=now))
            here = self.loc(j)
        if sequence and now + int(durations[here, tech]) > _seconds(t.shift_end):
            return None
        return stops

    def route_metres(self, tech: int, sequence: Sequence[int]) -> int:
        path = [tech] + [self.loc(j) for j in sequence] + [tech]
        return int(sum(self.metres[a, b] for a, b in itertools.pairwise(path))) if sequence else 0

    def fits_alone(self, tech: int, job: int) -> DropCode | None:
        """Why ``job`` cannot be this technician's only visit (None: it can)."""
        t, j = self.techs[tech], self.jobs[job]
        if not self.has_skills(tech, job):
            return DropCode.NO_SKILL
        if (
            t.shift_end <= t.shift_start
            or j.window_end < t.shift_start
            or j.window_start + j.service_minutes > t.shift_end
        ):
            return DropCode.OUTSIDE_SHIFTS
        if j.demand > t.capacity:
            return DropCode.CAPACITY
        if self.simulate(tech, [job]) is None:
            return DropCode.NOT_ENOUGH_TIME
        return None


def _pre_check(inst: _Instance, job: int) -> list[DropReason]:
    """Reasons a job cannot be planned at all, whatever the others do (empty: it could be)."""
    j = inst.jobs[job]
    if j.window_end < j.window_start:
        return [DropReason(DropCode.INVALID_WINDOW)]
    if not inst.techs:
        return [DropReason(DropCode.NO_TECHNICIANS)]
    team_skills = frozenset().union(*(t.skills for t in inst.techs))
    missing = sorted(j.skills - team_skills)
    if missing:
        return [DropReason(DropCode.NO_SKILL, skill) for skill in missing]
    codes = [inst.fits_alone(tech, job) for tech in range(inst.n_techs)]
    if any(code is None for code in codes):
        return []
    if all(code is DropCode.NO_SKILL for code in codes):
        return [DropReason(DropCode.NO_SKILL, "")]  # each skill exists, nobody has them all
    order = [DropCode.OUTSIDE_SHIFTS, DropCode.CAPACITY, DropCode.NOT_ENOUGH_TIME]
    return [DropReason(code) for code in order if code in codes]


def _tiers(job: Job) -> list[tuple[int, int]]:
    """(latest start in seconds, extra penalty in metres) of each copy of the job: one without a deadline,
    else on time, up to an hour late, ..., the rest of the window (copies that cannot start are left out)."""
    window_start, window_end = _seconds(job.window_start), _seconds(job.window_end)
    if job.deadline is None:
        return [(window_end, 0)]
    on_time = _seconds(job.deadline - job.service_minutes)
    bounds = [on_time + hours * 3600 for hours in range(LATE_TIERS - 1)] + [window_end]
    tiers: list[tuple[int, int]] = []
    for hours, bound in enumerate(bounds):
        latest = min(bound, window_end)
        if latest < window_start or (tiers and latest <= tiers[-1][0]):
            continue
        tiers.append((latest, hours * LATE_PENALTY_KM_PER_HOUR * 1000))
        if latest >= window_end:
            break
    return tiers


def _solver_problem(inst: _Instance, plannable: list[int]) -> tuple[SolverProblem, list[int]]:
    """The PyVRP problem of the plannable jobs; returns it with the job index of each solver client."""
    techs = inst.techs
    profiles: dict[tuple[float, frozenset[int]], int] = {}
    distances: list[np.ndarray] = []
    durations: list[np.ndarray] = []
    vehicle_types = []
    for tech_index, tech in enumerate(techs):
        barred = frozenset(j for j in plannable if not inst.has_skills(tech_index, j))
        key = (tech.speed_kmh, barred)
        if key not in profiles:
            profiles[key] = len(distances)
            dist = np.rint(inst.metres / COST_UNIT_METRES).astype(np.int64)
            dur = inst.durations[tech.speed_kmh].copy()
            for j in barred:
                loc = inst.loc(j)
                dist[loc, :] = dist[:, loc] = BARRED_DISTANCE
                dur[loc, :] = dur[:, loc] = BARRED_DURATION
                dist[loc, loc] = dur[loc, loc] = 0
            distances.append(dist)
            durations.append(dur)
        vehicle_types.append(
            SolverVehicleType(
                num_available=1,
                capacity=tech.capacity,
                depot=tech_index,
                tw_early=_seconds(tech.shift_start),
                tw_late=max(_seconds(tech.shift_start), _seconds(tech.shift_end)),
                profile=profiles[key],
            )
        )
    clients: list[SolverClient] = []
    owner: list[int] = []
    groups: list[list[int]] = []
    for j in plannable:
        job = inst.jobs[j]
        prize = DROP_PENALTY_KM * 1000 // COST_UNIT_METRES * min(MAX_PRIORITY, max(1, job.priority))
        tiers = _tiers(job)
        members = []
        for latest, penalty in tiers:
            members.append(len(clients))
            clients.append(
                SolverClient(
                    location=inst.loc(j),
                    demand=job.demand,
                    service=_seconds(job.service_minutes),
                    tw_early=_seconds(job.window_start),
                    tw_late=latest,
                    required=False,
                    prize=prize - penalty // COST_UNIT_METRES,
                    group=len(groups) if len(tiers) > 1 else None,
                )
            )
            owner.append(j)
        if len(tiers) > 1:
            groups.append(members)
    problem = SolverProblem(
        distances=distances,
        durations=durations,
        depots=list(range(inst.n_techs)),
        clients=clients,
        vehicle_types=vehicle_types,
        groups=groups,
    )
    return problem, owner


def _late_seconds(job: Job, finish: int) -> int:
    return max(0, finish - _seconds(job.deadline)) if job.deadline is not None else 0


def _insertion_cost(inst: _Instance, tech: int, sequence: list[int], job: int) -> tuple[int, int] | None:
    """(cost in metres incl. lateness, position) of the cheapest feasible insertion, or None."""
    if not inst.has_skills(tech, job):
        return None
    if sum(inst.jobs[j].demand for j in sequence) + inst.jobs[job].demand > inst.techs[tech].capacity:
        return None
    best: tuple[int, int] | None = None
    base = inst.route_metres(tech, sequence)
    for position in range(len(sequence) + 1):
        candidate = sequence[:position] + [job] + sequence[position:]
        stops = inst.simulate(tech, candidate)
        if stops is None:
            continue
        late = sum(_late_seconds(inst.jobs[s.job], s.finish) for s in stops)
        cost = inst.route_metres(tech, candidate) - base + late * LATE_PENALTY_KM_PER_HOUR * 1000 // 3600
        if best is None or cost < best[0]:
            best = (cost, position)
    return best


def _repair_and_fill(inst: _Instance, routes: list[list[int]], candidates: list[int]) -> list[list[int]]:
    """Remove visits our simulation rejects, then insert every unplanned candidate that fits (cheapest first
    position, higher priority and earlier windows first)."""
    for tech, sequence in enumerate(routes):
        while sequence and inst.simulate(tech, sequence) is None:
            # Drop the visit whose removal leaves a feasible route cheapest; else the last one.
            options = [k for k in range(len(sequence)) if inst.simulate(tech, sequence[:k] + sequence[k + 1 :])]
            k = (
                min(options, key=lambda k: inst.route_metres(tech, sequence[:k] + sequence[k + 1 :]))
                if options
                else len(sequence) - 1
            )
            del sequence[k]
    planned = {j for sequence in routes for j in sequence}
    order = sorted(
        (j for j in candidates if j not in planned),
        key=lambda j: (-inst.jobs[j].priority, inst.jobs[j].window_end, j),
    )
    for j in order:
        best: tuple[int, int, int] | None = None
        for tech in range(inst.n_techs):
            found = _insertion_cost(inst, tech, routes[tech], j)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], tech, found[1])
        if best is not None:
            routes[best[1]].insert(best[2], j)
    return routes


def _post_reasons(inst: _Instance, routes: list[list[int]], job: int) -> list[DropReason]:
    """Why a job that could be planned alone was left out of this plan."""
    codes: set[DropCode] = set()
    for tech in range(inst.n_techs):
        if inst.fits_alone(tech, job) is not None:
            continue
        load = sum(inst.jobs[j].demand for j in routes[tech])
        if load + inst.jobs[job].demand > inst.techs[tech].capacity:
            codes.add(DropCode.CAPACITY)
        else:
            codes.add(DropCode.NOT_ENOUGH_TIME)
    order = [DropCode.CAPACITY, DropCode.NOT_ENOUGH_TIME]
    return [DropReason(code) for code in order if code in codes] or [DropReason(DropCode.NOT_ENOUGH_TIME)]


def plan_routes(request: PlanRequest) -> Plan:
    """Assign jobs to technicians and order their visits (see the module docstring for the rules).

    Returns within ``request.time_limit_seconds`` plus a small overhead (our checks and the greedy fill)
    with a plan that meets every hard constraint; what does not fit is in ``Plan.dropped`` with its reasons.
    """
    started = time.perf_counter()
    inst = _Instance(request)
    reasons: dict[int, list[DropReason]] = {}
    plannable: list[int] = []
    for j in range(len(inst.jobs)):
        found = _pre_check(inst, j)
        if found:
            reasons[j] = found
        else:
            plannable.append(j)

    routes: list[list[int]] = [[] for _ in inst.techs]
    if len(plannable) <= 1:
        status = PlanStatus.OPTIMAL  # the greedy fill below places one job at its cheapest spot: exact
    else:
        problem, owner = _solver_problem(inst, plannable)
        reserve = min(0.25, 0.1 * request.time_limit_seconds)
        budget = request.time_limit_seconds - (time.perf_counter() - started) - reserve
        result = solve_routing(problem, seconds=budget, seed=request.seed, stall_iterations=request.stall_iterations)
        for route in result.routes:
            routes[route.vehicle_type] = [owner[c] for c in route.clients]
        status = PlanStatus.FEASIBLE if result.converged else PlanStatus.TIMED_OUT
    routes = _repair_and_fill(inst, routes, plannable)
    planned = {j for sequence in routes for j in sequence}
    for j in plannable:
        if j not in planned:
            reasons[j] = _post_reasons(inst, routes, j)
    return _build_plan(inst, routes, reasons, status, time.perf_counter() - started)


def _technician_route(inst: _Instance, tech: int, stops: list[_Stop]) -> TechnicianRoute:
    visits, here = [], tech
    for stop in stops:
        job = inst.jobs[stop.job]
        visits.append(
            Visit(
                job_id=job.id,
                arrival=_minutes(stop.arrival),
                start=_minutes(stop.start),
                finish=_minutes(stop.finish),
                travel_km=round(int(inst.metres[here, inst.loc(stop.job)]) / 1000, 3),
                late_minutes=_minutes(_late_seconds(job, stop.finish)),
            )
        )
        here = inst.loc(stop.job)
    depart = back = None
    if stops:
        durations = inst.durations[inst.techs[tech].speed_kmh]
        depart = _minutes(stops[0].arrival - int(durations[tech, inst.loc(stops[0].job)]))
        back = _minutes(stops[-1].finish + int(durations[inst.loc(stops[-1].job), tech]))
    return TechnicianRoute(
        technician_id=inst.techs[tech].id,
        visits=visits,
        depart=depart,
        return_=back,
        travel_km=round(inst.route_metres(tech, [s.job for s in stops]) / 1000, 3),
        load=sum(inst.jobs[s.job].demand for s in stops),
    )


def _build_plan(
    inst: _Instance, routes: list[list[int]], reasons: dict[int, list[DropReason]], status: PlanStatus, took: float
) -> Plan:
    tech_routes = [
        _technician_route(inst, tech, inst.simulate(tech, sequence) or []) for tech, sequence in enumerate(routes)
    ]
    dropped = [DroppedJob(job_id=inst.jobs[j].id, reasons=reasons[j]) for j in sorted(reasons)]
    return Plan(
        routes=tech_routes,
        dropped=dropped,
        travel_km=round(sum(route.travel_km for route in tech_routes), 3),
        lateness_minutes=round(sum(v.late_minutes for route in tech_routes for v in route.visits), 2),
        solve_seconds=round(took, 3),
        status=status,
    )


def schedule_route(request: PlanRequest, technician_id: str, job_ids: Sequence[str]) -> TechnicianRoute | None:
    """The times of one technician's visits in the given order — e.g. after a person edited a proposal: leave
    home just in time for the first visit, start each visit as soon as travel and its window allow. None when the
    order breaks a hard rule (a skill, a window, the shift or the capacity). Unknown ids raise KeyError."""
    inst = _Instance(request)
    techs = {tech.id: k for k, tech in enumerate(inst.techs)}
    jobs = {job.id: k for k, job in enumerate(inst.jobs)}
    tech = techs[technician_id]
    stops = inst.simulate(tech, [jobs[job_id] for job_id in job_ids])
    return None if stops is None else _technician_route(inst, tech, stops)


def plan_violations(request: PlanRequest, plan: Plan) -> list[str]:
    """An independent check of a plan against the request's hard rules (skills, windows, shifts, capacity,
    every job at most once and either planned or dropped). Empty when the plan is valid. Travel times are
    recomputed from the request, not taken from the plan."""
    inst = _Instance(request)
    jobs = {job.id: (k, job) for k, job in enumerate(inst.jobs)}
    techs = {tech.id: (k, tech) for k, tech in enumerate(inst.techs)}
    problems: list[str] = []
    seen: list[str] = []
    for route in plan.routes:
        tech_index, tech = techs[route.technician_id]
        durations = inst.durations[tech.speed_kmh]
        load, here = 0, tech_index
        now = None
        for visit in route.visits:
            seen.append(visit.job_id)
            k, job = jobs[visit.job_id]
            load += job.demand
            if not job.skills <= tech.skills:
                problems.append(f"{tech.id} lacks skills {sorted(job.skills - tech.skills)} for {job.id}")
            travel = int(durations[here, inst.loc(k)]) / 60
            earliest = (tech.shift_start if now is None else now) + travel
            if visit.start < max(earliest, job.window_start) - 0.02:
                problems.append(f"{job.id} starts at {visit.start} before it can (arrival {earliest:.2f})")
            if visit.start > job.window_end + 0.02:
                problems.append(f"{job.id} starts at {visit.start} after its window ends ({job.window_end})")
            if visit.start < job.window_start - 0.02:
                problems.append(f"{job.id} starts at {visit.start} before its window ({job.window_start})")
            now = visit.start + job.service_minutes
            here = inst.loc(k)
        if route.visits and now is not None:
            back = now + int(durations[here, tech_index]) / 60
            if back > tech.shift_end + 0.02:
                problems.append(f"{tech.id} is back at {back:.2f}, after the shift ends ({tech.shift_end})")
            first_start = route.visits[0].start
            if first_start < tech.shift_start - 0.02:
                problems.append(f"{tech.id} starts before the shift")
        if load > tech.capacity:
            problems.append(f"{tech.id} carries {load} > capacity {tech.capacity}")
    dropped = [d.job_id for d in plan.dropped]
    if len(seen) != len(set(seen)):
        problems.append("a job is visited twice")
    if set(seen) & set(dropped):
        problems.append("a job is both planned and dropped")
    if set(seen) | set(dropped) != set(jobs):
        problems.append("a job is neither planned nor dropped")
    return problems
