#!/usr/bin/env python
"""Campaign benchmark (issue 14): ``./dev bench campaigns [--devices 1000000] [--customers 100000]
[--repeat 40] [--create] [--keep]``.

What it measures (see benchmarks/README.md), on a fresh PostgreSQL database
``aftersales_campaignbench`` (dropped and recreated, migrated; dropped at the end unless ``--keep``):

the campaign **preview** — ``campaigns.selectors.population_count``, the one ``SELECT count(*)``
the create page and ``POST /api/v1/campaigns/preview`` run — over N devices, for five selections
(two models; the same with "firmware below 3.10" compared numerically in SQL; plus a serial range;
plus a region; the whole fleet below a version), each run ``--repeat`` times as an HQ director
(no unit filter) and as a service centre's dispatcher (scoped to the centre's units): p50/p95/max
in milliseconds. Each selection's count is checked against Python's own count of the same rows
(the texts read back and compared as integer tuples, ``campaigns.versions``). With ``--create``
it also times ``campaign_create`` for the version selection (its targets written in batches).

Setup (not timed): one customer and one device made through the services serve as templates; the
rest are copied with ``INSERT … SELECT … FROM generate_series`` (benchmarks/pgcopy.py), devices
over 24 product models with a skewed share, firmware texts in the shapes the field has
(``V3.9.2``, ``V3.10.0``, ``BIOS 2.12``, ``GT800_V3.4.1``, a share empty or without a version),
serials in order, installation dates over four years, customers over the four units and two
regions.
Results: a table on stdout and JSON in benchmarks/results/campaigns-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared PostgreSQL helpers
import pgcopy  # fresh database, rows copied from templates in chunks

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_campaignbench"
DAY = date(2026, 12, 4)
MODELS = 24


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    from catalog.services import product_category_create, product_model_create
    from core.choices import Role
    from core.testing import build_org, make_user
    from customers.models import Customer
    from customers.services import customer_create
    from devices.models import Device
    from devices.services import device_create

    started = time.perf_counter()
    org = build_org()
    category = product_category_create(acting_user=None, code="SORTER", name="清分机", warranty_months=36)
    models = [
        product_model_create(acting_user=None, code=f"JL-{i:02d}", name=f"JL 清分机 {i:02d}", category=category)
        for i in range(MODELS)
    ]
    customer = customer_create(
        acting_user=None, name="模板支行", phone="13800138000", address="浙江省杭州市西湖区文三路100号"
    )
    device = device_create(
        acting_user=None,
        customer=customer,
        product_model=models[0],
        serial_number="SN000000000",
        firmware_version="V3.9.2",
    )
    make_user(Role.DIRECTOR, org.hq, username="director")
    make_user(Role.DISPATCHER, org.centre, username="dispatcher")
    # Customers over the four units (the template's unit first) and their regions.
    units = [customer.unit_id] + [u.pk for u in (org.centre, org.station_b, org.hq) if u.pk != customer.unit_id]
    units = units[:4]
    adcodes = {org.station_a.pk: "330106", org.centre.pk: "330102", org.station_b.pk: "110108", org.hq.pk: "110101"}
    units_array = "ARRAY[" + ",".join(str(u) for u in units) + "]"
    adcode_array = "ARRAY[" + ",".join(f"'{adcodes.get(u, '330106')}'" for u in units) + "]"
    pgcopy.clone(
        Customer,
        customer.pk,
        args.customers - 1,
        {
            "name": "'支行' || g",
            "phone": "'139' || lpad(g::text, 8, '0')",
            "unit_id": f"({units_array})[1 + g % {len(units)}]",
            "adcode": f"({adcode_array})[1 + g % {len(units)}]",
            "search_text": "'支行' || g",
        },
    )
    cmin, cmax = pgcopy.id_range("customers_customer")
    ncust = cmax - cmin + 1
    _say(f"customers loaded ({ncust:,}); devices")
    model_ids = [m.pk for m in models]
    models_array = "ARRAY[" + ",".join(str(pk) for pk in model_ids) + "]"
    firmware = (
        "CASE WHEN g % 20 = 0 THEN '' WHEN g % 20 = 1 THEN '出厂版本' "
        "WHEN g % 20 < 8 THEN 'V3.' || (g % 13) || '.' || (g % 7) "
        "WHEN g % 20 < 12 THEN 'BIOS ' || (2 + g % 3) || '.' || (g % 17) "
        "WHEN g % 20 < 15 THEN 'GT800_V3.' || (g % 11) || '.' || (g % 5) "
        "ELSE (2 + g % 3) || '.' || (g % 12) || '（' || (2015 + g % 5) || ' 版人民币）' END"
    )
    pgcopy.clone(
        Device,
        device.pk,
        args.devices - 1,
        {
            "customer_id": f"{cmin} + (g % {ncust})",
            "unit_id": f"({units_array})[1 + (g % {ncust}) % {len(units)}]",
            "product_model_id": f"({models_array})[1 + floor(power(random(), 2) * {MODELS})::int]",
            "serial_number": "'SN' || lpad(g::text, 9, '0')",
            "firmware_version": firmware,
            "installed_on": f"date '{DAY.isoformat()}' - (g % 1460)",
            "qr_token": "md5('qr' || g)",
            "search_text": "''",
            "is_active": "g % 100 <> 0",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM devices_device")
        devices = cursor.fetchone()[0]
    return {
        "customers": ncust,
        "devices": devices,
        "models": MODELS,
        "setup_seconds": round(time.perf_counter() - started, 2),
        "model_codes": [m.code for m in models],
    }


def reused() -> dict[str, Any]:
    """What a kept database holds (``--reuse``): its counts and model codes."""
    from django.db import connection

    from catalog.models import ProductModel

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM devices_device")
        devices = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM customers_customer")
        customers = cursor.fetchone()[0]
    codes = list(ProductModel.objects.filter(code__startswith="JL-").order_by("code").values_list("code", flat=True))
    return {"customers": customers, "devices": devices, "models": len(codes), "setup_seconds": 0, "model_codes": codes}


def _selections(models: list[str], devices: int) -> dict[str, dict[str, Any]]:
    two = models[:2]
    return {
        "two models": {"product_models": two},
        "two models, firmware below 3.10": {"product_models": two, "firmware_below": "3.10"},
        "… and a serial range": {
            "product_models": two,
            "firmware_below": "3.10",
            "serial_from": f"SN{devices // 10:09d}",
            "serial_to": f"SN{devices * 6 // 10:09d}",
        },
        "… and a region (330106)": {"product_models": two, "firmware_below": "3.10", "region": "330106"},
        "every model, firmware below 3.4.1": {"product_models": models, "firmware_below": "3.4.1"},
    }


def _python_count(user: Any, selection: Any, raw: dict[str, Any]) -> int:
    """The same population counted in Python: the rows without the version filter, read back, the
    versions compared as integer tuples (an independent check of the SQL comparison)."""
    from dataclasses import replace

    from campaigns.selectors import population
    from campaigns.versions import version_of_device_text, version_parse_bound

    if not raw.get("firmware_below"):
        return population(user=user, selection=selection).count()
    bound = version_parse_bound(raw["firmware_below"])
    texts = population(user=user, selection=replace(selection, firmware_below=None)).values_list(
        "firmware_version", flat=True
    )
    return sum(
        1 for text in texts.iterator(chunk_size=20000) if (v := version_of_device_text(text)) is not None and v < bound
    )


def run_previews(args: argparse.Namespace, models: list[str]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from campaigns.selectors import population_count
    from campaigns.services import selection_clean

    users = {
        name: get_user_model().objects.select_related("profile__unit").get(username=name)
        for name in ("director", "dispatcher")
    }
    results: dict[str, Any] = {}
    ok = True
    for label, raw in _selections(models, args.devices).items():
        for name, user in users.items():
            selection = selection_clean(user=user, **raw)
            population_count(user=user, selection=selection)  # warm the cache once
            samples = []
            count = 0
            for _ in range(args.repeat):
                begun = time.perf_counter()
                count = population_count(user=user, selection=selection)
                samples.append((time.perf_counter() - begun) * 1000)
            samples.sort()
            expected = _python_count(user, selection, raw)
            ok = ok and expected == count
            results[f"{label} · {name}"] = {
                "count": count,
                "python_count": expected,
                "p50_ms": round(intake.percentile(samples, 50), 2),
                "p95_ms": round(intake.percentile(samples, 95), 2),
                "max_ms": round(samples[-1], 2),
                "runs": len(samples),
            }
            _say(f"{label} · {name}: {count:,} devices, p95 {results[f'{label} · {name}']['p95_ms']} ms")
    return {"selections": results, "ok": ok}


def run_create(models: list[str]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from campaigns.services import campaign_create

    director = get_user_model().objects.select_related("profile__unit").get(username="director")
    begun = time.perf_counter()
    campaign = campaign_create(
        acting_user=director,
        code="BENCH-UPG",
        name="基准升级",
        kind="upgrade",
        product_models=models[:2],
        firmware_below="3.10",
        due_on=DAY + timedelta(days=30),
    )
    seconds = time.perf_counter() - begun
    return {"targets": campaign.targets.count(), "seconds": round(seconds, 2)}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--create", action="store_true", help="also time campaign_create for one selection")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left (no load)")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    if not 100 <= args.devices <= 5_000_000 or not 10 <= args.customers <= args.devices:
        parser.error("--devices must be 100…5,000,000 and --customers 10…devices")
    if not 5 <= args.repeat <= 1000:
        parser.error("--repeat must be 5…1000")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="campaignbench-") as var_dir:
        pgcopy.configure(args, Path(var_dir), BENCH_DB, recreate=not args.reuse)
        try:
            data = reused() if args.reuse else build(args)
            _say("setup done; previews")
            args.devices = data["devices"]
            previews = run_previews(args, data["model_codes"])
            create = run_create(data["model_codes"]) if args.create else None
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                intake.drop_pg_database(args)
    print(
        f"Campaigns · PostgreSQL · {data['devices']:,} devices · {data['customers']:,} customers "
        f"(setup {data['setup_seconds']} s, not timed) · preview = one SELECT count(*), {args.repeat} runs each"
    )
    print(f"  {'selection · user':<58} {'devices':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, row in previews["selections"].items():
        print(f"  {label:<58} {row['count']:>9,} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}")
    if create is not None:
        print(f"  campaign_create (targets written): {create['targets']:,} targets in {create['seconds']} s")
    print(f"  checks: counts equal Python's numeric comparison {'OK' if previews['ok'] else 'FAILED'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"campaigns-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "commit": intake.git_commit(),
        "data": {k: v for k, v in data.items() if k != "model_codes"},
        "repeat": args.repeat,
        "previews": previews,
        "create": create,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print(f"  → {out.relative_to(ROOT)}")
    return 0 if previews["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
