"""The technician's phone home page (my jobs) links to "my van stock" when the technician has a van
(issue 11, point 10), and the link opens the van's stock."""

from __future__ import annotations

from typing import Any

import pytest

from parts import services
from parts.choices import WarehouseKind
from tests.conftest import logged_in_client, speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def van(org: Any, technician: Any) -> Any:
    return services.warehouse_create(
        acting_user=None, code="VAN-T1", name="工程师车", kind=WarehouseKind.VAN, unit=org.centre, technician=technician
    )


def test_a_technician_with_a_van_finds_my_van_stock_on_the_jobs_page(technician: Any, van: Any) -> None:
    part = services.part_create(acting_user=None, code="FUSE-10A", name="10A 保险丝")
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=van, quantity=12)
    client = logged_in_client(speak_english(technician))

    page = client.get("/field/").content.decode()

    assert 'id="my-van-link"' in page and 'href="/parts/my-van/"' in page and "VAN-T1" in page
    van_page = client.get("/parts/my-van/").content.decode()
    assert "FUSE-10A" in van_page and "available 12" in van_page


def test_a_technician_without_a_van_gets_no_link(technician: Any, org: Any) -> None:
    page = logged_in_client(technician).get("/field/").content.decode()

    assert 'id="my-van-link"' not in page


def test_a_closed_van_is_not_offered(technician: Any, van: Any) -> None:
    van.is_active = False
    van.save()

    assert 'id="my-van-link"' not in logged_in_client(technician).get("/field/").content.decode()
