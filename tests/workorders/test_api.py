"""Public API v1 for work orders (SPEC §14): create, list, detail, transitions, edits, files.

Error messages come from gettext and are translated later, so tests assert status codes, the
uniform body and the field names, and that each message is non-empty.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.choices import Role
from core.models import IdempotencyRecord
from core.testing import make_user
from workorders import services
from workorders.models import WorkOrder

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


# --- helpers ---------------------------------------------------------------------------------


def send(client: Any, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return getattr(client, method)(API + path, data=data, content_type="application/json", **extra)


def post(client: Any, path: str, body: Any, **extra: Any) -> Any:
    return send(client, "post", path, body, **extra)


def fields_of(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def assert_error(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The uniform error body: a non-empty detail and errors naming the fields, each with a message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) >= {"field", "message"} and error["field"] and error["message"].strip()
    assert set(fields) <= fields_of(response), (fields, body)
    return body


def new_order_body(customer: Any, /, **overrides: Any) -> dict[str, Any]:
    return {
        "customer": customer.pk,
        "service_type": "repair",
        "channel": "phone",
        "description": "电动车无法启动，仪表盘不亮",
        **overrides,
    }


def transition(client: Any, order_id: int, action: str, **data: Any) -> Any:
    return post(client, f"/work-orders/{order_id}/transitions", {"action": action, **data})


@pytest.fixture
def order_a(agent: Any, customer_a: Any) -> WorkOrder:
    return services.workorder_create(
        acting_user=agent,
        customer=customer_a,
        service_type="repair",
        channel="phone",
        description="电动车无法启动，仪表盘不亮",
    )


@pytest.fixture
def finance(org: Any) -> Any:
    return make_user(Role.FINANCE, org.hq, username="finance")


# --- create ----------------------------------------------------------------------------------


def test_create_answers_201_with_id_number_submitted_status_and_deadlines(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, channel="api"))

    assert response.status_code == 201, response.content
    body = response.json()
    order = WorkOrder.objects.get(pk=body["id"])
    assert body["number"] == order.number and body["number"].startswith("WO-")
    assert body["status"] == "submitted"
    assert set(body["deadlines"]) == {"first_response", "on_site", "resolution", "status"}
    assert body["customer"] == {"id": customer_a.pk, "name": "张三丰"}
    assert body["unit"]["name"] == "西湖特约维修站"
    assert (order.channel, order.service_type, order.urgency) == ("api", "repair", "normal")
    assert body["submitted_at"].endswith("+08:00")
    assert list(order.events.values_list("kind", flat=True)) == ["created"]


def test_create_with_urgent_flag_sets_urgency_and_a_higher_priority(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, urgent=True))

    assert response.status_code == 201, response.content
    assert (response.json()["urgency"], response.json()["priority"]) == ("urgent", 2)


def test_create_with_a_device_takes_its_model_and_serial(api_as, agent, customer_a, device_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, device=device_a.pk))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["device"] == {"id": device_a.pk, "serial_number": "SN-A-0001"}
    assert body["product_model"] == "TDR-2000"


@pytest.mark.parametrize("service_type", ["repair", "installation", "maintenance", "inspection", "consultation",
                                          "technical_guidance", "training", "return", "exchange", "complaint",
                                          "software_upgrade", "claim"])  # fmt: skip
def test_every_spec_service_type_code_is_accepted(api_as, agent, customer_a, service_type):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, service_type=service_type))
    assert response.status_code == 201, response.content
    assert response.json()["service_type"] == service_type


@pytest.mark.parametrize("channel", ["web", "qr", "phone", "email", "wechat", "walk_in", "api"])
def test_every_spec_channel_code_is_accepted(api_as, agent, customer_a, channel):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, channel=channel))
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == channel


def test_missing_required_fields_are_each_named(api_as, agent):
    response = post(api_as(agent), "/work-orders", {})
    assert_error(response, 422, "customer", "service_type", "description")


def test_wrong_type_for_customer_names_customer(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, customer="abc"))
    assert_error(response, 422, "customer")


@pytest.mark.parametrize("field", ["service_type", "channel", "urgency"])
def test_unknown_code_names_the_field(api_as, agent, customer_a, field):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, **{field: "foo"}))
    assert_error(response, 422, field)
    assert WorkOrder.objects.count() == 0


def test_unknown_customer_id_is_400_naming_customer(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, customer=999999))
    assert_error(response, 400, "customer")


def test_another_units_customer_is_refused_exactly_like_an_unknown_one(api_as, station_b_user, customer_a):
    """No 403/404 that would reveal the record exists elsewhere: 400 naming customer, same words."""
    client = api_as(station_b_user)
    foreign = post(client, "/work-orders", new_order_body(customer_a))
    unknown = post(client, "/work-orders", new_order_body(customer_a, customer=999999))

    assert_error(foreign, 400, "customer")
    assert foreign.json() == unknown.json()
    assert WorkOrder.objects.count() == 0


def test_another_units_device_is_refused_naming_device(api_as, station_b_user, customer_b, device_a):
    response = post(api_as(station_b_user), "/work-orders", new_order_body(customer_b, device=device_a.pk))
    assert_error(response, 400, "device")


def test_a_device_of_another_customer_is_refused_naming_device(api_as, agent, customer_b, device_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_b, device=device_a.pk))
    assert_error(response, 400, "device")
    assert WorkOrder.objects.count() == 0


def test_unknown_product_model_code_names_product_model(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, product_model="NO-SUCH"))
    assert_error(response, 400, "product_model")


def test_huge_description_is_refused_naming_description(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, description="坏" * 100_000))
    assert_error(response, 422, "description")


def test_blank_description_is_refused_naming_description(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a, description="   "))
    assert_error(response, 400, "description")


def test_a_role_without_add_permission_gets_403(api_as, technician, customer_a):
    response = post(api_as(technician), "/work-orders", new_order_body(customer_a))
    assert_error(response, 403)
    assert WorkOrder.objects.count() == 0


# --- idempotency -----------------------------------------------------------------------------


def test_retry_with_the_same_key_and_body_returns_the_same_order_and_creates_nothing(api_as, agent, customer_a):
    client = api_as(agent)
    body = new_order_body(customer_a)
    first = post(client, "/work-orders", body, HTTP_IDEMPOTENCY_KEY="intake-42")
    second = post(client, "/work-orders", body, HTTP_IDEMPOTENCY_KEY="intake-42")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert WorkOrder.objects.count() == 1


def test_retry_with_the_same_json_spaced_and_ordered_differently_is_the_same_request(api_as, agent, customer_a):
    client = api_as(agent)
    body = new_order_body(customer_a)
    first = post(client, "/work-orders", json.dumps(body), HTTP_IDEMPOTENCY_KEY="k")
    second = post(client, "/work-orders", json.dumps(dict(reversed(body.items())), indent=2), HTTP_IDEMPOTENCY_KEY="k")

    assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
    assert WorkOrder.objects.count() == 1


def test_same_key_with_a_different_body_is_422_and_creates_nothing(api_as, agent, customer_a):
    client = api_as(agent)
    post(client, "/work-orders", new_order_body(customer_a), HTTP_IDEMPOTENCY_KEY="intake-42")
    response = post(
        client, "/work-orders", new_order_body(customer_a, description="另一台车"), HTTP_IDEMPOTENCY_KEY="intake-42"
    )

    assert_error(response, 422, "Idempotency-Key")
    assert WorkOrder.objects.count() == 1


def test_without_a_key_each_request_creates_an_order(api_as, agent, customer_a):
    client = api_as(agent)
    ids = {post(client, "/work-orders", new_order_body(customer_a)).json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_keys_belong_to_their_user(api_as, agent, director, customer_a):
    body = new_order_body(customer_a)
    mine = post(api_as(agent), "/work-orders", body, HTTP_IDEMPOTENCY_KEY="same")
    theirs = post(api_as(director), "/work-orders", body, HTTP_IDEMPOTENCY_KEY="same")
    assert mine.json()["id"] != theirs.json()["id"]
    assert WorkOrder.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(api_as, agent, customer_a):
    client = api_as(agent)
    refused = post(client, "/work-orders", new_order_body(customer_a, customer=999999), HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_an_overlong_idempotency_key_names_the_header(api_as, agent, customer_a):
    response = post(api_as(agent), "/work-orders", new_order_body(customer_a), HTTP_IDEMPOTENCY_KEY="k" * 129)
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code, "Idempotency-Key")
    assert WorkOrder.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_order(api_as, agent, customer_a):
    body = json.dumps(new_order_body(customer_a))
    clients = [api_as(agent) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = []

    def retry(client: Any) -> None:
        try:
            barrier.wait(timeout=10)
            response = post(client, "/work-orders", body, HTTP_IDEMPOTENCY_KEY="burst")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 4
    assert {status for status, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1
    assert WorkOrder.objects.count() == 1


# --- list ------------------------------------------------------------------------------------


def _create(agent: Any, customer: Any, description: str, **kw: Any) -> WorkOrder:
    return services.workorder_create(
        acting_user=agent, customer=customer, service_type=kw.pop("service_type", "repair"), channel="phone",
        description=description, **kw,
    )  # fmt: skip


def test_list_answers_items_and_count_and_paginates(api_as, agent, customer_a):
    for n in range(3):
        _create(agent, customer_a, f"第{n}台车无法启动")
    client = api_as(agent)

    first = client.get(f"{API}/work-orders?page_size=2")
    second = client.get(f"{API}/work-orders?page_size=2&page=2")

    assert first.status_code == 200
    assert first.json()["count"] == 3 and len(first.json()["items"]) == 2
    assert second.json()["count"] == 3 and len(second.json()["items"]) == 1
    ids = [item["id"] for item in first.json()["items"] + second.json()["items"]]
    assert len(set(ids)) == 3


def test_list_filters_by_one_or_several_statuses(api_as, agent, customer_a):
    accepted = _create(agent, customer_a, "一")
    services.workorder_transition(order=accepted, action="accept", acting_user=agent, data={"charge_type": "free"})
    _create(agent, customer_a, "二")
    client = api_as(agent)

    only_accepted = client.get(f"{API}/work-orders?status=accepted").json()
    both = client.get(f"{API}/work-orders?status=submitted,accepted").json()
    closed = client.get(f"{API}/work-orders?status=closed").json()

    assert [item["id"] for item in only_accepted["items"]] == [accepted.pk]
    assert both["count"] == 2
    assert closed == {"items": [], "count": 0}


def test_list_filters_by_service_type(api_as, agent, customer_a):
    _create(agent, customer_a, "一")
    install = _create(agent, customer_a, "二", service_type="installation")
    body = api_as(agent).get(f"{API}/work-orders?service_type=installation").json()
    assert [item["id"] for item in body["items"]] == [install.pk]


def test_q_matches_chinese_text_by_words(api_as, agent, customer_a, customer_b):
    bike = _create(agent, customer_a, "电动车无法启动，仪表盘不亮")
    aircon = _create(agent, customer_b, "空调不制冷，外机有异响")
    client = api_as(agent)

    def found(q: str) -> list[int]:
        response = client.get(f"{API}/work-orders", {"q": q})
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert found("仪表盘") == [bike.pk]
    assert found("仪表盘 启动") == [bike.pk]
    assert found("制冷") == [aircon.pk]
    assert found("zsf") == [bike.pk]  # the customer 张三丰 by initials
    assert found(bike.number) == [bike.pk]
    assert found("冰箱") == []


def test_unknown_status_filter_names_status(api_as, agent):
    assert_error(api_as(agent).get(f"{API}/work-orders?status=submitted,bogus"), 400, "status")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("page_size=1000", "page_size"),
        ("service_type=foo", "service_type"),
        ("customer=abc", "customer"),
        ("customer=99999999999999999999999", "customer"),
        ("submitted_from=2026-13-45", "submitted_from"),
        ("q=" + "修" * 1000, "q"),
    ],
    ids=lambda value: value[:30],
)
def test_bad_list_parameters_name_the_parameter(api_as, agent, query, field):
    assert_error(api_as(agent).get(f"{API}/work-orders?{query}"), 422, field)


def test_list_query_count_does_not_grow_with_the_page(api_as, director, customer_a, device_a, technician,
                                                       django_assert_max_num_queries):  # fmt: skip
    for n in range(12):
        order = _create(director, customer_a, f"第{n}台", device=device_a)
        services.workorder_transition(order=order, action="accept", acting_user=director, data={"charge_type": "free"})
        services.workorder_transition(order=order, action="assign", acting_user=director,
                                      data={"technician": technician.pk})  # fmt: skip
    client = api_as(director)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/work-orders?page_size=12")
    assert response.json()["count"] == 12
    assert response.json()["items"][0]["technician"]["id"] == technician.pk


# --- detail ----------------------------------------------------------------------------------


def test_detail_has_timeline_and_the_actions_this_user_may_take(api_as, agent, technician, order_a):
    body = api_as(agent).get(f"{API}/work-orders/{order_a.pk}").json()

    assert body["id"] == order_a.pk and body["status"] == "submitted"
    assert [event["kind"] for event in body["timeline"]] == ["created"]
    assert body["timeline"][0]["to_status"] == "submitted"
    assert body["timeline"][0]["at"].endswith("+08:00")
    assert body["allowed_actions"] == ["accept", "reject", "request_info", "cancel"]
    assert body["deadlines"] == {"first_response": None, "on_site": None, "resolution": None, "status": None}
    # a technician may see the order but not accept it
    assert api_as(technician).get(f"{API}/work-orders/{order_a.pk}").json()["allowed_actions"] == []


def test_unknown_order_is_404_with_the_uniform_body(api_as, agent):
    assert_error(api_as(agent).get(f"{API}/work-orders/999999"), 404)
    assert_error(api_as(agent).get(f"{API}/work-orders/99999999999999999999999"), 404)


# --- transitions -----------------------------------------------------------------------------


def test_accept_answers_200_with_the_order_in_its_new_state(api_as, agent, order_a):
    response = transition(api_as(agent), order_a.pk, "accept", note="资料齐全")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["accepted_at"]
    accepted = [event for event in body["timeline"] if event["kind"] == "accept"]
    assert len(accepted) == 1
    assert (accepted[0]["from_status"], accepted[0]["to_status"]) == ("submitted", "accepted")
    assert accepted[0]["note"] == "资料齐全"
    assert body["timeline"][-1]["kind"] == "warranty"  # the decision follows the acceptance
    assert body["allowed_actions"] == ["cancel", "quote"]


def test_reject_with_a_reason_stores_it(api_as, agent, order_a):
    response = transition(api_as(agent), order_a.pk, "reject", reason="不在服务范围")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["reject_reason"]) == ("rejected", "不在服务范围")


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_reject_and_cancel_without_a_reason_name_reason_and_change_nothing(api_as, agent, order_a, action):
    response = transition(api_as(agent), order_a.pk, action)

    assert_error(response, 400, "reason")
    order_a.refresh_from_db()
    assert order_a.status == "submitted" and order_a.events.count() == 1


def test_cancel_with_a_reason_cancels(api_as, agent, order_a):
    response = transition(api_as(agent), order_a.pk, "cancel", reason="客户已自行修好")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "客户已自行修好")


def test_an_action_not_possible_now_is_409_naming_the_state_and_allowed_actions(api_as, agent, order_a):
    response = transition(api_as(agent), order_a.pk, "close")

    body = assert_error(response, 409, "action")
    assert body["status"] == "submitted"
    assert body["allowed_actions"] == ["accept", "reject", "request_info", "cancel"]


def test_unknown_action_names_action(api_as, agent, order_a):
    assert_error(transition(api_as(agent), order_a.pk, "explode"), 422, "action")


def test_a_technician_may_not_accept(api_as, technician, order_a):
    assert_error(transition(api_as(technician), order_a.pk, "accept"), 403)
    order_a.refresh_from_db()
    assert order_a.status == "submitted"


def test_a_stale_version_on_a_transition_is_409(api_as, agent, order_a):
    response = transition(api_as(agent), order_a.pk, "accept", version=order_a.version + 5)
    body = assert_error(response, 409, "version")
    assert body["current_version"] == order_a.version


@pytest.mark.parametrize(
    ("action", "data", "field", "status"),
    [
        ("assign", {"technician": "abc"}, "technician", 422),
        ("assign", {"technician": 0}, "technician", 422),
        ("quote", {"amount": "-5"}, "amount", 422),
        ("quote", {"amount": "1.234"}, "amount", 422),
        ("quote", {"amount": "1e20"}, "amount", 422),
        ("quote", {"amount": "NaN"}, "amount", 422),
        ("schedule", {"appointment_at": "tomorrow"}, "appointment_at", 422),
        ("pause", {"wait_reason": "lunch"}, "wait_reason", 422),
        ("follow_up", {"satisfaction": "satisfied", "score": 9}, "score", 422),
        ("sign_off", {"signer_name": "名" * 65}, "signer_name", 422),
        ("reject", {"reason": "x" * 2001}, "reason", 422),
        ("accept", {"charge_type": "gratis"}, "charge_type", 422),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_transition_data_names_the_field(api_as, agent, order_a, action, data, field, status):
    assert_error(transition(api_as(agent), order_a.pk, action, **data), status, field)


def test_assigning_someone_who_is_not_a_technician_names_technician(api_as, director, order_a, finance):
    client = api_as(director)
    transition(client, order_a.pk, "accept", charge_type="free")
    assert_error(transition(client, order_a.pk, "assign", technician=finance.pk), 400, "technician")
    assert_error(transition(client, order_a.pk, "assign", technician=999999), 400, "technician")


def test_a_station_cannot_assign_another_stations_technician(api_as, station_a_user, org, order_a):
    other = make_user(Role.TECHNICIAN, org.station_b, username="tech_b")
    client = api_as(station_a_user)
    transition(client, order_a.pk, "accept", charge_type="free")
    assert_error(transition(client, order_a.pk, "assign", technician=other.pk), 400, "technician")


def test_a_whole_order_through_the_api_by_the_roles_who_do_it(
    api_as, agent, dispatcher, technician, qc_inspector, order_a
):
    desk, dispatch, tech, qc = api_as(agent), api_as(dispatcher), api_as(technician), api_as(qc_inspector)
    oid = order_a.pk

    def step(client: Any, action: str, status: str, **data: Any) -> dict[str, Any]:
        response = transition(client, oid, action, **data)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status, action
        return response.json()

    step(desk, "accept", "accepted", charge_type="paid")
    quoted = step(desk, "quote", "quoted", amount="350")
    assert quoted["quoted_amount"] == "350.00"
    assert_error(transition(dispatch, oid, "assign", technician=technician.pk), 409, "action")  # quote not approved
    step(desk, "approve_quote", "approved")
    assigned = step(dispatch, "assign", "assigned", technician=technician.pk)
    assert assigned["technician"]["id"] == technician.pk
    scheduled = step(dispatch, "schedule", "scheduled", appointment_at="2026-11-25T09:30:00+08:00")
    assert scheduled["appointment_at"].startswith("2026-11-25T09:30:00") and scheduled["appointment_at"].endswith(
        "+08:00"
    )
    step(tech, "start", "in_progress")
    assert step(tech, "pause", "waiting", wait_reason="parts")["wait_reason"] == "parts"
    step(tech, "resume", "in_progress")
    step(tech, "submit_qc", "qc", note="更换控制器")
    step(qc, "qc_fail", "in_progress", reason="刹车灯未复位")
    step(tech, "submit_qc", "qc", note="复位刹车灯")
    step(qc, "qc_pass", "awaiting_signoff")
    signed = step(desk, "sign_off", "completed", signer_name="张三丰")
    assert signed["completion_status"] == "done" and signed["completed_at"]
    followed = step(desk, "follow_up", "followed_up", satisfaction="satisfied", score=5, note="很满意")
    assert (followed["satisfaction"], followed["satisfaction_score"]) == ("satisfied", 5)
    closed = step(desk, "close", "closed")

    assert closed["closed_at"] and closed["allowed_actions"] == []
    kinds = [event["kind"] for event in closed["timeline"]]
    assert kinds == [
        "created", "accept", "warranty", "quote", "approve_quote", "assign", "schedule", "start", "pause", "resume",
        "submit_qc", "qc_fail", "submit_qc", "qc_pass", "sign_off", "follow_up", "close",
    ]  # fmt: skip
    assert closed["version"] == 1 + len(kinds) - 2  # neither "created" nor the warranty record is an edit


def test_the_action_table_is_published(api_as, agent):
    response = api_as(agent).get(f"{API}/work-orders/actions")

    assert response.status_code == 200
    actions = {row["action"]: row for row in response.json()}
    assert {"accept", "reject", "cancel", "close", "reopen"} <= set(actions)
    assert actions["reject"]["target"] == "rejected"
    assert "submitted" in actions["accept"]["sources"]
    assert {f["name"]: f["required"] for f in actions["reject"]["fields"]} == {"reason": True}


# --- edits -----------------------------------------------------------------------------------


def test_patch_with_the_current_version_edits_and_records_before_and_after(api_as, agent, order_a):
    response = send(
        api_as(agent), "patch", f"/work-orders/{order_a.pk}", {"version": 1, "description": "仪表盘不亮，喇叭不响"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "仪表盘不亮，喇叭不响" and body["version"] == 2
    event = body["timeline"][-1]
    assert event["kind"] == "updated"
    assert event["data"]["description"] == {"from": "电动车无法启动，仪表盘不亮", "to": "仪表盘不亮，喇叭不响"}


def test_patch_with_a_stale_version_is_409_and_changes_nothing(api_as, agent, order_a):
    client = api_as(agent)
    send(client, "patch", f"/work-orders/{order_a.pk}", {"version": 1, "description": "第一次修改"})
    response = send(client, "patch", f"/work-orders/{order_a.pk}", {"version": 1, "description": "第二次修改"})

    body = assert_error(response, 409, "version")
    assert body["current_version"] == 2
    order_a.refresh_from_db()
    assert order_a.description == "第一次修改"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"description": "x"}, 422, "version"),
        ({"version": "one"}, 422, "version"),
        ({"version": 1, "description": ""}, 400, "description"),
        ({"version": 1, "description": None}, 400, "description"),
        ({"version": 1, "priority": 9}, 422, "priority"),
        ({"version": 1, "urgency": "panic"}, 422, "urgency"),
        ({"version": 1, "actual_charge": "-1"}, 422, "actual_charge"),
        ({"version": 1, "contact_phone": "1" * 33}, 422, "contact_phone"),
        ({"version": 1, "device": 999999}, 400, "device"),
        ({"version": 1, "product_model": "NO-SUCH"}, 400, "product_model"),
        ({"version": 1, "customer": 1}, 200, None),  # not editable: ignored, never a 5xx
    ],
    ids=lambda value: json.dumps(value, ensure_ascii=False)[:40] if isinstance(value, dict) else None,
)
def test_bad_patches_name_the_field(api_as, agent, order_a, body, status, field):
    response = send(api_as(agent), "patch", f"/work-orders/{order_a.pk}", body)
    if field is None:
        assert response.status_code == status, response.content
    else:
        assert_error(response, status, field)


def test_patch_to_a_device_of_another_customer_names_device(api_as, agent, order_a, customer_b, product_model):
    from devices.services import device_create

    other = device_create(acting_user=None, customer=customer_b, product_model=product_model, serial_number="SN-B-1")
    response = send(api_as(agent), "patch", f"/work-orders/{order_a.pk}", {"version": 1, "device": other.pk})
    assert_error(response, 400, "device")


def test_a_cancelled_order_cannot_be_edited(api_as, agent, order_a):
    client = api_as(agent)
    transition(client, order_a.pk, "cancel", reason="重复提交")
    response = send(client, "patch", f"/work-orders/{order_a.pk}", {"version": 2, "description": "改"})
    assert_error(response, 409)


def test_patch_without_change_permission_is_403(api_as, technician, order_a):
    response = send(api_as(technician), "patch", f"/work-orders/{order_a.pk}", {"version": 1, "description": "改"})
    assert_error(response, 403)


# --- comments, materials, attachments --------------------------------------------------------


def test_comment_goes_on_the_timeline(api_as, agent, order_a):
    client = api_as(agent)
    response = post(client, f"/work-orders/{order_a.pk}/comments", {"note": "已电话联系客户"})

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["note"]) == ("comment", "已电话联系客户")
    timeline = client.get(f"{API}/work-orders/{order_a.pk}").json()["timeline"]
    assert timeline[-1]["id"] == response.json()["id"]


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": 5}, {"note": "x" * 5001}], ids=str)
def test_bad_comment_names_note(api_as, agent, order_a, body):
    response = post(api_as(agent), f"/work-orders/{order_a.pk}/comments", body)
    assert_error(response, 422, "note")


def test_material_line_is_recorded_with_its_subtotal(api_as, technician, agent, order_a):
    response = post(
        api_as(technician),
        f"/work-orders/{order_a.pk}/materials",
        {"name": "控制器", "model": "KZ-48V", "quantity": "2", "unit_price": "35.50", "extra": "5"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["subtotal"] == "76.00"
    assert response.json()["unit"] == "个"
    materials = api_as(agent).get(f"{API}/work-orders/{order_a.pk}").json()["materials"]
    assert materials == [response.json()]
    assert order_a.materials.get().subtotal == Decimal("76.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "1", "unit_price": "1"}, "name"),
        ({"name": "控制器", "quantity": "0", "unit_price": "1"}, "quantity"),
        ({"name": "控制器", "quantity": "abc", "unit_price": "1"}, "quantity"),
        ({"name": "控制器", "quantity": "1", "unit_price": "-1"}, "unit_price"),
        ({"name": "控制器", "quantity": "1", "unit_price": "1e15"}, "unit_price"),
        ({"name": "控" * 101, "quantity": "1", "unit_price": "1"}, "name"),
    ],
    ids=lambda value: json.dumps(value, ensure_ascii=False)[:40] if isinstance(value, dict) else value,
)
def test_bad_material_names_the_field(api_as, agent, order_a, body, field):
    assert_error(post(api_as(agent), f"/work-orders/{order_a.pk}/materials", body), 422, field)


def test_a_role_that_does_no_work_may_not_record_materials(api_as, finance, order_a):
    body = {"name": "控制器", "quantity": "1", "unit_price": "1"}
    assert_error(post(api_as(finance), f"/work-orders/{order_a.pk}/materials", body), 403)


def test_photo_attachment_is_stored_listed_and_downloadable(api_as, technician, agent, order_a):
    upload = SimpleUploadedFile("故障照片.png", PNG, content_type="image/png")
    response = api_as(technician).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["name"], body["size"], body["content_type"]) == (
        "photo",
        "故障照片.png",
        len(PNG),
        "image/png",
    )
    detail = api_as(agent).get(f"{API}/work-orders/{order_a.pk}").json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]
    assert detail["timeline"][-1]["kind"] == "attachment"
    download = api_as(agent).get(f"{API}/work-orders/{order_a.pk}/attachments/{body['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_pdf_is_recognised_by_its_content(api_as, agent, order_a):
    upload = SimpleUploadedFile("invoice.bin", PDF, content_type="application/octet-stream")
    response = api_as(agent).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["content_type"]) == ("document", "application/pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.txt", b"just text"), ("fake.png", b"MZ\x90\x00 executable"), ("empty.png", b"")],
)
def test_wrong_type_or_empty_upload_is_400_naming_file(api_as, agent, order_a, name, content):
    upload = SimpleUploadedFile(name, content)
    response = api_as(agent).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})
    assert_error(response, 400, "file")
    assert order_a.attachments.count() == 0


def test_oversize_upload_is_400_naming_file(api_as, agent, order_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    response = api_as(agent).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})
    assert_error(response, 400, "file")
    assert order_a.attachments.count() == 0


def test_upload_without_a_file_names_file(api_as, agent, order_a):
    assert_error(api_as(agent).post(f"{API}/work-orders/{order_a.pk}/attachments", {}), 422, "file")
    assert_error(post(api_as(agent), f"/work-orders/{order_a.pk}/attachments", {"file": "abc"}), 422, "file")


def test_a_very_long_file_name_is_stored_not_a_server_error(api_as, agent, order_a):
    """250 Chinese characters are 750 bytes, more than a file system allows in one name: the file
    is stored under a generated name and the user's name is kept for display."""
    name = "照" * 250 + ".png"
    upload = SimpleUploadedFile(name, PNG, content_type="image/png")
    response = api_as(agent).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})

    assert response.status_code == 201, response.content[:300]
    assert response.json()["name"] == name[:200]
    assert len(order_a.attachments.get().file.name) <= 300


