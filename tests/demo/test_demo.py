"""Demo data (manage.py load_demo) and the demo logins (manage.py demo_logins).

Loading the demo takes a few seconds even at a small scale, so one load is shared by the
tests of this module (inside a transaction rolled back at the end). The tests that need an
empty database come first, before that load exists.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation
from django.utils.timezone import now as real_now

from core.choices import Role, UnitKind
from core.models import ChangeLogEntry, OrgUnit
from core.scoping import unit_for_region
from customers.models import Customer
from customers.selectors import customers_visible_to
from demo import tables as T
from demo.clock import DemoClock
from demo.loader import DemoBuilder
from devices.models import Device
from tests.demo.support import enter_admin_holidays
from workorders.choices import OPEN_STATUSES, Status
from workorders.models import TimelineEvent, WorkOrder
from workorders.selectors import workorders_visible_to

SCALE = 0.05  # 10 customers, 25 devices, 50 work orders (the last days' operation among them)
# One worker runs the whole module, in file order: the empty-database tests come before the load.
pytestmark = pytest.mark.xdist_group("demo-data")


def run(command: str, **options: Any) -> str:
    """Run a command in English, so the assertions do not depend on the translations."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(command, stdout=out, stderr=out, **options)
    return out.getvalue()


# --- before any demo data exists -------------------------------------------------------------


def test_demo_logins_without_demo_data_says_how_to_load_it(db: Any) -> None:
    assert not get_user_model().objects.filter(username="agent").exists()

    output = run("demo_logins", url="http://127.0.0.1:8123")

    assert "http://127.0.0.1:8123/api/v1/docs" in output
    assert "load_demo" in output
    assert "demo-pass-2026" not in output


def test_load_demo_leaves_a_database_with_real_customers_alone(customer_a: Any) -> None:
    output = run("load_demo", scale=SCALE)

    assert "demo data not loaded" in output
    assert Customer.objects.count() == 1
    assert not get_user_model().objects.filter(username="agent").exists()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("scale", [0, -1, 21])
def test_load_demo_refuses_a_scale_out_of_range(db: Any, scale: float) -> None:
    with pytest.raises(CommandError, match="--scale"):
        run("load_demo", scale=scale)
    assert not Customer.objects.exists()


def test_same_seed_plans_the_same_data_and_another_seed_different_data() -> None:
    def plan(seed: int) -> tuple[list[str], list[str], list[str]]:
        builder = DemoBuilder(clock=DemoClock(), scale=0.2, seed=seed, log=lambda _: None)
        builder.plan_customers()
        builder.plan_devices()
        orders = builder.plan_orders()
        return (
            [c.name + c.address for c in builder.customers],
            [d.model.code + d.serial for d in builder.devices],
            [o.description for o in orders],
        )

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


# --- one demo load shared by the rest --------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            enter_admin_holidays()
            yield run("load_demo", scale=SCALE)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo: str, db: Any) -> str:
    return demo


def test_load_demo_reports_what_it_created(loaded: str) -> None:
    # The scale's number of orders, whatever the day (the recent operation takes the place of as
    # many of the history's); the two claims registered today come on top.
    reported = int(re.search(r"(\d+) work orders", loaded).group(1))  # type: ignore[union-attr]
    assert reported == 50
    # The maintenance plans' inspection orders and the upgrade campaign's orders (issue 14) come on top.
    planned = WorkOrder.objects.filter(maintenance_occurrence__isnull=False)
    campaign_orders = WorkOrder.objects.filter(campaign_target__isnull=False)
    assert reported == (
        WorkOrder.objects.exclude(claims__isnull=False)
        .exclude(pk__in=planned.values("pk"))
        .exclude(pk__in=campaign_orders.values("pk"))
        .count()
    )
    assert "Demo data loaded" in loaded
    assert "10 customers" in loaded
    assert "staff logins" in loaded


def test_the_real_clock_is_back_after_loading(loaded: str) -> None:
    assert timezone.now is real_now


