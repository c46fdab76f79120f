"""``manage.py backup``: one archive of the database and the uploaded files (``./dev backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into one archive (consistent while the server runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="", help="directory for the archive (default: VAR_DIR/backups)")

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["output"] or Path(settings.VAR_DIR) / "backups")
        try:
            archive = backup_create(destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backup written: {archive} ({archive.stat().st_size / 1_048_576:.1f} MiB)")
