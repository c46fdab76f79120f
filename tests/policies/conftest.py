"""Fixtures of the warranty tests: policies of the seeds' kinds and devices sold on known dates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from catalog.services import product_model_create
from devices.services import device_create
from policies.models import WarrantyPolicy
from tests.conftest import speak_english  # noqa: F401  (this app's modules import it from here)


@pytest.fixture
def notebook_model(db: Any) -> Any:
    from catalog.models import ProductCategory

    category = ProductCategory.objects.get(code="notebook")  # ready-made by policies.reference
    return product_model_create(acting_user=None, code="NB-14", name="笔记本 14", category=category, warranty_months=12)


@pytest.fixture
def cash_sorter_model(db: Any) -> Any:
    from catalog.models import ProductCategory

    category = ProductCategory.objects.get(code="cash-sorter")
    return product_model_create(acting_user=None, code="QF-800", name="清分机 QF-800", category=category)


def make_device(customer: Any, model: Any, serial: str, **dates: Any) -> Any:
    return device_create(acting_user=None, customer=customer, product_model=model, serial_number=serial, **dates)


@pytest.fixture
def recent_device(customer_a: Any, product_model: Any) -> Any:
    """Sold five days ago (inside the 7-day return window), generic policy, 24 months."""
    from django.utils import timezone

    return make_device(
        customer_a, product_model, "SN-RECENT", purchased_on=timezone.localdate() - datetime.timedelta(days=5)
    )


@pytest.fixture
def default_policy(db: Any) -> WarrantyPolicy:
    return WarrantyPolicy.objects.get(category__isnull=True, product_model__isnull=True)


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids: its API users chose English
