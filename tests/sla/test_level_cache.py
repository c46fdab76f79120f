"""With the per-process caches a server has, a new or edited service level applies at the next
acceptance (the levels are read from a cache at every accept)."""

from __future__ import annotations

from typing import Any

import pytest

from sla.models import OrderServiceLevel
from sla.services import service_level_create, service_level_update
from workcalendar.models import WorkCalendar

pytestmark = pytest.mark.django_db


def level_of(order: Any) -> str:
    return OrderServiceLevel.objects.select_related("level").get(order=order).level.code


def test_a_new_level_and_a_change_of_its_units_apply_at_the_next_accept(
    production_caches: Any, make_order: Any, customer_a: Any, director: Any, org: Any
) -> None:
    first = make_order(customer_a)
    assert level_of(first) == "REPAIR-48H"
    level = service_level_create(
        acting_user=director,
        code="WEST-LAKE-4H",
        name="西湖站 4 小时到场",
        calendar=WorkCalendar.objects.get(code="24x7"),
        units=[first.unit],
        rank=0,
        service_types=["repair"],
        arrival_hours=4,
    )
    assert level_of(make_order(customer_a)) == "WEST-LAKE-4H"
    service_level_update(level=level, acting_user=director, changes={"units": [org.station_b]})
    assert level_of(make_order(customer_a)) == "REPAIR-48H"
    service_level_update(level=level, acting_user=director, changes={"units": [first.unit], "is_active": False})
    assert level_of(make_order(customer_a)) == "REPAIR-48H"
