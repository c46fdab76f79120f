"""The ledger through its services: each kind of move, reservations, shipments, reversals, counts,
and the refusals that write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parts import services
from parts.exceptions import StockShortage
from parts.models import Part, Reservation, StockBalance, StockMove
from parts.selectors import balance_of, ledger_balance_of

pytestmark = pytest.mark.django_db


def test_receive_puts_stock_on_hand_and_the_ledger_sums_to_the_balance(part, wh_a):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=7)
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=3)

    assert balance_of(part=part, warehouse=wh_a) == (10, 0, 0)
    assert ledger_balance_of(part=part, warehouse=wh_a) == (10, 0, 0)


def test_transfer_moves_stock_at_once_between_two_warehouses(part, stocked, wh_a2):
    services.stock_move(acting_user=None, kind="transfer", part=part, warehouse=stocked, to_warehouse=wh_a2, quantity=4)

    assert balance_of(part=part, warehouse=stocked) == (6, 0, 0)
    assert balance_of(part=part, warehouse=wh_a2) == (4, 0, 0)


def test_a_transfer_to_the_same_warehouse_is_refused(part, stocked):
    with pytest.raises(ValidationError) as error:
        services.stock_move(
            acting_user=None, kind="transfer", part=part, warehouse=stocked, to_warehouse=stocked, quantity=1
        )
    assert error.value.message_dict == {"to_warehouse": ["The stock is already in this warehouse."]}


def test_a_shipment_is_in_transit_until_the_destination_receives_it_once(part, stocked, wh_b):
    shipment = services.stock_move(
        acting_user=None, kind="ship", part=part, warehouse=stocked, to_warehouse=wh_b, quantity=3
    )
    assert balance_of(part=part, warehouse=stocked) == (7, 0, 0)
    assert balance_of(part=part, warehouse=wh_b) == (0, 0, 3)

    services.shipment_receive(acting_user=None, shipment=shipment)
    assert balance_of(part=part, warehouse=wh_b) == (3, 0, 0)
    with pytest.raises(ValidationError) as error:
        services.shipment_receive(acting_user=None, shipment=shipment)
    assert error.value.message_dict == {"move": ["This shipment was already received."]}
    assert ledger_balance_of(part=part, warehouse=wh_b) == (3, 0, 0)


def test_a_move_that_would_make_available_negative_is_refused_with_what_is_available_and_writes_nothing(part, stocked):
    moves_before = StockMove.objects.count()
    with pytest.raises(StockShortage) as error:
        services.stock_move(acting_user=None, kind="scrap", part=part, warehouse=stocked, quantity=11)

    assert error.value.available == 10
    assert error.value.message == "Only 10 available at XH-01; 11 needed."
    assert StockMove.objects.count() == moves_before
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)


def test_reserved_units_are_not_available_to_other_moves(part, stocked, order_a):
    services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=8, work_order=order_a)

    with pytest.raises(StockShortage) as error:
        services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=3)
    assert error.value.available == 2
    with pytest.raises(StockShortage):
        services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=3, work_order=order_a)


def test_an_issue_naming_the_reservation_consumes_it(part, stocked, order_a):
    reservation = services.reservation_create(
        acting_user=None, part=part, warehouse=stocked, quantity=2, work_order=order_a
    )
    assert balance_of(part=part, warehouse=stocked) == (10, 2, 0)

    services.stock_move(
        acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=2, reservation=reservation
    )

    reservation.refresh_from_db()
    assert (reservation.status, reservation.issued) == ("consumed", 2)
    assert balance_of(part=part, warehouse=stocked) == (8, 0, 0)
    with pytest.raises(ValidationError) as error:
        services.reservation_release(acting_user=None, reservation=reservation)
    assert error.value.message_dict == {"reservation": ["This reservation was consumed: its parts were issued."]}


def test_a_release_gives_back_what_is_still_reserved_and_is_on_the_order_timeline(part, stocked, order_a):
    reservation = services.reservation_create(
        acting_user=None, part=part, warehouse=stocked, quantity=3, work_order=order_a
    )
    services.stock_move(
        acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=1, reservation=reservation
    )
    services.reservation_release(acting_user=None, reservation=reservation)

    reservation.refresh_from_db()
    assert reservation.status == "released"
    assert balance_of(part=part, warehouse=stocked) == (9, 0, 0)
    notes = list(order_a.events.values_list("note", flat=True))
    assert any(note.startswith("Part reserved: BAT-48V × 3 at XH-01 · Promise 5×10×NBD: due ") for note in notes)
    assert "Reservation released: BAT-48V × 2 at XH-01" in notes


def test_return_brings_back_only_what_was_issued_for_the_order(part, stocked, order_a):
    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=2, work_order=order_a)
    services.stock_move(acting_user=None, kind="return", part=part, warehouse=stocked, quantity=1, work_order=order_a)
    assert balance_of(part=part, warehouse=stocked) == (9, 0, 0)

    with pytest.raises(ValidationError) as error:
        services.stock_move(
            acting_user=None, kind="return", part=part, warehouse=stocked, quantity=2, work_order=order_a
        )
    assert error.value.message_dict == {
        "quantity": ["Only 1 of this part were issued for this order and not returned."]
    }
    with pytest.raises(ValidationError) as error:
        services.stock_move(acting_user=None, kind="return", part=part, warehouse=stocked, quantity=1)
    assert list(error.value.message_dict) == ["work_order"]


@pytest.mark.parametrize(
    ("kind", "quantity", "message"),
    [
        ("receive", 0, "Enter a whole number greater than zero."),
        ("receive", -2, "Enter a whole number greater than zero."),
        ("scrap", 1.5, "Enter a whole number."),
        ("issue", True, "Enter a whole number."),
        ("adjust", 0, "Enter a non-zero whole number."),
    ],
    ids=["zero", "negative", "fraction", "boolean", "adjust-zero"],
)
def test_quantities_are_whole_numbers_above_zero_and_an_adjustment_is_non_zero(part, stocked, kind, quantity, message):
    with pytest.raises(ValidationError) as error:
        services.stock_move(acting_user=None, kind=kind, part=part, warehouse=stocked, quantity=quantity, note="盘点")
    assert error.value.message_dict == {"quantity": [message]}


def test_an_adjustment_is_signed_and_needs_a_reason(part, stocked):
    with pytest.raises(ValidationError) as error:
        services.stock_move(acting_user=None, kind="adjust", part=part, warehouse=stocked, quantity=-1)
    assert list(error.value.message_dict) == ["note"]
    services.stock_move(acting_user=None, kind="adjust", part=part, warehouse=stocked, quantity=-3, note="破损")
    assert balance_of(part=part, warehouse=stocked) == (7, 0, 0)


def test_a_mistake_is_corrected_by_a_reverse_move_never_by_editing(part, stocked):
    wrong = services.stock_move(acting_user=None, kind="receive", part=part, warehouse=stocked, quantity=5)
    reversal = services.move_reverse(acting_user=None, move=wrong, note="重复入库")

    assert reversal.kind == "reversal" and reversal.reverses_id == wrong.pk
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)
    assert StockMove.objects.filter(pk=wrong.pk, quantity=5, kind="receive").exists()
    with pytest.raises(ValidationError):
        services.move_reverse(acting_user=None, move=wrong, note="again")


def test_a_reversal_that_would_make_available_negative_is_refused(part, stocked, wh_a2):
    transfer = services.stock_move(
        acting_user=None, kind="transfer", part=part, warehouse=stocked, to_warehouse=wh_a2, quantity=4
    )
    services.stock_move(acting_user=None, kind="scrap", part=part, warehouse=wh_a2, quantity=2)
    with pytest.raises(StockShortage):
        services.move_reverse(acting_user=None, move=transfer, note="wrong van")


def test_a_stock_count_writes_an_adjust_move_for_each_difference(part, other_part, stocked):
    services.stock_move(acting_user=None, kind="receive", part=other_part, warehouse=stocked, quantity=4)

    count = services.stock_count_post(
        acting_user=None, warehouse=stocked, counts={part: 8, other_part: 4}, reason="2026 年末盘点"
    )

    adjustments = list(count.moves.values_list("part__code", "quantity"))
    assert adjustments == [("BAT-48V", -2)]
    assert balance_of(part=part, warehouse=stocked) == (8, 0, 0)
    assert sorted(count.lines.values_list("expected", "counted")) == [(4, 4), (10, 8)]


def test_a_count_below_what_is_reserved_is_refused_whole(part, other_part, stocked, order_a):
    services.stock_move(acting_user=None, kind="receive", part=other_part, warehouse=stocked, quantity=4)
    services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=5, work_order=order_a)

    with pytest.raises(StockShortage) as error:
        services.stock_count_post(acting_user=None, warehouse=stocked, counts={part: 3, other_part: 1}, reason="盘点")
    assert error.value.field == "counts.BAT-48V"
    assert balance_of(part=other_part, warehouse=stocked) == (4, 0, 0)


def test_a_station_moves_only_its_own_stock(part, stocked, wh_b, station_a_user, station_b_user):
    services.stock_move(acting_user=station_a_user, kind="scrap", part=part, warehouse=stocked, quantity=1, note="坏")
    with pytest.raises(ValidationError) as error:
        services.stock_move(acting_user=station_b_user, kind="scrap", part=part, warehouse=stocked, quantity=1)
    assert error.value.message_dict == {"warehouse": ["Unknown warehouse."]}
    with pytest.raises(ValidationError) as error:
        services.stock_move(
            acting_user=station_a_user, kind="transfer", part=part, warehouse=stocked, to_warehouse=wh_b, quantity=1
        )
    assert error.value.message_dict == {"to_warehouse": ["Unknown warehouse."]}


def test_an_agent_may_not_move_stock(part, stocked, agent):
    with pytest.raises(PermissionDenied):
        services.stock_move(acting_user=agent, kind="receive", part=part, warehouse=stocked, quantity=1)


def test_a_cancelled_order_releases_its_reservations_with_one_timeline_event(part, stocked, order_a, agent):
    from workorders.services import workorder_transition

    services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=4, work_order=order_a)
    workorder_transition(order=order_a, action="cancel", acting_user=agent, data={"reason": "客户取消"})

    assert Reservation.objects.get(work_order=order_a).status == "released"
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)
    assert order_a.events.filter(note="Parts reservations released when the order ended: BAT-48V × 4").count() == 1


# --- the catalogue -------------------------------------------------------------------------------


def test_a_part_of_a_model_discontinued_less_than_five_years_ago_is_obsoleted_with_the_7th_article_warning(
    part, product_model
):
    product_model.discontinued_on = timezone.localdate() - timedelta(days=365 * 2)
    product_model.save(update_fields=["discontinued_on"])

    change = services.part_set_status(acting_user=None, part=part, status="obsolete")

    assert change.part.status == "obsolete"
    assert len(change.warnings) == 1 and "TDR-2000" in change.warnings[0] and "第七条" in change.warnings[0]


def test_a_part_of_a_model_discontinued_long_ago_is_obsoleted_without_warning(part, product_model):
    product_model.discontinued_on = date(2015, 1, 1)
    product_model.save(update_fields=["discontinued_on"])

    assert services.part_set_status(acting_user=None, part=part, status="obsolete").warnings == []


def test_a_superseded_part_names_its_successor(part, other_part):
    with pytest.raises(ValidationError):
        services.part_set_status(acting_user=None, part=part, status="superseded")
    change = services.part_set_status(acting_user=None, part=part, status="superseded", superseded_by=other_part)
    assert Part.objects.get(pk=part.pk).superseded_by == other_part and change.warnings == []


def test_a_supplier_part_names_its_supplier(db):
    with pytest.raises(ValidationError) as error:
        services.part_create(acting_user=None, code="X-1", name="副厂件", genuine=False)
    assert list(error.value.message_dict) == ["supplier"]


def test_the_database_refuses_a_balance_with_negative_available(part, stocked):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(part=part, warehouse=stocked).update(reserved=11)
