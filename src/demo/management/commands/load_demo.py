"""``manage.py load_demo [--scale 1.0] [--seed 2026]``: realistic demo data, once.

Idempotent: the data is written in one transaction, so finding the demo's agent means it is all
there, and a second run only says so. A database that already holds other customers or work
orders is left alone.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Load realistic demo data: organisation, staff logins, catalogue, customers, devices, work orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1.0 ≈ 200 customers, 500 devices, 1,000 work orders"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args: Any, scale: float, seed: int, **options: Any) -> None:
        from demo.loader import (
            COUNT_LABELS,
            TIMING_LABELS,
            database_has_other_data,
            demo_is_loaded,
            load_demo,
        )

        if not 0 < scale <= 20:
            raise CommandError(_("--scale must be greater than 0 and at most 20."))
        if demo_is_loaded():
            self.stdout.write(_("Demo data is already loaded; nothing to do."))
            return
        if database_has_other_data():
            self.stdout.write(
                self.style.WARNING(_("The database already holds customers or work orders; demo data not loaded."))
            )
            return
        started = time.perf_counter()
        self.stdout.write(_("Loading demo data (scale %(scale)s, seed %(seed)s)…") % {"scale": scale, "seed": seed})
        builder = load_demo(scale=scale, seed=seed, log=self.stdout.write)
        elapsed = time.perf_counter() - started
        counts = ", ".join(
            _("%(count)s %(name)s") % {"count": count, "name": COUNT_LABELS.get(name, name)}
            for name, count in builder.counts.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded in %(seconds).1f s: %(counts)s.") % {"seconds": elapsed, "counts": counts}
            )
        )
        timings = ", ".join(
            _("%(name)s %(seconds).1f s") % {"name": TIMING_LABELS.get(name, name), "seconds": seconds}
            for name, seconds in builder.timings.items()
        )
        self.stdout.write(_("Time per part: %(timings)s.") % {"timings": timings})
