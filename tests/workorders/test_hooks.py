"""How the apps above work orders take part (ADR 0016): hooks by name and kind, in the order
workorders.hooks states; a transition saves the order once and writes its events in one go."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workorders import hooks
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition

pytestmark = pytest.mark.django_db


def repair(agent: Any, customer: Any, device: Any) -> WorkOrder:
    return workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="不开机",
    )


def test_accept_saves_the_order_once_with_the_warranty_charge_and_both_events(
    agent: Any, customer_a: Any, device_a: Any
) -> None:
    order = repair(agent, customer_a, device_a)
    with CaptureQueriesContext(connection) as queries:
        accepted = workorder_transition(order=order, action="accept", acting_user=agent, data={})
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "workorders_workorder"')]
    event_inserts = [q["sql"] for q in queries.captured_queries if 'INTO "workorders_timelineevent"' in q["sql"]]

    assert len(updates) == 1 and "charge_type" in updates[0]
    assert len(event_inserts) == 1  # accept and warranty in one statement
    assert (accepted.version, accepted.charge_type) == (2, "free")
    assert list(accepted.events.order_by("id").values_list("kind", flat=True)) == ["created", "accept", "warranty"]


def test_hooks_run_in_the_stated_order_for_the_kinds_they_name() -> None:
    listed = hooks.registered_hooks()
    names = [name for name, _kind, _keys in listed]
    assert names == sorted(names, key=hooks.HOOK_ORDER.index)
    by_name = {name: (kind, keys) for name, kind, keys in listed}
    assert by_name["policies.warranty_decision"] == ("decider", ("accept", "diagnose"))
    assert by_name["dispatch.appointments"] == ("event", ("assign", "cancel", "schedule"))
    assert "warranty" not in by_name["sla.clocks"][1] and "comment" not in by_name["sla.clocks"][1]
    assert [h.name for h in hooks.event_hooks_for("accept")] == ["workorders.notifications", "sla.clocks"]
    assert [h.name for h in hooks.event_hooks_for("comment")] == []


def test_a_hook_not_in_the_stated_order_is_refused() -> None:
    with pytest.raises(ValueError, match="HOOK_ORDER"):
        hooks.register_event_hook(name="reports.counters", kinds=("accept",), run=lambda order, event: None)


def test_manage_order_hooks_lists_who_listens_to_what() -> None:
    out = io.StringIO()
    call_command("order_hooks", stdout=out)
    text = out.getvalue()
    assert "1. policies.warranty_decision" in text and "decider" in text
    assert text.index("workorders.notifications") < text.index("sla.clocks") < text.index("dispatch.appointments")
    assert "billing_quote" in text  # the order-page cards too