def test_every_role_has_a_memorable_login_with_the_demo_password(loaded: str) -> None:
    User = get_user_model()
    for role in Role.values:
        featured = [spec for spec in T.STAFF if spec.role == role and spec.featured]
        assert len(featured) == 1, role
        user = User.objects.select_related("profile__unit").get(username=featured[0].username)
        assert user.groups.filter(name=role).exists()
        assert user.check_password(T.PASSWORD)
        assert user.profile.unit.code == featured[0].unit
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(username="agent", is_superuser=True).exists()


def test_each_centre_has_several_technicians_and_each_station_its_own(loaded: str) -> None:
    for unit in OrgUnit.objects.filter(kind__in=[UnitKind.CENTRE, UnitKind.STATION]):
        technicians = get_user_model().objects.filter(profile__unit=unit, groups__name=Role.TECHNICIAN)
        expected = 3 if unit.kind == UnitKind.CENTRE else 1
        assert technicians.count() == expected, unit.code
    assert OrgUnit.objects.filter(kind=UnitKind.CENTRE).count() == 5
    assert OrgUnit.objects.filter(kind=UnitKind.STATION).count() == 7


def test_customers_are_spread_over_units_and_served_by_the_unit_covering_their_address(loaded: str) -> None:
    # The banks' first-level branches the maintenance demo adds as parents (issue 14) aside.
    customers = list(Customer.objects.filter(branches__isnull=True).select_related("unit"))
    hq = OrgUnit.objects.get(code=T.HQ_CODE)

    assert len(customers) == 10
    assert len({c.unit_id for c in customers}) >= 4
    assert {c.kind for c in customers} == {"person", "organisation"}
    for customer in customers:
        assert customer.adcode, customer.address
        covering = unit_for_region(customer.adcode)
        assert customer.unit == (covering or hq), customer.address


def test_devices_have_unique_serials_per_model_and_plausible_dates(loaded: str) -> None:
    devices = list(Device.objects.select_related("customer"))
    today = timezone.localdate()

    assert len(devices) == 25
    assert len({(d.product_model_id, d.serial_number) for d in devices}) == 25
    assert len({d.product_model.category_id for d in devices}) >= 3
    for device in devices:
        assert device.purchased_on is not None and device.purchased_on <= today
        assert device.purchased_on >= today - timedelta(days=4 * 365 + 1)
        assert device.installed_on is None or device.purchased_on <= device.installed_on <= today
        assert device.accepted_on is None or device.purchased_on <= device.accepted_on <= today
        assert device.unit_id == device.customer.unit_id


def test_work_orders_span_ninety_days_many_types_and_states(loaded: str) -> None:
    # The simulated 90 days of requests (some of them claim requests too); the two counterfeit-note
    # claims with their checklist are registered today.
    registered_today = WorkOrder.objects.filter(service_type="claim", claims__isnull=False).distinct()
    planned = WorkOrder.objects.filter(maintenance_occurrence__isnull=False)  # issue 14's inspections
    # The cash sorters' upgrade campaign is launched today too (one order per device, campaigns.demo).
    orders = list(
        WorkOrder.objects.exclude(pk__in=registered_today.values("pk"))
        .exclude(pk__in=planned.values("pk"))
        .exclude(campaign_target__isnull=False)
    )
    now = timezone.now()
    statuses = {o.status for o in orders}

    assert len(orders) == 50
    assert registered_today.count() == 2
    assert all(now - timedelta(days=91) <= o.submitted_at <= now for o in orders)
    assert Status.CLOSED in statuses
    assert statuses & OPEN_STATUSES
    assert len(statuses) >= 4
    assert len({o.service_type for o in orders}) >= 5
    assert len({o.channel for o in orders}) >= 4
    closed = [o for o in orders if o.status == Status.CLOSED]
    assert all(o.completed_at and o.closed_at and o.accepted_at for o in closed)
    assert all(o.submitted_at <= o.accepted_at <= o.completed_at <= o.closed_at for o in closed)  # type: ignore[operator]


def test_each_timeline_is_in_time_order_and_starts_at_the_request(loaded: str) -> None:
    now = timezone.now()
    for order in WorkOrder.objects.prefetch_related("events"):
        events = sorted(order.events.all(), key=lambda e: e.pk)
        assert events[0].kind == "created"
        assert events[0].at == order.submitted_at
        moments = [e.at for e in events]
        assert moments == sorted(moments), order.number
        assert moments[-1] <= now
        assert events[-1].to_status in {"", order.status} or events[-1].kind == "escalated"
        assert order.number.startswith(f"WO-{timezone.localtime(order.submitted_at):%Y%m%d}-")


