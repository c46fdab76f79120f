"""Part shipment promises (issue 11, point 7): a part request on an order — a reservation, or a
shipment towards the order's station — carries 5×10×NBD (shipped by the end of the next business
day on the 5×10 calendar, holidays and 调休 included) or 7×24×4 (on site within 4 calendar hours);
met / missed is decided once, with a timeline event, at the shipment / arrival or by the scan;
the fulfilment rate per unit and period feeds the KPIs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from customers.services import customer_update
from parts import services
from parts.models import PartPromise, StockMove
from parts.promises import promises_overdue_scan
from parts.selectors import promise_fulfilment_rate, promise_orders
from parts.tasks import promises_overdue_task
from workorders.services import workorder_create, workorder_transition

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def make_order(agent: Any, customer: Any, *, accept: bool = False) -> Any:
    order = workorder_create(
        acting_user=agent, customer=customer, service_type="repair", channel="phone", description="电池不充电"
    )
    if accept:
        order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "paid"})
    return order


def reserve(part: Any, warehouse: Any, order: Any, *, quantity: int = 1, promise: str | None = None) -> Any:
    return services.reservation_create(
        acting_user=None, part=part, warehouse=warehouse, quantity=quantity, work_order=order, promise=promise
    )


def issue(reservation: Any, quantity: int | None = None) -> StockMove:
    return services.stock_move(
        acting_user=None,
        kind="issue",
        part=reservation.part,
        warehouse=reservation.warehouse,
        quantity=quantity or reservation.quantity - reservation.issued,
        reservation=reservation,
    )


def promise_notes(order: Any) -> list[str]:
    return [note for note in order.events.values_list("note", flat=True) if note.startswith("Part promise")]


def post(client: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


# --- the deadline on the work calendar --------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (at(2026, 11, 25, 15, 0), at(2026, 11, 26, 18, 0)),  # Wednesday → Thursday evening
        (at(2026, 11, 27, 15, 0), at(2026, 11, 30, 18, 0)),  # Friday → over the weekend, Monday
        (at(2026, 11, 28, 11, 0), at(2026, 11, 30, 18, 0)),  # Saturday → Monday
        (at(2026, 11, 30, 7, 0), at(2026, 12, 1, 18, 0)),  # Monday before opening → Tuesday
    ],
)
def test_next_business_day_over_a_weekend(agent, customer_a, part, stocked, requested, due):
    with time_machine.travel(requested, tick=False):
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order)

    promise = reservation.promise
    assert (promise.promise, promise.source, promise.calendar_code) == ("5x10_nbd", "default", "5x10")
    assert promise.requested_at == requested
    assert promise.due_at == due
    assert promise.status == "open" and promise.met is None


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (at(2026, 2, 12, 10, 0), at(2026, 2, 13, 18, 0)),  # Thursday → Friday before the festival
        (at(2026, 2, 13, 10, 0), at(2026, 2, 14, 18, 0)),  # Friday → the 调休 Saturday works
        (at(2026, 2, 14, 10, 0), at(2026, 2, 24, 18, 0)),  # the 调休 Saturday → after 春节 (15–23 Feb)
        (at(2026, 2, 18, 9, 0), at(2026, 2, 24, 18, 0)),  # during the festival → its first working day
    ],
)
def test_next_business_day_over_the_spring_festival_and_its_make_up_saturday(
    agent, customer_a, part, stocked, requested, due
):
    with time_machine.travel(requested, tick=False):
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order)

    assert reservation.promise.due_at == due


def test_seven_by_twenty_four_by_four_counts_calendar_hours_through_the_holiday(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 2, 15, 22, 30), tick=False):  # 春节, a Sunday night
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order, promise="7x24_4")

    promise = reservation.promise
    assert (promise.promise, promise.source, promise.calendar_code) == ("7x24_4", "request", "24x7")
    assert promise.due_at == at(2026, 2, 16, 2, 30)


# --- which promise applies ----------------------------------------------------------------------------


def test_the_orders_service_level_decides_and_a_contradicting_request_is_refused(agent, customer_a, part, stocked):
    customer_update(customer=customer_a, acting_user=None, changes={"tags": "7×24×4"})
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a, accept=True)
        assert order.sla.level.code == "PARTS-7X24X4"

        with pytest.raises(ValidationError) as refused:
            reserve(part, stocked, order, promise="5x10_nbd")
        assert "promise" in refused.value.message_dict
        assert "PARTS-7X24X4" in refused.value.message_dict["promise"][0]
        assert not PartPromise.objects.exists() and not order.part_reservations.exists()

        reservation = reserve(part, stocked, order)

    promise = reservation.promise
    assert (promise.promise, promise.source) == ("7x24_4", "service_level")
    assert promise.due_at == at(2026, 11, 25, 14, 0)


def test_the_customers_contract_tag_decides_when_the_level_says_nothing_of_parts(agent, customer_a, part, stocked):
    customer_update(customer=customer_a, acting_user=None, changes={"tags": "VIP、7x24x4"})
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a, accept=True)
        assert order.sla.level.code == "ONSITE-4H-24H"  # VIP wins the level; the tag still promises parts
        reservation = reserve(part, stocked, order, promise="7x24_4")  # the same promise is fine

    assert (reservation.promise.promise, reservation.promise.source) == ("7x24_4", "contract")


def test_an_unknown_promise_is_refused_naming_the_field_and_nothing_is_written(agent, customer_a, part, stocked):
    order = make_order(agent, customer_a)
    with pytest.raises(ValidationError) as refused:
        reserve(part, stocked, order, promise="9x9")

    assert list(refused.value.message_dict) == ["promise"]
    assert not order.part_reservations.exists() and not PartPromise.objects.exists()
    assert StockMove.objects.filter(kind="reserve").count() == 0


# --- met / missed ---------------------------------------------------------------------------------------


def test_issued_before_the_deadline_is_met_once_with_a_timeline_event(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):  # Friday
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order, quantity=2)
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):  # Monday morning
        issue(reservation, 1)
        reservation.promise.refresh_from_db()
        assert reservation.promise.status == "open"  # half of it shipped
    with time_machine.travel(at(2026, 11, 30, 17, 59), tick=False):
        issue(reservation, 1)
        assert promises_overdue_scan() == 0

    promise = PartPromise.objects.get()
    assert (promise.status, promise.met, promise.done_quantity) == ("met", True, 2)
    assert promise.fulfilled_at == at(2026, 11, 30, 17, 59)
    assert promise_notes(order) == [
        "Part promise met (5×10×NBD): BAT-48V × 2 shipped at 2026-11-30 17:59, due 2026-11-30 18:00."
    ]


def test_shipped_after_the_deadline_before_any_scan_is_missed_at_the_shipment(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order)
    with time_machine.travel(at(2026, 11, 30, 18, 1), tick=False):
        issue(reservation)

    promise = PartPromise.objects.get()
    assert (promise.status, promise.met) == ("missed", False)
    assert promise_notes(order) == [
        "Part promise missed (5×10×NBD): BAT-48V × 1 shipped at 2026-11-30 18:01, due 2026-11-30 18:00."
    ]


def test_the_scan_misses_an_unshipped_promise_exactly_once(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 2, 13, 10, 0), tick=False):  # due on the 调休 Saturday 18:00
        order = make_order(agent, customer_a)
        reservation = reserve(part, stocked, order)
    with time_machine.travel(at(2026, 2, 14, 17, 59), tick=False):
        assert promises_overdue_scan() == 0
    with time_machine.travel(at(2026, 2, 14, 18, 1), tick=False):
        assert promises_overdue_task.call_local() == 1
        assert promises_overdue_scan() == 0  # a second run decides nothing again
    with time_machine.travel(at(2026, 2, 24, 9, 0), tick=False):
        issue(reservation)  # shipped after the festival: late, and said only once
        assert promises_overdue_scan() == 0

    promise = PartPromise.objects.get()
    assert (promise.status, promise.met) == ("missed", False)
    assert promise.settled_at == at(2026, 2, 14, 18, 1)
    assert promise.fulfilled_at == at(2026, 2, 24, 9, 0)
    assert promise_notes(order) == ["Part promise missed (5×10×NBD): BAT-48V × 1 not shipped by 2026-02-14 18:00."]


def test_a_release_before_the_deadline_withdraws_the_promise_and_after_it_misses(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a)
        early, late = reserve(part, stocked, order), reserve(part, stocked, order)
        services.reservation_release(acting_user=None, reservation=early)
    with time_machine.travel(at(2026, 11, 26, 18, 30), tick=False):
        services.reservation_release(acting_user=None, reservation=late)

    early.promise.refresh_from_db()
    late.promise.refresh_from_db()
    assert (early.promise.status, early.promise.met) == ("withdrawn", None)
    assert (late.promise.status, late.promise.met) == ("missed", False)
    assert len(promise_notes(order)) == 1


def test_a_cancelled_order_withdraws_its_open_promises(agent, customer_a, part, stocked, wh_hq, clerk):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_hq, quantity=3)
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a)
        reserve(part, stocked, order)
        services.stock_move(
            acting_user=clerk,
            kind="ship",
            part=part,
            warehouse=wh_hq,
            to_warehouse=stocked,
            quantity=1,
            work_order=order,
            promise="7x24_4",
        )
        workorder_transition(order=order, action="cancel", acting_user=agent, data={"reason": "客户取消"})

    assert sorted(PartPromise.objects.values_list("status", flat=True)) == ["withdrawn", "withdrawn"]
    assert promises_overdue_scan(now=at(2026, 12, 1, 0, 0)) == 0


# --- shipments towards the order's station ------------------------------------------------------------


def test_a_reserved_part_shipped_to_the_station_meets_7x24x4_when_it_arrives_in_time(
    agent, customer_a, part, wh_hq, stocked, clerk
):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_hq, quantity=3)
    with time_machine.travel(at(2026, 11, 28, 20, 0), tick=False):  # Saturday night: 7×24 counts
        order = make_order(agent, customer_a)
        reservation = reserve(part, wh_hq, order, promise="7x24_4")
        shipment = services.stock_move(
            acting_user=clerk,
            kind="ship",
            part=part,
            warehouse=wh_hq,
            to_warehouse=stocked,
            quantity=1,
            reservation=reservation,
        )
        reservation.refresh_from_db()
        assert reservation.status == "consumed" and shipment.work_order == order
        assert PartPromise.objects.get().status == "open"  # shipped, not on site yet
    with time_machine.travel(at(2026, 11, 28, 23, 30), tick=False):
        services.shipment_receive(acting_user=clerk, shipment=shipment)

    promise = PartPromise.objects.get()
    assert (promise.status, promise.due_at) == ("met", at(2026, 11, 29, 0, 0))
    assert promise_notes(order) == [
        "Part promise met (7×24×4): BAT-48V × 1 on site at 2026-11-28 23:30, due 2026-11-29 00:00."
    ]
    from parts.selectors import balance_of

    assert balance_of(part=part, warehouse=wh_hq) == (2, 0, 0)  # the reserved unit left with the shipment
    assert balance_of(part=part, warehouse=stocked) == (11, 0, 0)


def test_a_shipment_naming_the_order_towards_its_station_is_a_request_with_its_own_promise(
    agent, customer_a, part, wh_hq, stocked, wh_b, clerk
):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_hq, quantity=5)
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a)
        nbd = services.stock_move(
            acting_user=clerk,
            kind="ship",
            part=part,
            warehouse=wh_hq,
            to_warehouse=stocked,
            quantity=1,
            work_order=order,
        )
        four_hours = services.stock_move(
            acting_user=clerk,
            kind="ship",
            part=part,
            warehouse=wh_hq,
            to_warehouse=stocked,
            quantity=1,
            work_order=order,
            promise="7x24_4",
        )
        with pytest.raises(ValidationError) as elsewhere:
            services.stock_move(
                acting_user=clerk,
                kind="ship",
                part=part,
                warehouse=wh_hq,
                to_warehouse=wh_b,
                quantity=1,
                work_order=order,
                promise="7x24_4",
            )
        with pytest.raises(ValidationError) as not_a_ship:
            services.stock_move(
                acting_user=clerk, kind="receive", part=part, warehouse=wh_hq, quantity=1, promise="7x24_4"
            )
    with time_machine.travel(at(2026, 11, 25, 15, 0), tick=False):
        services.shipment_receive(acting_user=clerk, shipment=four_hours)  # an hour late

    assert list(elsewhere.value.message_dict) == ["promise"] and list(not_a_ship.value.message_dict) == ["promise"]
    assert (nbd.promise.promise, nbd.promise.status) == ("5x10_nbd", "met")  # shipped at once
    four_hours.promise.refresh_from_db()
    assert (four_hours.promise.promise, four_hours.promise.status) == ("7x24_4", "missed")
    assert StockMove.objects.filter(kind="ship").count() == 2  # the refused ones wrote nothing


# --- the fulfilment rate for the KPIs (SPEC §12) ---------------------------------------------------------


def test_the_fulfilment_rate_counts_orders_by_the_due_time_of_their_promises(
    agent, customer_a, customer_b, part, stocked, wh_b, org
):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=5)
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):  # all due Thursday 26 Nov 18:00
        kept = make_order(agent, customer_a)
        reserve(part, stocked, kept)
        broken = make_order(agent, customer_a)
        first, _second = reserve(part, stocked, broken), reserve(part, stocked, broken)
        open_past_due = make_order(agent, customer_b)
        reserve(part, wh_b, open_past_due)
        cancelled = make_order(agent, customer_a)
        reserve(part, stocked, cancelled)
        withdrawn = make_order(agent, customer_a)
        services.reservation_release(acting_user=None, reservation=reserve(part, stocked, withdrawn))
        workorder_transition(order=cancelled, action="cancel", acting_user=agent, data={"reason": "客户取消"})
    with time_machine.travel(at(2026, 11, 26, 12, 0), tick=False):
        issue(kept.part_reservations.get())
        issue(first)  # the other one of the order is never shipped
        not_yet = promise_fulfilment_rate(date_from=date(2026, 11, 26), date_to=date(2026, 11, 26))
    assert (not_yet["numerator"], not_yet["denominator"]) == (2, 2)  # due later today: only those decided

    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False):  # before any scan ran
        rate = promise_fulfilment_rate(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
        station_a_only = promise_fulfilment_rate(
            date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), user=None, unit_ids=[org.station_a.pk]
        )
        behind = {
            o.pk: o.promise_missed for o in promise_orders(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
        }
        december = promise_fulfilment_rate(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))

    assert kept.unit_id == broken.unit_id == org.station_a.pk and open_past_due.unit_id == org.station_b.pk
    assert behind == {kept.pk: False, broken.pk: True, open_past_due.pk: True}
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (1, 3, 1 / 3)
    assert rate["by_unit"] == {
        org.station_a.pk: {"value": 0.5, "numerator": 1, "denominator": 2},
        org.station_b.pk: {"value": 0.0, "numerator": 0, "denominator": 1},
    }
    assert (station_a_only["numerator"], station_a_only["denominator"]) == (1, 2)
    assert december == {"value": None, "numerator": 0, "denominator": 0, "by_unit": {}}


def test_the_fulfilment_rate_is_scoped_to_the_users_units_and_refuses_an_inverted_period(
    agent, customer_a, customer_b, part, stocked, wh_b, station_b_user, org
):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=5)
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        reserve(part, stocked, make_order(agent, customer_a))
        reserve(part, wh_b, make_order(agent, customer_b))
    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False):
        seen_by_b = promise_fulfilment_rate(
            date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), user=station_b_user
        )
        with pytest.raises(ValidationError) as inverted:
            promise_fulfilment_rate(date_from=date(2026, 11, 30), date_to=date(2026, 11, 1))

    assert list(seen_by_b["by_unit"]) == [org.station_b.pk] and seen_by_b["denominator"] == 1
    assert list(inverted.value.message_dict) == ["to"]


# --- the API and the order's parts card ------------------------------------------------------------------


def test_the_reservation_answer_carries_the_promise_and_a_retry_is_the_same_request(
    api_as, clerk, agent, customer_a, part, stocked
):
    with time_machine.travel(at(2026, 11, 27, 15, 0), tick=False):
        order = make_order(agent, customer_a)
        client = api_as(clerk)
        body = {"part": "BAT-48V", "warehouse": "XH-01", "quantity": 1, "work_order": order.pk, "promise": "7x24_4"}
        first = post(client, "/api/v1/stock/reservations", body, HTTP_IDEMPOTENCY_KEY="promise-1")
        again = post(client, "/api/v1/stock/reservations", body, HTTP_IDEMPOTENCY_KEY="promise-1")
        default = post(client, "/api/v1/stock/reservations", {**body, "promise": None})
    assert first.status_code == again.status_code == default.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    answer = first.json()
    assert answer["promise"] == "7x24_4" and answer["promise_met"] is None and answer["promise_status"] == "open"
    assert datetime.fromisoformat(answer["promise_due_at"]) == at(2026, 11, 27, 19, 0)
    assert default.json()["promise"] == "5x10_nbd"
    assert datetime.fromisoformat(default.json()["promise_due_at"]) == at(2026, 11, 30, 18, 0)
    assert PartPromise.objects.count() == 2

    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):
        client = api_as(clerk)
        issued = post(
            client,
            "/api/v1/stock/moves",
            {"kind": "issue", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 1, "reservation": answer["id"]},
        )
        read = client.get(f"/api/v1/stock/reservations/{answer['id']}")
    assert issued.status_code == 201
    assert read.json()["promise_met"] is True and read.json()["promise_status"] == "met"


def test_bad_promises_through_the_api_name_the_field_and_write_nothing(api_as, clerk, agent, customer_a, part, stocked):
    customer_update(customer=customer_a, acting_user=None, changes={"tags": "5×10×NBD"})
    order = make_order(agent, customer_a)
    client = api_as(clerk)
    body = {"part": "BAT-48V", "warehouse": "XH-01", "quantity": 1, "work_order": order.pk}

    unknown = post(client, "/api/v1/stock/reservations", {**body, "promise": "9x9"})
    contradicting = post(client, "/api/v1/stock/reservations", {**body, "promise": "7x24_4"})
    on_a_receive = post(
        client,
        "/api/v1/stock/moves",
        {"kind": "receive", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 1, "promise": "7x24_4"},
    )

    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    assert [e["field"] for e in unknown.json()["errors"]] == ["promise"]
    assert contradicting.status_code == 400 and contradicting.json()["code"] == "validation_error"
    assert [e["field"] for e in contradicting.json()["errors"]] == ["promise"]
    assert on_a_receive.status_code == 400 and [e["field"] for e in on_a_receive.json()["errors"]] == ["promise"]
    assert not PartPromise.objects.exists() and not order.part_reservations.exists()
    assert not StockMove.objects.filter(warehouse=stocked).exclude(note="入库").exists()


def test_the_shipment_answer_carries_its_promise(api_as, clerk, agent, customer_a, part, wh_hq, stocked):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_hq, quantity=2)
    order = make_order(agent, customer_a)
    answer = post(
        api_as(clerk),
        "/api/v1/stock/moves",
        {
            "kind": "ship",
            "part": "BAT-48V",
            "warehouse": "HQ-01",
            "to_warehouse": "XH-01",
            "quantity": 1,
            "work_order": order.pk,
        },
    ).json()

    assert (answer["promise"], answer["promise_met"], answer["promise_status"]) == ("5x10_nbd", True, "met")


def test_the_parts_card_shows_each_promise_and_reserves_with_the_chosen_one(
    client_as, clerk, agent, customer_a, part, stocked
):
    from tests.conftest import speak_english

    with time_machine.travel(at(2026, 11, 27, 15, 0), tick=False):
        order = make_order(agent, customer_a)
        client = client_as(speak_english(clerk))
        page = client.get(f"/work-orders/{order.pk}/").content.decode()
        assert 'id="reserve-promise"' in page and "7×24×4: on site within 4 hours" in page
        response = client.post(
            f"/parts/orders/{order.pk}/reserve/",
            {"part": "BAT-48V", "warehouse": "XH-01", "quantity": "1", "promise": "7x24_4"},
        )
        assert response.status_code == 302
        page = client.get(f"/work-orders/{order.pk}/").content.decode()
        refused = client.post(
            f"/parts/orders/{order.pk}/reserve/",
            {"part": "BAT-48V", "warehouse": "XH-01", "quantity": "1", "promise": "9x9"},
            follow=True,
        ).content.decode()

    promise = PartPromise.objects.get()
    assert promise.promise == "7x24_4"
    assert f'id="promise-{promise.pk}"' in page and "7×24×4 · due 2026-11-27 19:00 · Open" in page
    assert "Choose one of: 5x10_nbd, 7x24_4." in refused and PartPromise.objects.count() == 1


def test_the_parts_card_shows_the_promise_the_orders_terms_fix(client_as, clerk, agent, customer_a, part, stocked):
    from tests.conftest import speak_english

    customer_update(customer=customer_a, acting_user=None, changes={"tags": "7×24×4"})
    order = make_order(agent, customer_a)
    page = client_as(speak_english(clerk)).get(f"/work-orders/{order.pk}/").content.decode()

    assert 'id="reserve-promise-fixed"' in page and 'id="reserve-promise"' not in page
    assert "The customer&#x27;s contract (tag 7×24×4) promises it." in page


def test_every_past_due_open_promise_is_decided_by_one_scan(agent, customer_a, part, stocked):
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        order = make_order(agent, customer_a)
        for _n in range(3):
            reserve(part, stocked, order)
    assert promises_overdue_scan(now=at(2026, 11, 26, 18, 0)) == 0  # due at 18:00 is not past yet
    assert promises_overdue_scan(now=at(2026, 11, 26, 18, 0) + timedelta(seconds=1)) == 3
    assert promises_overdue_scan(now=at(2026, 11, 27, 9, 0)) == 0
    assert len(promise_notes(order)) == 3
