from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from devices.models import Device
from devices.services import device_create
from workorders.services import workorder_create

TODAY = timezone.localdate()


def form_data(device_or_customer=None, **overrides):
    data = {
        "product_model": "",
        "serial_number": "SN-FORM-1",
        "purchased_on": "2026-01-05",
        "installed_on": "",
        "accepted_on": "",
        "invoice_number": "FP-001",
        "firmware_version": "",
        "location": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_list_shows_devices_and_live_search(client_as, agent, device_a):
    client = client_as(agent)
    assert "SN-A-0001" in client.get(reverse("devices:list")).content.decode()
    partial = client.get(reverse("devices:list"), {"q": "zsf"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="device-table"' in partial and "SN-A-0001" in partial and "<html" not in partial
    none = client.get(reverse("devices:list"), {"q": "不存在的"}).content.decode()
    assert "SN-A-0001" not in none


def test_list_query_count_does_not_grow_with_rows(
    client_as, agent, customer_a, product_model, django_assert_max_num_queries
):
    for number in range(30):
        device_create(acting_user=None, customer=customer_a, product_model=product_model, serial_number=f"SN-{number}")
    client = client_as(agent)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("devices:list"))
    assert response.status_code == 200 and response.content.decode().count('href="/devices/') >= 25


def test_detail_shows_dates_history_and_label_link(client_as, agent, device_a, customer_a):
    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="repair",
        channel="phone",
        description="刹车异响",
    )
    body = client_as(agent).get(reverse("devices:detail", args=[device_a.pk])).content.decode()
    assert device_a.purchased_on.isoformat() in body and order.number in body
    assert reverse("devices:label", args=[device_a.pk]) in body
    assert f"/s/d/{device_a.qr_token}/" in body


def test_label_is_a_printable_page_with_an_inline_qr(client_as, agent, device_a):
    response = client_as(agent).get(reverse("devices:label", args=[device_a.pk]), {"copies": "3"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<svg class="qr-code"') == 3
    assert "TDR-2000" in body and "SN-A-0001" in body and "devices/label.css" in body  # the A4 sheet's style sheet


def test_label_with_a_bad_copy_count_prints_one(client_as, agent, device_a):
    body = client_as(agent).get(reverse("devices:label", args=[device_a.pk]), {"copies": "lots"}).content.decode()
    assert body.count('<svg class="qr-code"') == 1


def test_create_from_a_customer_preselects_it(client_as, agent, customer_a, product_model):
    response = client_as(agent).get(reverse("devices:create"), {"customer": customer_a.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{customer_a.pk}"' in body and "张三丰" in body


def test_create_registers_the_device(client_as, agent, customer_a, product_model):
    response = client_as(agent).post(
        reverse("devices:create"), form_data(customer=customer_a.pk, product_model=product_model.pk)
    )
    device = Device.objects.get(serial_number="SN-FORM-1")
    assert response.status_code == 302 and response["Location"] == reverse("devices:detail", args=[device.pk])
    assert (device.customer, device.invoice_number, device.location) == (customer_a, "FP-001", customer_a.address)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"serial_number": "SN-A-0001"}, "serial_number"),
        ({"purchased_on": str(TODAY + datetime.timedelta(days=2))}, "purchased_on"),
        ({"accepted_on": "2026-01-01"}, "accepted_on"),
        ({"purchased_on": "not a date"}, "purchased_on"),
        ({"serial_number": ""}, "serial_number"),
    ],
    ids=["duplicate-serial", "future", "acceptance-before-purchase", "bad-date", "no-serial"],
)
def test_create_errors_name_the_field(client_as, agent, customer_a, product_model, device_a, overrides, field):
    data = form_data(customer=customer_a.pk, product_model=product_model.pk, **overrides)
    response = client_as(agent).post(reverse("devices:create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'data-field="{field}"' in response.content.decode()
    assert Device.objects.count() == 1


def test_create_without_customer_names_the_customer(client_as, agent, product_model, org):
    response = client_as(agent).post(reverse("devices:create"), form_data(product_model=product_model.pk))
    assert response.status_code == 400 and "customer" in response.context["form"].errors


def test_other_station_cannot_register_for_a_foreign_customer(client_as, station_b_user, customer_a, product_model):
    response = client_as(station_b_user).post(
        reverse("devices:create"), form_data(customer=customer_a.pk, product_model=product_model.pk)
    )
    assert response.status_code == 400 and "customer" in response.context["form"].errors
    assert "张三丰" not in response.content.decode()
    assert not Device.objects.exists()


def test_edit_and_stale_version(client_as, agent, device_a, customer_a, product_model):
    client = client_as(agent)
    assert client.get(reverse("devices:edit", args=[device_a.pk])).context["form"].initial["version"] == 1
    base = form_data(
        customer=customer_a.pk,
        product_model=product_model.pk,
        serial_number="SN-A-0001",
        purchased_on=device_a.purchased_on.isoformat(),
    )
    ok = client.post(reverse("devices:edit", args=[device_a.pk]), {**base, "firmware_version": "V2", "version": "1"})
    assert ok.status_code == 302
    stale = client.post(reverse("devices:edit", args=[device_a.pk]), {**base, "firmware_version": "V3", "version": "1"})
    assert stale.status_code == 409
    device_a.refresh_from_db()
    assert (device_a.firmware_version, device_a.version) == ("V2", 2)


def test_other_station_cannot_see_the_device(client_as, station_b_user, device_a):
    client = client_as(station_b_user)
    for name in ("devices:detail", "devices:edit", "devices:label"):
        assert client.get(reverse(name, args=[device_a.pk])).status_code == 404
    assert "SN-A-0001" not in client.get(reverse("devices:list")).content.decode()


def test_detail_answers_the_warranty_on_any_date_asked(client_as, agent, device_a):
    from core.models import UserProfile

    UserProfile.objects.filter(user=agent).update(language="en")  # the user's choice wins over the browser's
    client = client_as(agent)
    url = reverse("devices:detail", args=[device_a.pk])
    today = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Warranty today" in today and 'name="on"' in today
    far_ahead = (device_a.purchased_on + datetime.timedelta(days=3 * 365)).isoformat()
    later = client.get(url, {"on": far_ahead}, HTTP_ACCEPT_LANGUAGE="en")
    assert later.status_code == 200
    assert later.context["warranty"]["status"] == "expired"
    assert f"Warranty on {far_ahead}" in later.content.decode()
    for bad in ("2026-13-01", "x", "2300-01-01"):
        refused = client.get(url, {"on": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 200 and refused.context["warranty_on_error"], bad
        assert refused.context["warranty"]["status"] == "in_warranty"
