"""The catalogue's "new part" form and the stock page's "post a stock move" form (issue 11, point
10): they call the services; a refusal names the field, keeps what was typed and writes nothing."""

from __future__ import annotations

import pytest

from core.changelog import history_for
from parts.models import Part, StockMove
from parts.selectors import balance_of
from tests.conftest import speak_english

pytestmark = pytest.mark.django_db


def field_error(page: str, field: str) -> bool:
    return f'data-field="{field}"' in page


# --- a new part -----------------------------------------------------------------------------------


def test_a_new_part_is_added_with_its_models_and_logged(client_as, clerk, product_model):
    client = client_as(speak_english(clerk))
    assert client.get("/parts/new/").status_code == 200

    response = client.post(
        "/parts/new/",
        {"code": "SEAT-1", "name": "座垫", "uom": "个", "product_models": "TDR-2000", "genuine": "on"},
        follow=True,
    )

    assert response.redirect_chain == [("/parts/?q=SEAT-1", 302)]
    assert "Part SEAT-1 座垫 added to the catalogue." in response.content.decode()
    part = Part.objects.get(code="SEAT-1")
    assert (part.genuine, list(part.product_models.values_list("code", flat=True))) == (True, ["TDR-2000"])
    assert [e.action for e in history_for(part)] == ["create"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "BAT-48V", "name": "重复", "genuine": "on"}, "code", "A part with this code already exists."),
        (
            {"code": "X-1", "name": "件", "genuine": "on", "product_models": "NOPE, TDR-2000"},
            "product_models",
            "Unknown product model: NOPE.",
        ),
        ({"code": "X-1", "name": "件", "supplier": ""}, "supplier", "Name the supplier of a part that is not genuine."),
        ({"code": "X-1", "name": ""}, "name", "This field is required."),
    ],
    ids=["duplicate-code", "unknown-model", "no-supplier", "no-name"],
)
def test_a_refused_part_names_the_field_and_keeps_the_input(client_as, clerk, part, data, field, message):
    count = Part.objects.count()

    response = client_as(speak_english(clerk)).post("/parts/new/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert field_error(page, field) and message in page
    assert f'value="{data["code"]}"' in page  # what was typed is kept
    assert Part.objects.count() == count


def test_the_same_new_part_form_posted_twice_adds_one_part(client_as, clerk):
    client = client_as(clerk)
    form = client.get("/parts/new/").context["form"]
    token = form.fields["submission_token"].initial
    data = {"code": "TWICE-1", "name": "件", "genuine": "on", "submission_token": token}

    assert client.post("/parts/new/", data).status_code == 302
    assert client.post("/parts/new/", data).status_code == 302
    assert Part.objects.filter(code="TWICE-1").count() == 1


def test_only_who_keeps_the_catalogue_opens_the_new_part_form(client_as, station_a_user):
    assert client_as(station_a_user).get("/parts/new/").status_code == 403


# --- a stock move from the stock page -----------------------------------------------------------------


def test_a_receipt_is_posted_through_the_ledger(client_as, station_a_user, part, wh_a):
    client = client_as(speak_english(station_a_user))
    page = client.get("/parts/stock/move/?warehouse=XH-01").content.decode()
    assert '<option value="XH-01" selected>' in page and "HD-01" not in page  # only their warehouses

    response = client.post(
        "/parts/stock/move/", {"kind": "receive", "part": "BAT-48V", "warehouse": "XH-01", "quantity": "5"}, follow=True
    )

    assert response.redirect_chain == [("/parts/stock/?warehouse=XH-01", 302)]
    assert balance_of(part=part, warehouse=wh_a) == (5, 0, 0)
    assert StockMove.objects.get().acting_user == station_a_user


def test_a_transfer_a_shipment_an_adjustment_and_a_scrap(client_as, station_a_user, stocked, wh_a2, wh_b, part):
    client = client_as(station_a_user)
    posts = [
        {"kind": "transfer", "to_warehouse": "XH-02", "quantity": "3"},
        {"kind": "ship", "to_warehouse": "HD-01", "quantity": "2"},  # a shipment may go to another unit
        {"kind": "adjust", "quantity": "-1", "note": "盘亏"},
        {"kind": "scrap", "quantity": "1", "note": "损坏"},
    ]
    for data in posts:
        response = client.post("/parts/stock/move/", {"part": "BAT-48V", "warehouse": "XH-01", **data})
        assert response.status_code == 302, response.content.decode()

    assert balance_of(part=part, warehouse=stocked) == (3, 0, 0)
    assert balance_of(part=part, warehouse=wh_a2) == (3, 0, 0)
    assert balance_of(part=part, warehouse=wh_b) == (0, 0, 2)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "scrap", "quantity": "30"}, "quantity", "Only 10 available at XH-01; 30 needed."),
        ({"kind": "receive", "quantity": "2.5"}, "quantity", "Enter a whole number."),
        ({"kind": "receive", "quantity": "0"}, "quantity", "Enter a whole number greater than zero."),
        ({"kind": "adjust", "quantity": "2"}, "note", "Give the reason for the adjustment."),
        ({"kind": "transfer", "quantity": "1"}, "to_warehouse", "Name the warehouse the stock goes to."),
        ({"kind": "transfer", "quantity": "1", "to_warehouse": "XH-01"}, "to_warehouse", "The stock is already in"),
        ({"kind": "transfer", "quantity": "1", "to_warehouse": "HD-01"}, "to_warehouse", "Unknown warehouse."),
        (
            {"kind": "receive", "quantity": "1", "to_warehouse": "XH-02"},
            "to_warehouse",
            "Only a transfer or a shipment",
        ),
        ({"kind": "receive", "quantity": "1", "part": "NOPE"}, "part", "Unknown part."),
        ({"kind": "issue", "quantity": "1"}, "kind", "Select a valid choice."),
        ({"kind": "receive", "quantity": "1", "warehouse": "HD-01"}, "warehouse", "Select a valid choice."),
    ],
    ids=[
        "shortage",
        "fraction",
        "zero",
        "adjust-without-reason",
        "transfer-without-destination",
        "same-warehouse",
        "foreign-transfer",
        "receive-to",
        "unknown-part",
        "issue-not-here",
        "foreign-warehouse",
    ],
)
def test_a_refused_move_names_the_field_keeps_the_input_and_writes_nothing(
    client_as, station_a_user, stocked, wh_a2, wh_b, part, data, field, message
):
    moves = StockMove.objects.count()
    posted = {"part": "BAT-48V", "warehouse": "XH-01", **data}

    response = client_as(speak_english(station_a_user)).post("/parts/stock/move/", posted)

    page = response.content.decode()
    assert response.status_code == 400
    assert field_error(page, field) and message in page, page[page.find("form-errors") :][:600]
    assert f'value="{posted["quantity"]}"' in page
    assert StockMove.objects.count() == moves
    assert balance_of(part=part, warehouse=stocked) == (10, 0, 0)


def test_who_may_not_move_stock_does_not_get_the_form(client_as, dispatcher, technician):
    assert client_as(dispatcher).get("/parts/stock/move/").status_code == 403
    assert client_as(technician).post("/parts/stock/move/", {}).status_code == 403
