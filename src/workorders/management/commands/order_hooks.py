"""``manage.py order_hooks``: who reacts to what happens to a work order, in the order they run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.panels import page_panels_registered
from workorders.hooks import registered_hooks


class Command(BaseCommand):
    help = "List the hooks on work-order transitions and events, in the order they run, and the order-page cards."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Deciders run before a transition's save; event hooks after its events are written.")
        for position, (name, kind, keys) in enumerate(registered_hooks(), 1):
            what = "actions" if kind == "decider" else "events"
            self.stdout.write(f"{position:2}. {name:<28} {kind:<8} {what}: {', '.join(keys)}")
        for page in ("order", "customer", "device"):
            self.stdout.write(f"Cards on the {page} page:")
            for panel in page_panels_registered(page):
                self.stdout.write(f"    {panel.name:<28} {panel.column:<5} order {panel.order}")
