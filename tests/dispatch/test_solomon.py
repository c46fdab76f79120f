"""Solomon VRPTW instances through the optimiser core: reader, independent checker, a short solve, the bench."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from dispatch import solomon

DATA = Path(__file__).parent / "data"  # C101 and its best-known solution (PyVRP/Instances, see docs/dispatch.md)
C101 = DATA / "C101.vrp"


@pytest.fixture(scope="module")
def c101() -> solomon.VrptwInstance:
    return solomon.read_instance(C101)


def test_reader_gives_the_instance_data(c101):
    assert (c101.name, c101.num_clients, c101.vehicles, c101.capacity) == ("C101", 100, 25, 200)
    assert list(c101.windows[0]) == [0, 1236]
    assert c101.service[0] == 0 and c101.service[1] == 90
    assert c101.demands[1] == 10


def test_the_best_known_solution_recomputes_to_its_file_cost(c101):
    routes, cost = solomon.read_best_known(DATA / "C101.sol")

    assert cost == 827.3
    assert solomon.check_solution(c101, routes) == (827.3, [])


def test_checker_reports_a_missing_client(c101):
    routes, _cost = solomon.read_best_known(DATA / "C101.sol")
    routes[0] = routes[0][1:]

    _cost, problems = solomon.check_solution(c101, routes)

    assert problems == ["clients missing [5] or unknown []"]


def test_checker_reports_a_window_missed_by_reversing_a_route(c101):
    routes, _cost = solomon.read_best_known(DATA / "C101.sol")
    routes[0] = routes[0][::-1]

    _cost, problems = solomon.check_solution(c101, routes)

    assert "route 1: client 1 starts at 1090.0 after its due 967.0" in problems
    assert all(p.startswith("route 1: ") for p in problems)


def test_checker_reports_excess_load_when_two_routes_are_merged(c101):
    routes, _cost = solomon.read_best_known(DATA / "C101.sol")
    merged = [routes[0] + routes[1], *routes[2:]]

    _cost, problems = solomon.check_solution(c101, merged)

    assert "route 1: load 370 > capacity 200" in problems


def test_a_two_second_solve_of_c101_is_valid_and_within_one_percent(c101):
    routes, result = solomon.solve_instance(c101, seconds=2, seed=1)

    cost, problems = solomon.check_solution(c101, routes)
    assert problems == []
    assert result.feasible
    assert cost == result.distance / 10
    assert (cost - 827.3) / 827.3 < 0.01


def test_written_solutions_read_back(tmp_path, c101):
    routes, cost = solomon.read_best_known(DATA / "C101.sol")

    solomon.write_solution(tmp_path / "C101.sol", routes, cost)

    assert solomon.read_best_known(tmp_path / "C101.sol") == (routes, cost)
    assert (tmp_path / "C101.sol").read_text().splitlines()[0] == "Route #1: 5 3 7 8 10 11 9 6 4 2 1 75"


def test_directories_expand_to_their_instances(tmp_path):
    for name in ["R110.vrp", "R102.vrp", "notes.md", "R101.txt"]:
        (tmp_path / name).write_text("")

    assert [p.name for p in solomon.instance_paths([str(tmp_path)])] == ["R101.txt", "R102.vrp", "R110.vrp"]


def test_the_bench_prints_the_table_and_writes_the_solution(tmp_path, capsys, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_dispatch", Path("benchmarks/dispatch.py").resolve())
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_dispatch", bench)
    spec.loader.exec_module(bench)

    code = bench.main([str(C101), "--seconds", "1", "--no-json", "--write-solutions", str(tmp_path)])

    out = capsys.readouterr().out
    assert code == 0
    assert "C101" in out and "827.3" in out and "mean gap" in out
    routes, cost = solomon.read_best_known(tmp_path / "C101.sol")
    assert solomon.check_solution(solomon.read_instance(C101), routes) == (cost, [])


def test_solomon_text_format_reads_like_the_vrplib_file(tmp_path, c101):
    lines = [
        "C101",
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        "  25         200",
        "",
        "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
        "",
    ]
    for node in range(len(c101.demands)):
        x, y = c101.coordinates[node]
        ready, due = c101.windows[node]
        lines.append(
            f"{node:5d} {x:8.0f} {y:8.0f} {c101.demands[node]:8d} {ready:8.0f} {due:8.0f} {c101.service[node]:8.0f}"
        )
    (tmp_path / "C101.txt").write_text("\n".join(lines) + "\n")

    text = solomon.read_instance(tmp_path / "C101.txt")

    assert (text.name, text.vehicles, text.capacity) == ("C101", 25, 200)
    assert (text.coordinates == c101.coordinates).all()
    assert (text.windows == c101.windows).all() and (text.service == c101.service).all()
    routes, cost = solomon.read_best_known(DATA / "C101.sol")
    assert solomon.check_solution(text, routes) == (cost, [])
