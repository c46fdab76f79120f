"""The outbox worker outlives a database restart (found by ./dev bench crash on PostgreSQL: the
worker exited on "the database system is shutting down" and nothing delivered the rest)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError

from notify.management.commands import notify_worker
from notify.services import DeliveryReport


def test_the_worker_waits_for_the_database_and_carries_on(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[Any] = [
        OperationalError("the database system is shutting down"),
        OperationalError("connection refused"),
        OperationalError("connection refused"),
        DeliveryReport(claimed=3, sent=3),
    ]
    calls: list[dict[str, Any]] = []

    def deliver(**kwargs: Any) -> DeliveryReport:
        calls.append(kwargs)
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    waits: list[float] = []
    monkeypatch.setattr(notify_worker, "outbox_deliver_due", deliver)
    monkeypatch.setattr(notify_worker.time, "sleep", waits.append)
    out, err = io.StringIO(), io.StringIO()

    call_command("notify_worker", once=True, stdout=out, stderr=err)

    assert len(calls) == 4 and outcomes == []
    assert waits == [1.0, 2.0, 4.0]  # doubling while the database is away
    assert "claimed 3: sent 3" in out.getvalue()
    assert err.getvalue().count("database unavailable (OperationalError)") == 3


def test_the_wait_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    failures = 8
    state = {"left": failures}

    def deliver(**kwargs: Any) -> DeliveryReport:
        if state["left"]:
            state["left"] -= 1
            raise OperationalError("down")
        return DeliveryReport()

    waits: list[float] = []
    monkeypatch.setattr(notify_worker, "outbox_deliver_due", deliver)
    monkeypatch.setattr(notify_worker.time, "sleep", waits.append)
    call_command("notify_worker", once=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
