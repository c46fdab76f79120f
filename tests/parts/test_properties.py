"""A property of the ledger: whatever sequence of moves is tried (refused ones included), on hand,
reserved and in transit equal the sums of the ledger, and available never goes below zero."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.exceptions import OutOfStock
from parts import services
from parts.models import Reservation, StockMove
from parts.selectors import balance_of, ledger_balance_of

MOVE = st.one_of(
    st.tuples(st.just("receive"), st.integers(1, 6)),
    st.tuples(st.just("issue"), st.integers(1, 6)),
    st.tuples(st.just("scrap"), st.integers(1, 6)),
    st.tuples(st.just("adjust"), st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("transfer"), st.integers(1, 6)),
    st.tuples(st.just("ship"), st.integers(1, 6)),
    st.tuples(st.just("receive_shipment"), st.just(0)),
    st.tuples(st.just("reserve"), st.integers(1, 6)),
    st.tuples(st.just("issue_reserved"), st.integers(1, 3)),
    st.tuples(st.just("release"), st.just(0)),
    st.tuples(st.just("return"), st.integers(1, 3)),
    st.tuples(st.just("reverse"), st.just(0)),
)


def _apply(kind: str, n: int, *, part: Any, a: Any, b: Any, order: Any) -> None:
    if kind in ("receive", "issue", "scrap", "adjust"):
        services.stock_move(
            acting_user=None,
            kind=kind,
            part=part,
            warehouse=a,
            quantity=n,
            note="p",
            work_order=order if kind == "issue" else None,
        )
    elif kind in ("transfer", "ship"):
        services.stock_move(acting_user=None, kind=kind, part=part, warehouse=a, to_warehouse=b, quantity=n)
    elif kind == "receive_shipment":
        shipment = StockMove.objects.filter(kind="ship", receipt__isnull=True).first()
        if shipment is not None:
            services.shipment_receive(acting_user=None, shipment=shipment)
    elif kind == "reserve":
        services.reservation_create(acting_user=None, part=part, warehouse=a, quantity=n, work_order=order)
    elif kind == "issue_reserved":
        reservation = Reservation.objects.filter(status="active").first()
        if reservation is not None:
            services.stock_move(
                acting_user=None, kind="issue", part=part, warehouse=a, quantity=n, reservation=reservation
            )
    elif kind == "release":
        reservation = Reservation.objects.filter(status="active").first()
        if reservation is not None:
            services.reservation_release(acting_user=None, reservation=reservation)
    elif kind == "return":
        services.stock_move(acting_user=None, kind="return", part=part, warehouse=a, quantity=n, work_order=order)
    elif kind == "reverse":
        move = StockMove.objects.filter(
            kind__in=["receive", "transfer", "scrap", "adjust"], reversal__isnull=True
        ).last()
        if move is not None:
            services.move_reverse(acting_user=None, move=move, note="p")


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(MOVE, max_size=25))
def test_any_sequence_of_moves_keeps_the_balance_equal_to_the_ledger_and_available_at_or_above_zero(
    moves, part, wh_a, wh_b, order_a
):
    from django.db import transaction

    try:
        with transaction.atomic():
            for kind, n in moves:
                with contextlib.suppress(OutOfStock, ValidationError):  # a refused move writes nothing
                    _apply(kind, n, part=part, a=wh_a, b=wh_b, order=order_a)
                for warehouse in (wh_a, wh_b):
                    balance = balance_of(part=part, warehouse=warehouse)
                    assert balance == ledger_balance_of(part=part, warehouse=warehouse)
                    on_hand, reserved, in_transit = balance
                    assert on_hand - reserved >= 0 and reserved >= 0 and in_transit >= 0
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    """Every example starts from the same empty stock."""
