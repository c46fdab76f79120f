#!/usr/bin/env python
"""Search quality of the knowledge base: ``./dev bench search-quality [--database sqlite|postgres|both]``.

The demo's fault cases and FAQ entries (src/knowledge/cases.py, 40 articles) are written into a
fresh test database through the real services (segmented and indexed by core.search); then 48
questions phrased as customers and agents say them — not copied from the cases — are ranked by
the product's search (``knowledge.selectors.article_search``: jieba words + characters, pinyin,
synonyms, BM25 with the title and product boosts) and, in the same run over the same articles, by
a baseline: character-bigram BM25 (k1 1.2, b 0.75) over each article's whole text, no synonyms,
no boosts. Reported: recall@1, recall@3 and MRR of both, and every query whose case is not in the
product's top 3 (its misses). Exit status 1 when recall@3 < 0.95. Results: a table on stdout and
JSON in benchmarks/results/. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RESULTS = ROOT / "benchmarks" / "results"

#: (question as a customer or an agent puts it, the expected case, the device's model or "")
QUERIES: tuple[tuple[str, str, str], ...] = (
    ("电动车打开钥匙什么反应都没有", "ebike-no-power", "TDR-48V-LI"),
    ("电瓶车完全没电了，灯也不亮", "ebike-no-power", ""),
    ("锂电池充了一晚上还是没电，充电器亮绿灯", "ebike-charge", "TDR-48V-LI"),
    ("电动车充电充不进去", "ebike-charge", ""),
    ("电瓶车跑不远了，充满电才跑二十公里", "ebike-range", "TDR-60V-PB"),
    ("后轮骑起来咔咔响", "ebike-motor-noise", ""),
    ("拧把手车子不走", "ebike-controller", "XG-400"),
    ("刹车刹不住", "ebike-brake", ""),
    ("笔记本老是蓝屏然后自己重启", "nb-bsod", "NB-X14-2023"),
    ("一开机就蓝屏", "nb-bsod", ""),
    ("电脑系统崩溃自动重启好几次", "nb-bsod", "NB-X14-2023"),
    ("笔记本开不了机，按开机键没反应", "nb-no-boot", "NB-X14-2023"),
    ("电脑很烫风扇声音特别大", "nb-overheat", "NB-Y15-PRO"),
    ("笔记本搜不到wifi", "nb-wifi", ""),
    ("连不上无线网", "nb-wifi", ""),
    ("键盘有几个键按了没用", "nb-keyboard", "NB-Y15-PRO"),
    ("笔记本屏幕一闪一闪的有条纹", "nb-screen", "NB-X14-2023"),
    ("电脑反应很慢老卡", "pc-slow", ""),
    ("台式机用着用着就卡死了，鼠标动不了", "pc-freeze", "PC-M720"),
    ("电脑死机只能强制关机", "pc-freeze", ""),
    ("一体机有声音但是屏幕不亮", "pc-no-display", "PC-A560"),
    ("U盘插上去没反应", "pc-usb", ""),
    ("交换机有个口插网线不亮灯，上不了网", "sw-port-down", "HS5130-28P"),
    ("网线插上没反应，水晶头是不是坏了", "sw-port-down", ""),
    ("整个办公室网络时断时续，交换机灯一直狂闪", "sw-loop", "HS5130-28P"),
    ("交换机密码忘了登不上去", "sw-reset-password", "HS6520-26Q"),
    ("公司网络隔一会儿就断一下", "router-drop", "HMSR3610"),
    ("核心交换机红灯告警，说风扇坏了", "router-fan", "HS6520-26Q"),
    ("清分机老是夹钞", "sorter-jam", "JL-2000"),
    ("点钞机数得不准，每次数的都不一样", "sorter-count", "DC-618"),
    ("验钞机把真钱当成假币", "sorter-false-alarm", "DC-618"),
    ("平台上看不到车的位置，一直显示离线", "gps-offline", "GT-06N"),
    ("车停着定位到处乱跑", "gps-drift", "GT-800"),
    ("空调不冷了", "ac-no-cool", "KFR-35GW"),
    ("空调吹出来的是热风不凉快", "ac-no-cool", ""),
    ("挂机空调往下滴水", "ac-leak", "KFR-35GW"),
    ("空调内机流水把墙弄湿了", "ac-leak", ""),
    ("遥控板按了空调没反应", "ac-remote", ""),
    ("柜机外机声音很大，邻居投诉", "ac-noise", "KFR-72LW"),
    ("空调显示E1然后停了", "ac-e1", "KFR-72LW"),
    ("空调一开有股臭味", "ac-clean", ""),
    ("洗衣机水排不出去", "washer-no-drain", "XQG100-B14"),
    ("滚筒洗衣机甩干的时候跳来跳去", "washer-shake", "XQG100-B14"),
    ("洗衣机底下渗水", "washer-leak", ""),
    ("洗衣机洗完门开不了", "washer-door", ""),
    ("冰箱不冷了，菜都坏了", "fridge-no-cool", "BCD-470WP"),
    ("冰箱冷冻室结了好多冰", "fridge-frost", "BCD-470WP"),
    ("冰箱嗡嗡响是不是坏了", "fridge-noise", ""),
    ("kongtiao bu zhileng", "ac-no-cool", ""),
    ("lanping", "nb-bsod", ""),
)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_TOKEN = re.compile(r"\w+")


def bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in _TOKEN.findall(text.lower()):
        if _HAN.search(run):
            out.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
        else:
            out.append(run)
    return out


class BigramBM25:
    """The baseline: character-bigram BM25 over each article's whole text."""

    def __init__(self, docs: dict[str, str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = {key: Counter(bigrams(text)) for key, text in docs.items()}
        self.len = {key: sum(c.values()) for key, c in self.tf.items()}
        self.avg = sum(self.len.values()) / max(1, len(self.len))
        df: Counter[str] = Counter()
        for counts in self.tf.values():
            df.update(counts.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def rank(self, query: str) -> list[str]:
        terms = set(bigrams(query))
        scores: dict[str, float] = {}
        for key, counts in self.tf.items():
            norm = self.k1 * (1 - self.b + self.b * self.len[key] / self.avg)
            score = sum(self.idf.get(t, 0) * counts[t] * (self.k1 + 1) / (counts[t] + norm) for t in terms if counts[t])
            if score:
                scores[key] = score
        return sorted(scores, key=lambda k: -scores[k])


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "recall_at_1": round(sum(1 for r in ranks if r is not None and r <= 1) / n, 3),
        "recall_at_3": round(sum(1 for r in ranks if r is not None and r <= 3) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
    }


def rank_of(key: str, ranking: list[str]) -> int | None:
    return ranking.index(key) + 1 if key in ranking else None


def run_on(database: str, scale: int = 0) -> dict[str, Any]:
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-search-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings.test"
    if database == "postgres":
        os.environ["TEST_DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench_search"
        )
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = _measure(database)
        if scale:
            result["scale"] = _scale(scale)
        return result
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _measure(database: str) -> dict[str, Any]:
    from catalog.models import ProductCategory, ProductModel
    from catalog.services import product_category_create, product_model_create
    from knowledge import services
    from knowledge.cases import CASES, case_product
    from knowledge.models import Article
    from knowledge.selectors import article_search

    started = time.monotonic()
    categories = {
        "EBIKE": ["TDR-48V-LI", "TDR-60V-PB", "XG-400"],
        "NOTEBOOK": ["NB-X14-2023", "NB-Y15-PRO"],
        "DESKTOP": ["PC-M720", "PC-A560"],
        "SWITCH": ["HS5130-28P", "HS6520-26Q", "HMSR3610"],
        "SORTER": ["JL-2000", "DC-618"],
        "GPS": ["GT-06N", "GT-800"],
        "AC": ["KFR-35GW", "KFR-72LW"],
        "WASHER": ["XQG100-B14"],
        "FRIDGE": ["BCD-470WP"],
    }
    for code, models in categories.items():
        category = product_category_create(acting_user=None, code=code, name=code, warranty_months=12)
        for model in models:
            product_model_create(acting_user=None, code=model, name=model, category=category, warranty_months=12)
    key_of: dict[int, str] = {}
    texts: dict[str, str] = {}
    for spec in CASES:
        kind, code = case_product(spec)
        model = ProductModel.objects.filter(code=code).first() if kind == "model" else None
        category = model.category if model else ProductCategory.objects.get(code=code)
        article = services.article_create(
            acting_user=None,
            kind=spec.kind,
            audience=spec.audience,
            title=spec.title,
            symptom=spec.symptom,
            cause=spec.cause,
            solution=spec.solution,
            steps="\n".join(spec.steps),
            product_model=model,
            product_category=category,
            status="published",
        )
        key_of[article.pk] = spec.key
        texts[spec.key] = " ".join([spec.title, spec.symptom, spec.cause, spec.solution, *spec.steps])
    index_seconds = time.monotonic() - started
    baseline = BigramBM25(texts)
    articles = Article.objects.all()
    rows = []
    ours: list[int | None] = []
    base: list[int | None] = []
    timings = []
    for query, expected, model_code in QUERIES:
        model = ProductModel.objects.filter(code=model_code).first() if model_code else None
        t0 = time.perf_counter()
        ranked = article_search(articles, query, product_model=model)
        timings.append(time.perf_counter() - t0)
        ranking = [key_of[r.article.pk] for r in ranked]
        mine = rank_of(expected, ranking)
        theirs = rank_of(expected, baseline.rank(query))
        ours.append(mine)
        base.append(theirs)
        rows.append(
            {
                "query": query,
                "expected": expected,
                "product_model": model_code,
                "rank": mine,
                "baseline_rank": theirs,
                "top3": ranking[:3],
                "matched": ranked[0].matched if ranked else [],
            }
        )
    timings.sort()
    return {
        "database": database,
        "articles": len(CASES),
        "queries": len(QUERIES),
        "index_seconds": round(index_seconds, 3),
        "query_ms_p50": round(timings[len(timings) // 2] * 1000, 2),
        "query_ms_max": round(timings[-1] * 1000, 2),
        "product": metrics(ours),
        "baseline_char_bigram_bm25": metrics(base),
        "misses": [r for r in rows if r["rank"] is None or r["rank"] > 3],
        "baseline_misses": sum(1 for r in base if r is None or r > 3),
        "rows": rows,
    }


def _scale(count: int) -> dict[str, Any]:
    """``count`` more articles made of the cases' sentences in other combinations (same vocabulary,
    different mixes), indexed through the services in one transaction per 500; then every query
    again, one client, over all of them: index rate and query latency at that size. Quality is
    not measured there (the extra articles are noise that matches everything)."""
    import random

    from django.db import transaction

    from catalog.models import ProductModel
    from knowledge import services
    from knowledge.cases import CASES
    from knowledge.models import Article
    from knowledge.selectors import article_search

    rng = random.Random(15)
    models = list(ProductModel.objects.all())
    sentences = [s for c in CASES for s in re.split(r"[，。；]", c.symptom + c.cause + c.solution) if len(s) > 3]
    started = time.monotonic()
    made = 0
    while made < count:
        with transaction.atomic():
            for _ in range(min(500, count - made)):
                parts = rng.sample(sentences, 4)
                services.article_create(
                    acting_user=None,
                    title=parts[0][:60],
                    symptom="，".join(parts[:2]),
                    cause=parts[2],
                    solution=parts[3],
                    product_model=rng.choice(models),
                    status="published",
                    audience=rng.choice(["internal", "public"]),
                )
                made += 1
    index_seconds = time.monotonic() - started
    articles = Article.objects.all()
    timings = []
    for _round in range(3):
        for query, _expected, model_code in QUERIES:
            model = ProductModel.objects.filter(code=model_code).first() if model_code else None
            t0 = time.perf_counter()
            article_search(articles, query, product_model=model, limit=20)
            timings.append(time.perf_counter() - t0)
    timings.sort()
    return {
        "articles": Article.objects.count(),
        "index_seconds": round(index_seconds, 1),
        "articles_per_second": round(count / index_seconds, 1),
        "queries": len(timings),
        "query_ms_p50": round(timings[len(timings) // 2] * 1000, 1),
        "query_ms_p95": round(timings[int(len(timings) * 0.95)] * 1000, 1),
        "query_ms_max": round(timings[-1] * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--scale", type=int, default=0, help="then N more articles: index rate and latency")
    args = parser.parse_args()
    if args.database == "both":
        import subprocess

        status = 0
        for db in ("sqlite", "postgres"):
            status |= subprocess.call([sys.executable, __file__, "--database", db, "--scale", str(args.scale)])
        return status
    result = run_on(args.database, args.scale)
    result["machine"] = {"python": platform.python_version(), "node": platform.node(), "cpus": os.cpu_count()}
    result["at"] = datetime.now().isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-quality-{args.database}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    p, b = result["product"], result["baseline_char_bigram_bm25"]
    print(f"search quality on {args.database}: {result['articles']} articles, {result['queries']} queries")
    print(f"{'':28}{'recall@1':>10}{'recall@3':>10}{'MRR':>8}")
    print(f"{'product (core.search)':28}{p['recall_at_1']:>10}{p['recall_at_3']:>10}{p['mrr']:>8}")
    print(f"{'baseline char-bigram BM25':28}{b['recall_at_1']:>10}{b['recall_at_3']:>10}{b['mrr']:>8}")
    print(f"index {result['index_seconds']} s; query p50 {result['query_ms_p50']} ms, max {result['query_ms_max']} ms")
    for miss in result["misses"]:
        print(f"  miss: {miss['query']!r} → expected {miss['expected']} at {miss['rank']}; top 3 {miss['top3']}")
    if "scale" in result:
        s = result["scale"]
        print(
            f"at {s['articles']} articles: indexed {s['articles_per_second']}/s ({s['index_seconds']} s); "
            f"one client: p50 {s['query_ms_p50']} ms, p95 {s['query_ms_p95']} ms, max {s['query_ms_max']} ms"
        )
    print(f"results: {out.relative_to(ROOT)}")
    return 0 if p["recall_at_3"] >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
