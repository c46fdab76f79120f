"""``manage.py order_hooks``: who reacts to what happens to a work order, in the order they run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workorders.hooks import registered_hooks
from workorders.panels import registered_panels


class Command(BaseCommand):
    help = "List the hooks on work-order transitions and events, in the order they run, and the order-page cards."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Deciders run before a transition's save; event hooks after its events are written.")
        for position, (name, kind, keys) in enumerate(registered_hooks(), 1):
            what = "actions" if kind == "decider" else "events"
            self.stdout.write(f"{position:2}. {name:<28} {kind:<8} {what}: {', '.join(keys)}")
        self.stdout.write("Order-page cards:")
        for panel in registered_panels():
            self.stdout.write(f"    {panel.name:<28} {panel.column:<5} order {panel.order}")
