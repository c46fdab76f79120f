"""VRPTW benchmark instances (Solomon, in VRPLIB or Solomon's own format) for the optimiser's benchmark.

The instances go through the product's solver layer (:func:`dispatch.optimizer.solve_routing`), so the
benchmark measures what the dispatch board runs. Conventions (DIMACS, as in the best-known solutions):
distances and travel times are Euclidean, truncated to one decimal; we work in tenths (integers) so the
objective is exact. A client's due date is the latest start of service; every vehicle leaves the depot at
or after its ready time and is back by its due date; the fleet is the instance's ``VEHICLES``.

Solutions number clients as the ``.sol`` files do: the depot is 0 and the file's k-th node is k − 1.
Pure: no Django.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from dispatch.optimizer import SolverClient, SolverProblem, SolverResult, SolverVehicleType, solve_routing


@dataclass(frozen=True)
class VrptwInstance:
    name: str
    coordinates: np.ndarray  # (n, 2), node 0 is the depot
    demands: np.ndarray  # (n,)
    windows: np.ndarray  # (n, 2) ready time, due date
    service: np.ndarray  # (n,)
    capacity: int
    vehicles: int

    @property
    def num_clients(self) -> int:
        return len(self.demands) - 1


def read_instance(path: str | Path) -> VrptwInstance:
    """Read a VRPTW instance: VRPLIB (``.vrp``) or Solomon's text format (``.txt``)."""
    path = Path(path)
    fmt = "vrplib" if path.suffix == ".vrp" else "solomon"
    raw = vrplib.read_instance(str(path), instance_format=fmt)
    size = len(raw["node_coord"])
    depots = np.atleast_1d(raw.get("depot", np.array([0])))
    if list(depots) != [0]:
        raise ValueError(f"{path.name}: one depot, the first node, is supported")
    service = raw.get("service_time", 0)
    if np.isscalar(service):
        service = np.full(size, service)
        service[0] = 0
    return VrptwInstance(
        name=str(raw.get("name", path.stem)),
        coordinates=np.asarray(raw["node_coord"], dtype=float),
        demands=np.asarray(raw["demand"], dtype=np.int64),
        windows=np.asarray(raw["time_window"], dtype=float),
        service=np.asarray(service, dtype=float),
        capacity=int(raw["capacity"]),
        vehicles=int(raw.get("vehicles", size - 1)),
    )


def read_best_known(path: str | Path) -> tuple[list[list[int]], float]:
    """Routes and cost of a ``.sol`` file."""
    solution = vrplib.read_solution(str(path))
    return [list(map(int, route)) for route in solution["routes"]], float(solution["cost"])


def dimacs_tenths(instance: VrptwInstance) -> np.ndarray:
    """Distances in tenths, truncated (DIMACS): the matrix the solver sees."""
    diff = instance.coordinates[:, None, :] - instance.coordinates[None, :, :]
    return (10 * np.sqrt((diff**2).sum(axis=2))).astype(np.int64)


def solver_problem(instance: VrptwInstance) -> SolverProblem:
    """The instance in the optimiser core's solver terms (tenths of distance and time units)."""
    tenths = dimacs_tenths(instance)
    windows = np.rint(instance.windows * 10).astype(np.int64)
    service = np.rint(instance.service * 10).astype(np.int64)
    clients = [
        SolverClient(
            location=node,
            demand=int(instance.demands[node]),
            service=int(service[node]),
            tw_early=int(windows[node, 0]),
            tw_late=int(windows[node, 1]),
        )
        for node in range(1, len(instance.demands))
    ]
    vehicle = SolverVehicleType(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        depot=0,
        tw_early=int(windows[0, 0]),
        tw_late=int(windows[0, 1]),
    )
    coordinates = [(round(x * 10), round(y * 10)) for x, y in instance.coordinates]
    return SolverProblem(
        distances=[tenths],
        durations=[tenths],
        depots=[0],
        clients=clients,
        vehicle_types=[vehicle],
        coordinates=coordinates,
    )


def solve_instance(instance: VrptwInstance, *, seconds: float, seed: int = 0) -> tuple[list[list[int]], SolverResult]:
    """Solve with the product's solver layer; routes as client numbers (the file's k-th node is k − 1)."""
    result = solve_routing(solver_problem(instance), seconds=seconds, seed=seed)
    # Solver client c is node c + 1, which the .sol numbering calls c + 1 as well (depot 0).
    routes = [[client + 1 for client in route.clients] for route in result.routes if route.clients]
    return routes, result


def check_solution(instance: VrptwInstance, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Recompute a solution's DIMACS cost from the coordinates and list every broken rule (empty: valid).

    Independent of the solver: distances from ``math.hypot``, its own clock and loads.
    """
    problems: list[str] = []
    x, y = instance.coordinates[:, 0], instance.coordinates[:, 1]

    def tenths(a: int, b: int) -> int:
        return int(10 * math.hypot(x[a] - x[b], y[a] - y[b]))

    visited = [client for route in routes for client in route]
    expected = set(range(1, instance.num_clients + 1))
    if len(visited) != len(set(visited)):
        problems.append("a client is visited more than once")
    if set(visited) != expected:
        missing = sorted(expected - set(visited))[:5]
        unknown = sorted(set(visited) - expected)[:5]
        problems.append(f"clients missing {missing} or unknown {unknown}")
    if len([r for r in routes if r]) > instance.vehicles:
        problems.append(f"{len(routes)} routes > {instance.vehicles} vehicles")
    total = 0
    for number, route in enumerate(routes, start=1):
        if any(c not in expected for c in route):
            continue
        load = int(sum(instance.demands[c] for c in route))
        if load > instance.capacity:
            problems.append(f"route {number}: load {load} > capacity {instance.capacity}")
        now, here = round(instance.windows[0, 0] * 10), 0
        for client in route:
            now += tenths(here, client)
            ready, due = round(instance.windows[client, 0] * 10), round(instance.windows[client, 1] * 10)
            now = max(now, ready)
            if now > due:
                problems.append(f"route {number}: client {client} starts at {now / 10} after its due {due / 10}")
            now += round(instance.service[client] * 10)
            total += tenths(here, client)
            here = client
        now += tenths(here, 0)
        total += tenths(here, 0)
        if now > round(instance.windows[0, 1] * 10):
            problems.append(f"route {number}: back at the depot at {now / 10} after {instance.windows[0, 1]}")
    return total / 10, problems


def write_solution(path: str | Path, routes: list[list[int]], cost: float) -> None:
    """Write routes in the ``.sol`` format of the best-known files."""
    lines = [f"Route #{k}: {' '.join(map(str, route))}" for k, route in enumerate(routes, start=1)]
    Path(path).write_text("\n".join([*lines, f"Cost {cost:.1f}"]) + "\n")


def _natural_key(path: Path) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def instance_paths(paths: list[str]) -> list[Path]:
    """Files as given; directories expand to their ``*.txt``/``*.vrp`` files in natural order (C101 < C1010)."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            files = [p for p in given.iterdir() if p.suffix in {".txt", ".vrp"}]
            found.extend(
                sorted(files, key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)])
            )
        else:
            found.append(given)
    return found
