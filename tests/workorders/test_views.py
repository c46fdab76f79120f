"""The staff console for work orders: register, list, detail actions, edit, attachments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import SavedView
from customers.models import Customer
from workorders import services
from workorders.choices import EventKind, Status
from workorders.models import Attachment, WorkOrder


# These tests read the console's messages in English; the Chinese default is tested in
# tests/core/test_translations.py and tests/browser/test_language.py.
def _english(user: Any) -> Any:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    return user


@pytest.fixture
def agent(agent: Any) -> Any:
    return _english(agent)


@pytest.fixture
def director(director: Any) -> Any:
    return _english(director)


@pytest.fixture
def dispatcher(dispatcher: Any) -> Any:
    return _english(dispatcher)


@pytest.fixture
def technician(technician: Any) -> Any:
    return _english(technician)


@pytest.fixture
def qc_inspector(qc_inspector: Any) -> Any:
    return _english(qc_inspector)


@pytest.fixture
def station_a_user(station_a_user: Any) -> Any:
    return _english(station_a_user)


@pytest.fixture
def station_b_user(station_b_user: Any) -> Any:
    return _english(station_b_user)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_order(user: Any, customer: Any, **fields: Any) -> WorkOrder:
    values = {"service_type": "repair", "channel": "phone", "description": "电动车无法启动，仪表盘不亮"}
    values.update(fields)
    return services.workorder_create(acting_user=user, customer=customer, **values)


def register_data(**fields: Any) -> dict[str, Any]:
    data = {
        "service_type": "repair",
        "channel": "phone",
        "urgency": "normal",
        "description": "充电器插上后指示灯不亮",
    }
    data.update(fields)
    return data


def page_text(response: Any) -> str:
    return response.content.decode()


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["workorders:list", "workorders:register"])
def test_anonymous_is_sent_to_login(db: Any, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_technician_may_not_open_the_register_page(technician: Any) -> None:
    assert client_for(technician).get(reverse("workorders:register")).status_code == 403


# --- register -------------------------------------------------------------------------------------


def test_register_page_has_the_stable_ids_browser_tests_use(agent: Any) -> None:
    html = page_text(client_for(agent).get(reverse("workorders:register")))
    for element_id in (
        'id="id_customer_search"',
        'id="id_description"',
        'id="id_service_type"',
        'id="id_channel"',
        'id="id_urgency"',
        'id="id_new_customer"',
        'id="id_new_customer_name"',
        'id="id_product_model"',
        'id="register-submit"',
        'id="register-accept-submit"',
    ):
        assert element_id in html
    assert '<option value="phone" selected>' in html


def test_register_for_existing_customer_and_device(agent: Any, customer_a: Any, device_a: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_a.pk, device=device_a.pk)
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert (order.status, order.customer, order.device, order.channel) == ("submitted", customer_a, device_a, "phone")
    assert (order.applicant_name, order.contact_phone) == ("张三丰", "13800138000")
    assert order.created_by == agent
    follow = client_for(agent).get(response["Location"])
    assert order.number in page_text(follow)


def test_a_double_submitted_register_form_creates_one_order(agent: Any, customer_a: Any) -> None:
    client = client_for(agent)
    token = client.get(reverse("workorders:register")).context["form"]["submission_token"].value()
    data = register_data(customer=customer_a.pk, submission_token=token)
    first = client.post(reverse("workorders:register"), data)
    second = client.post(reverse("workorders:register"), data, follow=True)
    order = WorkOrder.objects.get()
    assert first["Location"] == reverse("workorders:detail", args=[order.pk])
    assert second.redirect_chain[-1][0] == reverse("workorders:detail", args=[order.pk])
    assert [str(m) for m in second.context["messages"]][-1] == (
        f"Work order {order.number} was already registered from this form."
    )


def test_a_failed_submission_keeps_its_token_usable(agent: Any, customer_a: Any) -> None:
    client = client_for(agent)
    data = register_data(customer=customer_a.pk, submission_token="t-1", description="")
    assert client.post(reverse("workorders:register"), data).status_code == 400
    assert client.post(reverse("workorders:register"), {**data, "description": "无法开机"}).status_code == 302
    assert WorkOrder.objects.count() == 1


def test_register_success_message_shows_the_number(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_a.pk), follow=True
    )
    order = WorkOrder.objects.get()
    assert [str(m) for m in response.context["messages"]] == [f"Work order {order.number} registered."]


def test_register_with_product_model_and_typed_serial(agent: Any, customer_a: Any, product_model: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(customer=customer_a.pk, product_model=product_model.pk, reported_serial=" SN-NEW-9 "),
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert (order.device, order.product_model, order.reported_serial) == (None, product_model, "SN-NEW-9")


def test_register_new_customer_and_order_together(agent: Any, org: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(
            new_customer="on",
            new_customer_name="李四",
            new_customer_phone="13912345678",
            new_customer_address="浙江省杭州市西湖区文一路8号",
            new_customer_kind="person",
        ),
    )
    assert response.status_code == 302
    customer = Customer.objects.get(phone="13912345678")
    order = WorkOrder.objects.get()
    assert order.customer == customer
    assert customer.unit == org.station_a
    assert order.applicant_name == "李四"


def test_new_customer_needs_name_and_phone(agent: Any) -> None:
    response = client_for(agent).post(reverse("workorders:register"), register_data(new_customer="on"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"new_customer_name", "new_customer_phone"}
    assert Customer.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_failing_order_leaves_no_new_customer_behind(agent: Any, monkeypatch: Any) -> None:
    def refuse(**kwargs: Any) -> Any:
        raise ValidationError({"description": "描述不完整"})

    monkeypatch.setattr(services, "workorder_create", refuse)
    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(new_customer="on", new_customer_name="王五", new_customer_phone="13700001111"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["description"] == ["描述不完整"]
    assert not Customer.objects.filter(phone="13700001111").exists()
    assert WorkOrder.objects.count() == 0


def test_missing_description_saves_nothing_and_names_the_field(agent: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(description="", new_customer="on", new_customer_name="王五", new_customer_phone="13700001111"),
    )
    assert response.status_code == 400
    assert "description" in response.context["form"].errors
    assert "Fault description / service content" in page_text(response)
    assert Customer.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_register_without_any_customer_is_refused(agent: Any) -> None:
    response = client_for(agent).post(reverse("workorders:register"), register_data())
    assert response.status_code == 400
    assert "customer_search" in response.context["form"].errors
    assert WorkOrder.objects.count() == 0


def test_register_refuses_a_customer_of_another_station(station_b_user: Any, customer_a: Any) -> None:
    response = client_for(station_b_user).post(reverse("workorders:register"), register_data(customer=customer_a.pk))
    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    assert WorkOrder.objects.count() == 0


def test_register_refuses_a_device_of_another_customer(
    agent: Any, customer_a: Any, customer_b: Any, device_a: Any
) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_b.pk, device=device_a.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["device"] == ["This device does not belong to the customer."]
    assert WorkOrder.objects.count() == 0


def test_register_and_accept(agent: Any, customer_a: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_a.pk, accept="1"), follow=True
    )
    order = WorkOrder.objects.get()
    assert order.status == Status.ACCEPTED
    assert order.accepted_by == agent
    assert list(order.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.ACCEPT,
        EventKind.WARRANTY,
    ]
    assert f"Work order {order.number} registered and accepted." in [str(m) for m in response.context["messages"]]


def test_register_with_photo_and_pdf(agent: Any, customer_a: Any) -> None:
    files = [SimpleUploadedFile("故障.png", PNG, "image/png"), SimpleUploadedFile("发票.pdf", PDF, "application/pdf")]
    response = client_for(agent).post(
        reverse("workorders:register"), {**register_data(customer=customer_a.pk), "attachments": files}
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert sorted(order.attachments.values_list("original_name", "content_type")) == [
        ("发票.pdf", "application/pdf"),
        ("故障.png", "image/png"),
    ]


def test_register_with_a_bad_attachment_saves_nothing_and_names_the_file(agent: Any, customer_a: Any) -> None:
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 20, "application/octet-stream")
    response = client_for(agent).post(
        reverse("workorders:register"), {**register_data(customer=customer_a.pk), "attachments": [bad]}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 1 and errors[0].startswith("virus.exe: ")
    assert WorkOrder.objects.count() == 0


def test_register_page_after_error_keeps_the_picked_customer(agent: Any, customer_a: Any, device_a: Any) -> None:
    response = client_for(agent).post(
        reverse("workorders:register"), register_data(customer=customer_a.pk, device=device_a.pk, description="")
    )
    html = page_text(response)
    assert response.status_code == 400
    assert f'name="customer" id="id_customer" value="{customer_a.pk}"' in html
    assert f'id="id_device_{device_a.pk}" checked' in html


# --- lookups --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["13800138000", "张三", "zsf", "zhangsanfeng"], ids=["phone", "name", "initials", "pinyin"]
)
def test_customer_lookup_finds_by_phone_name_and_pinyin(agent: Any, customer_a: Any, query: str) -> None:
    response = client_for(agent).get(
        reverse("workorders:lookup_customers"), {"customer_search": query}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="customer-result-{customer_a.pk}"' in page_text(response)
    assert "<html" not in page_text(response)


def test_customer_lookup_is_scoped(station_b_user: Any, customer_a: Any, customer_b: Any) -> None:
    html = page_text(client_for(station_b_user).get(reverse("workorders:lookup_customers"), {"customer_search": "1"}))
    assert f"customer-result-{customer_b.pk}" in html
    assert f"customer-result-{customer_a.pk}" not in html


def test_device_lookup_lists_the_customers_devices(agent: Any, customer_a: Any, device_a: Any) -> None:
    html = page_text(client_for(agent).get(reverse("workorders:lookup_devices"), {"customer": customer_a.pk}))
    assert "SN-A-0001" in html and f'value="{customer_a.pk}"' in html


@pytest.mark.parametrize("raw", ["x", "999999"])
def test_device_lookup_of_unknown_or_foreign_customer_is_404(station_b_user: Any, customer_a: Any, raw: str) -> None:
    client = client_for(station_b_user)
    assert client.get(reverse("workorders:lookup_devices"), {"customer": customer_a.pk}).status_code == 404
    assert client.get(reverse("workorders:lookup_devices"), {"customer": raw}).status_code == 404


# --- list -----------------------------------------------------------------------------------------


def numbers(response: Any) -> set[str]:
    return {order.number for order in response.context["orders"]}


def test_list_filters_by_status_service_type_and_text(agent: Any, customer_a: Any, customer_b: Any) -> None:
    repair = make_order(agent, customer_a)
    install = make_order(agent, customer_b, service_type="installation", description="新机安装调试，需要上门")
    accepted = services.workorder_transition(
        order=make_order(agent, customer_a), action="accept", acting_user=agent, data={"charge_type": "free"}
    )
    client = client_for(agent)
    url = reverse("workorders:list")
    assert numbers(client.get(url)) == {repair.number, install.number, accepted.number}
    assert numbers(client.get(url, {"status": ["submitted"]})) == {repair.number, install.number}
    assert numbers(client.get(url, {"status": ["submitted", "accepted"]})) == {
        repair.number,
        install.number,
        accepted.number,
    }
    assert numbers(client.get(url, {"service_type": "installation"})) == {install.number}
    assert numbers(client.get(url, {"q": "安装"})) == {install.number}
    assert numbers(client.get(url, {"q": "仪表盘"})) == {repair.number, accepted.number}
    assert numbers(client.get(url, {"unit": install.unit_id})) == {install.number}


def test_list_filters_by_date_range_and_sorts_by_time(agent: Any, customer_a: Any) -> None:
    tz = timezone.get_current_timezone()
    old = make_order(agent, customer_a, submitted_at=datetime.datetime(2026, 1, 5, 10, 0, tzinfo=tz))
    new = make_order(agent, customer_a, submitted_at=datetime.datetime(2026, 3, 5, 10, 0, tzinfo=tz))
    client = client_for(agent)
    url = reverse("workorders:list")
    assert numbers(client.get(url, {"submitted_from": "2026-03-01"})) == {new.number}
    assert numbers(client.get(url, {"submitted_to": "2026-01-05"})) == {old.number}
    assert [o.number for o in client.get(url).context["orders"]] == [new.number, old.number]
    assert [o.number for o in client.get(url, {"sort": "submitted"}).context["orders"]] == [old.number, new.number]


def test_list_is_scoped_to_the_users_units(agent: Any, station_b_user: Any, customer_a: Any, customer_b: Any) -> None:
    make_order(agent, customer_a)
    mine = make_order(agent, customer_b)
    assert numbers(client_for(station_b_user).get(reverse("workorders:list"))) == {mine.number}


def test_list_with_bad_filter_values_is_not_an_error(agent: Any, customer_a: Any) -> None:
    make_order(agent, customer_a)
    response = client_for(agent).get(
        reverse("workorders:list"), {"status": "nonsense", "submitted_from": "yesterday", "unit": "x", "page": "z"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"status", "submitted_from", "unit"}


def test_htmx_filter_request_gets_only_the_table(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).get(
        reverse("workorders:list"), {"q": "仪表盘"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="wo-table"
    )
    html = page_text(response)
    assert order.number in html
    assert "<html" not in html
    assert 'id="id_saved_query" value="q=%E4%BB%AA%E8%A1%A8%E7%9B%98" hx-swap-oob="true"' in html


def test_list_is_paginated_by_25(agent: Any, customer_a: Any) -> None:
    for _ in range(27):
        make_order(agent, customer_a)
    client = client_for(agent)
    assert len(client.get(reverse("workorders:list")).context["orders"]) == 25
    assert len(client.get(reverse("workorders:list"), {"page": 2}).context["orders"]) == 2


def test_list_query_count_does_not_grow_with_orders(
    agent: Any, customer_a: Any, device_a: Any, technician: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(30):
        order = make_order(agent, customer_a, device=device_a if index % 2 else None)
        if index % 3 == 0:
            order = services.workorder_transition(
                order=order, action="accept", acting_user=agent, data={"charge_type": "free"}
            )
    client = client_for(agent)
    client.get(reverse("workorders:list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workorders:list"))
    assert len(response.context["orders"]) == 25


# --- saved views ----------------------------------------------------------------------------------


def test_saved_view_is_stored_listed_used_and_deleted(agent: Any, customer_a: Any, customer_b: Any) -> None:
    make_order(agent, customer_a)
    install = make_order(agent, customer_b, service_type="installation")
    client = client_for(agent)
    response = client.post(
        reverse("workorders:saved_view_save"),
        {"name": "安装单", "query_string": "service_type=installation&page=3&junk=1"},
    )
    view = SavedView.objects.get(user=agent, list_name="workorders")
    assert (view.name, view.query_string) == ("安装单", "service_type=installation")
    assert response["Location"] == reverse("workorders:list") + "?service_type=installation"
    listing = client.get(reverse("workorders:list"))
    assert 'href="/work-orders/?service_type=installation">安装单</a>' in page_text(listing)
    assert numbers(client.get(response["Location"])) == {install.number}

    client.post(reverse("workorders:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saving_a_view_under_an_existing_name_replaces_it(agent: Any) -> None:
    client = client_for(agent)
    client.post(reverse("workorders:saved_view_save"), {"name": "mine", "query_string": "urgency=urgent"})
    client.post(reverse("workorders:saved_view_save"), {"name": "mine", "query_string": "urgency=safety"})
    assert list(SavedView.objects.values_list("name", "query_string")) == [("mine", "urgency=safety")]


def test_others_saved_views_are_neither_listed_nor_deletable(agent: Any, director: Any) -> None:
    theirs = SavedView.objects.create(user=director, list_name="workorders", name="主任视图", query_string="q=x")
    client = client_for(agent)
    assert "主任视图" not in page_text(client.get(reverse("workorders:list")))
    assert client.post(reverse("workorders:saved_view_delete", args=[theirs.pk])).status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


# --- detail and actions ---------------------------------------------------------------------------


def action_ids(response: Any) -> set[str]:
    return {transition.action for transition, _form in response.context["actions"]}


def test_detail_shows_the_seed_form_fields_and_timeline(agent: Any, customer_a: Any, device_a: Any) -> None:
    order = make_order(agent, customer_a, device=device_a, applicant_unit="西湖车行")
    response = client_for(agent).get(reverse("workorders:detail", args=[order.pk]))
    html = page_text(response)
    assert response.status_code == 200
    for text in (order.number, "西湖车行", "张三丰", "13800138000", "电动车无法启动", "SN-A-0001", "西湖特约维修站"):
        assert text in html
    assert 'data-kind="created"' in html


def test_agent_sees_accept_and_reject_on_a_submitted_order(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).get(reverse("workorders:detail", args=[order.pk]))
    assert {"accept", "reject", "cancel", "request_info"} <= action_ids(response)
    assert 'id="action-btn-accept"' in page_text(response)
    assert "assign" not in action_ids(response)


def test_technician_sees_no_accept_or_reject(technician: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(technician).get(reverse("workorders:detail", args=[order.pk]))
    assert response.status_code == 200
    assert action_ids(response) == set()
    assert 'id="action-btn-accept"' not in page_text(response)
    assert 'id="no-actions"' in page_text(response)


def test_accept_through_the_ui(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:transition", args=[order.pk, "accept"]),
        {"version": order.version, "charge_type": "free", "note": "保修期内"},
        follow=True,
    )
    order.refresh_from_db()
    assert (order.status, order.charge_type, order.accepted_by) == ("accepted", "free", agent)
    event = order.events.get(kind="accept")
    assert (event.kind, event.note, event.data) == ("accept", "保修期内", {"charge_type": "free"})
    assert "保修期内" in page_text(response)
    assert "accept" not in action_ids(response)


def test_timeline_shows_from_and_to_status_labels(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    services.workorder_transition(order=order, action="reject", acting_user=agent, data={"reason": "非本公司产品"})
    html = page_text(client_for(agent).get(reverse("workorders:detail", args=[order.pk])))
    assert "Submitted → Rejected" in html
    assert "非本公司产品" in html


def test_reject_without_reason_names_the_field_and_changes_nothing(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:transition", args=[order.pk, "reject"]), {"version": order.version, "reason": " "}
    )
    assert response.status_code == 400
    assert response.context["page_error"] == "reason: reason is required for this action."
    assert response.context["open_action"] == "reject"
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_stale_version_on_an_action_is_a_message_not_a_change(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    services.workorder_update(order=order, acting_user=agent, changes={"description": "客户补充：有异响"})
    response = client_for(agent).post(
        reverse("workorders:transition", args=[order.pk, "reject"]), {"version": 1, "reason": "重复报修"}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.context["page_error"]
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_action_not_possible_in_this_state_is_409(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:transition", args=[order.pk, "close"]), {"version": order.version}
    )
    assert response.status_code == 409
    assert "is not possible while the order is" in response.context["page_error"]


def test_action_without_permission_is_403_with_message(technician: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(technician).post(
        reverse("workorders:transition", args=[order.pk, "accept"]), {"version": order.version}
    )
    assert response.status_code == 403
    assert response.context["page_error"] == "You may not perform “Accept”."
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_action_without_version_is_refused(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(reverse("workorders:transition", args=[order.pk, "accept"]), {})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_unknown_action_is_404(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(reverse("workorders:transition", args=[order.pk, "explode"]), {"version": 1})
    assert response.status_code == 404


def test_assign_form_offers_visible_technicians_and_assigns(
    dispatcher: Any, agent: Any, technician: Any, customer_a: Any, org: Any
) -> None:
    from core.choices import Role
    from core.testing import make_user

    beijing_tech = make_user(Role.TECHNICIAN, org.station_b, username="bj-tech")
    order = services.workorder_transition(
        order=make_order(agent, customer_a), action="accept", acting_user=agent, data={"charge_type": "free"}
    )
    client = client_for(dispatcher)
    response = client.get(reverse("workorders:detail", args=[order.pk]))
    form = next(form for transition, form in response.context["actions"] if transition.action == "assign")
    choices = dict(form.fields["technician"].choices)
    assert str(technician.pk) in choices and str(beijing_tech.pk) not in choices
    response = client.post(
        reverse("workorders:transition", args=[order.pk, "assign"]),
        {"version": order.version, "technician": technician.pk},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.technician) == ("assigned", technician)


def test_schedule_takes_a_datetime_local_value(dispatcher: Any, agent: Any, technician: Any, customer_a: Any) -> None:
    order = services.workorder_transition(
        order=make_order(agent, customer_a), action="accept", acting_user=agent, data={"charge_type": "free"}
    )
    order = services.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    response = client_for(dispatcher).post(
        reverse("workorders:transition", args=[order.pk, "schedule"]),
        {"version": order.version, "appointment_at": "2026-12-01T09:30"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert timezone.localtime(order.appointment_at).strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:30"


def test_station_b_cannot_see_or_act_on_station_a_orders(station_b_user: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    client = client_for(station_b_user)
    assert client.get(reverse("workorders:detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("workorders:edit", args=[order.pk])).status_code == 404
    assert client.post(reverse("workorders:transition", args=[order.pk, "accept"]), {"version": 1}).status_code == 404
    assert client.post(reverse("workorders:comment", args=[order.pk]), {"note": "x"}).status_code == 404
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_unknown_order_is_404(agent: Any, db: Any) -> None:
    assert client_for(agent).get(reverse("workorders:detail", args=[999999])).status_code == 404


# --- comments and materials -----------------------------------------------------------------------


def test_comment_appears_on_the_timeline(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    client = client_for(agent)
    response = client.post(reverse("workorders:comment", args=[order.pk]), {"note": "已电话联系客户"})
    assert response.status_code == 302
    assert order.events.filter(kind=EventKind.COMMENT, note="已电话联系客户").exists()
    assert "已电话联系客户" in page_text(client.get(reverse("workorders:detail", args=[order.pk])))


def test_empty_comment_is_refused(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(reverse("workorders:comment", args=[order.pk]), {"note": ""})
    assert response.status_code == 400
    assert "note" in response.context["comment_form"].errors


def test_qc_inspector_may_not_comment(qc_inspector: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    assert (
        client_for(qc_inspector).post(reverse("workorders:comment", args=[order.pk]), {"note": "x"}).status_code == 403
    )


def test_material_lines_show_subtotals_and_total(technician: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    client = client_for(technician)
    for name, quantity, price, extra in (("控制器", "1", "180.00", "20"), ("刹车线", "2", "15.50", "0")):
        response = client.post(
            reverse("workorders:material", args=[order.pk]),
            {"name": name, "unit_of_measure": "个", "quantity": quantity, "unit_price": price, "extra": extra},
        )
        assert response.status_code == 302
    response = client.get(reverse("workorders:detail", args=[order.pk]))
    assert response.context["materials_total"] == Decimal("231.00")
    assert 'id="materials-total">231.00<' in page_text(response)


def test_material_with_bad_numbers_names_the_fields(technician: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(technician).post(
        reverse("workorders:material", args=[order.pk]),
        {"name": "控制器", "unit_of_measure": "个", "quantity": "0", "unit_price": "abc"},
    )
    assert response.status_code == 400
    assert set(response.context["material_form"].errors) == {"quantity", "unit_price"}
    assert order.materials.count() == 0


# --- attachments ----------------------------------------------------------------------------------


def test_upload_and_download_a_photo_inline(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    client = client_for(agent)
    response = client.post(
        reverse("workorders:upload", args=[order.pk]), {"attachments": SimpleUploadedFile("现场.png", PNG, "image/png")}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(order=order)
    detail = page_text(client.get(reverse("workorders:detail", args=[order.pk])))
    url = reverse("workorders:attachment", args=[order.pk, attachment.pk])
    assert f'<img src="{url}"' in detail
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("inline")
    assert b"".join(download.streaming_content) == PNG


def test_upload_of_a_wrong_type_names_the_file(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:upload", args=[order.pk]),
        {"attachments": SimpleUploadedFile("report.docx", b"PK\x03\x04 not allowed", "application/msword")},
    )
    assert response.status_code == 400
    assert response.context["page_error"].startswith("report.docx: Only photos")
    assert Attachment.objects.count() == 0


def test_oversized_upload_names_the_file(agent: Any, customer_a: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:upload", args=[order.pk]),
        {"attachments": SimpleUploadedFile("big.png", PNG + b"\x00" * 200, "image/png")},
    )
    assert response.status_code == 400
    assert response.context["page_error"].startswith("big.png: The file is too large")
    assert Attachment.objects.count() == 0


def test_attachment_download_and_detail_are_scoped(
    agent: Any, station_a_user: Any, station_b_user: Any, customer_a: Any, customer_b: Any
) -> None:
    order = make_order(agent, customer_a)
    attachment = services.workorder_add_attachment(
        order=order, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"), acting_user=agent
    )
    other = make_order(agent, customer_b)
    url = reverse("workorders:attachment", args=[order.pk, attachment.pk])
    assert client_for(station_b_user).get(url).status_code == 404
    assert client_for(station_b_user).get(reverse("workorders:detail", args=[order.pk])).status_code == 404
    # The attachment cannot be reached through another (visible) order's URL either.
    assert (
        client_for(station_b_user).get(reverse("workorders:attachment", args=[other.pk, attachment.pk])).status_code
        == 404
    )
    response = client_for(station_a_user).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "application/pdf"


# --- edit -----------------------------------------------------------------------------------------


def edit_data(order: WorkOrder, **changes: Any) -> dict[str, Any]:
    data = {
        "version": order.version,
        "service_type": order.service_type,
        "urgency": order.urgency,
        "priority": order.priority,
        "applicant_unit": order.applicant_unit,
        "applicant_name": order.applicant_name,
        "contact_phone": order.contact_phone,
        "service_address": order.service_address,
        "description": order.description,
        "device": order.device_id or "",
        "product_model": order.product_model_id or "",
        "reported_serial": order.reported_serial,
        "charge_type": order.charge_type,
        "actual_charge": "",
        "payment_receiver": "",
        "technician_signature": "",
        "supervisor_signature": "",
    }
    data.update(changes)
    return data


def test_edit_saves_changes_on_the_timeline(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    client = client_for(agent)
    assert client.get(reverse("workorders:edit", args=[order.pk])).status_code == 200
    response = client.post(
        reverse("workorders:edit", args=[order.pk]),
        edit_data(order, description="电动车无法启动，已确认电池没电", actual_charge="80.00"),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.description, order.actual_charge, order.version) == (
        "电动车无法启动，已确认电池没电",
        Decimal("80.00"),
        2,
    )
    event = order.events.get(kind=EventKind.UPDATED)
    assert set(event.data) == {"description", "actual_charge"}


def test_stale_edit_is_refused_and_overwrites_nothing(agent: Any, director: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    stale = edit_data(order, description="我的旧修改")
    services.workorder_update(order=order, acting_user=director, changes={"description": "主任的修改"})
    response = client_for(agent).post(reverse("workorders:edit", args=[order.pk]), stale)
    assert response.status_code == 409
    assert "changed by someone else" in page_text(response)
    order.refresh_from_db()
    assert order.description == "主任的修改"


def test_edit_with_bad_input_names_the_field(agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    response = client_for(agent).post(
        reverse("workorders:edit", args=[order.pk]), edit_data(order, actual_charge="-5", contact_phone="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"actual_charge", "contact_phone"}


def test_technician_may_not_edit(technician: Any, agent: Any, customer_a: Any) -> None:
    order = make_order(agent, customer_a)
    assert client_for(technician).get(reverse("workorders:edit", args=[order.pk])).status_code == 403


def test_detail_query_count_does_not_grow_with_history(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any, device_a: Any, django_assert_max_num_queries: Any
) -> None:
    order = make_order(agent, customer_a, device=device_a)
    order = services.workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = services.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    for index in range(8):
        services.workorder_comment(order=order, acting_user=agent, note=f"第{index}次联系")
        services.workorder_add_material(
            order=order, acting_user=technician, name=f"配件{index}", quantity=Decimal("1"), unit_price=Decimal("9.90")
        )
    for index in range(3):
        services.workorder_add_attachment(
            order=order, upload=SimpleUploadedFile(f"p{index}.png", PNG, "image/png"), acting_user=agent
        )
    client = client_for(dispatcher)
    client.get(reverse("workorders:detail", args=[order.pk]))
    with CaptureQueriesContext(connection) as short_history:
        client.get(reverse("workorders:detail", args=[order.pk]))
    for index in range(8):
        services.workorder_comment(order=order, acting_user=agent, note=f"第{index + 8}次联系")
        services.workorder_add_material(
            order=order, acting_user=technician, name=f"备件{index}", quantity=Decimal("1"), unit_price=Decimal("9.90")
        )
    # The order form, timeline, materials and attachments plus each app's panel (warranty, quote,
    # SLA clocks, claims…): a fixed number of queries, however long the history.
    with django_assert_max_num_queries(len(short_history.captured_queries)):
        response = client.get(reverse("workorders:detail", args=[order.pk]))
    assert len(short_history.captured_queries) <= 32
    assert len(response.context["timeline"]) == 1 + 3 + 16 + 16 + 3
    assert response.context["materials_total"] == Decimal("158.40")


def test_reassign_form_starts_from_the_current_technician(
    dispatcher: Any, agent: Any, technician: Any, customer_a: Any
) -> None:
    order = services.workorder_transition(
        order=make_order(agent, customer_a), action="accept", acting_user=agent, data={"charge_type": "free"}
    )
    order = services.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    response = client_for(dispatcher).get(reverse("workorders:detail", args=[order.pk]))
    assign = next(form for transition, form in response.context["actions"] if transition.action == "assign")
    assert assign["technician"].value() == str(technician.pk)


def test_register_page_opened_for_a_customer_shows_them_picked(agent: Any, customer_a: Any, device_a: Any) -> None:
    html = page_text(client_for(agent).get(reverse("workorders:register"), {"customer": customer_a.pk}))
    assert 'id="picked-customer-name">张三丰<' in html
    assert f'id="id_device_{device_a.pk}"' in html


def test_picked_device_decides_model_and_serial(agent: Any, customer_a: Any, device_a: Any, category: Any) -> None:
    from catalog.services import product_model_create

    other_model = product_model_create(
        acting_user=None, code="OTHER-1", name="其他型号", category=category, warranty_months=12
    )
    response = client_for(agent).post(
        reverse("workorders:register"),
        register_data(customer=customer_a.pk, device=device_a.pk, product_model=other_model.pk, reported_serial="X"),
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert (order.product_model, order.reported_serial) == (device_a.product_model, "SN-A-0001")


def test_lookup_without_match_offers_a_new_customer(agent: Any, customer_a: Any) -> None:
    html = page_text(client_for(agent).get(reverse("workorders:lookup_customers"), {"customer_search": "13000000000"}))
    assert 'id="customer-create-from-search" data-query="13000000000"' in html


def test_timeline_names_the_customer_in_the_readers_language(client, agent, customer_a):
    order = services.workorder_create(
        acting_user=None,
        customer=customer_a,
        service_type="repair",
        channel="web",
        description="仪表盘不亮",
        by_customer=True,
    )
    client.force_login(agent)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "Customer" in page and "· customer" not in page


def test_export_lists_the_filtered_orders_as_csv_for_excel(agent: Any, customer_a: Any, customer_b: Any) -> None:
    repair = services.workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="刹车失灵"
    )
    services.workorder_create(
        acting_user=agent, customer=customer_b, service_type="installation", channel="web", description="安装"
    )
    response = client_for(agent).get(reverse("workorders:export"), {"service_type": "repair"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffNumber,")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(repair.number) and "刹车失灵" in lines[1]


def test_export_is_scoped_to_the_users_units(station_b_user: Any, agent: Any, customer_a: Any) -> None:
    services.workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="刹车失灵"
    )
    response = client_for(station_b_user).get(reverse("workorders:export"))
    lines = b"".join(response.streaming_content).decode("utf-8").strip().splitlines()
    assert len(lines) == 1  # the header only: station B sees none of station A's orders


def test_home_counts_open_work_in_the_users_units_only(agent: Any, station_b_user: Any, customer_a: Any) -> None:
    services.workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="刹车失灵"
    )
    assert client_for(agent).get(reverse("home")).context["open_total"] == 1
    assert client_for(station_b_user).get(reverse("home")).context["open_total"] == 0


def test_export_neutralises_spreadsheet_formulas_typed_by_customers(agent: Any, customer_a: Any) -> None:
    services.workorder_create(
        acting_user=None,
        customer=customer_a,
        service_type="repair",
        channel="web",
        description='=HYPERLINK("http://x","y")',
        by_customer=True,
    )
    body = b"".join(client_for(agent).get(reverse("workorders:export")).streaming_content).decode("utf-8")
    assert "'=HYPERLINK" in body


def test_materials_and_photos_on_a_closed_order_are_refused_with_a_message(agent: Any, customer_a: Any) -> None:
    order = services.workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="刹车失灵"
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED)
    client = client_for(agent)
    material = client.post(
        reverse("workorders:material", args=[order.pk]),
        {"name": "刹车片", "unit_of_measure": "副", "quantity": "1", "unit_price": "35.00", "extra": "0"},
    )
    assert material.status_code == 409
    upload = client.post(
        reverse("workorders:upload", args=[order.pk]),
        {"attachments": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
    )
    assert upload.status_code == 409
    assert not order.materials.exists() and not order.attachments.exists()


def test_the_assign_picker_offers_only_technicians_who_serve_the_order(
    director: Any, customer_b: Any, org: Any
) -> None:
    from core.choices import Role
    from core.testing import make_user

    serving = make_user(Role.TECHNICIAN, org.station_b, username="tech_b")
    elsewhere = make_user(Role.TECHNICIAN, org.station_a, username="tech_a")
    order = services.workorder_create(
        acting_user=director, customer=customer_b, service_type="repair", channel="phone", description="卡钞"
    )
    services.workorder_transition(order=order, action="accept", acting_user=director, data={"charge_type": "free"})
    page = client_for(director).get(reverse("workorders:detail", args=[order.pk]))
    form = next(form for transition, form in page.context["actions"] if transition.action == "assign")
    offered = dict(form.fields["technician"].choices)
    assert str(serving.pk) in offered and str(elsewhere.pk) not in offered


def test_other_apps_events_read_as_words_on_the_timeline(agent: Any, customer_a: Any, device_a: Any) -> None:
    """The warranty decision's reasons belong to its card; the timeline names status, charge and remedies."""
    order = make_order(agent, customer_a, device=device_a)
    services.workorder_transition(order=order, action="accept", acting_user=agent, data={"fault_cause": "water"})

    response = client_for(agent).get(reverse("workorders:detail", args=[order.pk]))

    rows = {row["event"].kind: dict(row["params"]) for row in response.context["timeline"]}
    assert rows["accept"] == {"fault cause": "Water or damp"}
    warranty = rows["warranty"]
    assert warranty["warranty status"] == "In warranty"
    assert warranty["charge"] == "Paid"
    assert "reasons" not in warranty and "starts_on" not in warranty
