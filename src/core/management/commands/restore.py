"""``manage.py restore ARCHIVE``: put a backup back and check it (``./dev restore``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive over the configured database and MEDIA_ROOT, then check every table's "
        "row count and every file's digest against it. Stop the server and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="an archive written by manage.py backup")
        parser.add_argument("--database", default="", help="another SQLite file or PostgreSQL database to restore into")
        parser.add_argument("--media-root", default="", help="another directory for the files")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"no such archive: {archive}")
        if not options["yes"] and not options["database"]:
            answer = input("This replaces the database and the uploaded files. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("not restored")
        try:
            report = backup_restore(
                archive=archive,
                database=options["database"] or None,
                media_root=Path(options["media_root"]) if options["media_root"] else None,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {report.archive.name} ({report.vendor}): {report.tables} tables, {report.rows} rows, "
            f"{report.files} files — all match the backup"
        )
