"""A dispatcher proposes today's route plan in the afternoon (issue 18, point 4), on the desktop and
on a phone: no visit starts before the time the plan was made (plus the drive), the order taken
from a technician whose shift is over is listed as moved from them to the other one, the new one
as newly assigned, and the page names who may approve the plan.

The clock: the live server is a thread of this process, and time-machine moves the process's
clock, so the server sees the frozen afternoon too (today's date, 14:40 in Asia/Shanghai)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.choices import Role
from core.testing import make_user
from customers.services import customer_create
from devices.services import device_create
from dispatch import services as dispatch
from dispatch.models import DispatchPlan
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPEED_KMH = 30.0  # the planner's default speed


@pytest.fixture
def afternoon() -> Iterator[datetime.datetime]:
    """Today, 14:40 in Shanghai, standing still (for the test and the live server's thread)."""
    moment = datetime.datetime.combine(timezone.localdate(), datetime.time(14, 40), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield moment


def field_order(agent: Any, product_model: Any, *, name: str, phone: str, address: str, serial: str) -> WorkOrder:
    """An accepted free repair for a customer in Hangzhou outside 西湖区 (the centre's own area)."""
    customer = customer_create(acting_user=None, name=name, phone=phone, address=address)
    device = device_create(
        acting_user=None,
        customer=customer,
        product_model=product_model,
        serial_number=serial,
        purchased_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    order = workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="不启动",
    )
    return workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})


def technician(dispatcher: Any, unit: Any, category: Any, *, username: str, name: str, until: datetime.time) -> Any:
    """A centre technician working 08:30–``until`` today (a one-day override: any weekday or holiday)."""
    user = make_user(Role.TECHNICIAN, unit, username=username, full_name=name)
    profile = dispatch.technician_profile_save(
        acting_user=dispatcher,
        user=user,
        categories=[category],
        service_types=["repair"],
        home_lat=Decimal("30.280000"),
        home_lon=Decimal("120.170000"),
        daily_capacity=6,
    )
    dispatch.shift_override_set(
        acting_user=dispatcher, profile=profile, day=timezone.localdate(), starts_at=datetime.time(8, 30), ends_at=until
    )
    return user


@pytest.mark.parametrize(
    "viewport", [{"width": 1400, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_todays_plan_starts_now_lists_the_changes_and_who_may_approve(
    afternoon: datetime.datetime,
    page: Page,
    login: Any,
    org: Any,
    agent: Any,
    category: Any,
    product_model: Any,
    viewport: dict[str, int],
) -> None:
    dispatcher = make_user(Role.DISPATCHER, org.centre, username="plan_dispatcher", language="en")
    director = make_user(Role.DIRECTOR, org.hq, username="plan_director", full_name="周总监")
    li = technician(dispatcher, org.centre, category, username="tech_li", name="李明", until=datetime.time(19))
    wang = technician(dispatcher, org.centre, category, username="tech_wang", name="王强", until=datetime.time(14))
    taken = field_order(
        agent, product_model, name="赵大海", phone="13900000011", address="浙江省杭州市上城区解放路1号", serial="SN-P-1"
    )
    dispatch.dispatch_assign(acting_user=dispatcher, order=taken, technician=wang)
    new = field_order(
        agent,
        product_model,
        name="钱小梅",
        phone="13900000012",
        address="浙江省杭州市拱墅区莫干山路238号",
        serial="SN-P-2",
    )
    assert taken.unit == new.unit == org.centre

    page.set_viewport_size(viewport)
    login(page, dispatcher)
    page.goto(f"/dispatch/?unit={org.centre.pk}")
    page.locator("#propose-plan").click()
    expect(page).to_have_url(re.compile(r"/dispatch/plans/\d+/$"))
    plan = DispatchPlan.objects.get()
    assert plan.day == timezone.localdate()

    # Nothing before 14:40: the plan says so, and 李明's route leaves his home base at 14:40.
    expect(page.locator("#plan-opens")).to_contain_text("Planned at 14:40 for today: no visit starts before 14:40")
    route = page.locator(".col-lg-8 > .card").filter(has=page.locator(".card-header", has_text=re.compile(r"^李明$")))
    expect(route.locator(".route-start")).to_have_text("From 14:40, from home base")
    visits = list(plan.visits.order_by("sequence"))
    assert {v.order_id for v in visits} == {taken.pk, new.pk} and {v.technician_id for v in visits} == {li.pk}
    starts = [timezone.localtime(v.start_at, SHANGHAI).strftime("%H:%M") for v in visits]
    expect(route.locator("tbody tr td:nth-child(4)")).to_have_text(starts)
    first = visits[0]
    assert first.travel_km > 0
    assert first.arrival_at >= afternoon + datetime.timedelta(minutes=float(first.travel_km) / SPEED_KMH * 60 - 1)
    assert all(v.start_at >= afternoon for v in visits)
    expect(page.locator("#plan-summary")).to_contain_text("shift already over: 王强")

    # The change list: the order taken from 王强 (his shift is over) goes to 李明; the other is new.
    changes = page.locator("#plan-changes")
    expect(changes.locator(".card-header")).to_have_text("Changes to the current assignment (2)")
    moved = changes.locator(f'li[data-order="{taken.number}"]')
    expect(moved).to_contain_text("Moved to another technician")
    expect(moved.locator(".change-before")).to_have_text("王强")
    taken_visit = next(v for v in visits if v.order_id == taken.pk)
    window = (
        f"{timezone.localtime(taken_visit.start_at, SHANGHAI):%H:%M}–"
        f"{timezone.localtime(taken_visit.finish_at, SHANGHAI):%H:%M}"
    )
    expect(moved.locator(".change-after")).to_have_text(f"李明 {window}")
    added = changes.locator(f'li[data-order="{new.number}"]')
    expect(added).to_contain_text("Newly assigned")
    expect(added.locator(".change-before")).to_have_text("unassigned")
    expect(added.locator(".change-after")).to_contain_text("李明")

    # Who may approve: the service director (HQ); the dispatcher has no approve button.
    approvers = page.locator("#plan-approvers")
    expect(approvers).to_be_visible()
    expect(approvers).to_contain_text("Who may approve")
    expect(approvers.locator(".approver")).to_have_text([f"周总监 ({org.hq.name})"])
    expect(approvers).to_contain_text("Service director")
    expect(page.locator("#approve-plan")).to_have_count(0)
    assert director.has_perm("dispatch.approve_dispatchplan")
