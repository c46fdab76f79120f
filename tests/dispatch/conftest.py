"""Dispatch fixtures: technicians with profiles, field orders ready to dispatch, a working day."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import translation

from core.choices import Role
from core.testing import make_user
from dispatch import services
from workorders.services import workorder_create, workorder_transition

#: A Tuesday with no holiday, in the future (the suite runs in late 2026).
DAY = datetime.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def _english_and_fresh_calendars() -> Iterator[None]:
    """Messages are asserted in English (the msgids); cached calendars never leak between tests."""
    from workcalendar.selectors import invalidate_calendars

    invalidate_calendars()
    with translation.override("en"):
        yield
    invalidate_calendars()


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def before_day(day: datetime.date = DAY) -> Any:
    """The clock at 10:00 on the eve of ``day``, ticking: a plan may only be made for a day still to
    come, and the suite also runs as if it were another day (.ci/dated-runs), even after DAY."""
    return time_machine.travel(at(10, day=day - datetime.timedelta(days=1)), tick=True)


def make_order(
    user: Any, customer: Any, *, device: Any = None, service_type: str = "repair", urgency: str = "normal"
) -> Any:
    order = workorder_create(
        acting_user=user,
        customer=customer,
        device=device,
        service_type=service_type,
        channel="phone",
        description="电动车无法启动",
        urgency=urgency,
    )
    return workorder_transition(order=order, action="accept", acting_user=user, data={"charge_type": "free"})


def make_profile(acting_user: Any, technician: Any, category: Any, *, lat: str, lon: str, **kw: Any) -> Any:
    return services.technician_profile_save(
        acting_user=acting_user,
        user=technician,
        categories=[category],
        service_types=kw.pop("service_types", ["repair", "installation", "maintenance"]),
        home_lat=Decimal(lat),
        home_lon=Decimal(lon),
        daily_capacity=kw.pop("daily_capacity", 6),
        **kw,
    )


@pytest.fixture
def tech_profile(dispatcher: Any, technician: Any, category: Any) -> Any:
    """The centre's technician, home base in 西湖区 (Hangzhou)."""
    return make_profile(dispatcher, technician, category, lat="30.259463", lon="120.130194")


@pytest.fixture
def far_technician(org: Any) -> Any:
    return make_user(Role.TECHNICIAN, org.centre, username="tech_far", full_name="远方师傅")


@pytest.fixture
def far_profile(dispatcher: Any, far_technician: Any, category: Any) -> Any:
    """Another centre technician, home base in 萧山 (about 20 km away)."""
    return make_profile(dispatcher, far_technician, category, lat="30.162932", lon="120.270693")


@pytest.fixture
def order_a(agent: Any, customer_a: Any, device_a: Any) -> Any:
    return make_order(agent, customer_a, device=device_a)
