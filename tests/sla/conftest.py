"""SLA fixtures: a settable clock (the services stamp ``timezone.now()``) and orders made
through the real work-order services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customers.services import customer_update
from workorders.services import workorder_create, workorder_transition

SH = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> datetime:
        self.moment = moment
        return moment

    def advance(self, **delta: float) -> datetime:
        self.moment = self.moment + timedelta(**delta)
        return self.moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """Mon 2 Mar 2026 09:00 Shanghai, moved by the test."""
    fake = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    monkeypatch.setattr(timezone, "now", fake)
    yield fake


@pytest.fixture
def make_order(agent: Any, clock: Clock) -> Callable[..., Any]:
    def make(customer: Any, *, service_type: str = "repair", urgency: str = "normal", accept: bool = True) -> Any:
        order = workorder_create(
            acting_user=agent,
            customer=customer,
            service_type=service_type,
            channel="phone",
            description="开机无反应，电源指示灯不亮。",
            urgency=urgency,
        )
        if accept:
            order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
        return order

    return make


def tag_customer(customer: Any, tags: str) -> Any:
    return customer_update(customer=customer, acting_user=None, changes={"tags": tags})
