"""Backups (issue 10, point 5): ``manage.py backup`` / ``restore`` (``./dev backup`` / ``restore``)
on the database the suite runs on — SQLite, or PostgreSQL with pg_dump / pg_restore. A restored
copy has the same rows in every table and the same files as the original."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import BackupError, backup_create, backup_restore, row_counts
from workorders import services
from workorders.models import Attachment, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """Where a copy is restored: a new SQLite file, or a new PostgreSQL database (dropped after)."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    import psycopg

    config = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:12]}"
    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None, "user": config.get("USER")}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def order_with_files(agent: Any, customer: Any) -> WorkOrder:
    order = services.workorder_create(
        acting_user=agent, customer=customer, service_type="repair", channel="phone", description="显示屏花屏"
    )
    for name in ("front.png", "serial-plate.png"):
        upload = SimpleUploadedFile(name, PNG, content_type="image/png")
        services.workorder_add_attachment(order=order, upload=upload, acting_user=agent)
    return order


def test_a_restored_copy_has_the_same_rows_and_files(
    agent: Any, customer_a: Any, media: Path, scratch_database: str, tmp_path: Path
) -> None:
    order_with_files(agent, customer_a)
    original_rows = row_counts()
    original_files = {p.relative_to(media): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    assert len(original_files) == 2 and original_rows["workorders_workorder"] == 1

    archive = backup_create(destination=tmp_path / "backups")
    copy_media = tmp_path / "restored-media"
    report = backup_restore(archive=archive, database=scratch_database, media_root=copy_media)

    assert row_counts(database=scratch_database) == original_rows
    assert {p.relative_to(copy_media): p.read_bytes() for p in copy_media.rglob("*") if p.is_file()} == original_files
    assert (report.files, report.rows, report.mismatches) == (2, sum(original_rows.values()), [])


def test_restore_brings_back_what_was_lost_after_the_backup(
    agent: Any, customer_a: Any, media: Path, tmp_path: Path
) -> None:
    order = order_with_files(agent, customer_a)
    attachment = Attachment.objects.filter(order=order).first()
    assert attachment is not None
    stored = media / attachment.file.name
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    [archive] = (tmp_path / "backups").glob("aftersales-*.tar")

    stored.unlink()
    Attachment.objects.filter(order=order).delete()
    WorkOrder.objects.filter(pk=order.pk).delete()
    out = io.StringIO()
    connection.close()  # the restore replaces the database under this process's connection
    call_command("restore", str(archive), yes=True, stdout=out)

    restored = WorkOrder.objects.get(pk=order.pk)
    assert restored.attachments.count() == 2
    assert stored.read_bytes() == PNG
    assert "all match the backup" in out.getvalue()


def test_an_archive_that_does_not_match_its_manifest_is_refused(
    agent: Any, customer_a: Any, media: Path, scratch_database: str, tmp_path: Path
) -> None:
    order_with_files(agent, customer_a)
    archive = backup_create(destination=tmp_path / "backups")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            content = data.read() if data else b""
            if member.name.startswith("media/"):
                content = content[:-1] + b"!"  # a file damaged in the archive
            elif member.name == "manifest.json":
                manifest = json.loads(content)
                manifest["tables"]["workorders_workorder"] = 5  # rows the copy does not have
                content = json.dumps(manifest).encode()
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    with pytest.raises(BackupError) as refused:
        backup_restore(archive=tampered, database=scratch_database, media_root=tmp_path / "copy")
    assert "workorders_workorder: 1 rows, the backup has 5" in str(refused.value)
    assert "differs from the backup" in str(refused.value)


def test_something_that_is_not_a_backup_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "photos.tar"
    with tarfile.open(not_a_backup, "w") as tar:
        tar.addfile(tarfile.TarInfo("photo.jpg"), io.BytesIO(b""))
    with pytest.raises(CommandError, match=r"no manifest\.json"):
        call_command("restore", str(not_a_backup), database=str(tmp_path / "x"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore", str(tmp_path / "missing.tar"), yes=True, stdout=io.StringIO())