def test_changes_are_attributed_to_the_staff_who_made_them(loaded: str) -> None:
    accepted = TimelineEvent.objects.filter(kind="accept").select_related("order", "actor")
    assert accepted.exists()
    for event in accepted:
        assert event.actor is not None
        assert event.order.accepted_by_id == event.actor_id
    users_in_log = set(ChangeLogEntry.objects.exclude(user=None).values_list("user__username", flat=True))
    assert "agent" in users_in_log or "agent_liu" in users_in_log or "agent_sun" in users_in_log
    assert any(name.startswith(("dispatcher", "station")) for name in users_in_log)


def test_the_demo_station_sees_only_its_own_area(loaded: str) -> None:
    station = get_user_model().objects.select_related("profile__unit").get(username="station")
    own = station.profile.unit

    customers = customers_visible_to(station)
    orders = workorders_visible_to(station)

    assert customers.exists()
    assert set(customers.values_list("unit_id", flat=True)) == {own.pk}
    assert set(orders.values_list("unit_id", flat=True)) <= {own.pk}
    assert Customer.objects.exclude(unit=own).exists()


def test_a_second_run_creates_nothing(loaded: str) -> None:
    before = (
        get_user_model().objects.count(),
        Customer.objects.count(),
        Device.objects.count(),
        WorkOrder.objects.count(),
        TimelineEvent.objects.count(),
        ChangeLogEntry.objects.count(),
    )

    output = run("load_demo", scale=SCALE)

    assert "already loaded" in output
    after = (
        get_user_model().objects.count(),
        Customer.objects.count(),
        Device.objects.count(),
        WorkOrder.objects.count(),
        TimelineEvent.objects.count(),
        ChangeLogEntry.objects.count(),
    )
    assert after == before


def test_demo_logins_prints_the_urls_and_a_login_for_every_role(loaded: str) -> None:
    output = run("demo_logins", url="http://127.0.0.1:8123/")

    assert "http://127.0.0.1:8123/\n" in output
    assert "http://127.0.0.1:8123/api/v1/docs" in output
    assert "http://127.0.0.1:8123/s/" in output
    assert "用户名 Username" in output and "密码 Password" in output
    for spec in T.STAFF:
        if spec.featured:
            line = next(line for line in output.splitlines() if line.strip().startswith(spec.username + " "))
            assert T.PASSWORD in line
            assert T.ROLE_NAMES_ZH[spec.role] in line
            with translation.override("en"):
                assert str(Role(spec.role).label) in line
    for role in Role.values:
        assert T.ROLE_NAMES_ZH[role] in output
    assert "tech_bj_1" not in output


def test_the_demo_logins_of_roles_that_require_a_second_factor_can_sign_in(loaded: str) -> None:
    """admin, director and finance have an authenticator (core.two_factor): demo_logins prints its
    key, demo_code the current code, and the code page takes it."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.two_factor import secret_for_people

    output = run("demo_logins", url="http://127.0.0.1:8123/")
    for username in ("admin", "director", "finance"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        line = next(line for line in output.splitlines() if line.strip().startswith(username + " "))
        assert secret_for_people(device) in line
    assert "demo_code" in output
    assert not TOTPDevice.objects.filter(user__username="agent").exists()

    client = Client()
    answer = client.post("/login/", {"username": "director", "password": T.PASSWORD})
    assert answer.status_code == 302 and answer.url == "/login/code/"
    out = io.StringIO()
    call_command("demo_code", "director", stdout=out)
    code = out.getvalue().split()[0]
    assert re.fullmatch(r"\d{6}", code)
    assert client.post("/login/code/", {"code": code}).status_code == 302
    assert client.get("/customers/").status_code == 200
    with pytest.raises(CommandError, match="not a demo login"):
        call_command("demo_code", "someone_else", stdout=io.StringIO())


def test_demo_logins_all_lists_every_demo_staff_member(loaded: str) -> None:
    output = run("demo_logins", url="http://127.0.0.1:8123", all=True)

    for spec in T.STAFF:
        assert f"  {spec.username} " in output
