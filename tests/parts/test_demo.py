"""The demo's parts content: every warehouse kind, stock received through the ledger, idempotent."""

from __future__ import annotations

import pytest

from parts.demo import load_demo_parts
from parts.models import Loaner, StockBalance, Warehouse
from parts.selectors import ledger_balance_of

pytestmark = pytest.mark.django_db


def test_demo_parts_cover_every_warehouse_kind_and_a_second_load_adds_nothing(org, product_model, technician):
    first = load_demo_parts()

    assert first["parts"] == 10 and first["moves"] > 0 and first["loaners"] > 0
    assert set(Warehouse.objects.values_list("kind", flat=True)) == {"hq", "centre", "depot", "station", "van"}
    assert Warehouse.objects.get(kind="van").technician == technician
    for balance in StockBalance.objects.select_related("part", "warehouse"):
        on_hand, reserved, in_transit = ledger_balance_of(part=balance.part, warehouse=balance.warehouse)
        assert (balance.on_hand, balance.reserved, balance.in_transit) == (on_hand, reserved, in_transit)
    assert StockBalance.objects.filter(on_hand=0).exists()  # the station low on batteries

    again = load_demo_parts()

    assert again == {"parts": 0, "warehouses": 0, "moves": 0, "loaners": 0}
    assert Loaner.objects.count() == first["loaners"]
