"""Follow-up fixtures: a settable clock on a working Monday, and orders completed on site
through the real work-order services (accept → assign → start → QC → customer's sign-off)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

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
    """Mon 2 Mar 2026 09:00 Shanghai (a working day with known holidays), moved by the test."""
    fake = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    monkeypatch.setattr(timezone, "now", fake)
    yield fake


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted by their English msgids (zh-hans is the project default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids


@pytest.fixture
def complete_on_site(agent: Any, director: Any, technician: Any, qc_inspector: Any, clock: Clock) -> Callable[..., Any]:
    """An order of ``customer`` done on site and signed off by the customer (status completed)."""

    def make(customer: Any, *, service_type: str = "repair") -> Any:
        order = workorder_create(
            acting_user=agent,
            customer=customer,
            service_type=service_type,
            channel="phone",
            description="开机无反应，电源指示灯不亮。",
        )
        order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
        order = workorder_transition(
            order=order, action="assign", acting_user=director, data={"technician": technician.pk}
        )
        clock.advance(hours=1)
        order = workorder_transition(order=order, action="start", acting_user=technician)
        clock.advance(hours=1)
        order = workorder_transition(
            order=order, action="submit_qc", acting_user=technician, data={"note": "更换电源板"}
        )
        order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
        return workorder_transition(
            order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "王先生"}
        )

    return make
