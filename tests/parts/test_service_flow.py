"""Parts in the service flow: the repair plan's materials are reserved at a chosen warehouse, the
technician's "parts used" (fieldwork) issues against the reservation or from their van, what is
not used comes back, the price list's rows refer to the catalogue, the order page shows the card."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.services import PartPriceSpec, part_price_list_create
from fieldwork import services as field
from parts import services
from parts.choices import WarehouseKind
from parts.models import Part, StockMove
from parts.selectors import balance_of
from tests.fieldwork.conftest import make_assigned_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def price_list(db: Any) -> Any:
    return part_price_list_create(
        acting_user=None,
        effective_from=date(2024, 1, 1),
        prices=[
            PartPriceSpec("BAT-48V", "48V 锂电池", Decimal("1280.00"), "块"),
            PartPriceSpec("CHG-LINE", "充电器输出线", Decimal("35.50"), "根"),
        ],
    )


@pytest.fixture
def working_order(agent: Any, dispatcher: Any, technician: Any, customer_a: Any, device_a: Any) -> Any:
    order = make_assigned_order(
        agent=agent, dispatcher=dispatcher, technician=technician, customer=customer_a, device=device_a
    )
    field.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=5))
    order.refresh_from_db()
    return order


@pytest.fixture
def van(org: Any, technician: Any) -> Any:
    return services.warehouse_create(
        acting_user=None,
        code="VAN-HZ-1",
        name="杭州工程师车",
        kind=WarehouseKind.VAN,
        unit=org.centre,
        technician=technician,
    )


def test_the_price_list_refers_to_the_catalogue_parts(price_list):
    assert {(p.code, p.part.code, p.part.name) for p in price_list.prices.select_related("part")} == {
        ("BAT-48V", "BAT-48V", "48V 锂电池"),
        ("CHG-LINE", "CHG-LINE", "充电器输出线"),
    }
    assert Part.objects.filter(code="BAT-48V").count() == 1


def test_parts_used_issue_against_the_orders_reservation(price_list, working_order, technician, org):
    depot = services.warehouse_create(acting_user=None, code="XH-01", name="西湖站", kind="station", unit=org.station_a)
    battery = Part.objects.get(code="BAT-48V")
    services.stock_move(acting_user=None, kind="receive", part=battery, warehouse=depot, quantity=3)
    reservation = services.reservation_create(
        acting_user=technician, part=battery, warehouse=depot, quantity=1, work_order=working_order
    )

    field.part_use(order=working_order, acting_user=technician, part_code="BAT-48V", quantity="1")

    reservation.refresh_from_db()
    assert reservation.status == "consumed"
    assert balance_of(part=battery, warehouse=depot) == (2, 0, 0)
    assert working_order.materials.get().model == "BAT-48V"


def test_parts_used_without_a_reservation_come_from_the_technicians_van(price_list, working_order, technician, van):
    battery = Part.objects.get(code="BAT-48V")
    services.stock_move(acting_user=None, kind="receive", part=battery, warehouse=van, quantity=2)

    field.part_use(order=working_order, acting_user=technician, part_code="BAT-48V", quantity="2")

    assert balance_of(part=battery, warehouse=van) == (0, 0, 0)
    with pytest.raises(ValidationError) as error:
        field.part_use(order=working_order, acting_user=technician, part_code="BAT-48V", quantity="1")
    assert list(error.value.message_dict) == ["quantity"]
    assert working_order.materials.count() == 1  # the refused line was not saved


def test_a_part_the_technician_did_not_use_goes_back_to_the_van(price_list, working_order, technician, van):
    battery = Part.objects.get(code="BAT-48V")
    services.stock_move(acting_user=None, kind="receive", part=battery, warehouse=van, quantity=2)
    field.part_use(order=working_order, acting_user=technician, part_code="BAT-48V", quantity="2")

    services.stock_move(
        acting_user=technician, kind="return", part=battery, warehouse=van, quantity=1, work_order=working_order
    )

    assert balance_of(part=battery, warehouse=van) == (1, 0, 0)


def test_a_fractional_quantity_or_no_stock_source_records_the_line_only(price_list, working_order, technician):
    field.part_use(order=working_order, acting_user=technician, part_code="CHG-LINE", quantity="1.5")
    field.part_use(order=working_order, acting_user=technician, part_code="BAT-48V", quantity="1")

    assert working_order.materials.count() == 2
    assert not StockMove.objects.exists()


def test_the_order_page_shows_the_parts_card_and_reserves_at_a_chosen_warehouse(
    client_as, clerk, part, stocked, order_a
):
    client = client_as(clerk)
    page = client.get(f"/work-orders/{order_a.pk}/")
    assert page.status_code == 200
    assert 'id="parts-panel"' in page.content.decode() and 'id="reserve-form"' in page.content.decode()

    response = client.post(
        f"/parts/orders/{order_a.pk}/reserve/", {"part": "BAT-48V", "warehouse": "XH-01", "quantity": "3"}
    )

    assert response.status_code == 302
    assert balance_of(part=part, warehouse=stocked) == (10, 3, 0)
    page = client.get(f"/work-orders/{order_a.pk}/").content.decode()
    assert "BAT-48V" in page and "reservation-" in page


def test_reserving_more_than_available_from_the_order_page_says_what_is_available(
    client_as, clerk, part, stocked, order_a
):
    from tests.conftest import speak_english

    response = client_as(speak_english(clerk)).post(
        f"/parts/orders/{order_a.pk}/reserve/", {"part": "BAT-48V", "warehouse": "XH-01", "quantity": "30"}, follow=True
    )

    assert "Only 10 available at XH-01; 30 needed." in response.content.decode()
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)


def test_my_van_lists_the_technicians_van_stock(client_as, technician, van, part):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=van, quantity=4)

    page = client_as(technician).get("/parts/my-van/")

    assert page.status_code == 200 and "BAT-48V" in page.content.decode()
