#!/usr/bin/env python
"""Search at scale (issue 15): ``./dev bench search-scale [--articles 50000] [--database sqlite|postgres|both]
[--seconds 15] [--clients 8]``.

For each database, a fresh one (SQLite in a temporary VAR_DIR; PostgreSQL ``aftersales_searchbench``,
dropped and recreated, dropped at the end), migrated; then, not timed: the demo's 40 fault cases and
FAQs through the real services, and ``--articles`` − 40 more made of the cases' sentences in other
combinations (the search-quality bench's generator), written in bulk; **timed: the index build** —
``knowledge.services.articles_reindex`` (jieba, characters, pinyin, FTS5 / tsvector), what
``manage.py search_reindex`` runs. Then **through the production server** (gunicorn, production
settings) with ``--clients`` clients for ``--seconds``: ``GET /api/v1/knowledge/articles?q=…`` (an
agent, ranked, 20 a page) and the public ``GET /api/v1/knowledge/faq?q=…``, the queries drawn from
the search-quality bench's 50 customers' and agents' phrasings. Reported: p50/p95/p99 and requests
per second, and the machine's load average. Results: a table and JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared server, clients and PostgreSQL helpers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_searchbench"


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def fill_in_process(count: int) -> None:
    """(Runs inside the app's environment.) Articles, the timed index build, a token: JSON out."""
    sys.path.insert(0, str(ROOT / "src"))  # the apps before this folder (kpis.py, campaigns.py…)
    import django

    django.setup()
    import search_quality
    from django.db import transaction

    from catalog.models import ProductModel
    from core.choices import Role
    from core.models import ApiToken
    from core.testing import build_org, make_user
    from knowledge.cases import CASES
    from knowledge.choices import ArticleStatus, Audience
    from knowledge.models import Article
    from knowledge.services import articles_reindex

    org = build_org()
    agent = make_user(Role.AGENT, org.hq, username="bench-search-agent", full_name="压测客服")
    search_quality._measure("bench")  # the 40 cases, through the services (indexed as written)
    rng = random.Random(15)
    models = list(ProductModel.objects.select_related("category"))
    sentences = [s for c in CASES for s in re.split(r"[，。；]", c.symptom + c.cause + c.solution) if len(s) > 3]
    extra = max(0, count - Article.objects.count())
    made = 0
    while made < extra:
        batch = []
        for _ in range(min(2000, extra - made)):
            parts = rng.sample(sentences, 4)
            model = rng.choice(models)
            batch.append(
                Article(
                    title=parts[0][:60],
                    symptom="，".join(parts[:2]),
                    cause=parts[2],
                    solution=parts[3],
                    product_model=model,
                    product_category=model.category,
                    status=ArticleStatus.PUBLISHED,
                    audience=rng.choice([Audience.INTERNAL, Audience.PUBLIC]),
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(batch)
        made += len(batch)
    started = time.monotonic()
    with transaction.atomic():
        indexed = articles_reindex()
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "token": ApiToken.issue(agent),
                "articles": Article.objects.count(),
                "indexed": indexed,
                "index_seconds": round(seconds, 1),
                "indexed_per_second": round(indexed / seconds, 1) if seconds else None,
            }
        )
    )


def http_get(port: int, headers: dict[str, str], urls: list[str], clients: int, budget: intake.Budget) -> Any:
    def work(index: int, budget: intake.Budget, samples: list[tuple[float, str]]) -> None:
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
        while budget.take():
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = str(response.status)
                if status == "200" and b'"items"' not in body:
                    status = "200-without-items"
            except (OSError, http.client.HTTPException) as error:
                status = f"error:{type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
            samples.append((time.perf_counter() - started, status))
        connection.close()

    return intake.run_clients(clients, budget, work)


def run_database(args: argparse.Namespace, database: str) -> dict[str, Any]:
    import search_quality

    with tempfile.TemporaryDirectory(prefix="searchbench-") as work_dir:
        work = Path(work_dir)
        (work / "var").mkdir()
        url = None
        if database == "postgres":
            intake.BENCH_DB = BENCH_DB
            intake.recreate_pg_database(args)
            url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
        env = intake.app_env(work / "var", url)
        try:
            _say(f"{database}: migrating")
            intake.run_step([intake.PY, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env, timeout=900)
            _say(f"{database}: {args.articles:,} articles, then the index build")
            out = intake.run_step([intake.PY, __file__, "_fill", str(args.articles)], env, timeout=3600)
            data = json.loads(out.strip().splitlines()[-1])
            token = data.pop("token")
            queries = [urllib.parse.quote(q) for q, _expected, _model in search_quality.QUERIES]
            runs = [
                (
                    "GET /knowledge/articles?q= (agent)",
                    {"Authorization": f"Bearer {token}"},
                    "/api/v1/knowledge/articles",
                ),
                ("GET /knowledge/faq?q= (public)", {}, "/api/v1/knowledge/faq"),
            ]
            results = []
            with intake.Server(env, args, work / "server.log") as server:
                for name, headers, path in runs:
                    urls = [f"{path}?q={q}&page_size=20" for q in queries]
                    http_get(server.port, headers, urls, args.clients, intake.Budget(seconds=None, requests=50))
                    load_before = os.getloadavg()[0]
                    samples, elapsed = http_get(
                        server.port, headers, urls, args.clients, intake.Budget(seconds=args.seconds, requests=None)
                    )
                    result = asdict(intake.summarise(name, database, args.clients, samples, elapsed, "200"))
                    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
                    results.append(result)
            log = (work / "server.log").read_text(errors="replace")
            return {"database": database, **data, "server": results, "server_tracebacks": log.count("Traceback")}
        finally:
            if database == "postgres":
                intake.drop_pg_database(args)


def parse(argv: list[str]) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    args.worker_class = "gthread"
    if not 40 <= args.articles <= 1_000_000:
        parser.error("--articles must be 40…1,000,000")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["_fill"]:
        fill_in_process(int(argv[1]))
        return 0
    args = parse(argv)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs = [run_database(args, database) for database in databases]
    print(f"Search at scale · {args.clients} clients · {args.seconds:g} s per run")
    for run in runs:
        print(
            f"  {run['database']}: {run['articles']:,} articles; index build {run['index_seconds']} s "
            f"({run['indexed_per_second']}/s)"
        )
        for row in run["server"]:
            print(
                f"    {row['name']:<38} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  "
                f"p99 {row['p99_ms']:>7.1f} ms  {row['per_second']:>6}/s  errors {row['errors']}  "
                f"load {row['load_average']}"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "commit": intake.git_commit(),
        "clients": args.clients,
        "seconds": args.seconds,
        "runs": runs,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print(f"  → {out.relative_to(ROOT)}")
    return 0 if all(row["errors"] == 0 for run in runs for row in run["server"]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
