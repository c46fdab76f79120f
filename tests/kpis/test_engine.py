"""Each SPEC §12 definition on hand-built histories (through the real services)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.choices import Role
from core.testing import make_user
from kpis import engine
from kpis.models import RepairTime
from tests.kpis.conftest import SH

MARCH = engine.Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = engine.Period(date(2026, 4, 1), date(2026, 4, 30))


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def figures(user: Any, period: engine.Period = MARCH, **slice_: Any) -> dict[str, engine.Figure]:
    return engine.compute(user=user, period=period, slice_=engine.Slice(**slice_))


def nd(figure: engine.Figure) -> tuple[Any, Any]:
    return figure.numerator, figure.denominator


@pytest.mark.django_db
def test_first_time_fix_and_repeat_repair_from_the_timeline(flow: Any, director: Any, clock: Any) -> None:
    clean = flow().accept(at(2, 9)).assign().check_in(at(2, 11)).start().finish(at(2, 13))
    two_visits = flow().accept(at(3, 9)).assign().check_in(at(3, 10))
    two_visits.start().pause(at(3, 11)).check_in(at(4, 10)).resume().finish(at(4, 12))
    reopened = flow().accept(at(5, 9)).assign().start(at(5, 10)).finish(at(5, 11))
    reopened.reopen(at(10, 9)).assign().start().finish(at(10, 12))
    not_done = flow().accept(at(6, 9)).assign().start(at(6, 10)).incomplete(at(6, 15))
    remote = flow().accept(at(7, 9)).remote(at(7, 9, 30))
    # Cancelled after acceptance and a rejected request never count.
    flow().accept(at(8, 9)).cancel(at(8, 10))
    flow().reject(at(8, 11))
    # A maintenance order is not a repair order.
    flow(service_type="maintenance").accept(at(9, 9)).assign().start().finish(at(9, 12))

    result = figures(director)
    # Denominator: clean, two visits, reopened (once), not done, remote = 5.
    assert nd(result["first_time_fix_rate"]) == (2, 5)  # clean and remote (no visit at all)
    assert result["first_time_fix_rate"].value == Decimal("0.4")
    assert nd(result["repeat_repair_rate"]) == (1, 5)
    drilled = engine.drilldown(
        user=director, period=MARCH, slice_=engine.Slice(), name="first_time_fix_rate", part="numerator"
    )
    assert {o.pk for o in drilled} == {clean.order.pk, remote.order.pk}
    misses = engine.drilldown(
        user=director, period=MARCH, slice_=engine.Slice(), name="first_time_fix_rate", part="misses"
    )
    assert {o.pk for o in misses} == {two_visits.order.pk, reopened.order.pk, not_done.order.pk}


@pytest.mark.django_db
def test_a_new_repair_order_for_the_same_device_and_cause_is_a_repeat(
    flow: Any, director: Any, device_a: Any, clock: Any
) -> None:
    first = (
        flow(device=device_a, when=at(2, 8))
        .accept(at(2, 9))
        .assign()
        .start(at(2, 10))
        .diagnose("quality")
        .finish(at(2, 12))
    )
    second = flow(device=device_a, when=at(20, 8)).accept(at(20, 9)).assign().start(at(20, 10)).diagnose("quality")
    other_cause = flow(device=device_a, when=at(21, 8)).accept(at(21, 9))
    other_cause.assign().start(at(21, 10)).diagnose("drop")
    result = figures(director)
    assert nd(result["repeat_repair_rate"]) == (1, 1)
    drilled = engine.drilldown(
        user=director, period=MARCH, slice_=engine.Slice(), name="repeat_repair_rate", part="numerator"
    )
    assert [o.pk for o in drilled] == [first.order.pk]
    # The second order is no repeat of anything before it, and not yet completed.
    assert second.order.pk not in {o.pk for o in drilled}


@pytest.mark.django_db
def test_mttr_counts_business_time_from_arrival_and_excludes_waiting(flow: Any, director: Any, clock: Any) -> None:
    # 24×7 calendar (REPAIR-48H): on site 10:00, waiting 11:00–15:00, done 17:00 → 3 h.
    paused = flow().accept(at(2, 9)).assign().check_in(at(2, 10)).start().pause(at(2, 11)).resume(at(2, 15))
    paused.finish(at(2, 17))
    # Remote fix without a visit: from the acceptance 09:00 to 10:00 → 1 h.
    flow().accept(at(3, 9)).remote(at(3, 10))
    # Not done: not in MTTR.
    flow().accept(at(4, 9)).assign().start(at(4, 10)).incomplete(at(4, 20))
    row = RepairTime.objects.get(order=paused.order)
    assert row.business_seconds == 3 * 3600 and row.waiting_seconds == 4 * 3600 and row.from_arrival
    mttr = figures(director)["mttr_hours"]
    assert mttr.count == 2 and mttr.value == Decimal("2.00")
    assert mttr.as_api() == {"value": 2.0, "count": 2}


@pytest.mark.django_db
def test_period_boundary_in_shanghai_time(flow: Any, director: Any, clock: Any) -> None:
    late = flow().accept(at(31, 20)).assign().start(at(31, 21)).finish(at(31, 23, 59))
    first_april = flow().accept(at(31, 22)).assign().start(at(31, 23)).finish(datetime(2026, 4, 1, 0, 0, tzinfo=SH))
    march, april = figures(director, MARCH), figures(director, APRIL)
    assert march["first_time_fix_rate"].denominator == 1
    assert april["first_time_fix_rate"].denominator == 1
    assert {
        o.pk
        for o in engine.drilldown(
            user=director, period=MARCH, slice_=engine.Slice(), name="first_time_fix_rate", part="denominator"
        )
    } == {late.order.pk}
    assert first_april.order.pk


@pytest.mark.django_db
def test_in_time_rates_count_by_due_time_and_an_open_past_due_target_is_a_miss(
    flow: Any, director: Any, clock: Any
) -> None:
    # REPAIR-48H: response 24 h, on site 48 h (7×24) from the request.
    clock.set(at(2, 9))
    in_time = flow()
    in_time.accept(at(2, 10)).assign().check_in(at(3, 9)).start()
    clock.set(at(2, 9))
    late = flow()
    late.accept(at(3, 12)).assign()  # responded after 27 h: a response miss
    clock.set(at(2, 9))
    flow()  # never answered: the SLA app sets deadlines at acceptance, so it has none to miss
    clock.set(at(10, 9))
    result = figures(director)
    assert nd(result["response_in_time_rate"]) == (1, 2)
    # Arrival: in_time met (due 4 Mar 09:00); the late one is open and past due: a miss.
    assert nd(result["onsite_in_time_rate"]) == (1, 2)
    assert nd(result["commitment_fulfilment_rate"]) == (1, 2)
    # In a period in which no target fell due the denominator is zero and the value null.
    early = figures(director, engine.Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert early["onsite_in_time_rate"].value is None
    assert early["onsite_in_time_rate"].as_api() == {"value": None, "numerator": 0, "denominator": 0}
    assert late.order.pk


@pytest.mark.django_db
def test_satisfaction_and_mean_score_count_in_the_period_of_the_rating(flow: Any, director: Any, clock: Any) -> None:
    a = flow().accept(at(25, 9)).assign().start(at(25, 10)).finish(at(25, 11))
    a.follow_up("satisfied", 5, at=at(26, 10))
    b = flow().accept(at(28, 9)).assign().start(at(28, 10)).finish(at(28, 11))
    b.follow_up("unsatisfied", 2, at=datetime(2026, 4, 2, 10, tzinfo=SH))  # rated in April
    c = flow().accept(at(29, 9)).assign().start(at(29, 10)).finish(at(29, 11))
    c.follow_up("satisfied", at=at(30, 10))  # no score
    march, april = figures(director, MARCH), figures(director, APRIL)
    assert nd(march["satisfaction_rate"]) == (2, 2)
    assert march["mean_score"].count == 1 and march["mean_score"].value == Decimal("5.00")
    assert nd(april["satisfaction_rate"]) == (0, 1)
    assert april["mean_score"].value == Decimal("2.00")


@pytest.mark.django_db
def test_complaint_rate(flow: Any, director: Any, agent: Any, customer_a: Any, clock: Any) -> None:
    from followup.services import complaint_create

    flow().accept(at(2, 9)).assign().start(at(2, 10)).finish(at(2, 11))
    flow(service_type="installation").accept(at(3, 9)).assign().start(at(3, 10)).finish(at(3, 11))
    clock.set(at(4, 9))
    complaint_create(acting_user=agent, customer=customer_a, description="师傅迟到两个小时。", channel="phone")
    rate = figures(director)["complaint_rate"]
    assert nd(rate) == (1, 2) and rate.value == Decimal("0.5")


@pytest.mark.django_db
def test_zero_denominators_are_null(director: Any, clock: Any) -> None:
    result = figures(director)
    for name, figure in result.items():
        assert figure.value is None, name


@pytest.mark.django_db
def test_unit_slices_and_station_scoping(
    flow: Any,
    director: Any,
    station_a_user: Any,
    station_b_user: Any,
    customer_a: Any,
    customer_b: Any,
    org: Any,
    clock: Any,
) -> None:
    a = flow(customer_a).accept(at(2, 9)).assign().start(at(2, 10)).finish(at(2, 11))
    tech_b = make_user(Role.TECHNICIAN, org.station_b, username="tech_b")
    b = flow(customer_b, technician=tech_b).accept(at(3, 9)).assign().start(at(3, 10)).finish(at(3, 11))
    assert a.order.unit_id != b.order.unit_id
    assert figures(director)["first_time_fix_rate"].denominator == 2
    assert figures(director, unit=a.order.unit_id)["first_time_fix_rate"].denominator == 1
    # The centre with its sub-units includes station A's order.
    if a.order.unit_id == org.station_a.pk:
        assert figures(director, unit=org.centre.pk)["first_time_fix_rate"].denominator == 1
    mine = figures(station_a_user)["first_time_fix_rate"]
    theirs = figures(station_b_user)["first_time_fix_rate"]
    assert mine.denominator + theirs.denominator <= 2
    assert engine.orders_in_scope(station_b_user, engine.Slice()).filter(pk=a.order.pk).count() == 0


@pytest.mark.django_db
def test_technician_sees_only_their_own_orders(flow: Any, technician: Any, director: Any, clock: Any) -> None:
    flow().accept(at(2, 9)).assign().start(at(2, 10)).finish(at(2, 11))
    flow().accept(at(3, 9)).cancel(at(3, 10))
    assert figures(technician)["first_time_fix_rate"].denominator == 1
    assert figures(technician)["device_availability"].value is None


@pytest.mark.django_db
def test_an_undiagnosed_new_order_is_no_repeat(flow: Any, director: Any, device_a: Any, clock: Any) -> None:
    flow(device=device_a, when=at(2, 8)).accept(at(2, 9)).assign().start(at(2, 10)).finish(at(2, 12))
    flow(device=device_a, when=at(20, 8)).accept(at(20, 9))  # both causes "unknown"
    assert nd(figures(director)["repeat_repair_rate"]) == (0, 1)


@pytest.mark.django_db
def test_drilldowns_of_ratings_and_complaints(
    flow: Any, director: Any, agent: Any, customer_a: Any, clock: Any
) -> None:
    from followup.services import complaint_create

    rated = flow(when=at(2, 8)).accept(at(2, 9)).assign().start().finish(at(2, 12)).follow_up("unsatisfied", 2)
    clock.set(at(3, 9))
    complaint = complaint_create(acting_user=agent, customer=customer_a, description="师傅迟到。", channel="phone")
    every = engine.Slice()
    misses = engine.drilldown(user=director, period=MARCH, slice_=every, name="satisfaction_rate", part="misses")
    assert [o.pk for o in misses] == [rated.order.pk]
    complaints = engine.drilldown(user=director, period=MARCH, slice_=every, name="complaint_rate", part="numerator")
    assert [c.pk for c in complaints] == [complaint.pk]