def test_a_role_that_does_no_work_may_not_attach(api_as, finance, order_a):
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    assert_error(api_as(finance).post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload}), 403)


def test_an_attachment_of_another_order_is_404(api_as, agent, customer_a, order_a):
    other = _create(agent, customer_a, "另一单")
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    attachment = services.workorder_add_attachment(order=other, upload=upload, acting_user=agent)
    response = api_as(agent).get(f"{API}/work-orders/{order_a.pk}/attachments/{attachment.pk}")
    assert_error(response, 404)


# --- every class of bad input at every endpoint: 4xx with the uniform body, never 5xx --------

ID_FIELDS = {"customer", "device", "technician"}
BODY_ENDPOINTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "create": (
        "post",
        "/work-orders",
        {
            "customer": "CUSTOMER",
            "service_type": "repair",
            "channel": "api",
            "description": "无法启动",
            "device": None,
            "urgent": False,
            "urgency": "normal",
            "applicant_name": "张三丰",
            "applicant_unit": "",
            "contact_phone": "13800138000",
            "service_address": "文三路100号",
            "product_model": None,
            "serial_number": "",
        },
    ),
    "patch": (
        "patch",
        "/work-orders/ORDER",
        {
            "version": 1,
            "service_type": "repair",
            "urgency": "normal",
            "priority": 3,
            "description": "无法启动",
            "applicant_name": "张三丰",
            "applicant_unit": "",
            "contact_phone": "13800138000",
            "service_address": "",
            "device": None,
            "product_model": None,
            "reported_serial": "",
            "charge_type": "free",
            "actual_charge": "10.00",
            "payment_receiver": "",
            "technician_signature": "",
            "supervisor_signature": "",
        },
    ),
    "transition": (
        "post",
        "/work-orders/ORDER/transitions",
        {
            "action": "accept",
            "version": None,
            "reason": "原因",
            "note": "备注",
            "technician": None,
            "appointment_at": None,
            "amount": None,
            "charge_type": None,
            "wait_reason": None,
            "satisfaction": None,
            "score": None,
            "signer_name": None,
        },
    ),
    "comment": ("post", "/work-orders/ORDER/comments", {"note": "已联系"}),
    "material": (
        "post",
        "/work-orders/ORDER/materials",
        {"name": "控制器", "model": "", "unit_of_measure": "个", "quantity": "1", "unit_price": "10", "extra": "0"},
    ),
    "token": ("post", "/auth/token", {"username": "agent", "password": "demo-pass-2026"}),
}
BAD_VALUES: dict[str, Any] = {
    "text": "abc",
    "object": {"nested": {"deeper": [1, 2]}},
    "list": [1, "2", None],
    "huge_int": 10**30,
    "negative": -1,
    "zero": 0,
    "float": 1.5,
    "bool": True,
    "null": None,
    "huge_string": "字" * 100_000,
    "control_chars": "\x00\x1b[2J\ud7ff",
    "date_like": "2026-02-30T25:61:00+08:00",
}
RAW_BODIES: dict[str, bytes] = {
    "malformed": b'{"customer": ',
    "array": b"[1, 2, 3]",
    "scalar": b"42",
    "string": b'"hello"',
    "null": b"null",
    "nan": b'{"customer": NaN}',
    "invalid_utf8": b'{"note": "\xff\xfe"}',
    "deep": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "empty_object": b"{}",
    "empty": b"",
}


