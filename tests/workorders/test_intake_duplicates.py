"""Duplicates and history at intake (issue 18, point 6).

The agent's registration page shows the caller's open orders and the device's service history
as soon as they are picked; a "new caller" with the phone of a customer on file and a device with
an open order are refused until the agent confirms it is a new one (recorded on the new order's
timeline) — or the agent uses the existing customer, or adds the caller's report to the open
order. The API applies the same rule; everything is scoped to the user's units.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.exceptions import PossibleDuplicate
from customers.models import Customer
from workorders import services
from workorders.choices import EventKind, Status
from workorders.models import TimelineEvent, WorkOrder
from workorders.selectors import device_service_history, open_orders_of_device

API = "/api/v1"


def _english(user: Any) -> Any:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    return user


@pytest.fixture
def agent(agent: Any) -> Any:
    return _english(agent)


@pytest.fixture
def station_b_user(station_b_user: Any) -> Any:
    return _english(station_b_user)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register_data(**fields: Any) -> dict[str, Any]:
    data = {"service_type": "repair", "channel": "phone", "urgency": "normal", "description": "刹车异响，续航变短"}
    data.update(fields)
    return data


def an_order(agent: Any, customer: Any, device: Any = None, **fields: Any) -> WorkOrder:
    values = {"service_type": "repair", "channel": "phone", "description": "电池充不进电"}
    values.update(fields)
    return services.workorder_create(acting_user=agent, customer=customer, device=device, **values)


def post_api(client: Any, path: str, body: Any) -> Any:
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


# --- the new caller who is already on file ------------------------------------------------------


def new_caller(phone: str = "138 0013 8000", name: str = "张三", **fields: Any) -> dict[str, Any]:
    return register_data(new_customer="on", new_customer_name=name, new_customer_phone=phone, **fields)


def test_a_new_caller_with_a_known_phone_is_refused_and_shown_the_customer(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).post(reverse("workorders:register"), new_caller())

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"confirm_new_customer"}
    html = response.content.decode()
    assert 'id="duplicate-customer-warning"' in html
    assert f'id="use-customer-{customer_a.pk}"' in html
    assert 'id="id_confirm_new_customer"' in html
    assert Customer.objects.count() == 1
    assert WorkOrder.objects.count() == 0


def test_a_confirmed_new_caller_is_created_and_the_confirmation_is_on_the_timeline(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).post(reverse("workorders:register"), new_caller(confirm_new_customer="on"))

    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.customer_id != customer_a.pk
    event = order.events.get(kind=EventKind.DUPLICATE_CONFIRMED)
    assert event.actor_id == agent.pk
    assert event.data["duplicate_customers"] == "张三丰 13800138000"
    assert event.data["duplicates"] == [
        {"kind": "customer", "id": customer_a.pk, "label": "张三丰 13800138000", "reasons": ["same_phone"]}
    ]
    detail = client_for(agent).get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "Confirmed as a new request" in detail and "Customers already on file" in detail


def test_a_new_caller_with_only_the_same_name_is_warned_but_not_refused(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).post(reverse("workorders:register"), new_caller(phone="13700001111", name="张三丰"))

    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.customer.phone == "13700001111"
    assert not order.events.filter(kind=EventKind.DUPLICATE_CONFIRMED).exists()


def test_the_duplicate_lookup_shows_the_likely_customer_as_it_is_typed(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).get(
        reverse("workorders:lookup_duplicates"), {"new_customer_name": "张三", "new_customer_phone": "13800138000"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="duplicate-customer-{customer_a.pk}"' in html and 'data-likely="1"' in html
    assert "Same phone number" in html and 'id="id_confirm_new_customer"' in html


def test_the_duplicate_lookup_names_a_namesake_without_asking_for_confirmation(agent: Any, customer_a: Any) -> None:
    html = (
        client_for(agent)
        .get(reverse("workorders:lookup_duplicates"), {"new_customer_name": "张三丰", "new_customer_phone": "137"})
        .content.decode()
    )
    assert f'id="duplicate-customer-{customer_a.pk}"' in html and 'data-likely="0"' in html
    assert "Same name" in html and 'id="id_confirm_new_customer"' not in html


def test_the_duplicate_lookup_is_scoped_to_the_users_units(station_b_user: Any, customer_a: Any) -> None:
    response = client_for(station_b_user).get(
        reverse("workorders:lookup_duplicates"), {"new_customer_name": "张三丰", "new_customer_phone": "13800138000"}
    )
    assert response.status_code == 200
    assert "duplicate-customer" not in response.content.decode()


def test_station_b_registers_the_same_phone_without_a_hint_of_customer_a(station_b_user: Any, customer_a: Any) -> None:
    data = new_caller(new_customer_address="北京市海淀区中关村大街2号")
    response = client_for(station_b_user).post(reverse("workorders:register"), data)

    assert response.status_code == 302
    assert Customer.objects.filter(phone="13800138000").count() == 2


# --- the caller's open orders and the device's history -------------------------------------------


def test_picking_the_caller_shows_their_open_orders(agent: Any, customer_a: Any, device_a: Any) -> None:
    open_order = an_order(agent, customer_a, device_a)
    closed = an_order(agent, customer_a)
    WorkOrder.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    html = client_for(agent).get(reverse("workorders:lookup_devices"), {"customer": customer_a.pk}).content.decode()

    assert 'id="caller-open-orders"' in html
    assert f'id="caller-open-order-{open_order.pk}"' in html and f'id="caller-attach-{open_order.pk}"' in html
    assert f'id="caller-open-order-{closed.pk}"' not in html


def test_picking_the_device_shows_its_history_and_warns_of_its_open_order(
    agent: Any, customer_a: Any, device_a: Any
) -> None:
    old = an_order(agent, customer_a, device_a, description="去年的保养")
    WorkOrder.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    current = an_order(agent, customer_a, device_a)

    response = client_for(agent).get(reverse("workorders:lookup_device_history"), {"device": device_a.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="device-history-card"' in html and old.number in html and current.number in html
    assert 'id="open-order-warning"' in html
    assert f'id="attach-order-{current.pk}"' in html and f'id="attach-order-{old.pk}"' not in html
    assert 'id="id_confirm_new_order"' in html


def test_a_device_with_only_finished_orders_shows_history_without_warning(
    agent: Any, customer_a: Any, device_a: Any
) -> None:
    old = an_order(agent, customer_a, device_a)
    WorkOrder.objects.filter(pk=old.pk).update(status=Status.CLOSED)

    html = client_for(agent).get(reverse("workorders:lookup_device_history"), {"device": device_a.pk}).content.decode()

    assert old.number in html and 'id="open-order-warning"' not in html


def test_the_device_history_of_another_units_device_is_not_found(station_b_user: Any, device_a: Any) -> None:
    response = client_for(station_b_user).get(reverse("workorders:lookup_device_history"), {"device": device_a.pk})
    assert response.status_code == 404


# --- a device with an open order --------------------------------------------------------------


def test_a_second_order_for_a_device_with_an_open_one_is_refused(agent: Any, customer_a: Any, device_a: Any) -> None:
    current = an_order(agent, customer_a, device_a)

    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_a.pk, device=device_a.pk)
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"confirm_new_order"}
    assert current.number in response.context["form"].errors["confirm_new_order"][0]
    html = response.content.decode()
    assert 'id="open-order-warning"' in html and f'id="attach-order-{current.pk}"' in html
    assert WorkOrder.objects.count() == 1


def test_a_confirmed_new_order_is_registered_and_the_confirmation_is_on_its_timeline(
    agent: Any, customer_a: Any, device_a: Any
) -> None:
    current = an_order(agent, customer_a, device_a)

    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(customer=customer_a.pk, device=device_a.pk, confirm_new_order="on"),
    )

    assert response.status_code == 302
    order = WorkOrder.objects.exclude(pk=current.pk).get()
    event = order.events.get(kind=EventKind.DUPLICATE_CONFIRMED)
    assert event.data["open_orders"] == current.number
    assert event.data["duplicates"] == [{"kind": "work_order", "id": current.pk, "label": current.number}]


def test_adding_the_report_to_the_open_order_creates_no_order(agent: Any, customer_a: Any, device_a: Any) -> None:
    current = an_order(agent, customer_a, device_a)

    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(customer=customer_a.pk, device=device_a.pk, attach_order=current.pk, channel="wechat"),
        follow=True,
    )

    assert response.redirect_chain == [(reverse("workorders:detail", args=[current.pk]), 302)]
    assert WorkOrder.objects.count() == 1
    event = current.events.get(kind=EventKind.REPEAT_REQUEST)
    assert (event.note, event.data, event.actor_id) == ("刹车异响，续航变短", {"channel": "wechat"}, agent.pk)
    assert [str(m) for m in response.context["messages"]] == [
        f"The caller's report was added to work order {current.number}."
    ]


def test_a_double_submitted_report_is_added_once(agent: Any, customer_a: Any, device_a: Any) -> None:
    current = an_order(agent, customer_a, device_a)
    client = client_for(agent)
    data = register_data(customer=customer_a.pk, attach_order=current.pk, submission_token="t-attach")

    assert client.post(reverse("workorders:register"), data).status_code == 302
    assert client.post(reverse("workorders:register"), data).status_code == 302
    assert current.events.filter(kind=EventKind.REPEAT_REQUEST).count() == 1


def test_a_report_cannot_be_added_to_a_finished_or_foreign_order(
    agent: Any, station_b_user: Any, customer_a: Any, customer_b: Any, device_a: Any
) -> None:
    closed = an_order(agent, customer_a, device_a)
    WorkOrder.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    foreign = an_order(agent, customer_a)

    refused = client_for(agent).post(reverse("workorders:register"), register_data(attach_order=closed.pk))
    hidden = client_for(station_b_user).post(
        reverse("workorders:register"), register_data(customer=customer_b.pk, attach_order=foreign.pk)
    )

    assert refused.status_code == 400 and "attach_order" in refused.context["form"].errors
    assert hidden.status_code == 400 and "attach_order" in hidden.context["form"].errors
    assert not TimelineEvent.objects.filter(kind=EventKind.REPEAT_REQUEST).exists()


def test_the_service_refuses_a_repeat_report_on_a_finished_order(agent: Any, customer_a: Any) -> None:
    from core.exceptions import TransitionNotAllowed

    order = an_order(agent, customer_a)
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED)
    order.refresh_from_db()

    with pytest.raises(TransitionNotAllowed):
        services.workorder_add_repeat_request(order=order, acting_user=agent, description="又坏了", channel="phone")


def test_the_open_order_check_sees_only_the_users_units(
    agent: Any, station_a_user: Any, station_b_user: Any, customer_a: Any, device_a: Any
) -> None:
    """An order the user cannot see neither refuses nor is named."""
    current = an_order(agent, customer_a, device_a)

    assert [order.pk for order in open_orders_of_device(user=station_a_user, device_id=device_a.pk)] == [current.pk]
    assert open_orders_of_device(user=station_b_user, device_id=device_a.pk) == []
    assert device_service_history(user=station_b_user, device_id=device_a.pk) == []


# --- the API ------------------------------------------------------------------------------------


def test_api_refuses_a_second_order_for_a_device_with_an_open_one(
    api_as: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    current = an_order(agent, customer_a, device_a)
    body = {"customer": customer_a.pk, "device": device_a.pk, "service_type": "repair", "description": "刹车异响"}

    response = post_api(api_as(agent), "/work-orders", body)

    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["code"] == "possible_duplicate"
    assert [error["field"] for error in answer["errors"]] == ["device"]
    assert answer["duplicates"] == [
        {"kind": "work_order", "id": current.pk, "label": current.number, "reasons": ["open_order_same_device"]}
    ]
    assert WorkOrder.objects.count() == 1


def test_api_registers_it_once_confirmed_and_records_the_confirmation(
    api_as: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    current = an_order(agent, customer_a, device_a)
    body = {
        "customer": customer_a.pk,
        "device": device_a.pk,
        "service_type": "repair",
        "description": "刹车异响",
        "confirm_duplicate": True,
    }

    response = post_api(api_as(agent), "/work-orders", body)

    assert response.status_code == 201, response.content
    timeline = api_as(agent).get(f"{API}/work-orders/{response.json()['id']}").json()["timeline"]
    confirmed = [event for event in timeline if event["kind"] == "duplicate_confirmed"]
    assert [event["data"]["open_orders"] for event in confirmed] == [current.number]


def test_api_registers_without_confirmation_when_the_device_has_no_open_order(
    api_as: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    old = an_order(agent, customer_a, device_a)
    WorkOrder.objects.filter(pk=old.pk).update(status=Status.COMPLETED)
    body = {"customer": customer_a.pk, "device": device_a.pk, "service_type": "repair", "description": "刹车异响"}

    response = post_api(api_as(agent), "/work-orders", body)

    assert response.status_code == 201, response.content
    assert not TimelineEvent.objects.filter(kind=EventKind.DUPLICATE_CONFIRMED).exists()


def test_the_service_says_which_orders_a_refusal_is_about(agent: Any, customer_a: Any, device_a: Any) -> None:
    current = an_order(agent, customer_a, device_a)

    with pytest.raises(PossibleDuplicate) as refused:
        services.workorder_create_at_intake(
            acting_user=agent,
            confirm_duplicate=False,
            customer=customer_a,
            device=device_a,
            service_type="repair",
            channel="phone",
            description="刹车异响",
        )

    assert refused.value.field == "device"
    assert [item["id"] for item in refused.value.duplicates] == [current.pk]
