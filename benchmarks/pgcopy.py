"""Shared by the benchmarks that fill a PostgreSQL database at scale (followup, stock): Django set
up in the bench process on a fresh database, and rows copied in SQL from service-made templates
(``INSERT … SELECT … generate_series``) instead of a million service calls.

Named so as not to shadow an app: ``src`` comes first on ``sys.path`` (``intake`` puts it there)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import intake

SRC = Path(__file__).resolve().parents[1] / "src"


def configure(args: argparse.Namespace, var_dir: Path, database: str, *, recreate: bool = True) -> None:
    """Recreate ``database`` (dropped if it exists; ``recreate=False`` keeps a filled one) and set
    Django up on it in this process: the base settings with DEBUG off (no query log), no Redis."""
    intake.BENCH_DB = database  # intake's helpers create / drop / watch the database named there
    if recreate:
        intake.recreate_pg_database(args)
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings.base"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DEBUG"] = "0"  # as in production: no query log
    os.environ["DATABASE_URL"] = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{database}"
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def id_range(table: str) -> tuple[int, int]:
    """The first and last id of a table the bench filled (its ids are consecutive)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        low, high = cursor.fetchone()
    return int(low), int(high)


#: Rows per INSERT … SELECT while loading (each statement commits on its own: autocommit).
LOAD_CHUNK = 500_000


def clone(model: Any, template_pk: int, count: int, overrides: dict[str, str], source: str = "") -> int:
    """Copy row ``template_pk`` of ``model`` ``count`` times in SQL, in statements of at most
    ``LOAD_CHUNK`` rows, each committed; ``overrides`` maps a column to an SQL expression over
    ``g`` (1…count) and ``t`` (the template row); ``source`` replaces the default
    ``generate_series`` FROM clause: it must provide ``g``, and may name the chunk's range of ``g``
    as ``{first}`` and ``{last}`` (a source without them is one statement: keep it ≤ LOAD_CHUNK)."""
    from django.db import connection

    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise SystemExit(f"{table}: no columns {sorted(unknown)}")
    select = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    source = source or "generate_series({first}, {last}) g"
    chunked = "{first}" in source
    written = 0
    for first in range(1, int(count) + 1, LOAD_CHUNK if chunked else max(int(count), 1)):
        last = min(first + LOAD_CHUNK - 1, int(count)) if chunked else int(count)
        sql = (
            f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
            f"SELECT {select} FROM {source.replace('{first}', str(first)).replace('{last}', str(last))} "
            f'CROSS JOIN "{table}" t WHERE t.id = {int(template_pk)}'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            written += cursor.rowcount
    return written