@pytest.fixture
def bad_input_setup(api_as, agent, customer_a, order_a) -> dict[str, Any]:
    return {"client": api_as(agent), "customer": customer_a.pk, "order": order_a.pk}


def _resolve(value: Any, setup: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.replace("CUSTOMER", str(setup["customer"])).replace("ORDER", str(setup["order"]))
    return value


def _assert_handled(response: Any, label: str) -> None:
    assert response.status_code < 500, (label, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_error(response, response.status_code)


@pytest.mark.parametrize("endpoint", list(BODY_ENDPOINTS))
@pytest.mark.parametrize("raw", list(RAW_BODIES))
def test_malformed_bodies_are_4xx_naming_the_body(bad_input_setup, endpoint, raw):
    method, path, _ = BODY_ENDPOINTS[endpoint]
    client = bad_input_setup["client"]
    response = send(client, method, _resolve(path, bad_input_setup), RAW_BODIES[raw])

    _assert_handled(response, raw)
    assert 400 <= response.status_code < 500
    if raw not in {"empty_object", "empty"}:
        assert_error(response, 400, "body")


@pytest.mark.parametrize(
    ("endpoint", "field"), [(endpoint, field) for endpoint, (_, _, body) in BODY_ENDPOINTS.items() for field in body]
)
def test_every_class_of_bad_value_in_every_field_is_handled(bad_input_setup, endpoint, field):
    method, path, template = BODY_ENDPOINTS[endpoint]
    client = bad_input_setup["client"]
    body = {key: _resolve(value, bad_input_setup) for key, value in template.items() if value is not None}
    if endpoint == "create":
        body["customer"] = bad_input_setup["customer"]
    for label, value in BAD_VALUES.items():
        mutated = {**body, field: value}
        if endpoint == "patch":
            mutated["version"] = (
                WorkOrder.objects.get(pk=bad_input_setup["order"]).version if field != "version" else value
            )
        response = send(client, method, _resolve(path, bad_input_setup), mutated)
        _assert_handled(response, f"{field}={label}")
        if field in ID_FIELDS and label in {"text", "huge_int", "negative", "zero", "object", "list"}:
            assert field in fields_of(response), (field, label, response.content[:300])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/work-orders/ORDER"),
        ("get", "/work-orders/ORDER/attachments/1"),
        ("get", "/work-orders"),
        ("get", "/work-orders/actions"),
    ],
)
@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page_size=1000",
        "page=abc",
        "q=" + "修" * 5000,
        "status=" + "x," * 300,
        "unit=-1",
        "submitted_to=yesterday",
        "device=1e3",
        "page=99999999999999999999",
    ],
    ids=lambda value: value[:24],
)
def test_bad_query_parameters_are_handled(bad_input_setup, method, path, query):
    client = bad_input_setup["client"]
    response = getattr(client, method)(f"{API}{_resolve(path, bad_input_setup)}?{query}")
    _assert_handled(response, query)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/work-orders/0"),
        ("get", "/work-orders/99999999999999999999"),
        ("patch", "/work-orders/999999"),
        ("post", "/work-orders/9223372036854775808/transitions"),
        ("post", "/work-orders/999999/comments"),
        ("post", "/work-orders/999999/materials"),
        ("get", "/work-orders/ORDER/attachments/99999999999999999999"),
    ],
)
def test_unknown_or_absurd_ids_in_the_path_are_404(bad_input_setup, method, path):
    client = bad_input_setup["client"]
    body = {"action": "accept", "note": "x", "version": 1, "name": "n", "quantity": "1", "unit_price": "1"}
    path = _resolve(path, bad_input_setup)
    response = client.get(API + path) if method == "get" else send(client, method, path, body)
    assert_error(response, 404)
