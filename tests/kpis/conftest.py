"""KPI fixtures: a settable clock (March 2026, Asia/Shanghai) and a ``Flow`` that builds an
order's history through the real work-order services, step by step at chosen times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from workorders.choices import EventKind
from workorders.services import workorder_create, workorder_record_event, workorder_transition

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
    fake = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    monkeypatch.setattr(timezone, "now", fake)
    yield fake


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en


class Flow:
    """One order moved through the real services; every step first sets the clock."""

    def __init__(
        self, people: dict[str, Any], clock: Clock, customer: Any, when: datetime | None = None, **create: Any
    ) -> None:
        self.p, self.clock = dict(people), clock
        if "technician" in create:
            self.p["technician"] = create.pop("technician")
        if when is not None:
            clock.set(when)
        self.order = workorder_create(
            acting_user=people["agent"],
            customer=customer,
            service_type=create.pop("service_type", "repair"),
            channel="phone",
            description=create.pop("description", "开机无反应，电源指示灯不亮。"),
            **create,
        )

    def _do(self, action: str, who: str | None, at: datetime | None, **data: Any) -> Flow:
        if at is not None:
            self.clock.set(at)
        user = self.p[who] if who else None
        self.order = workorder_transition(
            order=self.order, action=action, acting_user=user, by_customer=who is None, data=data
        )
        return self

    def accept(self, at: datetime | None = None) -> Flow:
        return self._do("accept", "agent", at, charge_type="free")

    def assign(self, at: datetime | None = None) -> Flow:
        return self._do("assign", "director", at, technician=self.p["technician"].pk)

    def start(self, at: datetime | None = None) -> Flow:
        return self._do("start", "technician", at)

    def check_in(self, at: datetime | None = None) -> Flow:
        if at is not None:
            self.clock.set(at)
        workorder_record_event(order=self.order, kind=EventKind.CHECK_IN, acting_user=self.p["technician"])
        return self

    def pause(self, at: datetime | None = None) -> Flow:
        return self._do("pause", "technician", at, wait_reason="parts")

    def resume(self, at: datetime | None = None) -> Flow:
        return self._do("resume", "technician", at)

    def finish(self, at: datetime | None = None) -> Flow:
        """QC and the customer's sign-off (completed as done)."""
        self._do("submit_qc", "technician", at, note="更换电源板")
        self._do("qc_pass", "qc", None)
        return self._do("sign_off", None, None, signer_name="王先生")

    def remote(self, at: datetime | None = None) -> Flow:
        self._do("start", "technician", at)
        return self._do("resolve_remotely", "technician", None, note="远程指导重置")

    def incomplete(self, at: datetime | None = None) -> Flow:
        return self._do("close_incomplete", "director", at, reason="客户放弃维修")

    def follow_up(self, satisfaction: str, score: int | None = None, at: datetime | None = None) -> Flow:
        data: dict[str, Any] = {"satisfaction": satisfaction}
        if score is not None:
            data["score"] = score
        return self._do("follow_up", "agent", at, **data)

    def reopen(self, at: datetime | None = None) -> Flow:
        return self._do("reopen", "director", at, reason="同一故障再次出现")

    def cancel(self, at: datetime | None = None) -> Flow:
        return self._do("cancel", "agent", at, reason="客户取消")

    def reject(self, at: datetime | None = None) -> Flow:
        return self._do("reject", "agent", at, reason="非本公司产品")

    def diagnose(self, fault_cause: str = "quality") -> Flow:
        from workorders.actions import workorder_diagnose

        self.order = workorder_diagnose(
            order=self.order, acting_user=self.p["technician"], fault_cause=fault_cause, diagnosis="电源板故障"
        )
        return self


@pytest.fixture
def people(agent: Any, director: Any, technician: Any, qc_inspector: Any) -> dict[str, Any]:
    return {"agent": agent, "director": director, "technician": technician, "qc": qc_inspector}


@pytest.fixture
def flow(people: dict[str, Any], clock: Clock, customer_a: Any) -> Any:
    def make(customer: Any = None, when: datetime | None = None, **create: Any) -> Flow:
        return Flow(people, clock, customer or customer_a, when, **create)

    return make
