from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from portal import services
from portal.services import phone_is_valid, phone_normalise, portal_request_submit
from workorders.models import Attachment, WorkOrder


def _submit(**overrides):
    data = {
        "name": "李四",
        "phone": "13912345678",
        "address": "浙江省杭州市西湖区文一路1号",
        "service_type": "repair",
        "description": "显示屏花屏，无法操作",
    }
    return portal_request_submit(**{**data, **overrides})


@pytest.mark.parametrize(
    ("raw", "normal", "valid"),
    [
        ("13912345678", "13912345678", True),
        ("+86 139-1234-5678", "13912345678", True),
        ("8613912345678", "13912345678", True),
        ("0571-8888 6666", "057188886666", True),
        ("010-62345678", "01062345678", True),
        ("12912345678", "12912345678", False),
        ("1391234567", "1391234567", False),
        ("88886666", "88886666", False),
        ("abc", "abc", False),
    ],
)
def test_phone_rules(raw, normal, valid):
    assert phone_normalise(raw) == normal
    assert phone_is_valid(phone_normalise(raw)) is valid


def test_most_recent_customer_with_the_phone_is_chosen(org):
    from customers.services import customer_create

    customer_create(acting_user=None, name="旧档案", phone="13912345678")
    newer = customer_create(acting_user=None, name="新档案", phone="13912345678")
    assert _submit().customer == newer


def test_a_failing_attachment_leaves_nothing_saved(org, png, monkeypatch):
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError({"file": "disk full"})
        return original(**kwargs)

    original = services.workorder_add_attachment
    monkeypatch.setattr(services, "workorder_add_attachment", failing)
    with pytest.raises(ValidationError):
        _submit(uploads=[png("1.png"), png("2.png")])
    assert (WorkOrder.objects.count(), Customer.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def test_service_validates_without_a_form(org):
    with pytest.raises(ValidationError) as error:
        _submit(phone="123", description="坏", service_type="training", address="")
    assert set(error.value.message_dict) == {"phone", "description", "service_type", "address"}
    assert WorkOrder.objects.count() == 0


def test_qr_request_needs_no_address_and_uses_the_device_location(device_a):
    order = _submit(device=device_a, address="", phone="13600001111", name="王五")
    assert order.device == device_a and order.customer == device_a.customer
    assert order.service_address == device_a.customer.address
