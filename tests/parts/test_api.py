"""Parts and stock through the public API (SPEC §14.2): names, codes, 409 with what is available,
fields named in every refusal, Idempotency-Key, nothing written when refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parts.models import Reservation, StockMove
from parts.selectors import balance_of

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_create_part_answers_201_with_id_and_code(api_as, clerk, product_model):
    response = post(
        api_as(clerk), "/api/v1/parts", {"code": "CTL-01", "name": "控制器", "product_models": ["TDR-2000"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "CTL-01" and body["id"] and body["uom"] == "个" and body["product_models"] == ["TDR-2000"]


def test_create_part_with_an_unknown_model_names_the_field(api_as, clerk, db):
    response = post(api_as(clerk), "/api/v1/parts", {"code": "CTL-01", "name": "控制器", "product_models": ["NOPE"]})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "product_models"


def test_create_warehouse_answers_201_with_id_and_code(api_as, clerk, org):
    response = post(
        api_as(clerk),
        "/api/v1/warehouses",
        {"code": "BJ-DC", "name": "北京分发中心", "kind": "centre", "unit": org.hq.pk},
    )

    assert response.status_code == 201, response.content
    assert response.json()["code"] == "BJ-DC"


def test_a_station_may_not_create_a_warehouse_of_another_unit(api_as, clerk, station_a_user, org):
    response = post(api_as(clerk), "/api/v1/warehouses", {"code": "X", "name": "x", "kind": "depot", "unit": 999999})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "unit"


def test_receive_then_the_stock_list_answers_on_hand_reserved_available(api_as, clerk, part, wh_a, order_a):
    client = api_as(clerk)
    assert (
        post(
            client, "/api/v1/stock/moves", {"kind": "receive", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 5}
        ).status_code
        == 201
    )
    reservation = post(
        client,
        "/api/v1/stock/reservations",
        {"part": "BAT-48V", "warehouse": "XH-01", "quantity": 2, "work_order": order_a.pk},
    )
    assert reservation.status_code == 201 and reservation.json()["status"] == "active"

    response = client.get("/api/v1/stock?part=BAT-48V&warehouse=XH-01")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"part": "BAT-48V", "warehouse": "XH-01", "on_hand": 5, "reserved": 2, "available": 3, "in_transit": 0}
        ],
        "count": 1,
    }


def test_a_move_taking_available_below_zero_answers_409_with_available_and_writes_nothing(api_as, clerk, part, stocked):
    before = StockMove.objects.count()
    response = post(
        api_as(clerk), "/api/v1/stock/moves", {"kind": "issue", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 11}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "out_of_stock" and body["available"] == 10 and body["detail"]
    assert StockMove.objects.count() == before


def test_a_reservation_that_is_not_available_answers_409(api_as, clerk, part, stocked, order_a):
    response = post(
        api_as(clerk),
        "/api/v1/stock/reservations",
        {"part": "BAT-48V", "warehouse": "XH-01", "quantity": 11, "work_order": order_a.pk},
    )
    assert response.status_code == 409 and response.json()["available"] == 10
    assert not Reservation.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"part": "NOPE"}, "part"),
        ({"warehouse": "NOPE"}, "warehouse"),
        ({"warehouse": "HD-01"}, "warehouse"),  # station B's: unknown to station A
        ({"kind": "transfer", "to_warehouse": "XH-01"}, "to_warehouse"),
        ({"kind": "transfer"}, "to_warehouse"),
        ({"kind": "transfer", "to_warehouse": "HD-01"}, "to_warehouse"),
        ({"quantity": 0}, "quantity"),
        ({"kind": "adjust", "quantity": 0, "note": "盘点"}, "quantity"),
        ({"work_order": 999999}, "work_order"),
    ],
    ids=[
        "unknown-part",
        "unknown-warehouse",
        "foreign-warehouse",
        "same-warehouse",
        "no-destination",
        "foreign-destination",
        "zero",
        "adjust-zero",
        "unknown-order",
    ],
)
def test_bad_moves_answer_4xx_naming_the_field_and_write_nothing(
    api_as, station_a_user, part, stocked, wh_b, body, field
):
    before = StockMove.objects.count()
    payload = {"kind": "scrap", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 1, **body}

    response = post(api_as(station_a_user), "/api/v1/stock/moves", payload)

    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert StockMove.objects.count() == before


def test_a_fractional_or_string_quantity_is_refused_by_the_schema(api_as, clerk, part, stocked):
    for quantity in (1.5, "2", True):
        response = post(
            api_as(clerk),
            "/api/v1/stock/moves",
            {"kind": "receive", "part": "BAT-48V", "warehouse": "XH-01", "quantity": quantity},
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quantity"


def test_a_retried_move_with_the_same_idempotency_key_is_the_same_move(api_as, clerk, part, wh_a):
    client = api_as(clerk)
    body = {"kind": "receive", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 3}
    first = post(client, "/api/v1/stock/moves", body, HTTP_IDEMPOTENCY_KEY="rcv-1")
    again = post(client, "/api/v1/stock/moves", body, HTTP_IDEMPOTENCY_KEY="rcv-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert balance_of(part=part, warehouse=wh_a) == (3, 0, 0)
    other = post(client, "/api/v1/stock/moves", {**body, "quantity": 4}, HTTP_IDEMPOTENCY_KEY="rcv-1")
    assert other.status_code == 422


def test_ship_then_receive_puts_the_shipment_on_the_destinations_hand(
    api_as, clerk, part, stocked, wh_b, station_b_user
):
    shipped = post(
        api_as(clerk),
        "/api/v1/stock/moves",
        {"kind": "ship", "part": "BAT-48V", "warehouse": "XH-01", "to_warehouse": "HD-01", "quantity": 4},
    )
    assert shipped.status_code == 201 and shipped.json()["in_transit"] is True
    assert api_as(clerk).get("/api/v1/stock?warehouse=HD-01").json()["items"][0]["in_transit"] == 4

    received = post(api_as(station_b_user), f"/api/v1/stock/moves/{shipped.json()['id']}/receive", {})

    assert received.status_code == 201, received.content
    assert balance_of(part=part, warehouse=wh_b) == (4, 0, 0)
    assert api_as(clerk).get(f"/api/v1/stock/moves/{shipped.json()['id']}").json()["in_transit"] is False
    again = post(api_as(station_b_user), f"/api/v1/stock/moves/{shipped.json()['id']}/receive", {})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "move"


def test_an_issue_naming_a_reservation_consumes_it_and_its_release_is_then_refused(
    api_as, clerk, reservation_a, order_a
):
    client = api_as(clerk)
    issued = post(
        client,
        "/api/v1/stock/moves",
        {"kind": "issue", "part": "BAT-48V", "warehouse": "XH-01", "quantity": 2, "reservation": reservation_a.pk},
    )
    assert issued.status_code == 201 and issued.json()["work_order"] == order_a.pk

    released = post(client, f"/api/v1/stock/reservations/{reservation_a.pk}/release", {})

    assert released.status_code == 409
    assert released.json()["errors"][0]["field"] == "reservation"


def test_release_answers_200_and_gives_the_units_back(api_as, clerk, part, stocked, reservation_a):
    response = post(api_as(clerk), f"/api/v1/stock/reservations/{reservation_a.pk}/release", {})

    assert response.status_code == 200 and response.json()["status"] == "released"
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)


def test_obsoleting_a_part_of_a_model_still_made_answers_the_7th_article_warning(api_as, clerk, part):
    response = post(api_as(clerk), "/api/v1/parts/BAT-48V/status", {"status": "obsolete"})

    assert response.status_code == 200
    assert response.json()["status"] == "obsolete" and "第七条" in response.json()["warnings"][0]


def test_a_station_sees_only_its_own_stock(api_as, station_b_user, part, stocked, wh_b):
    from parts import services

    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_b, quantity=1)

    items = api_as(station_b_user).get("/api/v1/stock").json()["items"]

    assert [item["warehouse"] for item in items] == ["HD-01"]
