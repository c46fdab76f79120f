"""Due callbacks (回访, SPEC §9: within 7 days of the service): the periodic scan alerts the agent
who accepted the order once, escalates to the director once it is overdue, and a second run
changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.testing import make_user
from notify.choices import DeliveryChannel
from notify.models import OutboxMessage
from sla.services import callback_scan
from workorders.choices import EventKind
from workorders.services import workorder_transition

from .conftest import Clock

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def completed_order(make_order: Any, customer: Any, director: Any, clock: Clock) -> Any:
    order = make_order(customer)
    clock.advance(hours=1)
    order = workorder_transition(order=order, action="start", acting_user=director)
    clock.advance(hours=1)
    return workorder_transition(order=order, action="resolve_remotely", acting_user=director, data={"note": "重启恢复"})


def callback_events(order: Any) -> list[Any]:
    return list(order.events.filter(kind=EventKind.SLA, data__target="callback").order_by("at", "id"))


def in_app(template_key: str) -> list[str]:
    messages = OutboxMessage.objects.filter(template_key=template_key, channel=DeliveryChannel.IN_APP)
    return sorted(messages.values_list("recipient_user__username", flat=True))


def test_a_completed_order_alerts_its_agent_once_then_escalates_when_overdue(
    make_order: Any, customer_a: Any, agent: Any, director: Any, org: Any, clock: Clock
) -> None:
    make_user("agent", org.hq, username="agent2")  # not the one who accepted: not alerted
    order = completed_order(make_order, customer_a, director, clock)
    completed_at = order.completed_at
    assert order.status == "completed"

    assert callback_scan(now=clock.advance(minutes=5)) == {"due": 1, "breached": 0}
    assert callback_scan(now=clock.advance(minutes=5)) == {"due": 0, "breached": 0}  # a second run
    events = callback_events(order)
    assert [(e.data["state"], e.data["deadline"]) for e in events] == [("due", (completed_at + 7 * DAY).isoformat())]
    assert in_app("callback_due") == ["agent"]
    assert in_app("sla_breached") == []

    clock.set(completed_at + 7 * DAY - timedelta(minutes=1))
    assert callback_scan() == {"due": 0, "breached": 0}  # still within the week
    clock.set(completed_at + 7 * DAY)
    assert callback_scan() == {"due": 0, "breached": 1}
    assert callback_scan() == {"due": 0, "breached": 0}
    events = callback_events(order)
    assert [e.data["state"] for e in events] == ["due", "breached"]
    assert events[1].data["escalated_to"] == "director"
    assert in_app("callback_due") == ["agent"]
    assert in_app("sla_breached") == ["agent", "director"]


def test_an_order_first_seen_overdue_is_only_escalated(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    order = completed_order(make_order, customer_a, director, clock)
    assert callback_scan(now=order.completed_at + 8 * DAY) == {"due": 0, "breached": 1}
    assert [e.data["state"] for e in callback_events(order)] == ["breached"]


def test_a_followed_up_order_is_left_alone(
    make_order: Any, customer_a: Any, agent: Any, director: Any, clock: Clock
) -> None:
    order = completed_order(make_order, customer_a, director, clock)
    clock.advance(days=2)
    workorder_transition(order=order, action="follow_up", acting_user=agent, data={"satisfaction": "satisfied"})
    assert callback_scan(now=order.completed_at + 30 * DAY) == {"due": 0, "breached": 0}
    assert callback_events(order) == []


def test_the_periodic_callback_task_is_idempotent(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    from sla.tasks import callback_scan_task

    order = completed_order(make_order, customer_a, director, clock)
    clock.advance(days=8)
    assert callback_scan_task.call_local() == {"due": 0, "breached": 1}
    assert callback_scan_task.call_local() == {"due": 0, "breached": 0}
    assert len(callback_events(order)) == 1
