"""``manage.py notify_worker [--once] [--batch N] [--lease S] [--idle S]``: deliver the outbox in a loop.

A dedicated sender process (besides huey's periodic task). Killing it at any moment loses
nothing: claimed messages are taken again by the next worker once their lease ends. A database
that goes away (a restart) does not end it: it waits, doubling up to 30 s, and carries on.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from notify.services import outbox_deliver_due, worker_name

#: Seconds between attempts while the database is away (a restart, a failover): doubling up to this.
MAX_RECONNECT_WAIT = 30.0


class Command(BaseCommand):
    help = "Deliver due notifications from the outbox (loops unless --once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver one batch and exit.")
        parser.add_argument("--batch", type=int, default=None, help="Messages claimed per batch.")
        parser.add_argument("--lease", type=float, default=None, help="Seconds a claim lasts.")
        parser.add_argument("--idle", type=float, default=2.0, help="Seconds to sleep when nothing is due.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = worker_name()
        self.stdout.write(f"notify worker {owner} started")
        self.stdout.flush()
        wait = 1.0
        while True:
            try:
                report = outbox_deliver_due(owner=owner, limit=options["batch"], lease_seconds=options["lease"])
            except DatabaseError as error:
                # The database went away (restarted, failed over): the claims of this batch roll back
                # or end with their lease, so wait and try again rather than exit and stop delivering.
                self.stderr.write(f"database unavailable ({error.__class__.__name__}); retrying in {wait:.0f} s")
                self.stderr.flush()
                connection.close()
                time.sleep(wait)
                wait = min(wait * 2, MAX_RECONNECT_WAIT)
                continue
            wait = 1.0
            close_old_connections()
            if report.claimed:
                self.stdout.write(
                    f"claimed {report.claimed}: sent {report.sent}, retrying {report.retrying}, "
                    f"failed {report.failed}, cancelled {report.cancelled}"
                )
                self.stdout.flush()
            if options["once"]:
                return
            if not report.claimed:
                time.sleep(options["idle"])
