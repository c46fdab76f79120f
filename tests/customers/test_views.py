from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from customers.models import Contact, Customer
from customers.services import customer_create
from workorders.services import workorder_create


def test_list_requires_login(client, db):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_shows_customers_and_searches_by_initials(client_as, agent, customer_a, customer_b):
    client = client_as(agent)
    page = client.get(reverse("customers:list")).content.decode()
    assert "张三丰" in page and "北京某银行海淀支行" in page
    found = client.get(reverse("customers:list"), {"q": "zsf"}).content.decode()
    assert "张三丰" in found and "北京某银行海淀支行" not in found


def test_live_search_answers_the_table_only(client_as, agent, customer_a):
    response = client_as(agent).get(reverse("customers:list"), {"q": "zhangsanfeng"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="customer-table"' in body and "<html" not in body and "张三丰" in body


def test_list_filters_by_kind(client_as, agent, customer_a, customer_b):
    body = client_as(agent).get(reverse("customers:list"), {"kind": "organisation"}).content.decode()
    assert "北京某银行海淀支行" in body and "张三丰" not in body


def test_list_query_count_does_not_grow_with_rows(client_as, agent, org, django_assert_max_num_queries):
    for number in range(30):
        customer_create(
            acting_user=None, name=f"客户{number}", phone=f"1380000{number:04d}", address="浙江省杭州市西湖区"
        )
    client = client_as(agent)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("customers:list"))
    assert response.status_code == 200


def test_detail_shows_parsed_region_contacts_devices_and_orders(client_as, agent, customer_a, device_a):
    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="repair",
        channel="phone",
        description="不能启动",
    )
    body = client_as(agent).get(reverse("customers:detail", args=[customer_a.pk])).content.decode()
    assert "浙江省" in body and "杭州市" in body and "西湖区" in body
    assert device_a.serial_number in body
    assert order.number in body
    assert reverse("devices:create") + f"?customer={customer_a.pk}" in body


def test_create_customer_parses_the_address(client_as, agent, org):
    response = client_as(agent).post(
        reverse("customers:create"),
        {
            "kind": "person",
            "name": "李雷",
            "phone": "13912345678",
            "address": "北京市海淀区中关村大街27号",
            "birthday": "1990-05-01",
            "tags": "VIP, 老客户",
            "payment_standing": "good",
        },
    )
    customer = Customer.objects.get(name="李雷")
    assert response.status_code == 302 and response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert (customer.province, customer.district, customer.unit) == ("北京市", "海淀区", org.station_b)
    assert str(customer.birthday) == "1990-05-01"


def test_create_form_errors_name_the_field_and_save_nothing(client_as, agent, org):
    response = client_as(agent).post(
        reverse("customers:create"),
        {"kind": "person", "name": "", "phone": "139", "email": "bad", "payment_standing": "good"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name", "email"}
    body = response.content.decode()
    assert 'data-field="name"' in body and 'data-field="email"' in body
    assert Customer.objects.count() == 0


def test_edit_saves_with_the_current_version(client_as, agent, customer_a):
    client = client_as(agent)
    form = client.get(reverse("customers:edit", args=[customer_a.pk])).context["form"]
    assert form.initial["version"] == 1
    data = {**_form_data(customer_a), "notes": "回访时间：工作日下午", "version": "1"}
    response = client.post(reverse("customers:edit", args=[customer_a.pk]), data)
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert (customer_a.notes, customer_a.version) == ("回访时间：工作日下午", 2)


def test_edit_with_a_stale_version_shows_a_message_and_does_not_overwrite(client_as, agent, customer_a):
    client = client_as(agent)
    client.post(
        reverse("customers:edit", args=[customer_a.pk]), {**_form_data(customer_a), "notes": "A", "version": "1"}
    )
    response = client.post(
        reverse("customers:edit", args=[customer_a.pk]), {**_form_data(customer_a), "notes": "B", "version": "1"}
    )
    assert response.status_code == 409
    with translation.override(agent.profile.language):
        expected = gettext(
            "This record was changed by someone else (version %(current)s, you edited %(expected)s). "
            "Reload it and apply your change again."
        ) % {"current": 2, "expected": 1}
    assert expected in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.notes == "A"


def test_add_contact_with_htmx_returns_the_list(client_as, agent, customer_b):
    response = client_as(agent).post(
        reverse("customers:contact_add", args=[customer_b.pk]),
        {"name": "王经理", "phone": "13611112222", "title": "网点主任", "is_primary": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "王经理" in response.content.decode()
    contact = Contact.objects.get(customer=customer_b)
    assert (contact.name, contact.is_primary) == ("王经理", True)


def test_add_contact_without_phone_names_the_field(client_as, agent, customer_b):
    response = client_as(agent).post(
        reverse("customers:contact_add", args=[customer_b.pk]), {"name": "王经理"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-field="phone"' in response.content.decode()
    assert not Contact.objects.exists()


def test_lookup_returns_matching_visible_customers(client_as, station_b_user, customer_a, customer_b):
    body = client_as(station_b_user).get(reverse("customers:lookup"), {"q": "海淀"}).content.decode()
    assert f'data-customer-id="{customer_b.pk}"' in body
    hidden = client_as(station_b_user).get(reverse("customers:lookup"), {"q": "zsf"}).content.decode()
    assert "张三丰" not in hidden


def test_other_station_cannot_see_or_edit_the_customer(client_as, station_b_user, customer_a, customer_b):
    client = client_as(station_b_user)
    assert client.get(reverse("customers:detail", args=[customer_a.pk])).status_code == 404
    assert client.get(reverse("customers:edit", args=[customer_a.pk])).status_code == 404
    assert (
        client.post(reverse("customers:contact_add", args=[customer_a.pk]), {"name": "x", "phone": "1"}).status_code
        == 404
    )
    assert "张三丰" not in client.get(reverse("customers:list")).content.decode()


def test_technician_cannot_create_customers(client_as, technician):
    assert client_as(technician).get(reverse("customers:create")).status_code == 403


def _form_data(customer):
    return {
        "kind": customer.kind,
        "name": customer.name,
        "phone": customer.phone,
        "alt_phone": customer.alt_phone,
        "email": customer.email,
        "address": customer.address,
        "tags": customer.tags,
        "payment_standing": customer.payment_standing,
        "notes": customer.notes,
    }


def test_a_double_submitted_customer_form_creates_one_customer(client_as, agent, org):
    from customers.models import Customer

    client = client_as(agent)
    data = {
        "kind": "person",
        "name": "李四",
        "phone": "13900139000",
        "address": "浙江省杭州市西湖区文三路1号",
        "payment_standing": "good",
        "submission_token": "once-1",
    }
    first = client.post(reverse("customers:create"), data)
    second = client.post(reverse("customers:create"), data)
    customer = Customer.objects.get(phone="13900139000")
    assert first["Location"] == second["Location"] == reverse("customers:detail", args=[customer.pk])
