"""Backups and restores of the whole installation: the database and the uploaded files.

One archive (``aftersales-<UTC time>.tar``) holds ``database.sqlite3`` (SQLite's online backup
API: a consistent copy while the server keeps writing) or ``database.dump`` (``pg_dump`` custom
format, taken in a snapshot the row counts are read in too), the files under ``MEDIA_ROOT``
(attachments, signatures, reports) and ``manifest.json``: the row count of every table and the
SHA-256 of every file. A restore puts both back and checks them against the manifest, so a
restored copy is known to hold what the original held (docs/operations.md, "Backups").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT_VERSION = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MANIFEST_FILE = "manifest.json"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot be done (or whose result does not match its manifest)."""


@dataclass
class RestoreReport:
    archive: Path
    vendor: str
    tables: int
    rows: int
    files: int
    mismatches: list[str] = field(default_factory=list)


def _vendor(using: str) -> str:
    return "sqlite" if connections[using].vendor == "sqlite" else "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): _sha256(path) for path in sorted(root.rglob("*")) if path.is_file()}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- row counts, read from a raw connection of either kind ----------------------------------------


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    # FTS shadow tables come and go with their index; the index's own table is counted.
    return {name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0] for name in sorted(names)}


def _postgres_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def _postgres_env(config: dict[str, Any], database: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[variable] = str(config[key])
    env["PGDATABASE"] = database or config["NAME"]
    return env


def _postgres_connect(config: dict[str, Any], database: str) -> Any:
    import psycopg

    return psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname=database,
    )


def row_counts(*, using: str = "default", database: str | None = None) -> dict[str, int]:
    """Every table's row count in the configured database (or in ``database``: another SQLite
    file or PostgreSQL database on the same server)."""
    config = connections[using].settings_dict
    if _vendor(using) == "sqlite":
        db = sqlite3.connect(str(database or config["NAME"]), timeout=30)
        try:
            return _sqlite_counts(db)
        finally:
            db.close()
    with _postgres_connect(config, database or config["NAME"]) as pg:
        return _postgres_counts(pg.cursor())


# --- backup -----------------------------------------------------------------------------------


@contextmanager
def _staging(parent: Path) -> Iterator[Path]:
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".backup-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _backup_sqlite(config: dict[str, Any], target: Path) -> dict[str, int]:
    source = sqlite3.connect(str(config["NAME"]), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # page by page, restarted by SQLite when a writer changes a page meanwhile
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


def _backup_postgres(config: dict[str, Any], target: Path) -> dict[str, int]:
    # The counts and the dump read one snapshot: the manifest describes exactly what was dumped.
    import psycopg

    with _postgres_connect(config, config["NAME"]) as db:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        cursor = db.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _postgres_counts(cursor)
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"],
            env=_postgres_env(config),
            capture_output=True,
            text=True,
        )
        db.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return counts


def backup_create(*, destination: Path, using: str = "default", media_root: Path | None = None) -> Path:
    """Write one archive into ``destination`` and return its path (written aside, then renamed:
    an archive that exists is complete)."""
    config = connections[using].settings_dict
    vendor = _vendor(using)
    media = Path(media_root or settings.MEDIA_ROOT)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = destination / f"aftersales-{stamp}.tar"
    with _staging(destination) as staging:
        database_file = SQLITE_FILE if vendor == "sqlite" else POSTGRES_FILE
        if vendor == "sqlite":
            counts = _backup_sqlite(config, staging / database_file)
        else:
            counts = _backup_postgres(config, staging / database_file)
        files = _media_files(media)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "vendor": vendor,
            "database_file": database_file,
            "tables": counts,
            "files": files,
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(staging / MANIFEST_FILE, arcname=MANIFEST_FILE)
            tar.add(staging / database_file, arcname=database_file)
            for name in files:
                tar.add(media / name, arcname=f"{MEDIA_DIR}/{name}")
        partial.rename(archive)
    return archive


# --- restore ----------------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST_FILE)
    except KeyError as missing:
        raise BackupError("not a backup archive: no manifest.json") from missing
    if member is None:
        raise BackupError("not a backup archive: manifest.json is not a file")
    manifest: dict[str, Any] = json.loads(member.read().decode("utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _restore_sqlite(source: Path, target: Path) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = sqlite3.connect(str(source))
    destination = sqlite3.connect(str(target), timeout=30)
    try:
        copy.backup(destination)  # replaces every page of the target, in one transaction
        return _sqlite_counts(destination)
    finally:
        destination.close()
        copy.close()


def _restore_postgres(config: dict[str, Any], source: Path, database: str) -> dict[str, int]:
    done = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={database}",
            str(source),
        ],
        env=_postgres_env(config, database),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    with _postgres_connect(config, database) as db:
        return _postgres_counts(db.cursor())


def backup_restore(
    *,
    archive: Path,
    using: str = "default",
    media_root: Path | None = None,
    database: str | None = None,
) -> RestoreReport:
    """Put the archive's database and files back (by default over the configured database and
    ``MEDIA_ROOT``; ``database`` names another SQLite file or PostgreSQL database) and check
    every table's row count and every file's digest against the manifest. Stop the web and
    background workers first: a restore replaces what they are writing."""
    config = connections[using].settings_dict
    vendor = _vendor(using)
    media = Path(media_root or settings.MEDIA_ROOT)
    with tarfile.open(archive, "r") as tar:
        manifest = _read_manifest(tar)
        if manifest["vendor"] != vendor:
            raise BackupError(f"this backup is of a {manifest['vendor']} database, the target is {vendor}")
        with _staging(archive.parent) as staging:
            tar.extractall(staging, filter="data")
            source = staging / manifest["database_file"]
            if vendor == "sqlite":
                counts = _restore_sqlite(source, Path(database or config["NAME"]))
            else:
                counts = _restore_postgres(config, source, database or config["NAME"])
            for name in manifest["files"]:
                target = media / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staging / MEDIA_DIR / name, target)
    expected: dict[str, int] = manifest["tables"]
    mismatches = [
        f"table {name}: {counts.get(name)} rows, the backup has {rows}"
        for name, rows in expected.items()
        if counts.get(name) != rows
    ]
    restored_files = _media_files(media)
    mismatches += [
        f"file {name}: differs from the backup"
        for name, digest in manifest["files"].items()
        if restored_files.get(name) != digest
    ]
    report = RestoreReport(
        archive=archive,
        vendor=vendor,
        tables=len(expected),
        rows=sum(expected.values()),
        files=len(manifest["files"]),
        mismatches=mismatches,
    )
    if mismatches:
        raise BackupError("the restored copy does not match the backup: " + "; ".join(mismatches[:10]))
    return report
