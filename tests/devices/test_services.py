from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from catalog.services import product_model_create
from devices.models import Device
from devices.selectors import device_qr_svg, device_request_url, device_search, devices_visible_to
from devices.services import device_create, device_update

TODAY = timezone.localdate()


def _device(user, customer, model, serial="SN-1", **fields):
    return device_create(acting_user=user, customer=customer, product_model=model, serial_number=serial, **fields)


def test_device_takes_the_customers_unit_and_address(agent, customer_a, product_model, org):
    device = _device(agent, customer_a, product_model, purchased_on=TODAY)
    assert device.unit == org.station_a
    assert device.location == customer_a.address


def test_serial_is_unique_per_model_named_on_the_field(agent, customer_a, device_a, product_model):
    with pytest.raises(ValidationError) as error:
        _device(agent, customer_a, product_model, serial="SN-A-0001")
    assert list(error.value.message_dict) == ["serial_number"]
    assert Device.objects.count() == 1


def test_same_serial_on_another_model_is_fine(director, agent, customer_a, device_a, category):
    other = product_model_create(acting_user=director, code="OTHER", name="其他", category=category)
    assert _device(agent, customer_a, other, serial="SN-A-0001").serial_number == "SN-A-0001"


def test_update_to_an_existing_serial_is_refused_naming_the_field(agent, customer_a, device_a, product_model):
    second = _device(agent, customer_a, product_model, serial="SN-2")
    with pytest.raises(ValidationError) as error:
        device_update(device=second, acting_user=agent, changes={"serial_number": "SN-A-0001"}, expected_version=1)
    assert list(error.value.message_dict) == ["serial_number"]


@pytest.mark.parametrize("field", ["purchased_on", "installed_on", "accepted_on"])
def test_dates_in_the_future_are_refused(agent, customer_a, product_model, field):
    with pytest.raises(ValidationError) as error:
        _device(agent, customer_a, product_model, **{field: TODAY + datetime.timedelta(days=1)})
    assert list(error.value.message_dict) == [field]


@pytest.mark.parametrize("field", ["installed_on", "accepted_on"])
def test_install_or_acceptance_before_purchase_is_refused(agent, customer_a, product_model, field):
    purchase = TODAY - datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        _device(
            agent, customer_a, product_model, purchased_on=purchase, **{field: purchase - datetime.timedelta(days=1)}
        )
    assert list(error.value.message_dict) == [field]


def test_station_cannot_register_a_device_for_a_foreign_customer(station_b_user, customer_a, product_model):
    with pytest.raises(ValidationError) as error:
        _device(station_b_user, customer_a, product_model)
    assert list(error.value.message_dict) == ["customer"]


def test_station_sees_only_its_own_devices(station_a_user, station_b_user, device_a):
    assert list(devices_visible_to(station_a_user)) == [device_a]
    assert list(devices_visible_to(station_b_user)) == []


@pytest.mark.parametrize("query", ["SN-A-0001", "zsf", "zhangsanfeng", "张三丰", "TDR-2000"], ids=str)
def test_device_search_by_serial_model_and_owner_pinyin(agent, device_a, query):
    assert list(device_search(user=agent, query=query)) == [device_a]


@override_settings(PUBLIC_BASE_URL="https://service.example.com/")
def test_request_url_points_at_the_public_page_by_token(device_a):
    assert device_request_url(device_a) == f"https://service.example.com/s/d/{device_a.qr_token}/"


def test_qr_svg_is_inline_svg_without_fixed_size(device_a):
    svg = device_qr_svg(device_a)
    assert svg.startswith('<svg class="qr-code"') and "<path" in svg and 'width="' not in svg.split(">")[0]


@override_settings(PUBLIC_BASE_URL="")
def test_without_a_configured_address_links_follow_the_request_host(device_a, rf, monkeypatch):
    request = rf.get("/devices/", HTTP_HOST="localhost:8080")
    assert device_request_url(device_a, request) == f"http://localhost:8080/s/d/{device_a.qr_token}/"
    monkeypatch.setenv("DEV_PUBLIC_URL", "http://192.168.1.20:8080")  # what ./dev run exports for its worker
    assert device_request_url(device_a) == f"http://192.168.1.20:8080/s/d/{device_a.qr_token}/"


@override_settings(PUBLIC_BASE_URL="https://service.example.com")
def test_a_configured_address_wins_over_the_request_host(device_a, rf):
    request = rf.get("/devices/", HTTP_HOST="localhost:8000")
    assert device_request_url(device_a, request) == f"https://service.example.com/s/d/{device_a.qr_token}/"
