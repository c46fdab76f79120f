#!/usr/bin/env python
"""Route optimiser benchmark on VRPTW instances: ``./dev bench dispatch PATH… [--seconds 10]
[--write-solutions DIR] [--seed 0]``.

Each instance (a ``.vrp``/``.txt`` file, or every such file of a directory) is solved by the product's
optimiser core (``dispatch.optimizer.solve_routing`` through ``dispatch.solomon``) within ``--seconds`` of
wall clock, with the instance's fleet, capacity, time windows and service times. The solution is checked
independently (every client once, capacity, windows, service times, fleet size; cost recomputed from the
coordinates, DIMACS: distances truncated to one decimal) and compared with the best-known cost of the ``.sol``
file next to the instance. Prints a table and the mean gap; writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dispatch import solomon  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class InstanceResult:
    name: str
    clients: int
    vehicles_used: int
    vehicles_available: int
    cost: float
    best_known: float | None
    gap_percent: float | None
    seconds: float
    iterations: int
    valid: bool
    problems: list[str]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./dev bench dispatch", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="instance files or directories (*.vrp, *.txt)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per instance (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-solutions", metavar="DIR", help="write each solution as DIR/<name>.sol")
    parser.add_argument("--no-json", action="store_true", help="do not write benchmarks/results/dispatch-*.json")
    return parser.parse_args(argv)


def run_one(path: Path, args: argparse.Namespace) -> InstanceResult:
    instance = solomon.read_instance(path)
    started = time.perf_counter()
    routes, result = solomon.solve_instance(instance, seconds=args.seconds, seed=args.seed)
    took = time.perf_counter() - started
    cost, problems = solomon.check_solution(instance, routes)
    if not result.feasible:
        problems.insert(0, "the solver found no feasible solution")
    best_known = None
    sol = path.with_suffix(".sol")
    if sol.exists():
        _routes, best_known = solomon.read_best_known(sol)
    gap = round(100 * (cost - best_known) / best_known, 2) if best_known else None
    if args.write_solutions:
        out = Path(args.write_solutions)
        out.mkdir(parents=True, exist_ok=True)
        solomon.write_solution(out / f"{instance.name}.sol", routes, cost)
    return InstanceResult(
        name=instance.name,
        clients=instance.num_clients,
        vehicles_used=len(routes),
        vehicles_available=instance.vehicles,
        cost=cost,
        best_known=best_known,
        gap_percent=gap,
        seconds=round(took, 2),
        iterations=result.iterations,
        valid=not problems,
        problems=problems,
    )


def row(r: InstanceResult) -> str:
    gap = f"{r.gap_percent:6.2f} %" if r.gap_percent is not None else "      –"
    bks = f"{r.best_known:9.1f}" if r.best_known is not None else "        –"
    status = "" if r.valid else "  INVALID: " + "; ".join(r.problems[:3])
    vehicles = f"{r.vehicles_used}/{r.vehicles_available}"
    return f"{r.name:<10} {vehicles:>7} {r.cost:9.1f} {bks} {gap} {r.seconds:7.2f}{status}"


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    paths = solomon.instance_paths(args.paths)
    if not paths:
        print("no instances found", file=sys.stderr)
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"dispatch benchmark: {len(paths)} instances, {args.seconds:g} s each, seed {args.seed}, load {load}")
    print(f"{'instance':<10} {'vehicles':>7} {'cost':>9} {'best-known':>9} {'gap':>8} {'seconds':>7}")
    results: list[InstanceResult] = []
    for path in paths:
        result = run_one(path, args)
        results.append(result)
        print(row(result), flush=True)
    gaps = [r.gap_percent for r in results if r.gap_percent is not None and r.valid]
    invalid = [r.name for r in results if not r.valid]
    summary: dict[str, object] = {
        "instances": len(results),
        "valid": len(results) - len(invalid),
        "invalid": invalid,
        "mean_gap_percent": round(statistics.fmean(gaps), 3) if gaps else None,
    }
    if gaps:
        worst = max((r for r in results if r.gap_percent is not None and r.valid), key=lambda r: r.gap_percent or 0)
        summary["worst"] = {"name": worst.name, "gap_percent": worst.gap_percent}
        print(
            f"\nmean gap {summary['mean_gap_percent']} % over {len(gaps)} valid instances; worst {worst.name} "
            f"{worst.gap_percent} %"
        )
    if invalid:
        print(f"INVALID: {', '.join(invalid)}")
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = RESULTS / f"dispatch-{stamp}.json"
        out.write_text(
            json.dumps(
                {
                    "benchmark": "dispatch",
                    "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "config": {"seconds": args.seconds, "seed": args.seed, "paths": args.paths},
                    "machine": {
                        "cpus": os.cpu_count(),
                        "load_average_before": load,
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                    },
                    "commit": git_commit(),
                    "results": [asdict(r) for r in results],
                    "summary": summary,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        print(f"results: {out.relative_to(ROOT)}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
