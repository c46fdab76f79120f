"""Reorder points: the daily scan proposes one open suggestion per part × warehouse, a transfer
when a warehouse above has the parts, else a purchase; suggested minimums with their formula."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parts import services
from parts.models import ReorderSuggestion
from parts.policies import suggested_minimum

pytestmark = pytest.mark.django_db


def test_below_the_minimum_one_purchase_suggestion_is_kept_open_however_often_the_scan_runs(part, stocked, order_a):
    services.reorder_point_set(acting_user=None, part=part, warehouse=stocked, minimum=8, maximum=20)
    services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=4, work_order=order_a)

    assert services.reorder_scan()["created"] == 1
    services.reorder_scan()
    services.reorder_scan()

    suggestion = ReorderSuggestion.objects.get()
    assert (suggestion.kind, suggestion.projected, suggestion.quantity, suggestion.status) == (
        "purchase",
        6,
        14,
        "open",
    )


def test_a_warehouse_above_with_the_parts_makes_it_a_transfer(part, stocked, wh_hq):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_hq, quantity=100)
    services.reorder_point_set(acting_user=None, part=part, warehouse=stocked, minimum=12, maximum=15)

    services.reorder_scan()

    suggestion = ReorderSuggestion.objects.get()
    assert (suggestion.kind, suggestion.source, suggestion.quantity) == ("transfer", wh_hq, 5)


def test_a_suggestion_no_longer_needed_is_closed_and_a_new_shortage_opens_a_new_one(part, stocked):
    services.reorder_point_set(acting_user=None, part=part, warehouse=stocked, minimum=12, maximum=15)
    services.reorder_scan()
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=stocked, quantity=5)

    assert services.reorder_scan()["closed"] == 1
    assert ReorderSuggestion.objects.get().status == "done"
    services.stock_move(acting_user=None, kind="scrap", part=part, warehouse=stocked, quantity=5)
    services.reorder_scan()
    assert ReorderSuggestion.objects.filter(status="open").count() == 1


def test_the_maximum_may_not_be_below_the_minimum(part, stocked):
    with pytest.raises(ValidationError) as error:
        services.reorder_point_set(acting_user=None, part=part, warehouse=stocked, minimum=5, maximum=2)
    assert list(error.value.message_dict) == ["maximum"]


def test_the_suggested_minimum_shows_its_formula():
    decision = suggested_minimum(devices=400, issued=6, months=3)

    assert decision.per_100_per_month == 0.5 and decision.minimum == 2
    assert "0.50 per 100 devices per month" in decision.formula and "= 2" in decision.formula


def test_the_suggested_minimum_counts_the_units_devices_of_fitted_models(part, stocked, device_a, order_a):
    services.stock_move(acting_user=None, kind="issue", part=part, warehouse=stocked, quantity=3, work_order=order_a)

    decision = services.minimum_suggested_for(part=part, warehouse=stocked)

    assert (decision.devices, decision.issued) == (1, 3)


def test_the_suggestions_page_lists_the_open_ones(client_as, station_a_user, part, stocked):
    services.reorder_point_set(acting_user=None, part=part, warehouse=stocked, minimum=12, maximum=15)
    services.reorder_scan()

    page = client_as(station_a_user).get("/parts/suggestions/").content.decode()

    assert "BAT-48V" in page
