from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import TransitionNotAllowed, VersionConflict
from workorders import services
from workorders.choices import EventKind, Status


def _order(user, customer, **kw):
    return services.workorder_create(
        acting_user=user,
        customer=customer,
        service_type="repair",
        channel="phone",
        description="电动车无法启动，仪表盘不亮",
        **kw,
    )


def test_created_order_is_numbered_submitted_and_on_the_timeline(agent, customer_a):
    order = _order(agent, customer_a)
    assert order.number.startswith("WO-") and order.number.endswith("-0001")
    assert order.status == Status.SUBMITTED
    assert order.unit.code == "HZ-XH"  # 西湖区 → the station covering it
    assert list(order.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_accept_records_agent_and_timeline_event(agent, customer_a):
    order = _order(agent, customer_a)
    order = services.workorder_transition(order=order, action="accept", acting_user=agent, data={})
    assert order.status == Status.ACCEPTED
    assert order.accepted_by == agent
    event = order.events.get(kind="accept")
    assert (event.kind, event.from_status, event.to_status) == ("accept", "submitted", "accepted")
    assert order.events.last().kind == "warranty"


def test_reject_requires_a_reason(agent, customer_a):
    order = _order(agent, customer_a)
    with pytest.raises(ValidationError) as error:
        services.workorder_transition(order=order, action="reject", acting_user=agent, data={})
    assert "reason" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED and order.events.count() == 1


def test_illegal_transition_names_the_allowed_actions(agent, customer_a):
    order = _order(agent, customer_a)
    with pytest.raises(TransitionNotAllowed) as error:
        services.workorder_transition(order=order, action="close", acting_user=agent, data={})
    assert error.value.status == "submitted"
    assert set(error.value.allowed_actions) >= {"accept", "reject", "cancel"}


def test_technician_may_not_accept(technician, agent, customer_a):
    order = _order(agent, customer_a)
    with pytest.raises(PermissionDenied):
        services.workorder_transition(order=order, action="accept", acting_user=technician, data={})


def test_stale_version_is_refused(agent, customer_a):
    order = _order(agent, customer_a)
    services.workorder_update(order=order, acting_user=agent, changes={"description": "新描述"}, expected_version=1)
    with pytest.raises(VersionConflict):
        services.workorder_update(order=order, acting_user=agent, changes={"description": "旧的"}, expected_version=1)
