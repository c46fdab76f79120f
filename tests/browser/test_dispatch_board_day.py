"""The dispatch board's day (issue 18, point 9): a time axis per technician with the shift's hours,
each booked visit a bar at its time with the drive to it, SLA and priority colours, a map of the
day's visits, drag and drop that the server decides (a refusal shows its reason and the bar goes
back), the picker with technicians only (skill match, load, distance), a refused booking that keeps
what was typed, the board opening on the dispatcher's own unit; desktop and phone widths."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from core.choices import Role
from core.testing import make_user
from customers.services import customer_create
from devices.services import device_create
from dispatch import services as dispatch
from dispatch.models import Appointment
from dispatch.selectors import at_local
from sla.models import OrderServiceLevel
from workcalendar.statutory import library_days
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHIFT = (datetime.time(8, 30), datetime.time(17, 30))
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
AXIS = (8 * 60, 18 * 60)  # 08:30–17:30 widened to whole hours


def next_working_day() -> datetime.date:
    holidays, _workdays = library_days()
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day += datetime.timedelta(days=1)
    return day


def field_order(agent: Any, product_model: Any, *, name: str, phone: str, address: str, serial: str) -> WorkOrder:
    customer = customer_create(acting_user=None, name=name, phone=phone, address=address)
    device = device_create(
        acting_user=None,
        customer=customer,
        product_model=product_model,
        serial_number=serial,
        purchased_on=datetime.date(2026, 3, 1),
    )
    order = workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="电动车无法启动，仪表盘不亮",
    )
    return workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})


def technician(dispatcher: Any, unit: Any, category: Any, *, username: str, name: str, lat: str, **kw: Any) -> Any:
    user = make_user(Role.TECHNICIAN, unit, username=username, full_name=name)
    profile = dispatch.technician_profile_save(
        acting_user=dispatcher,
        user=user,
        categories=[category],
        service_types=kw.get("service_types", ["repair", "installation", "maintenance"]),
        home_lat=Decimal(lat),
        home_lon=Decimal("120.160000"),
        daily_capacity=6,
    )
    dispatch.technician_shifts_replace(
        acting_user=dispatcher, profile=profile, weekly={weekday: [SHIFT] for weekday in range(7)}
    )
    return user


@pytest.fixture
def scene(org: Any, agent: Any, category: Any, product_model: Any) -> dict[str, Any]:
    """The centre: 李明 (repairs) with a visit booked 10:00–11:00, 王强 (installations only, not
    repairs), a station clerk who may also work on orders, and an unassigned repair whose SLA is
    breached."""
    dispatcher = make_user(Role.DISPATCHER, org.centre, username="gantt_dispatcher", language="en")
    li = technician(dispatcher, org.centre, category, username="g_li", name="李明", lat="30.270000")
    installs_only = ["installation"]
    wang = technician(
        dispatcher, org.centre, category, username="g_wang", name="王强", lat="30.300000", service_types=installs_only
    )
    make_user(Role.STATION, org.centre, username="g_clerk", full_name="站务员")
    booked = field_order(
        agent, product_model, name="赵大海", phone="13900000011", address="浙江省杭州市上城区解放路1号", serial="SN-G-1"
    )
    waiting = field_order(
        agent,
        product_model,
        name="钱小梅",
        phone="13900000012",
        address="浙江省杭州市拱墅区莫干山路238号",
        serial="SN-G-2",
    )
    day = next_working_day()
    dispatch.appointment_book(
        acting_user=dispatcher,
        order=booked,
        technician=li,
        window_start=at_local(day, datetime.time(10)),
        window_end=at_local(day, datetime.time(11)),
    )
    OrderServiceLevel.objects.filter(order=waiting).update(status="breached")
    OrderServiceLevel.objects.filter(order=booked).update(status="on_track")
    return {
        "dispatcher": dispatcher,
        "li": li,
        "wang": wang,
        "booked": booked,
        "waiting": waiting,
        "day": day,
        "org": org,
    }


def lane(page: Page, name: str) -> Locator:
    return page.locator(f".gantt-lane[data-name='{name}']")


def open_board(page: Page, login: Any, scene: dict[str, Any]) -> None:
    login(page, scene["dispatcher"])
    page.goto(f"/dispatch/?day={scene['day'].isoformat()}")
    expect(page.locator("#board-table")).to_be_visible()


def left_percent(locator: Locator) -> float:
    return float(re.search(r"left:\s*([\d.]+)%", locator.get_attribute("style") or "").group(1))  # type: ignore[union-attr]


def drop_x(page: Page, target: Locator, minute: int, grab: float = 0) -> float:
    box = target.bounding_box()
    assert box is not None
    return box["width"] * (minute - AXIS[0]) / (AXIS[1] - AXIS[0]) + grab


def test_the_day_shows_each_technicians_hours_visits_drives_colours_and_a_map(
    new_context: Any, login: Any, scene: dict[str, Any]
) -> None:
    page = new_context(viewport=DESKTOP)
    open_board(page, login, scene)
    booked, waiting = scene["booked"], scene["waiting"]

    # The axis: the shifts' hours 08:30–17:30, widened to whole hours.
    hours = page.locator("#board-hours span")
    expect(hours.first).to_have_text("08:00")
    expect(hours.last).to_have_text("18:00")
    expect(hours).to_have_count(11)

    # One lane per technician, the shift shaded; 李明's visit a bar at 10:00 with the drive before it.
    expect(page.locator(".gantt-lane")).to_have_count(2)
    li_lane = lane(page, "李明")
    expect(li_lane.locator(".gantt-shift")).to_have_attribute("title", "shift 08:30–17:30")
    bar = li_lane.locator(".gantt-bar")
    expect(bar).to_have_text(f"10:00–11:00 {booked.number}")
    assert left_percent(bar) == pytest.approx(20.0)  # 10:00 on 08:00–18:00
    assert left_percent(li_lane.locator(".gantt-shift")) == pytest.approx(5.0)
    travel = li_lane.locator(".gantt-travel")
    expect(travel).to_have_attribute("title", re.compile(r"^drive \d+ min · \d+\.\d km$"))
    assert left_percent(travel) < 20.0
    expect(lane(page, "王强").locator(".gantt-bar")).to_have_count(0)
    expect(page.locator("#board-table tbody tr", has_text="李明")).to_contain_text("08:30–17:30 · 1/6")

    # SLA colours from the sla app's clock state; priority on the bar's tooltip and the list's badge.
    expect(bar).to_have_class(re.compile(r"\bsla-on_track\b"))
    expect(bar).to_have_attribute("title", re.compile(r"P3 normal · SLA: On track"))
    item = page.locator(f"#unassigned li[data-order='{waiting.pk}']")
    expect(item.locator(".sla-badge")).to_have_text("SLA: Breached")
    expect(item.locator(".sla-badge")).to_have_class(re.compile(r"\bsla-breached\b"))
    expect(item.locator(".priority-badge")).to_have_text("P3 normal")
    expect(page.locator("#board-legend")).to_contain_text("At risk")

    # The map: both home bases, the booked visit in 李明's colour, the waiting order hollow.
    svg = page.locator("#board-map svg")
    expect(svg.locator("rect.map-home")).to_have_count(2)
    expect(svg.locator(f"circle.map-visit[data-order='{booked.pk}']")).to_have_count(1)
    expect(svg.locator(f"circle.map-waiting[data-order='{waiting.pk}']")).to_have_count(1)
    expect(svg.locator("polyline.map-route")).to_have_count(1)  # 李明: home → the visit

    # The picker: technicians only (not the station clerk), qualified first, with load and distance.
    options = item.locator("select[name='technician'] option")
    expect(options).to_have_text(
        [
            "—",
            re.compile(r"^李明 · skills ✓ · 1/6 visits · \d+\.\d km$"),
            re.compile(r"^王强 · skills ✗ · 0/6 visits · \d+\.\d km$"),
        ]
    )
    expect(item.locator("option", has_text="站务员")).to_have_count(0)
    expect(item.locator("option", has_text="王强")).to_have_attribute("title", re.compile("王强"))


def test_dragging_assigns_and_a_refused_drop_leaves_the_board_unchanged(
    new_context: Any, login: Any, scene: dict[str, Any]
) -> None:
    page = new_context(viewport=DESKTOP)
    open_board(page, login, scene)
    booked, waiting, li, wang = scene["booked"], scene["waiting"], scene["li"], scene["wang"]
    item = page.locator(f"#unassigned li[data-order='{waiting.pk}'] .board-order")

    # Onto 王强, who does not do repairs: refused with the reason; nothing moves.
    target = lane(page, "王强")
    item.drag_to(target, target_position={"x": drop_x(page, target, 13 * 60), "y": 10})
    alert = page.locator("#board-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("王强")
    expect(target.locator(".gantt-bar")).to_have_count(0)
    expect(page.locator(f"#unassigned li[data-order='{waiting.pk}']")).to_have_count(1)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.technician_id) == (Status.ACCEPTED, None)
    assert not Appointment.objects.filter(order=waiting).exists()

    # Onto 李明 at 14:00: booked 14:00–15:00 by the server; the board shows it.
    target = lane(page, "李明")
    item.drag_to(target, target_position={"x": drop_x(page, target, 14 * 60), "y": 10})
    expect(page.locator(".alert-success")).to_contain_text(f"{waiting.number}: 李明, 14:00–15:00.")
    expect(lane(page, "李明").locator(".gantt-bar")).to_have_text(
        [f"10:00–11:00 {booked.number}", f"14:00–15:00 {waiting.number}"]
    )
    expect(page.locator(f"#unassigned li[data-order='{waiting.pk}']")).to_have_count(0)
    appointment = Appointment.objects.get(order=waiting)
    assert appointment.technician_id == li.pk
    assert timezone.localtime(appointment.window_start).strftime("%H:%M") == "14:00"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.technician_id) == (Status.SCHEDULED, li.pk)

    # Move that visit onto 10:00, where 李明 is already booked: refused, the bar goes back to 14:00.
    page.locator("#board-reason").fill("客户改时间")
    moved = lane(page, "李明").locator(f".gantt-bar[data-drag-order='{waiting.pk}']")
    before = left_percent(moved)
    target = lane(page, "李明")
    moved.drag_to(
        target, source_position={"x": 2, "y": 5}, target_position={"x": drop_x(page, target, 10 * 60, 2), "y": 10}
    )
    expect(page.locator("#board-alert")).to_contain_text(f"李明 is already booked 10:00–11:00 ({booked.number}).")
    expect(moved).not_to_have_class(re.compile(r"\bpending\b"))
    assert left_percent(moved) == pytest.approx(before)
    expect(lane(page, "李明").locator(".gantt-bar")).to_have_count(2)
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.window_start).strftime("%H:%M") == "14:00"

    # Moved to 王强's lane: refused (no repairs), it stays with 李明.
    target = lane(page, "王强")
    moved.drag_to(
        target, source_position={"x": 2, "y": 5}, target_position={"x": drop_x(page, target, 15 * 60, 2), "y": 10}
    )
    expect(page.locator("#board-alert")).to_contain_text("王强")
    expect(lane(page, "王强").locator(".gantt-bar")).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.technician_id == li.pk and wang.pk != li.pk

    # Moved later the same day with a reason: rescheduled by the server.
    target = lane(page, "李明")
    moved.drag_to(
        target, source_position={"x": 2, "y": 5}, target_position={"x": drop_x(page, target, 15 * 60 + 30, 2), "y": 10}
    )
    expect(page.locator(".alert-success")).to_contain_text(f"{waiting.number}: 李明, 15:30–16:30.")
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.window_start).strftime("%H:%M") == "15:30"


def test_a_refused_booking_keeps_what_was_typed(new_context: Any, login: Any, scene: dict[str, Any]) -> None:
    page = new_context(viewport=DESKTOP)
    open_board(page, login, scene)
    waiting, wang, li = scene["waiting"], scene["wang"], scene["li"]

    # The board's picker: 王强 cannot take a repair; the choice and the reason stay.
    item = page.locator(f"#unassigned li[data-order='{waiting.pk}']")
    item.locator("select[name='technician']").select_option(str(wang.pk))
    item.locator("input[name='reason']").fill("离客户最近")
    item.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".alert-danger.alert-dismissible")).to_contain_text("王强")
    item = page.locator(f"#unassigned li[data-order='{waiting.pk}']")
    expect(item.locator("select[name='technician']")).to_have_value(str(wang.pk))
    expect(item.locator("input[name='reason']")).to_have_value("离客户最近")

    # The order page's appointment card: a clash with 李明's visit; every field as typed.
    page.goto(f"/work-orders/{waiting.pk}/")
    card = page.locator("#appointment-book")
    expect(card.locator("select[name='technician'] option", has_text="站务员")).to_have_count(0)
    card.locator("select[name='technician']").select_option(str(li.pk))
    card.locator("input[name='date']").fill(scene["day"].isoformat())
    card.locator("input[name='start']").fill("10:30")
    card.locator("input[name='end']").fill("11:30")
    card.locator("input[name='content']").fill("上门检修电机控制器")
    card.locator("input[name='expected_minutes']").fill("45")
    card.locator("input[name='expected_fees']").fill("30.00")
    card.get_by_role("button", name="Book appointment").click()
    expect(page.locator(".alert-danger.alert-dismissible")).to_contain_text("李明 is already booked 10:00–11:00")
    card = page.locator("#appointment-book")
    expect(card.locator("select[name='technician']")).to_have_value(str(li.pk))
    expect(card.locator("input[name='date']")).to_have_value(scene["day"].isoformat())
    expect(card.locator("input[name='start']")).to_have_value("10:30")
    expect(card.locator("input[name='end']")).to_have_value("11:30")
    expect(card.locator("input[name='content']")).to_have_value("上门检修电机控制器")
    expect(card.locator("input[name='expected_minutes']")).to_have_value("45")
    expect(card.locator("input[name='expected_fees']")).to_have_value("30.00")
    # Shown once: opening the page again starts from an empty form.
    page.reload()
    expect(page.locator("#appointment-book input[name='content']")).to_have_value("")


def test_the_board_opens_on_the_dispatchers_own_unit_with_its_unassigned_orders(
    new_context: Any, login: Any, org: Any, agent: Any, category: Any, product_model: Any
) -> None:
    # The station has the technicians; the centre has none of its own, but an order waiting for one.
    station_user = make_user(Role.STATION, org.station_a, username="g_station_staff")
    technician(station_user, org.station_a, category, username="g_tech", name="孙悟", lat="30.270000")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="g_centre", language="en")
    order = field_order(
        agent, product_model, name="周小川", phone="13900000021", address="浙江省杭州市上城区解放路9号", serial="SN-G-3"
    )
    assert order.unit == org.centre
    page = new_context(viewport=DESKTOP)
    login(page, centre_dispatcher)
    page.goto("/dispatch/")
    expect(page.locator("h1")).to_have_text(f"Dispatch board · {org.centre.name}")
    expect(page.locator("#unassigned .card-header")).to_have_text("Unassigned orders (1)")
    expect(page.locator(f"#unassigned li[data-order='{order.pk}']")).to_contain_text(order.number)
    # Another unit is one choice away.
    expect(page.locator("#board-filter select[name='unit'] option", has_text=org.station_a.name)).to_have_count(1)


def test_the_board_fits_a_phone(new_context: Any, login: Any, scene: dict[str, Any]) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    open_board(page, login, scene)
    # The page itself does not scroll sideways; the time axis scrolls inside its card.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator(".gantt-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    assert scroller.evaluate("el => el.getBoundingClientRect().right") <= PHONE["width"]
    expect(lane(page, "李明").locator(".gantt-bar")).to_have_text(f"10:00–11:00 {scene['booked'].number}")
    box = page.locator("#board-map svg").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    picker = page.locator(f"#unassigned li[data-order='{scene['waiting'].pk}'] select[name='technician']")
    picker.scroll_into_view_if_needed()
    expect(picker).to_be_visible()
    picker_box = picker.bounding_box()
    assert picker_box is not None and picker_box["x"] + picker_box["width"] <= PHONE["width"]
