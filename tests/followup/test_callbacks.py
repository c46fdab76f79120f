"""Callbacks (回访, SPEC §9, seed 002 "服务完成后 7 日内回访"): the queue of completed on-site
orders, due 7 working days after the visit on the work calendar; a reached call records the
rating through the order's own follow_up transition; no answer → again on a later working day,
up to N calls; wrong number; a late callback is recorded as late; the HQ's seeded sample."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import TransitionNotAllowed
from followup.models import CallbackTask
from followup.policies import callback_due_at, sample_draw
from followup.services import (
    callback_queue_refresh,
    callback_record_call,
    callback_sample_draw,
    followup_calendar,
)
from workorders.choices import EventKind

from .conftest import SH, Clock

pytestmark = pytest.mark.django_db


def test_a_completed_on_site_order_gets_one_callback_due_seven_working_days_later(
    complete_on_site: Any, customer_a: Any, clock: Clock
) -> None:
    order = complete_on_site(customer_a)
    assert order.status == "completed"
    assert callback_queue_refresh() == 1
    assert callback_queue_refresh() == 0  # a second run creates nothing
    task = CallbackTask.objects.get(order=order)
    assert task.reason == "due" and task.status == "open" and task.unit_id == order.unit_id
    # Visit on Mon 2 Mar 2026: the 7th working day after it is Wed 11 Mar, due at its close (18:00).
    assert task.due_at == datetime(2026, 3, 11, 18, 0, tzinfo=SH)


def test_the_window_counts_working_days_across_a_holiday() -> None:
    from workcalendar.selectors import working_calendar

    calendar = working_calendar("standard")
    # Visit Mon 28 Sep 2026: 1–7 Oct is the National Day holiday (10 Oct is a make-up Saturday).
    due = callback_due_at(calendar, datetime(2026, 9, 28, 15, 0, tzinfo=SH))
    assert due.date() > date(2026, 10, 7)
    assert calendar.is_working_day(due.date())


def test_a_remote_resolution_is_not_an_on_site_callback(make_remote: Any) -> None:
    make_remote()
    assert callback_queue_refresh() == 0


@pytest.fixture
def make_remote(agent: Any, director: Any, customer_a: Any, clock: Clock) -> Any:
    from workorders.services import workorder_create, workorder_transition

    def make() -> Any:
        order = workorder_create(
            acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="无法开机"
        )
        order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
        order = workorder_transition(order=order, action="start", acting_user=director)
        return workorder_transition(order=order, action="resolve_remotely", acting_user=director, data={"note": "重启"})

    return make


def test_a_reached_call_records_the_rating_through_the_orders_follow_up(
    complete_on_site: Any, customer_a: Any, agent: Any, clock: Clock
) -> None:
    order = complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get(order=order)
    clock.advance(days=1)
    result = callback_record_call(
        task=task, acting_user=agent, outcome="reached", satisfaction="satisfied", score=5, comment="师傅很专业"
    )
    assert result.recorded_on_order
    order.refresh_from_db()
    assert order.status == "followed_up"
    assert (order.satisfaction, order.satisfaction_score, order.satisfaction_comment) == ("satisfied", 5, "师傅很专业")
    follow_up = order.events.get(kind=EventKind.FOLLOW_UP)
    assert follow_up.actor == agent
    task.refresh_from_db()
    assert task.status == "done" and not task.is_late and task.attempts == 1
    assert task.calls.count() == 1


def test_no_answer_retries_on_a_later_working_day_up_to_the_limit(
    complete_on_site: Any, customer_a: Any, agent: Any, clock: Clock, settings: Any
) -> None:
    settings.FOLLOWUP_CALLBACK_MAX_ATTEMPTS = 2
    order = complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get(order=order)
    callback_record_call(task=task, acting_user=agent, outcome="no_answer")
    task.refresh_from_db()
    assert task.status == "retry" and task.next_attempt_on == date(2026, 3, 3)
    with pytest.raises(ValidationError) as refused:  # not again the same day
        callback_record_call(task=task, acting_user=agent, outcome="no_answer")
    assert "outcome" in refused.value.message_dict
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    callback_record_call(task=task, acting_user=agent, outcome="no_answer")
    task.refresh_from_db()
    assert task.status == "unreachable" and task.attempts == 2 and task.finished_at is not None
    order.refresh_from_db()
    assert order.status == "completed"  # no rating was given
    with pytest.raises(TransitionNotAllowed):
        callback_record_call(task=task, acting_user=agent, outcome="reached", satisfaction="satisfied")


def test_wrong_number_finishes_the_callback(complete_on_site: Any, customer_a: Any, agent: Any) -> None:
    order = complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get(order=order)
    callback_record_call(task=task, acting_user=agent, outcome="wrong_number", note="空号")
    task.refresh_from_db()
    assert task.status == "wrong_number" and task.finished_at is not None


def test_a_late_callback_is_recorded_as_late(complete_on_site: Any, customer_a: Any, agent: Any, clock: Clock) -> None:
    order = complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get(order=order)
    clock.set(task.due_at + timedelta(minutes=1))
    callback_record_call(task=task, acting_user=agent, outcome="reached", satisfaction="unsatisfied", score=2)
    task.refresh_from_db()
    assert task.is_late and task.status == "done"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "reached"}, "satisfaction"),
        ({"outcome": "reached", "satisfaction": "satisfied", "score": 0}, "score"),
        ({"outcome": "reached", "satisfaction": "satisfied", "score": 6}, "score"),
        ({"outcome": "hung_up"}, "outcome"),
    ],
    ids=["no-rating", "score-0", "score-6", "unknown-outcome"],
)
def test_bad_call_input_is_refused_and_nothing_is_written(
    complete_on_site: Any, customer_a: Any, agent: Any, data: dict[str, Any], field: str
) -> None:
    order = complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get(order=order)
    with pytest.raises(ValidationError) as refused:
        callback_record_call(task=task, acting_user=agent, **data)
    assert field in refused.value.message_dict
    task.refresh_from_db()
    assert task.attempts == 0 and task.calls.count() == 0
    order.refresh_from_db()
    assert order.status == "completed"


def test_another_station_may_not_call_the_customer(complete_on_site: Any, customer_a: Any, station_b_user: Any) -> None:
    complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get()
    with pytest.raises(PermissionDenied):
        callback_record_call(task=task, acting_user=station_b_user, outcome="wrong_number")


def test_the_sample_draw_is_seeded_and_reproducible() -> None:
    first = sample_draw(population=list(range(1, 101)), share=Decimal("0.05"), seed="HZ:2026-03")
    again = sample_draw(population=list(range(100, 0, -1)), share=Decimal("0.05"), seed="HZ:2026-03")
    assert first.drawn == again.drawn and len(first.drawn) == 5
    assert sample_draw(population=[], share=Decimal("0.5"), seed="x").drawn == ()
    assert len(sample_draw(population=[1, 2, 3], share=Decimal("0.01"), seed="x").drawn) == 1  # at least one


def test_hq_draws_an_auditable_sample_once_per_unit_and_period(
    make_remote: Any, director: Any, agent: Any, station_a_user: Any, clock: Clock
) -> None:
    orders = [make_remote() for _ in range(4)]
    unit = orders[0].unit
    day = clock.moment.date()
    sample = callback_sample_draw(
        unit=unit, period_start=day, period_end=day, acting_user=director, share=Decimal("0.5"), seed="audit-1"
    )
    assert len(sample.drawn) == 2 and sorted(sample.population) == sorted(o.pk for o in orders)
    assert all("audit-1" in row["why"] for row in sample.drawn)
    expected = sample_draw(population=sample.population, share=Decimal("0.5"), seed="audit-1").drawn
    assert [row["order"] for row in sample.drawn] == list(expected)
    tasks = CallbackTask.objects.filter(sample=sample)
    assert {t.order_id for t in tasks} == set(expected) and {t.reason for t in tasks} == {"hq_sample"}
    again = callback_sample_draw(unit=unit, period_start=day, period_end=day, acting_user=director, seed="other")
    assert again.pk == sample.pk and CallbackTask.objects.count() == 2  # nothing drawn twice
    with pytest.raises(PermissionDenied):
        callback_sample_draw(unit=unit, period_start=day, period_end=day, acting_user=station_a_user)
    assert followup_calendar().code == "standard"


def test_the_demo_content_runs_on_completed_orders_and_twice_adds_no_complaint(
    complete_on_site: Any, customer_a: Any, agent: Any, director: Any, clock: Clock
) -> None:
    from followup.demo import load_demo_followup
    from followup.models import Complaint

    for _ in range(3):
        complete_on_site(customer_a)
    first = load_demo_followup()
    assert first["callbacks"] == 3 and first["calls"] == 2 and first["complaints"] == 3
    assert Complaint.objects.filter(status="closed").count() == 1
    assert first["surveys"] == 3
    from followup.models import RecoveryTask

    assert RecoveryTask.objects.count() == 1  # the unhappy demo answer
    again = load_demo_followup()
    assert again["complaints"] == 0 and again["callbacks"] == 0 and Complaint.objects.count() == 3
