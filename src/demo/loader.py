"""Build the demo organisation, staff, catalogue, customers, devices and work orders.

Everything goes through the real services (validation, permissions, change log, timeline), as
the staff who would do it (``acting_as``), at simulated moments (``DemoClock``): customers and
devices over the last four years, work orders over the last 90 days, each order driven along
the state machine as far as its simulated life has reached by now. Old orders are therefore
mostly closed and recent ones spread over the open states, as in a real service centre.

Visits are booked as dispatch books them (the technicians' profiles and shifts exist from the
start, with a duty rota for weekends and holidays), at the first slot a technician of the team is
free for (``demo.schedule.Diary``): on a working day, inside the shift, never double-booked.
On top of the history, the recent operation (``plan_recent_operation``): every field technician
with a route of visits on the board day (``board_day``), bookings for the day after, a few orders
waiting for dispatch, and their requests dated so that of the open deadlines most are on track,
some at risk and a few missed. The recent requests take the place of as many of the history's
(``make_room_for_recent``): the scale's number of orders stays exact (1,000 at scale 1.0), and
the last days are as busy as 22 field technicians' routes make them (busier than the average).

Deterministic: one ``random.Random(seed)`` decides everything, in a fixed order.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from core.choices import Role, UnitKind
from core.context import acting_as
from core.models import CoverageRegion, OrgUnit, UserProfile
from demo import tables as T
from demo.clock import DemoClock, demo_clock
from demo.schedule import Diary, next_working_day
from dispatch.geo import Point

MINUTE = 1
HOUR = 60
DAY = 24 * 60
ORDER_DAYS = 90
DEVICE_DAYS = 4 * 365

FULL_SCALE = {"customers": 200, "devices": 500, "orders": 1000}
#: Demo product lines → the categories of the ready-made warranty policies (policies.reference).
REFERENCE_CATEGORIES = {"NOTEBOOK": "notebook", "SWITCH": "network", "SORTER": "cash-sorter"}
#: What the fault texts of the demo tables say about the cause, for the warranty decision.
FAULT_CAUSE_WORDS = (("进水", "water"), ("外力", "collision"), ("摔", "drop"))
HEADQUARTERS_ADCODE = "330106"  # the demo HQ is in Hangzhou (西湖区)
LABOUR_RATE = Decimal("100")  # billing's ready-made hourly labour rate
ANNUAL_MAINTENANCE_PER_UNIT = Decimal("1300.00")  # seed 004: 维保 1300 元/台/年, software included, hardware not
#: What the demo's field technicians do: every kind of on-site work, 三包 returns and exchanges too
#: (the unit is inspected at the customer's before it is taken back) and claims (the sorter is
#: checked on site).
FIELD_SERVICE_TYPES = (
    "repair",
    "installation",
    "maintenance",
    "inspection",
    "software_upgrade",
    "training",
    "return",
    "exchange",
    "claim",
)
DAILY_CAPACITY = 6
WEEKLY_SHIFT = ((clock_time(8, 30), clock_time(12, 0)), (clock_time(13, 0), clock_time(18, 0)))
DUTY_SHIFT = (clock_time(9, 0), clock_time(17, 0))  # 节假日值班
DUTY_DAYS_AHEAD = 21
#: The recent requests (plan_recent_operation): what they ask for and the minutes on site.
RECENT_KINDS = {"repair": 60, "maintenance": 90, "inspection": 60}
RECENT_LEVEL = "REPAIR-48H"  # the commitment they get (sla.reference): on site within 48 h
#: The districts the stations cover, in the order of the tables.
STATION_DISTRICTS = tuple(name for spec in T.UNITS if spec.kind == UnitKind.STATION for _code, name in spec.regions)
#: What the 7×24 remote support centre answers (sla.reference REMOTE-7X24).
REMOTE_CENTRE_TYPES = ("consultation", "technical_guidance", "software_upgrade")
#: Customer tags with a faster commitment than the recent requests' (sla.reference).
FAST_LANE_TAGS = ("VIP", "备用机承诺", "7×24×4", "5×10×NBD")
#: Where the open deadlines of the recent requests stand now (on track: the rest).
OPEN_SLA_SHARES = {"at_risk": 0.17, "breached": 0.08, "on_track": 0.75}
#: At least this share of the scale's orders are recent requests whose deadline still runs (at any hour).
MIN_OPEN_RECENT_SHARE = 0.05
#: A visit started this long before now has been made (its arrival is on the timeline).
VISIT_DONE_AFTER = timedelta(minutes=15)
#: Visits worked on the technician's phone pages (check-in, code of conduct, photos, the customer's
#: signature): the first this many on-site jobs signed off within the window before now.
PHONE_VISITS = 6
PHONE_WINDOW = timedelta(days=30)

# What load_demo reports it created (the keys of DemoBuilder.counts).
COUNT_LABELS = {
    "units": _("organisational units"),
    "coverage regions": _("coverage regions"),
    "users": _("staff logins"),
    "product categories": _("product categories"),
    "product models": _("product models"),
    "customers": _("customers"),
    "contacts": _("contacts"),
    "devices": _("devices"),
    "work orders": _("work orders"),
    "transitions": _("work-order actions"),
    "material lines": _("material lines"),
    "contracts": _("contracts"),
    "quotes": _("quotes"),
    "settlements": _("settlements"),
    "technician profiles": _("technician profiles"),
    "appointments": _("appointments"),
    "claims": _("claims"),
}
TIMING_LABELS = {
    "organisation": _("organisation"),
    "staff": _("staff"),
    "catalogue": _("catalogue"),
    "planning": _("planning"),
    "customers": _("customers"),
    "devices": _("devices"),
    "work orders": _("work orders"),
    "contracts and prices": _("contracts and prices"),
    "field operations": _("field operations"),
}


def demo_is_loaded() -> bool:
    """The demo is loaded in one transaction, so its featured agent being there means all of it is."""
    return get_user_model().objects.filter(username=T.STAFF[0].username, profile__unit__code=T.HQ_CODE).exists()


def board_day(today: date) -> date:
    """The day the demo's dispatch board tells: today when it is a working day of the
    technicians' calendar (the standard one: holidays off, 调休 days on), else the next working
    day. On a weekend or holiday only the duty technicians work today; everyone's route of visits
    is on the next working day."""
    from dispatch.selectors import STANDARD_CALENDAR_CODE
    from workcalendar.selectors import working_calendar

    return next_working_day(working_calendar(STANDARD_CALENDAR_CODE), today)


def database_has_other_data() -> bool:
    from customers.models import Customer
    from workorders.models import WorkOrder

    return Customer.objects.exists() or WorkOrder.objects.exists()


# --- plans (decided before anything is written) ----------------------------------------------


@dataclass
class ContactPlan:
    name: str
    phone: str
    title: str


@dataclass
class CustomerPlan:
    segment: str
    name: str
    phone: str
    address: str
    city: T.City
    email: str = ""
    birthday: date | None = None
    tags: str = ""
    standing: str = "good"
    contacts: list[ContactPlan] = field(default_factory=list)
    devices: list[DevicePlan] = field(default_factory=list)
    obj: Any = None

    @property
    def is_person(self) -> bool:
        return self.segment == "person"


@dataclass
class DevicePlan:
    customer: CustomerPlan
    line: T.LineSpec
    model: T.ModelSpec
    serial: str
    purchased_on: date
    installed_on: date | None = None
    accepted_on: date | None = None
    invoice: str = ""
    firmware: str = ""
    location: str = ""
    registered_at: datetime | None = None
    referenced: bool = False
    warranty_end: date | None = None
    last_requested: datetime | None = None  # the latest history order about it
    obj: Any = None

    def warranty_ends(self) -> date:
        """Roughly what the warranty module will say: whole-unit months from purchase or acceptance."""
        if self.warranty_end is None:
            start = self.accepted_on if self.line.acceptance and self.accepted_on else self.purchased_on
            self.warranty_end = add_months(start, self.model.warranty_months or self.line.warranty_months)
        return self.warranty_end


@dataclass
class OrderPlan:
    submitted_at: datetime
    channel: str
    customer: CustomerPlan
    device: DevicePlan | None
    line: T.LineSpec
    model: T.ModelSpec
    service_type: str
    description: str
    urgency: str
    fault: T.Fault | None
    visit: VisitPlan | None = None  # the recent operation: a visit booked on the board
    recent: bool = False  # planned back from now for the board and the SLA picture (plan_recent_operation)
    sla_story: str = ""  # on_track | at_risk | breached: where its open deadline stands now (recent orders)


@dataclass
class RecentJob:
    device: DevicePlan
    kind: str
    description: str
    fault: T.Fault | None
    minutes: int


@dataclass
class VisitPlan:
    technician: Any
    start: datetime
    minutes: int


@dataclass
class PhoneVisit:
    """A visit worked on the technician's phone pages (``DemoBuilder.apply_on_the_phone``)."""

    technician: Any
    checked_in: bool = False
    photographed: bool = False
    signed: bool = False


@dataclass
class Step:
    at: datetime
    kind: str  # transition | material | settle | device
    actor: Any | None
    action: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    by_customer: bool = False


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)  # pragma: no cover


# --- the builder -----------------------------------------------------------------------------


class DemoBuilder:
    def __init__(self, *, clock: DemoClock, scale: float, seed: int, log: Callable[[str], None]) -> None:
        self.clock = clock
        self.rng = random.Random(seed)
        self.log = log
        self.now = clock.real_now()
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(self.now, self.tz).date()
        self.n_customers = max(len(T.CITIES), round(FULL_SCALE["customers"] * scale))
        self.n_devices = max(self.n_customers, round(FULL_SCALE["devices"] * scale))
        self.n_orders = max(12, round(FULL_SCALE["orders"] * scale))
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, Any] = {}
        self.models: dict[str, Any] = {}
        self.customers: list[CustomerPlan] = []
        self.devices: list[DevicePlan] = []
        self.counts: Counter[str] = Counter()
        self.timings: dict[str, float] = {}
        self._serials: set[tuple[str, str]] = set()
        self._names: set[str] = set()
        self.teams: dict[int, Team] = {}
        self.agents: list[Any] = []
        self.remote: list[Any] = []
        self.technicians: dict[str, list[Any]] = {}
        self.dispatchers: dict[str, list[Any]] = {}
        self.inspectors: dict[str, list[Any]] = {}
        self.station_users: dict[str, list[Any]] = {}
        self.diary: Diary | None = None
        self.arrival_need = timedelta(hours=48)
        self.homes: dict[int, Point | None] = {}
        #: The demo's files (photos, signatures) draw from their own source: the orders' story
        #: stays the one ``rng`` tells, and the same seed draws the same bytes.
        self.files_rng = random.Random(f"demo-files-{seed}")
        self.phone_visits = 0
        self.open_orders: list[tuple[int, OrderPlan]] = []  # (order pk, plan) still open after the history
        self._checklist: list[str] | None = None

    # -- helpers --

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), tzinfo=self.tz)

    def past(self, moment: datetime) -> datetime:
        """Never later than the real now (the clock refuses the future)."""
        return min(moment, self.now - timedelta(minutes=1))

    def pick(self, items: Any) -> Any:
        return self.rng.choice(tuple(items))

    def mobile(self) -> str:
        return self.pick(T.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def person_name(self) -> str:
        return self.pick(T.SURNAMES) + self.pick(T.GIVEN_NAMES)

    def timed(self, name: str, build: Callable[[], None]) -> None:
        started = time.perf_counter()
        build()
        self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - started, 2)

    # -- the whole load --

    def build(self) -> None:
        self.timed("organisation", self.build_organisation)
        self.timed("staff", self.build_staff)
        self.timed("catalogue", self.build_catalogue)
        orders: list[OrderPlan] = []

        def plan() -> None:
            self.plan_customers()
            self.plan_devices()
            orders.extend(self.plan_orders())

        self.timed("field operations", self.build_dispatch)
        self.timed("planning", plan)
        self.timed("customers", self.write_customers)
        self.timed("devices", self.write_devices)
        self.timed("contracts and prices", self.write_commercial_terms)
        self.timed("planning", lambda: self.make_room_for_recent(orders, self.plan_recent_operation()))
        orders.sort(key=lambda plan: plan.submitted_at)
        self.timed("work orders", lambda: self.write_orders(orders))
        self.clock.set(None)
        self.timed("field operations", self.write_field_operations)
        self.timed("spare parts", self.write_parts)
        self.timed("follow-up", self.write_followup)
        self.timed("maintenance", self.write_maintenance)
        self.timed("campaigns and training", self.write_campaigns_and_training)
        self.timed("knowledge", self.write_knowledge)
        self.timed("KPIs", self.write_kpis)
        self.timed("service network", self.write_network)
        self.timed("field operations", self.write_desk_work)

    def write_parts(self) -> None:
        """Warehouses, the genuine parts catalogue, stock through the ledger, vans and loaners."""
        from parts.demo import load_demo_parts

        self.counts.update({f"parts: {key}": value for key, value in load_demo_parts().items()})

    def write_followup(self) -> None:
        """Surveys, the callback queue, an HQ sample, the quality scan and complaints on the orders."""
        from followup.demo import load_demo_followup

        self.counts.update({f"follow-up: {key}": value for key, value in load_demo_followup().items()})

    def write_maintenance(self) -> None:
        """Quarterly inspection plans of the banks' cash sorters, their orders and some results."""
        from maintenance.demo import load_demo_maintenance

        self.counts.update({f"maintenance: {key}": value for key, value in load_demo_maintenance().items()})

    def write_campaigns_and_training(self) -> None:
        """The banknote-series upgrade of the cash sorters, a recall in draft, training records."""
        from campaigns.demo import load_demo_campaigns
        from training.demo import load_demo_training

        self.counts.update(load_demo_campaigns())
        self.counts.update(load_demo_training())

    def write_knowledge(self) -> None:
        """Fault cases and FAQ entries for the demo's products, reviewed and published."""
        from knowledge.demo import load_demo_knowledge

        self.counts.update({f"knowledge: {key}": value for key, value in load_demo_knowledge().items()})

    def write_kpis(self) -> None:
        """Repair times of the completed demo orders (MTTR) and the month's figures."""
        from kpis.demo import load_demo_kpis

        self.counts.update({f"KPIs: {key}": value for key, value in load_demo_kpis().items()})

    def write_network(self) -> None:
        """Station records in different lifecycle states, station scorecards, a support request."""
        from network.demo import load_demo_network

        self.counts.update({f"network: {key}": value for key, value in load_demo_network().items()})

    # -- organisation and staff --

    def build_organisation(self) -> None:
        self.clock.set(self.at(self.today - timedelta(days=DEVICE_DAYS + 60), 9))
        for spec in T.UNITS:
            unit, created = OrgUnit.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "kind": spec.kind,
                    "parent": self.units.get(spec.parent) if spec.parent else None,
                    "phone": spec.phone,
                    "address": spec.address,
                },
            )
            self.counts["units"] += int(created)
            self.units[spec.code] = unit
            for prefix, name in spec.regions:
                _region, created = CoverageRegion.objects.get_or_create(
                    unit=unit, adcode_prefix=prefix, defaults={"name": name}
                )
                self.counts["coverage regions"] += int(created)

    def build_staff(self) -> None:
        """One memorable login per role plus the teams of each centre and station.

        The password is hashed once (it is the same for everyone): hashing ~50 times would take
        longer than loading all the orders.
        """
        User = get_user_model()
        hashed = make_password(T.PASSWORD)
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
        self.clock.set(self.at(self.today - timedelta(days=DEVICE_DAYS + 30), 9))
        for spec in T.STAFF:
            user = User(
                username=spec.username,
                first_name=spec.full_name,
                email=f"{spec.username}@demo.invalid",
                password=hashed,
                is_staff=spec.role == Role.ADMIN,
                is_superuser=spec.role == Role.ADMIN,
            )
            user.save()
            UserProfile.objects.create(user=user, unit=self.units[spec.unit], phone=self.mobile())
            user.groups.add(groups[spec.role])
            self.counts["users"] += 1
        self.give_demo_authenticators()
        # Fresh objects with their profile: permission and visibility caches then live on them.
        for user in User.objects.filter(username__in=[s.username for s in T.STAFF]).select_related(
            "profile", "profile__unit"
        ):
            self.users[user.username] = user
        self.agents = [self.users[s.username] for s in T.STAFF if s.role == Role.AGENT]
        self.remote = [self.users[s.username] for s in T.STAFF if s.remote]
        self.director = self.users["director"]
        self.admin = self.users["admin"]

        def by_role(role: str) -> dict[str, list[Any]]:
            found: dict[str, list[Any]] = {}
            for spec in T.STAFF:
                if spec.role == role and not spec.remote:
                    found.setdefault(spec.unit, []).append(self.users[spec.username])
            return found

        self.technicians = by_role(Role.TECHNICIAN)
        self.dispatchers = by_role(Role.DISPATCHER)
        self.inspectors = by_role(Role.QC_INSPECTOR)
        self.station_users = by_role(Role.STATION)

    def give_demo_authenticators(self) -> None:
        """The demo logins of roles that require two-factor sign-in (admin, director, finance)
        come with an authenticator already set up, its key printed by ``demo_logins`` and its
        current code by ``demo_code`` (docs/operations.md): a visitor signs in without enrolling."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from core.two_factor import AUTHENTICATOR_NAME, two_factor_required_for_roles

        User = get_user_model()
        for spec in T.STAFF:
            if two_factor_required_for_roles({spec.role}):
                user = User.objects.get(username=spec.username)
                TOTPDevice.objects.create(
                    user=user, name=AUTHENTICATOR_NAME, confirmed=True, key=T.demo_authenticator_key(spec.username)
                )

    def build_catalogue(self) -> None:
        from catalog.models import ProductCategory
        from catalog.services import product_category_create, product_model_create

        self.clock.set(self.at(self.today - timedelta(days=DEVICE_DAYS + 20), 10))
        with acting_as(self.admin):
            for line in T.LINES:
                # Lines the ready-made warranty policies describe use those policies' categories.
                category = ProductCategory.objects.filter(code=REFERENCE_CATEGORIES.get(line.code, "")).first()
                if category is None:
                    category = product_category_create(
                        acting_user=self.admin, code=line.code, name=line.name, warranty_months=line.warranty_months
                    )
                    self.counts["product categories"] += 1
                for spec in line.models:
                    self.models[spec.code] = product_model_create(
                        acting_user=self.admin,
                        code=spec.code,
                        name=spec.name,
                        category=category,
                        warranty_months=spec.warranty_months,
                        main_parts_warranty_months=spec.main_parts_months,
                        description=spec.description,
                    )
                    self.counts["product models"] += 1

    # -- customers --

    def plan_customers(self) -> None:
        covered = [city for city in T.CITIES if city.covered]
        segments = list(T.SEGMENT_WEIGHTS)
        for index in range(self.n_customers):
            # The first few go round the covered cities and segments so even a small scale
            # has customers of several units and kinds, and each station some of its own.
            city = covered[index % len(covered)] if index < 2 * len(covered) else self.weighted_city()
            if index < len(segments):
                segment = segments[index]
            else:
                segment = self.rng.choices(segments, weights=list(T.SEGMENT_WEIGHTS.values()))[0]
            district = None
            if index < 2 * len(covered):
                own = [name for name in STATION_DISTRICTS if name in city.districts]
                district = own[index // len(covered)] if index // len(covered) < len(own) else None
            self.customers.append(self.plan_customer(segment, city, district=district))

    def weighted_city(self) -> T.City:
        return self.rng.choices(T.CITIES, weights=[c.weight for c in T.CITIES])[0]

    def address(self, city: T.City, *, person: bool, district: str | None = None) -> tuple[str, str, str]:
        districts = list(city.districts)
        # Stations are where the customers are: their districts weigh three times another's.
        if district is None:
            weights = [3 if name in STATION_DISTRICTS else 1 for name in districts]
            district = self.rng.choices(districts, weights=weights)[0]
        road = self.pick(city.districts[district])
        prefix = city.prefix
        if "省" in prefix and self.rng.random() < 0.5:
            prefix = prefix.split("省", 1)[1]  # people often leave the province out
        text = f"{prefix}{district}{road}{self.rng.randint(1, 999)}号"
        if person:
            building, entrance = self.rng.randint(1, 30), self.rng.randint(1, 4)
            text += f"{building}幢{entrance}单元{self.rng.randint(1, 28)}0{self.rng.randint(1, 4)}室"
        return text, district, road

    def unique_name(self, make: Callable[[], str]) -> str:
        for _attempt in range(20):
            name = make()
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{make()}（{len(self._names)}）"
        self._names.add(name)
        return name

    def org_name(self, segment: str, city: T.City, district: str, road: str) -> str:
        short_district = district.removesuffix("区").removesuffix("新") if len(district) > 2 else district
        if segment == "bank":
            bank = self.pick((*T.BANKS, T.CITY_BANKS.get(city.short, T.BANKS[0])))
            return self.pick((f"{bank}{city.short}{short_district}支行", f"{bank}{city.short}{road}支行"))
        if segment == "school":
            return self.pick(
                (
                    f"{city.short}市第{self.rng.randint(1, 20)}中学",
                    f"{city.short}市{short_district}实验小学",
                    f"{city.short}职业技术学院",
                    f"{city.short}市{short_district}外国语学校",
                )
            )
        if segment == "hospital":
            return self.pick(
                (
                    f"{city.short}市第{self.rng.randint(1, 9)}人民医院",
                    f"{city.short}市{short_district}妇幼保健院",
                    f"{district}{road}社区卫生服务中心",
                )
            )
        kinds = T.LOGISTICS_KINDS if segment == "logistics" else T.COMPANY_KINDS
        return f"{city.short}{self.pick(T.COMPANY_WORDS)}{self.pick(kinds)}"

    def plan_customer(self, segment: str, city: T.City, *, district: str | None = None) -> CustomerPlan:
        person = segment == "person"
        address, district, road = self.address(city, person=person, district=district)
        if person:
            name = self.person_name()
            plan = CustomerPlan(segment, name, self.mobile(), address, city)
            if self.rng.random() < 0.7:
                plan.birthday = date(self.rng.randint(1955, 2003), self.rng.randint(1, 12), self.rng.randint(1, 28))
            if self.rng.random() < 0.25:
                handle = "".join(lazy_pinyin(name))
                plan.email = f"{handle}{self.rng.randint(1, 999)}@{self.pick(('163.com', 'qq.com', '126.com'))}"
        else:
            name = self.unique_name(lambda: self.org_name(segment, city, district, road))
            landline = f"{city.area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**7):07d}"
            plan = CustomerPlan(segment, name, landline, address, city)
            for index in range(self.rng.randint(1, 2)):
                plan.contacts.append(
                    ContactPlan(self.person_name(), self.mobile(), T.CONTACT_TITLES[segment][index % 2])
                )
            if self.rng.random() < 0.06:
                plan.standing = "overdue"
        plan.tags = self.pick(T.TAGS[segment])
        return plan

    # -- devices --

    def plan_devices(self) -> None:
        extra = self.n_devices - len(self.customers)
        weights = [T.SEGMENT_DEVICE_WEIGHT[c.segment] for c in self.customers]
        owners = list(self.customers) + self.rng.choices(self.customers, weights=weights, k=extra)
        first_device = {id(owner) for owner in self.customers}
        for owner in owners:
            lines = [(line, line.segments[owner.segment]) for line in T.LINES if owner.segment in line.segments]
            sorter = next((line for line, _weight in lines if line.code == "SORTER"), None)
            if owner.segment == "bank" and id(owner) in first_device and sorter is not None:
                line = sorter  # a bank is a customer for its cash sorters first (the claims need one)
            else:
                line = self.rng.choices([item[0] for item in lines], weights=[item[1] for item in lines])[0]
            first_device.discard(id(owner))
            purchased = self.today - timedelta(days=self.rng.randint(20, DEVICE_DAYS))
            device = DevicePlan(owner, line, self.pick(line.models), "", purchased)
            self.date_device(device, purchased, installed=True)
            device.serial = self.serial(device)
            device.firmware = self.pick(line.firmware) if line.firmware else ""
            device.location = self.location(device)
            owner.devices.append(device)
            self.devices.append(device)

    def date_device(self, device: DevicePlan, purchased: date, *, installed: bool) -> None:
        """Purchase, installation and acceptance dates; the card is registered after the last one."""
        device.purchased_on = purchased
        device.installed_on = device.accepted_on = device.warranty_end = None
        if installed and device.line.installed and (not device.customer.is_person or device.line.code == "AC"):
            device.installed_on = min(self.today, purchased + timedelta(days=self.rng.randint(0, 20)))
            if device.line.acceptance or (device.line.code == "SWITCH" and self.rng.random() < 0.5):
                device.accepted_on = min(self.today, device.installed_on + timedelta(days=self.rng.randint(0, 10)))
        last = device.accepted_on or device.installed_on or purchased
        device.invoice = ""
        if self.rng.random() < 0.92:
            if purchased.year >= 2024:
                device.invoice = f"{purchased:%y}{self.rng.randrange(10**18):018d}"  # 全电发票, 20 digits
            else:
                device.invoice = f"{self.rng.randrange(10**8):08d}"
        device.registered_at = self.past(
            self.at(last + timedelta(days=self.rng.randint(0, 2)), self.rng.randint(9, 17), self.rng.randint(0, 59))
        )

    def serial(self, device: DevicePlan) -> str:
        prefix = device.model.serial_prefix
        for _attempt in range(100):
            if device.line.code == "GPS":
                serial = f"{prefix}{self.rng.randrange(10**11):011d}"  # IMEI-like
            else:
                serial = f"{prefix}{device.purchased_on:%y%m}{self.rng.randrange(10**5):05d}"
            if (device.model.code, serial) not in self._serials:
                self._serials.add((device.model.code, serial))
                return serial
        raise RuntimeError("could not find a free serial number")  # pragma: no cover

    def location(self, device: DevicePlan) -> str:
        owner = device.customer
        if owner.is_person:
            return ""
        if device.line.code == "GPS":
            plates = {
                "杭州": "浙A",
                "北京": "京B",
                "广州": "粤A",
                "郑州": "豫A",
                "成都": "川A",
                "上海": "沪A",
                "宁波": "浙B",
            }
            letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
            tail = "".join(self.rng.choice(letters) for _ in range(5))
            return f"{owner.address}（车牌 {plates.get(owner.city.short, '浙A')}·{tail}）"
        place = {
            "SORTER": ("现金中心", "营业厅一楼", "金库清分室"),
            "SWITCH": ("三楼机房", "弱电间", "数据中心 A 区"),
            "AC": ("会议室", "二楼办公室", "机房"),
        }.get(device.line.code, ("办公室", "信息中心", "财务室"))
        return f"{owner.address} {self.pick(place)}"

    # -- orders --

    def plan_orders(self) -> list[OrderPlan]:
        """Exactly ``n_orders`` requests on any day: a moment drawn before any device was
        registered is replaced by a fresh draw (how many such moments there are depends on the
        calendar day the demo is loaded). Planned in time order, then the replacements, which only
        ever pick devices registered before their own moment, so the result is consistent."""
        moments = sorted(self.submission_moment() for _ in range(self.n_orders))
        plans: list[OrderPlan] = []
        for _attempt in range(100 * self.n_orders):
            if len(plans) == self.n_orders:
                break
            moment = moments.pop(0) if moments else self.submission_moment()
            plan = self.plan_order(moment[0], moment[1])
            if plan is not None:
                plans.append(plan)
        return sorted(plans, key=lambda plan: plan.submitted_at)

    def is_day_off(self, day: date) -> bool:
        """Not a working day of the technicians' calendar (a weekend without it, for a plan
        made before the database is there)."""
        if self.diary is not None:
            return not self.diary.calendar.is_working_day(day)
        return day.weekday() >= 5

    def submission_moment(self) -> tuple[datetime, str]:
        while True:
            channel = self.rng.choices(
                ["phone", "web", "qr", "wechat", "email", "walk_in", "api"], weights=[34, 15, 12, 16, 6, 9, 8]
            )[0]
            # Business grows: somewhat more requests in recent weeks than three months ago.
            day = self.today - timedelta(days=int(ORDER_DAYS * self.rng.random() ** 1.2))
            if self.is_day_off(day):
                # Offices are closed on weekends and holidays (the Spring Festival is quiet): most
                # of their calls come on working days, and people write in less too.
                office = channel in {"phone", "email", "walk_in", "api"}
                if self.rng.random() < (0.8 if office else 0.4):
                    continue
            if channel in {"web", "qr", "wechat"}:
                hour = self.rng.choices(range(7, 24), weights=[2, 4, 6, 7, 7, 6, 5, 6, 6, 6, 5, 5, 6, 7, 6, 4, 2])[0]
            else:
                hour = self.rng.choices(range(8, 19), weights=[5, 9, 9, 8, 4, 6, 8, 8, 7, 5, 2])[0]
            moment = self.at(day, hour, self.rng.randint(0, 59))
            if moment < self.now - timedelta(minutes=5):
                return moment, channel

    def plan_order(self, submitted: datetime, channel: str) -> OrderPlan | None:
        candidates = [d for d in self.devices if d.registered_at and d.registered_at < submitted]
        if not candidates:
            return None
        # Units still in warranty are reported more often (customers call while it is free).
        weights = [3 if submitted.date() <= d.warranty_ends() else 1 for d in candidates]
        device: DevicePlan | None = self.rng.choices(candidates, weights=weights)[0]
        assert device is not None
        service_type = self.rng.choices(
            list(device.line.type_weights), weights=list(device.line.type_weights.values())
        )[0]
        if service_type in {"installation", "return", "exchange"}:
            fresh = self.fresh_device(service_type, submitted)
            if fresh is None:
                service_type = "repair"
            else:
                device = fresh
        line, customer = device.line, device.customer
        if service_type in {"consultation", "complaint"} and self.rng.random() < 0.3:
            device = None  # asked about a model in general, no particular unit
        model = device.model if device is not None else self.pick(line.models)
        fault = None
        urgency = "normal"
        if service_type == "repair":
            fault = self.pick(line.faults)
            description = fault.text
            urgency = fault.urgency
            if urgency == "normal" and "重点客户" in customer.tags and self.rng.random() < 0.3:
                urgency = "urgent"
        else:
            texts = line.contents.get(service_type) or T.GENERIC_CONTENT.get(service_type) or (T.ON_SITE_DEFAULT,)
            if service_type == "complaint":
                texts = T.GENERIC_CONTENT["complaint"]
            description = self.pick(texts)
        if device is not None:
            device.referenced = True
            device.last_requested = max(device.last_requested or submitted, submitted)
        if channel == "qr" and device is None:
            channel = "phone"
        return OrderPlan(submitted, channel, customer, device, line, model, service_type, description, urgency, fault)

    def fresh_device(self, service_type: str, submitted: datetime) -> DevicePlan | None:
        """A unit bought just before the request: installations follow delivery; returns and
        exchanges fall in the 7- and 15-day windows of the 三包 regulation (第九条, 第十条)."""
        pool = [
            d
            for d in self.devices
            if not d.referenced
            and service_type in d.line.type_weights
            and (service_type != "installation" or d.line.installed)
        ]
        if not pool:
            return None
        device = self.pick(pool)
        days = {"installation": (0, 5), "return": (1, 6), "exchange": (3, 14)}[service_type]
        purchased = submitted.date() - timedelta(days=self.rng.randint(*days))
        self.date_device(device, purchased, installed=service_type != "installation")
        device.registered_at = self.past(
            min(submitted - timedelta(minutes=30), self.at(purchased, self.rng.randint(9, 17), self.rng.randint(0, 59)))
        )
        device.serial = self.serial(device)
        return device

    # -- the recent operation: the dispatch board and where the open orders' deadlines stand --

    def make_room_for_recent(self, orders: list[OrderPlan], recent: list[OrderPlan]) -> None:
        """The recent requests take the place of as many of the history's, drawn at random: the
        scale's number of work orders stays exact (``n_orders``), whatever the day."""
        dropped = set(self.rng.sample(range(len(orders)), min(len(recent), len(orders))))
        orders[:] = [plan for index, plan in enumerate(orders) if index not in dropped] + recent

    def plan_recent_operation(self) -> list[OrderPlan]:
        """The requests of the last days, planned back from now so the demo opens on a working
        day as it would look: every field technician with a route of visits on the board day
        (``board_day``: today, or the next working day when today is a weekend or holiday), some
        visits already booked for the working day after, and a few requests accepted and waiting
        for dispatch. Their requests are ordinary on-site repairs and contract maintenance (the
        ``REPAIR-48H`` commitment: on site within 48 h); when each was made decides where its
        deadline stands now. Visits already made were in time; of the deadlines still open most
        are on track, about one in seven at risk, one in ten missed (``OPEN_SLA_SHARES``)."""
        diary = self.diary
        if diary is None:
            return []
        need, risk = self.arrival_terms()
        self.arrival_need = need
        day = next_working_day(diary.calendar, self.today)
        following = next_working_day(diary.calendar, day, after=True)
        reach = self.now + need - timedelta(hours=2)  # a booking after that would miss its deadline
        plans: list[OrderPlan] = []
        visited: dict[date, set[int]] = {day: set(), following: set()}
        # Stations' technicians first: they serve only their own district, the centres' all of theirs.
        units = sorted(self.technicians, key=lambda code: (self.units[code].kind != UnitKind.STATION, code))
        # At most half the scale's orders (a tiny scale has few customers to visit anyway): the
        # board day's routes first, then the day after, then the queue.
        budget = self.n_orders // 2
        for visit_day, choices in ((day, (4, 5, 5)), (following, (0, 1, 1, 2))):
            for unit_code in units:
                for technician in self.technicians[unit_code]:
                    count = min(self.rng.choice(choices), budget - len(plans))
                    until = reach if visit_day == following else None
                    plans += self.plan_visits(technician, visit_day, count, visited[visit_day], until=until)
        for unit_code in sorted(self.technicians):
            if self.units[unit_code].kind == UnitKind.CENTRE:
                count = min(self.rng.choice((1, 1, 2)), budget - len(plans))
                plans += self.plan_queued(self.technicians[unit_code][0], count, visited[day])
        still_open = [plan for plan in plans if plan.visit is None or plan.visit.start >= self.now - VISIT_DONE_AFTER]
        # Late in the day the day's visits are made and the next day's may lie beyond the 48 h
        # (a Friday evening): the requests that came in meanwhile wait for dispatch instead, so the
        # open picture does not depend on the hour the demo is loaded at.
        wanted = min(round(self.n_orders * MIN_OPEN_RECENT_SHARE), budget - len(plans))
        units_round = [code for code in units if self.technicians[code]]
        while len(still_open) < wanted and units_round:
            for unit_code in list(units_round):
                queued = self.plan_queued(self.technicians[unit_code][0], 1, visited[day], lately_ok=True)
                if not queued:
                    units_round.remove(unit_code)
                plans += queued
                still_open += queued
                if len(still_open) >= wanted:
                    break
        # Where each deadline still open stands now: a shuffled deck, so every share is there.
        counts = {story: max(1, round(share * len(still_open))) for story, share in OPEN_SLA_SHARES.items()}
        deck = [story for story, count in counts.items() if story != "on_track" for _ in range(count)]
        deck += ["on_track"] * max(0, len(still_open) - len(deck))
        self.rng.shuffle(deck)
        for plan, story in zip(still_open, deck, strict=False):
            plan.sla_story = story
        for plan in plans:
            self.date_recent_request(plan, need, risk)
        return plans

    def arrival_terms(self) -> tuple[timedelta, float]:
        """The on-site commitment of the recent requests (its hours and at-risk share), as configured."""
        from sla.models import ServiceLevel

        level = ServiceLevel.objects.filter(code=RECENT_LEVEL, is_active=True).first()
        hours = level.arrival_hours if level is not None and level.arrival_hours else Decimal("48")
        percent = level.at_risk_percent if level is not None else 80
        return timedelta(hours=float(hours)), percent / 100

    def customer_point(self, customer: CustomerPlan) -> Point | None:
        """Where the customer is, approximately (their district's centroid)."""
        from dispatch.geo import approx_location

        return approx_location(customer.obj.adcode) if customer.obj is not None else None

    def area_of(self, technician: Any) -> list[CustomerPlan]:
        """The customers whose unit this technician serves, ordinary commitments only (the 4 h
        VIP and backup-unit levels have their own fast lane)."""
        return [
            customer
            for customer in self.customers
            if customer.obj is not None
            and not any(tag in customer.tags for tag in FAST_LANE_TAGS)
            and any(member.pk == technician.pk for member in Team.for_unit(self, customer.obj.unit).technicians)
        ]

    def plan_visits(
        self, technician: Any, day: date, count: int, visited: set[int], *, until: datetime | None = None
    ) -> list[OrderPlan]:
        """Up to ``count`` visits for the technician on ``day`` in route order (``Diary.plan_route``),
        booked in the diary before the history is written. A customer nobody visits that day first;
        then an organisation another technician sees for another unit (a hospital's two machines).
        ``visited`` holds the customers and devices already seen that day; none starts after ``until``."""
        assert self.diary is not None
        if count <= 0 or self.diary.shift(technician.pk, day) is None:
            return []
        area = self.area_of(technician)
        self.rng.shuffle(area)
        area.sort(key=lambda customer: customer.obj.unit_id != technician.profile.unit_id)  # own unit's first
        jobs: list[tuple[CustomerPlan, RecentJob]] = []
        for second_pass in (False, True):
            for customer in area:
                if len(jobs) == count:
                    break
                if id(customer) in visited and (not second_pass or customer.is_person):
                    continue
                if any(chosen is customer for chosen, _job in jobs):
                    continue
                job = self.recent_job(customer, day, taken=visited, lately_ok=second_pass)
                if job is not None:
                    jobs.append((customer, job))
                    visited.update({id(customer), id(job.device)})
        stops = [(self.customer_point(customer), job.minutes) for customer, job in jobs]
        plans = []
        for index, start, minutes in self.diary.plan_route(technician.pk, day, self.homes.get(technician.pk), stops):
            if until is not None and start > until:
                break
            customer, job = jobs[index]
            plan = self.recent_plan(customer, job, VisitPlan(technician, start, minutes))
            end = start + timedelta(minutes=minutes)
            self.diary.book(technician.pk, start, end, id(plan), point=self.customer_point(customer))
            plans.append(plan)
        return plans

    def plan_queued(
        self, technician: Any, count: int, visited: set[int], *, lately_ok: bool = False
    ) -> list[OrderPlan]:
        """Requests accepted and not yet dispatched: the board's list of orders to assign. With
        ``lately_ok`` an organisation seen today may ask for another of its devices, and a device
        serviced last week may fail again."""
        plans: list[OrderPlan] = []
        area = self.area_of(technician)
        self.rng.shuffle(area)
        for customer in area:
            if len(plans) == count:
                break
            seen = id(customer) in visited and (not lately_ok or customer.is_person)
            job = None if seen else self.recent_job(customer, self.today, taken=visited, lately_ok=lately_ok)
            if job is not None:
                visited.update({id(customer), id(job.device)})
                plans.append(self.recent_plan(customer, job, None))
        return plans

    def recent_job(
        self, customer: CustomerPlan, day: date, *, taken: set[int], lately_ok: bool = False
    ) -> RecentJob | None:
        """What the customer asks for: a repair of a unit under warranty (free, as the warranty
        policy decides it) or the maintenance or inspection their contract includes; not for a
        device in ``taken``, nor (unless ``lately_ok``) one the history had an order for last week."""
        from policies.services import warranty_decision

        devices = [
            d
            for d in customer.devices
            if d.obj is not None
            and id(d) not in taken
            and d.registered_at is not None
            and d.registered_at < self.now - timedelta(days=7)
            and (lately_ok or d.last_requested is None or d.last_requested < self.now - timedelta(days=7))
        ]
        self.rng.shuffle(devices)
        for device in devices:
            kinds = {kind: weight for kind, weight in device.line.type_weights.items() if kind in RECENT_KINDS}
            if "维保合同" not in customer.tags:
                kinds.pop("maintenance", None)
                kinds.pop("inspection", None)
            faults = [f for f in device.line.faults if f.urgency == "normal" and "不在保修范围" not in f.work]
            if not faults:
                kinds.pop("repair", None)
            while kinds:
                kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
                del kinds[kind]
                if kind == "repair":
                    decision = warranty_decision(device=device.obj, on=day, request="repair", fault_cause="unknown")
                    if decision.coverage != "free":
                        continue
                    fault = self.pick(faults)
                    return RecentJob(device, kind, fault.text, fault, RECENT_KINDS[kind])
                texts = device.line.contents.get(kind) or T.GENERIC_CONTENT.get(kind) or (T.ON_SITE_DEFAULT,)
                return RecentJob(device, kind, self.pick(texts), None, RECENT_KINDS[kind])
        return None

    def recent_plan(self, customer: CustomerPlan, job: RecentJob, visit: VisitPlan | None) -> OrderPlan:
        job.device.referenced = True
        return OrderPlan(
            submitted_at=self.now,  # dated by date_recent_request once its story is known
            channel="phone",
            customer=customer,
            device=job.device,
            line=job.device.line,
            model=job.device.model,
            service_type=job.kind,
            description=job.description,
            urgency="normal",
            fault=job.fault,
            visit=visit,
            recent=True,
        )

    def date_recent_request(self, plan: OrderPlan, need: timedelta, risk: float) -> None:
        """When the request came in. A visit already made was requested 3 to 30 hours before it
        (so it was in time). For a deadline still open, its age now decides its state: under
        ``risk`` of the commitment on track (and, where the visit allows it, made in time), past
        it at risk, past the whole of it breached (the customer had asked for another day)."""
        hour = timedelta(hours=1)
        visit = plan.visit
        if visit is not None and visit.start < self.now - VISIT_DONE_AFTER:
            before = self.rng.uniform(3, min(30, need / hour - 0.5)) * hour
            submitted = visit.start - before
        else:
            ahead = max(timedelta(0), visit.start - self.now) if visit is not None else timedelta(0)
            if plan.sla_story == "at_risk":
                low, high = need * risk + hour, need - hour
            elif plan.sla_story == "breached":
                low, high = need + hour, need + 30 * hour
            elif visit is None:
                low, high = 1.5 * hour, min(8 * hour, need * risk - hour)
            else:
                low, high = 1.5 * hour, min(need * risk - hour, need - hour / 2 - ahead)
                if high < low:  # booked beyond the deadline: the customer asked for a later day
                    high = low + 4.5 * hour
            submitted = self.now - (low + (max(high, low) - low) * self.rng.random())
        plan.submitted_at = submitted.replace(second=0, microsecond=0)
        local = timezone.localtime(plan.submitted_at, self.tz)
        assert self.diary is not None
        if self.diary.calendar.is_working_day(local.date()) and 8 <= local.hour < 18:
            plan.channel = self.rng.choices(["phone", "wechat", "web", "email"], weights=[45, 25, 20, 10])[0]
        else:
            plan.channel = self.rng.choices(["web", "wechat", "qr"], weights=[35, 45, 20])[0]

    # -- writing master data --

    def write_customers(self) -> None:
        from customers.services import contact_add, customer_create

        for plan in self.customers:
            dates = [d.registered_at for d in plan.devices if d.registered_at]
            first = min(dates) if dates else self.now - timedelta(days=30)
            self.clock.set(self.past(first - timedelta(days=self.rng.randint(0, 3), minutes=self.rng.randint(5, 90))))
            registrar = self.pick(self.agents)
            with acting_as(registrar):
                fields: dict[str, Any] = {"kind": "person" if plan.is_person else "organisation"}
                fields.update({"address": plan.address, "tags": plan.tags, "payment_standing": plan.standing})
                if plan.email:
                    fields["email"] = plan.email
                if plan.birthday:
                    fields["birthday"] = plan.birthday
                plan.obj = customer_create(acting_user=registrar, name=plan.name, phone=plan.phone, **fields)
                for index, contact in enumerate(plan.contacts):
                    contact_add(
                        customer=plan.obj,
                        acting_user=registrar,
                        name=contact.name,
                        phone=contact.phone,
                        title=contact.title,
                        is_primary=index == 0,
                    )
                    self.counts["contacts"] += 1
            self.counts["customers"] += 1

    def write_devices(self) -> None:
        from devices.services import device_create

        for plan in self.devices:
            assert plan.registered_at is not None
            self.clock.set(plan.registered_at)
            registrar = self.pick(self.agents)
            fields: dict[str, Any] = {"purchased_on": plan.purchased_on}
            for name in ("installed_on", "accepted_on"):
                if getattr(plan, name):
                    fields[name] = getattr(plan, name)
            for name, value in (("invoice_number", plan.invoice), ("firmware_version", plan.firmware)):
                if value:
                    fields[name] = value
            if plan.location:
                fields["location"] = plan.location
            with acting_as(registrar):
                plan.obj = device_create(
                    acting_user=registrar,
                    customer=plan.customer.obj,
                    product_model=self.models[plan.model.code],
                    serial_number=plan.serial,
                    **fields,
                )
            self.counts["devices"] += 1

    # -- writing orders and their lives --

    def write_commercial_terms(self) -> None:
        """The parts price list (附件2) the quotes use, and the annual maintenance contracts (维保) of
        the customers tagged for one: 1300 per unit per year, labour and software waived."""
        from billing.services import PartPriceSpec, part_price_list_create
        from policies.services import contract_create

        self.clock.set(self.at(self.today - timedelta(days=ORDER_DAYS + 30), 9))
        prices: dict[str, T.Part] = {}
        for line in T.LINES:
            for fault in line.faults:
                for part in fault.parts:
                    prices.setdefault(part.model, part)
        part_price_list_create(
            acting_user=None,
            effective_from=self.today - timedelta(days=ORDER_DAYS + 30),
            prices=[
                PartPriceSpec(code=code, name=part.name, unit_price=part.price, unit_of_measure=part.unit)
                for code, part in sorted(prices.items())
            ],
            note="附件2 零部件报价清单（演示）",
        )
        director = self.users["director"]
        starts = self.today - timedelta(days=300)
        with acting_as(director):
            for customer in self.customers:
                if "维保合同" not in customer.tags or not customer.devices:
                    continue
                contract_create(
                    acting_user=director,
                    customer=customer.obj,
                    kind="annual_maintenance",
                    starts_on=starts,
                    ends_on=starts + timedelta(days=364),
                    price=ANNUAL_MAINTENANCE_PER_UNIT * len(customer.devices),
                    waived_fee_kinds=["labour", "software", "travel"],
                    devices=[device.obj for device in customer.devices],
                    note="年度维保：含人工与软件升级，不含硬件配件。",
                )
                self.counts["contracts"] += 1

    def build_dispatch(self) -> None:
        """Each field technician's dispatch profile (skills, home base, shifts Monday to Saturday
        as the work calendar allows: statutory holidays off, 调休 days on), set up when the staff
        joined, so every visit of the history is booked through dispatch's rules; and the duty rota
        of weekends and holidays (one technician of each centre on duty, 09:00–17:00), which keeps
        the 24×7 on-site commitments over a long holiday. ``self.diary`` mirrors all of it."""
        from catalog.models import ProductCategory
        from dispatch.geo import approx_location
        from dispatch.policies import ShiftRules
        from dispatch.selectors import calendar_of
        from dispatch.services import shift_override_set, technician_profile_save, technician_shifts_replace

        self.clock.set(self.at(self.today - timedelta(days=DEVICE_DAYS + 19), 10))
        categories = list(ProductCategory.objects.all())
        director = self.users["director"]
        weekly = {day: list(WEEKLY_SHIFT) for day in range(6)}
        profiles: dict[int, Any] = {}
        for unit_code, technicians in sorted(self.technicians.items()):
            unit = self.units[unit_code]
            region = unit.regions.order_by("adcode_prefix").first()
            centre = approx_location(region.adcode_prefix if region else HEADQUARTERS_ADCODE)
            for technician in technicians:
                lat = lon = None
                if centre is not None:
                    lat = Decimal(str(round(centre[0] + self.rng.uniform(-0.04, 0.04), 6)))
                    lon = Decimal(str(round(centre[1] + self.rng.uniform(-0.04, 0.04), 6)))
                self.homes[technician.pk] = (float(lat), float(lon)) if lat is not None and lon is not None else None
                with acting_as(director):
                    profile = technician_profile_save(
                        acting_user=director,
                        user=technician,
                        categories=categories,
                        service_types=list(FIELD_SERVICE_TYPES),
                        home_lat=lat,
                        home_lon=lon,
                        daily_capacity=DAILY_CAPACITY,
                    )
                    technician_shifts_replace(acting_user=director, profile=profile, weekly=weekly)
                profiles[technician.pk] = profile
                self.counts["technician profiles"] += 1
        calendar = calendar_of(next(iter(profiles.values()))) if profiles else None
        if calendar is None:
            return
        self.diary = Diary(calendar=calendar, tz=self.tz, capacity=DAILY_CAPACITY)
        overrides: dict[int, dict[date, list[tuple[clock_time, clock_time]]]] = {pk: {} for pk in profiles}
        first = self.today - timedelta(days=ORDER_DAYS + 10)
        for offset in range(ORDER_DAYS + 10 + DUTY_DAYS_AHEAD):
            day = first + timedelta(days=offset)
            if calendar.is_working_day(day):
                continue
            self.clock.set(self.past(self.at(day - timedelta(days=10), 16)))  # the rota is out ahead
            for unit_code in sorted(self.technicians):
                if self.units[unit_code].kind != UnitKind.CENTRE:
                    continue
                team = self.technicians[unit_code]
                on_duty = team[day.toordinal() % len(team)]
                with acting_as(director):
                    shift_override_set(
                        acting_user=director,
                        profile=profiles[on_duty.pk],
                        day=day,
                        starts_at=DUTY_SHIFT[0],
                        ends_at=DUTY_SHIFT[1],
                    )
                overrides[on_duty.pk][day] = [DUTY_SHIFT]
        for pk in profiles:
            self.diary.rules[pk] = ShiftRules(weekly=weekly, overrides=overrides[pk])
        # HQ's remote engineers go out for customers no centre covers: not managed by dispatch,
        # but the desk books them on working days in office hours all the same.
        for spec in T.STAFF:
            if spec.role == Role.TECHNICIAN and spec.remote:
                self.diary.rules[self.users[spec.username].pk] = ShiftRules(weekly=weekly, overrides={})

    def write_field_operations(self) -> None:
        """After the history: how many visits dispatch holds, and two counterfeit-note claims."""
        from dispatch.models import Appointment

        self.counts["appointments"] = Appointment.objects.count()
        self.write_claims()

    def write_claims(self) -> None:
        """Seed 004's counterfeit-note compensation: one claim that meets every condition (waiting for
        the bank's slip), one refused because the note went to the reject outlet (exclusion e)."""
        from claims.reference import COUNTERFEIT_CODE
        from claims.selectors import rule_set_current
        from claims.services import claim_create, claim_decide
        from workorders.services import workorder_create, workorder_transition

        rule_set = rule_set_current(COUNTERFEIT_CODE)
        sorters = [d for d in self.devices if d.line.code == "SORTER" and d.obj is not None]
        if rule_set is None or not sorters:
            return
        agent = self.agents[0]
        eligible = {
            "notified_immediately": "yes",
            "detection_fully_on": "yes",
            "serial_found_in_machine": "yes",
            "export_connected": "yes",
            "outlet": "accepted",
            "serial_altered": "no",
            "records_obstructed": "no",
            "agent_paid_privately": "no",
        }
        stories = (
            (sorters[0], Decimal("100.00"), eligible, "营业网点反映清分机将一张百元假币清分至正币口。"),
            (
                sorters[1 % len(sorters)],
                Decimal("50.00"),
                {**eligible, "outlet": "reject"},
                "客户称清分机未检出一张五十元假币。",
            ),
        )
        with acting_as(agent):
            for device, amount, answers, text in stories:
                order = workorder_create(
                    acting_user=agent,
                    customer=device.customer.obj,
                    device=device.obj,
                    service_type="claim",
                    channel="phone",
                    description=text,
                    applicant_name=device.customer.name,
                    contact_phone=device.customer.phone,
                )
                order = workorder_transition(order=order, action="accept", acting_user=agent, data={})
                claim = claim_create(
                    acting_user=agent,
                    rule_set=rule_set,
                    customer=device.customer.obj,
                    claimed_amount=amount,
                    device=device.obj,
                    work_order=order,
                    description=text,
                    answers=answers,
                )
                self.add_claim_evidence(claim, agent, amount, text)
                claim_decide(claim=claim, acting_user=agent)
                self.counts["claims"] += 1

    def add_claim_evidence(self, claim: Any, agent: Any, amount: Decimal, text: str) -> None:
        """What the branch sent with its report: a photo of the note and its written statement (the
        bank's 假币鉴别单 itself is still awaited: the claim's checklist asks for it)."""
        from claims.services import claim_add_evidence
        from demo.files import note_photo, statement_pdf, upload

        photo = note_photo(self.files_rng, denomination=int(amount))
        claim_add_evidence(
            claim=claim, acting_user=agent, upload=upload("假币照片.png", photo, "image/png"), kind="photo"
        )
        customer = claim.customer
        statement = statement_pdf(
            "网点情况说明",
            [
                f"报告单位：{customer.name}",
                f"设备：{claim.device.product_model.name}（序列号 {claim.device.serial_number}）"
                if claim.device
                else "",
                f"金额：人民币 {amount:.2f} 元",
                f"经过：{text}",
                "现场已封存该券及清分机运行记录，待人民银行出具假币鉴别单。",
                f"日期：{timezone.localdate():%Y年%m月%d日}",
            ],
        )
        claim_add_evidence(
            claim=claim,
            acting_user=agent,
            upload=upload("网点情况说明.pdf", statement, "application/pdf"),
            kind="other",
        )

    # -- the desk's loose ends: what a visitor opens on the pages of every app --

    def write_desk_work(self) -> None:
        """On top of the history, the work in hand: a part purchasing still has to price, parts
        reserved for open orders (one issued, its replaced part expected back), the customers'
        files on open orders, the agent's and dispatcher's saved lists, the company's day off in
        the calendar and the route plan proposed for the next working day."""
        self.write_purchase_request()
        self.write_reservations()
        self.write_attachments()
        self.write_saved_views()
        self.write_company_day()
        self.write_route_plan()

    def open_order_plans(self, *statuses: str) -> list[tuple[Any, OrderPlan]]:
        """The orders still open in these statuses now, with their plans, oldest first."""
        from workorders.models import WorkOrder

        found = WorkOrder.objects.filter(pk__in=[pk for pk, _plan in self.open_orders], status__in=statuses)
        by_pk = {order.pk: order for order in found.select_related("customer", "device", "technician")}
        return [(by_pk[pk], plan) for pk, plan in self.open_orders if pk in by_pk]

    def write_purchase_request(self) -> None:
        """An order needs a part that is not on the price list: the agent asks purchasing for its price."""
        from billing.services import purchase_request_create

        candidates = self.open_order_plans("waiting", "accepted", "assigned", "scheduled", "in_progress")
        candidates.sort(key=lambda item: item[0].status != "waiting")  # waiting for parts first
        if not candidates:
            return
        order, plan = candidates[0]
        agent = self.agents[0]
        with acting_as(agent):
            purchase_request_create(
                order=order,
                acting_user=agent,
                description=f"{plan.model.name} 主板（停产型号，价目表无此件）",
                quantity=Decimal("1"),
            )

    def write_reservations(self) -> None:
        """The parts clerk takes in the parts two open repairs need and reserves them at the order's
        stock room; the first order's technician has collected one of its parts (issued: a warranty
        repair, so the replaced part is expected back), the rest stays reserved."""
        from parts import services as parts
        from parts.models import Part, Warehouse

        clerk = self.users["parts"]
        done = 0
        for order, plan in self.open_order_plans("accepted", "assigned", "scheduled", "in_progress", "waiting"):
            if done == 2:
                break
            faults = [plan.fault] if plan.fault and plan.fault.parts else [f for f in plan.line.faults if f.parts]
            codes = [part.model for fault in faults[:1] for part in fault.parts][:2]
            stock = list(Part.objects.filter(code__in=codes).order_by("code"))
            unit_codes = {unit.pk: code for code, unit in self.units.items()}
            room = (
                Warehouse.objects.filter(
                    code__in=[f"ST-{unit_codes.get(order.unit_id)}", f"DEP-{unit_codes.get(order.unit_id)}"]
                )
                .order_by("code")
                .first()
            )
            if not stock or room is None or order.charge_type != "free":
                continue
            with acting_as(clerk):
                reservations = []
                for part in stock:
                    parts.stock_move(
                        acting_user=clerk, kind="receive", part=part, warehouse=room, quantity=2, note="备件到货入库"
                    )
                    reservations.append(
                        parts.reservation_create(
                            acting_user=clerk, part=part, warehouse=room, quantity=1, work_order=order
                        )
                    )
                if done == 0:
                    first = reservations[0]
                    parts.stock_move(
                        acting_user=clerk,
                        kind="issue",
                        part=first.part,
                        warehouse=room,
                        quantity=1,
                        reservation=first,
                        work_order=order,
                        note="技术员领料",
                    )
            done += 1

    def write_attachments(self) -> None:
        """Files on open orders: a customer's photo of the fault sent with the request, and the
        purchase invoice the agent scanned for a warranty check."""
        from demo.files import statement_pdf, upload, work_photo
        from workorders.services import workorder_add_attachment

        candidates = [
            (order, plan)
            for order, plan in self.open_order_plans("submitted", "accepted", "assigned", "scheduled")
            if order.device
        ]
        if not candidates:
            return
        order, _plan = candidates[0]
        photo = work_photo(self.files_rng, after=False)
        workorder_add_attachment(
            order=order, upload=upload("故障照片.jpg", photo, "image/jpeg"), acting_user=None, by_customer=True
        )
        order, plan = next(((o, p) for o, p in candidates if o.device.invoice_number), candidates[0])
        device = order.device
        invoice = statement_pdf(
            "电子发票（普通发票）",
            [
                f"发票号码：{device.invoice_number or '（无）'}",
                f"开票日期：{device.purchased_on:%Y年%m月%d日}" if device.purchased_on else "",
                f"购买方：{order.customer.name}",
                f"项目名称：{plan.model.name} 1 台",
                f"序列号：{device.serial_number}",
            ],
        )
        agent = self.agents[0]
        with acting_as(agent):
            workorder_add_attachment(
                order=order, upload=upload("购机发票.pdf", invoice, "application/pdf"), acting_user=agent
            )

    def write_saved_views(self) -> None:
        """The agent's and the dispatcher's own filters of the work-order list."""
        from core.services import saved_view_save

        views = (
            ("agent", "我的待处理", "status=submitted&status=accepted&status=awaiting_signoff"),
            ("dispatcher", "待派工", "status=accepted&status=assigned"),
        )
        for username, name, query in views:
            saved_view_save(user=self.users[username], list_name="workorders", name=name, query_string=query)

    def write_company_day(self) -> None:
        """The company's annual party: a day off on the technicians' calendar, entered by the
        admin, on the first Friday at least 45 days ahead (beyond every open deadline)."""
        from dispatch.selectors import STANDARD_CALENDAR_CODE
        from workcalendar.models import WorkCalendar
        from workcalendar.services import calendar_day_set

        calendar = WorkCalendar.objects.filter(code=STANDARD_CALENDAR_CODE).first()
        if calendar is None:
            return
        day = self.today + timedelta(days=45)
        day += timedelta(days=(4 - day.weekday()) % 7)
        calendar_day_set(
            acting_user=self.admin, day=day, kind="holiday", name="公司年会（全员放假）", calendar=calendar
        )

    def write_route_plan(self) -> None:
        """The dispatcher asks the route planner for the next working day of the unit with the most
        field orders to plan that day (booked for it, or waiting for dispatch) and leaves its
        proposal for a person to approve, edit or reject."""
        from dispatch.selectors import field_orders_open
        from dispatch.services import plan_propose

        if self.diary is None:
            return
        day = next_working_day(self.diary.calendar, self.today, after=True)
        start, end = self.at(day, 0), self.at(day + timedelta(days=1), 0)
        waiting: list[tuple[int, str]] = []
        for code in sorted(self.technicians):
            orders = field_orders_open(self.units[code].pk)
            count = orders.filter(appointment_at__isnull=True).count()
            count += orders.filter(appointment_at__gte=start, appointment_at__lt=end).count()
            waiting.append((-count, code))
        if not waiting:
            return
        unit = self.units[min(waiting)[1]]
        dispatcher = Team.for_unit(self, unit).dispatcher
        with acting_as(dispatcher):
            plan_propose(acting_user=dispatcher, unit=unit, day=day, time_limit=1.0)

    def write_orders(self, plans: list[OrderPlan]) -> None:
        for index, plan in enumerate(plans, 1):
            self.write_order(plan)
            if index % 250 == 0:
                self.log(f"  … {index} work orders")

    def write_order(self, plan: OrderPlan) -> None:
        from workorders.choices import OPEN_STATUSES
        from workorders.services import workorder_create

        customer = plan.customer.obj
        unit = customer.unit
        team = Team.for_unit(self, unit)
        by_customer = plan.channel in {"web", "qr"} or (plan.channel == "wechat" and self.rng.random() < 0.5)
        if by_customer:
            creator = None
        elif plan.channel == "walk_in" and team.station_user is not None:
            creator = team.station_user
        else:
            creator = self.pick(self.agents)
        applicant, phone = plan.customer.name, ""
        if plan.customer.contacts:
            applicant, phone = plan.customer.contacts[0].name, plan.customer.contacts[0].phone
        self.clock.set(plan.submitted_at)
        with acting_as(creator):
            order = workorder_create(
                acting_user=creator,
                customer=customer,
                device=plan.device.obj if plan.device else None,
                product_model=None if plan.device else self.models[plan.model.code],
                service_type=plan.service_type,
                channel=plan.channel,
                description=plan.description,
                urgency=plan.urgency,
                applicant_name=applicant,
                contact_phone=phone,
                by_customer=by_customer,
                submitted_at=plan.submitted_at,
            )
        self.counts["work orders"] += 1
        life = Life(self, plan, team, creator)
        steps = life.recent() if plan.recent else life.plan()
        visit = self.visit_on_the_phone(steps)
        for step in steps:
            if step.at >= self.now:
                break
            order = self.apply_on_the_phone(order, step, visit) if visit else self.apply(order, step)
            if step.action == "decline_quote" and order.status == "cancelled":
                break  # the customer said no: the rest of the planned life does not happen
        if order.status in OPEN_STATUSES:
            self.catch_up_clocks(order)
            self.open_orders.append((order.pk, plan))

    # -- visits worked on the technician's phone (fieldwork) --

    def visit_on_the_phone(self, steps: list[Step]) -> PhoneVisit | None:
        """Whether this order's visit is told through the technician's phone pages: the first
        ``PHONE_VISITS`` on-site visits by a field technician whose customer signed off in the last
        ``PHONE_WINDOW`` (so the last weeks' completed jobs have photos and a signature)."""
        if self.phone_visits >= PHONE_VISITS:
            return None
        start = next((step for step in steps if step.action == "start"), None)
        signed = next((step for step in steps if step.action == "sign_off"), None)
        if start is None or signed is None or start.actor is None:
            return None
        field = {user.pk for team in self.technicians.values() for user in team}
        if start.actor.pk not in field or not self.now - PHONE_WINDOW <= signed.at < self.now:
            return None
        self.phone_visits += 1
        return PhoneVisit(technician=start.actor)

    def checklist_codes(self) -> list[str]:
        from fieldwork.models import ChecklistItem

        if self._checklist is None:
            self._checklist = list(
                ChecklistItem.objects.filter(is_active=True).order_by("position", "id").values_list("code", flat=True)
            )
        return self._checklist

    def apply_on_the_phone(self, order: Any, step: Step, visit: PhoneVisit) -> Any:
        """A step of a visit worked on the phone pages: the arrival is a check-in (which starts the
        work) with the code of conduct ticked and a photo of the fault; a photo of the result goes
        with the work sent to QC; the customer signs on the screen (the signature records the
        sign-off and makes the service report). Every other step as ``apply`` does it."""
        from demo.files import signature, upload, work_photo
        from fieldwork.services import checklist_mark, fieldwork_check_in, photo_add, signature_capture
        from workorders.models import WorkOrder

        technician = visit.technician
        if step.kind != "transition" or order.technician_id != technician.pk:
            return self.apply(order, step)
        self.clock.set(step.at)
        if step.action == "start" and not visit.checked_in:
            with acting_as(technician):
                fieldwork_check_in(order=order, acting_user=technician, at=step.at)
                for code in self.checklist_codes():
                    checklist_mark(order=order, acting_user=technician, item_code=code)
                photo = work_photo(self.files_rng, after=False)
                photo_add(order=order, acting_user=technician, upload=upload("维修前.jpg", photo, "image/jpeg"))
            visit.checked_in = True
            self.counts["transitions"] += 1
            return WorkOrder.objects.get(pk=order.pk)
        if step.action == "submit_qc" and visit.checked_in and not visit.photographed:
            with acting_as(technician):
                photo = work_photo(self.files_rng, after=True)
                photo_add(order=order, acting_user=technician, upload=upload("维修后.jpg", photo, "image/jpeg"))
            visit.photographed = True
            return self.apply(WorkOrder.objects.get(pk=order.pk), step)
        if step.action == "sign_off" and visit.checked_in and not visit.signed:
            with acting_as(technician):
                signature_capture(
                    order=order,
                    acting_user=technician,
                    image=signature(self.files_rng),
                    signer_name=step.data["signer_name"],
                )
            visit.signed = True
            self.counts["transitions"] += 1
            return WorkOrder.objects.get(pk=order.pk)
        return self.apply(order, step)

    def catch_up_clocks(self, order: Any) -> None:
        """The SLA alerts the periodic scan would have raised between the order's last event and
        now (at risk, breached), each at its own moment: the stored status is then the one of now,
        before any worker runs."""
        from sla.models import OrderServiceLevel
        from sla.services import order_sla_recompute
        from workorders.models import TimelineEvent

        for _round in range(6):  # at most an at-risk and a breach per target
            due = (
                OrderServiceLevel.objects.filter(order_id=order.pk, paused_since__isnull=True)
                .values_list("next_check_at", flat=True)
                .first()
            )
            if due is None or due >= self.now:
                return
            last = TimelineEvent.objects.filter(order_id=order.pk).order_by("-id").values_list("at", flat=True).first()
            moment = max(due, last) if last is not None else due
            self.clock.set(moment)
            order_sla_recompute(order=order, now=moment, existing_only=True)

    def apply(self, order: Any, step: Step) -> Any:
        from devices.services import device_update
        from workorders.services import workorder_add_material, workorder_transition, workorder_update

        self.clock.set(step.at)
        with acting_as(step.actor):
            if step.kind == "transition":
                if step.action in {"approve_quote", "decline_quote"} and order.status != "quoted":
                    return order  # everything was waived: the quote went out as free work, nothing to approve
                order = workorder_transition(
                    order=order,
                    action=step.action,
                    acting_user=step.actor,
                    data=step.data,
                    by_customer=step.by_customer,
                )
                self.counts["transitions"] += 1
            elif step.kind == "material":
                workorder_add_material(order=order, acting_user=step.actor, **step.data)
                self.counts["material lines"] += 1
            elif step.kind == "settle":
                order = workorder_update(order=order, acting_user=step.actor, changes=step.data)
            elif step.kind == "device":
                device_update(device=order.device, acting_user=step.actor, changes=step.data)
            elif step.kind == "book":
                order = self.book_visit(order, step)
            elif step.kind == "quote":
                order = self.send_quote(order, step)
            elif step.kind == "phone_confirm":
                order = self.confirm_quote_by_phone(order, step)
            elif step.kind == "payment":
                order = self.record_payment(order, step)
            elif step.kind == "payment_review":
                order = self.review_payment(order, step)
        return order

    def book_visit(self, order: Any, step: Step) -> Any:
        """The dispatcher books the visit on the board (assigns and schedules the order)."""
        from dispatch.services import appointment_book

        start = step.data["start"]
        appointment = appointment_book(
            acting_user=step.actor,
            order=order,
            technician=step.data["technician"],
            window_start=start,
            window_end=start + timedelta(minutes=step.data["minutes"]),
            content=step.data["note"],
            expected_minutes=step.data["minutes"],
        )
        self.counts["transitions"] += 2  # assign, schedule
        return appointment.order

    def send_quote(self, order: Any, step: Step) -> Any:
        """The agent prices the visit from the fee schedule and the parts list (billing) and sends it."""
        from billing.services import PartRequest, quote_build, quote_send

        parts = [PartRequest(code=p["code"], description=p["name"], quantity=Decimal("1")) for p in step.data["parts"]]
        quote = quote_build(
            order=order,
            acting_user=step.actor,
            hours=step.data["hours"],
            travel_cost=step.data["travel_cost"],
            parts=parts,
        )
        quote_send(quote=quote, acting_user=step.actor, note=step.data["note"])
        self.counts["quotes"] += 1
        return type(order).objects.get(pk=order.pk)

    def confirm_quote_by_phone(self, order: Any, step: Step) -> Any:
        from billing.choices import QuoteStatus
        from billing.models import Quote
        from billing.services import quote_confirm_by_phone

        quote = Quote.objects.filter(order=order, status=QuoteStatus.SENT).order_by("-number").first()
        if quote is not None:
            quote_confirm_by_phone(quote=quote, acting_user=step.actor, confirmed_by=step.data["confirmed_by"])
        return type(order).objects.get(pk=order.pk)

    def record_payment(self, order: Any, step: Step) -> Any:
        """Settlement of paid work: the charge, the payment and who received it; finance reviews most."""
        from billing.services import settlement_record

        amount = order.quoted_amount or Decimal("0.00")
        settlement_record(
            order=order,
            acting_user=step.actor,
            actual_charge=amount,
            payment_method=step.data["method"],
            amount_paid=amount,
            receiver=step.data["receiver"],
            note=step.data.get("note", ""),
        )
        self.counts["settlements"] += 1
        return type(order).objects.get(pk=order.pk)

    def review_payment(self, order: Any, step: Step) -> Any:
        from billing.choices import SettlementStatus
        from billing.models import Settlement
        from billing.services import settlement_review

        settlement = Settlement.objects.filter(order=order, status=SettlementStatus.RECORDED).first()
        if settlement is not None:
            settlement_review(settlement=settlement, acting_user=step.actor, approve=True, note="票据齐全，核对无误。")
        return order


@dataclass
class Team:
    """Who handles an order of this unit: its station, else its centre, else HQ."""

    station_user: Any | None
    dispatcher: Any
    technicians: list[Any]
    inspector: Any
    station_technicians: list[Any]

    @classmethod
    def for_unit(cls, builder: DemoBuilder, unit: OrgUnit) -> Team:
        if unit.pk in builder.teams:
            return builder.teams[unit.pk]
        codes: dict[int | None, str] = {u.pk: code for code, u in builder.units.items()}
        code = codes[unit.pk]
        station_code = code if unit.kind == UnitKind.STATION else None
        # HQ-fallback customers (cities without a centre) are served by HQ's own engineers: a
        # technician must belong to a unit that serves the order.
        centre_code = codes[unit.parent_id] if station_code else code
        station_users = builder.station_users.get(station_code or "", [])
        team = cls(
            station_user=station_users[0] if station_users else None,
            dispatcher=(builder.dispatchers.get(centre_code) or builder.dispatchers[T.HQ_CODE])[0],
            technicians=(
                builder.technicians.get(centre_code, []) + builder.technicians.get(station_code or "", [])
                or [
                    builder.users[spec.username]
                    for spec in T.STAFF
                    if spec.role == Role.TECHNICIAN and spec.unit == T.HQ_CODE
                ]  # HQ's own (remote-support) engineers go out too
            ),
            inspector=(builder.inspectors.get(centre_code) or builder.inspectors[T.HQ_CODE])[0],
            station_technicians=builder.technicians.get(station_code or "", []),
        )
        builder.teams[unit.pk] = team
        return team


class Life:
    """The simulated life of one order: which actions, by whom, when. Decided up front; the
    builder applies the steps whose moment has already come."""

    def __init__(self, builder: DemoBuilder, plan: OrderPlan, team: Team, creator: Any | None) -> None:
        self.b = builder
        self.rng = builder.rng
        self.plan_ = plan
        self.team = team
        self.creator = creator
        self.t = plan.submitted_at
        self.steps: list[Step] = []
        #: An urgent or safety fault, a customer with a 4-hour commitment, or a request for the 7×24
        #: remote support centre (answered within 2 h, resolved within 24): handled at once.
        self.fast = (
            plan.urgency != "normal"
            or any(tag in plan.customer.tags for tag in FAST_LANE_TAGS)
            or plan.service_type in REMOTE_CENTRE_TYPES
        )

    # time

    def wait(self, low: float, high: float, *, office: bool = True) -> datetime:
        self.t = self.t + timedelta(minutes=self.rng.uniform(low, high))
        local = timezone.localtime(self.t, self.b.tz)
        start, end = (8, 18) if office else (8, 22)
        if local.hour < start:
            local = local.replace(hour=start, minute=self.rng.randint(30, 59))
        elif local.hour >= end:
            local = (local + timedelta(days=1)).replace(hour=start, minute=self.rng.randint(30, 59))
        if office and local.weekday() == 6 and self.rng.random() < 0.7:
            local = (local + timedelta(days=1)).replace(hour=start, minute=self.rng.randint(30, 59))
        self.t = max(self.t, local)
        return self.t

    def dispatch(self, dispatcher: Any, technicians: list[Any], *, note: str) -> tuple[Any, datetime] | None:
        """Assign and schedule as a dispatcher does it: the first visit a technician of the team
        is free for (shift, other visits, the day's capacity: the diary of dispatch's own rules),
        at least two hours after the call to the customer, later when the customer asks for
        another day. Returns the technician and the visit, or ``None`` when the order's life
        reaches now before it is scheduled (or nobody is free within a year: it is cancelled)."""
        from dispatch.services import DEFAULT_SERVICE_MINUTES  # what scheduling from the order page books

        plan_customer = self.plan_.customer
        assigned_at = self.t
        self.wait(5, HOUR)
        scheduled_at = self.t
        if self.fast:
            earliest = scheduled_at + timedelta(hours=1)  # urgent, or a 4-hour commitment: the next free slot
        elif self.chance(0.05):
            earliest = scheduled_at + timedelta(days=self.rng.randint(1, 3))  # 客户要求改天
        else:
            earliest = scheduled_at + timedelta(hours=2)
        diary = self.b.diary
        found = None
        if diary is not None and scheduled_at < self.b.now:
            point = self.b.customer_point(plan_customer)
            found = diary.first_free([t.pk for t in technicians], earliest, self.rng, key=id(self.plan_), point=point)
        elif scheduled_at >= self.b.now:
            self.t = assigned_at
            self.add("assign", dispatcher, technician=self.pick(technicians).pk)
            return None
        if found is None:
            self.t = assigned_at
            self.add("cancel", dispatcher, reason="近期无可派技术人员，已与客户协商取消。")
            return None
        pk, appointment = found
        technician = next(t for t in technicians if t.pk == pk)
        assert diary is not None
        end = appointment + timedelta(minutes=DEFAULT_SERVICE_MINUTES)
        diary.book(pk, appointment, end, id(self.plan_), point=self.b.customer_point(plan_customer))
        self.t = assigned_at
        self.add("assign", dispatcher, technician=technician.pk)
        self.t = scheduled_at
        self.add("schedule", dispatcher, appointment_at=appointment, note=note)
        return technician, appointment

    def pick(self, items: Any) -> Any:
        return self.rng.choice(tuple(items))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # steps

    def add(self, action: str, actor: Any | None, **data: Any) -> None:
        by_customer = actor is None
        self.steps.append(Step(self.t, "transition", actor, action, data, by_customer))

    def other(self, kind: str, actor: Any, data: dict[str, Any]) -> None:
        self.steps.append(Step(self.t, kind, actor, data=data))

    # the paths

    def plan(self) -> list[Step]:
        plan = self.plan_
        agent = self.creator if self.creator in self.b.agents else self.pick(self.b.agents)
        by_station = self.team.station_user is not None and self.chance(0.4)
        desk = self.team.station_user if by_station else agent

        if self.fast:
            self.t += timedelta(minutes=self.rng.uniform(5, 40))  # the 7×24 hotline takes it at once
        elif plan.channel in {"phone", "walk_in"}:
            self.wait(2, 15)
        else:
            self.wait(20, 6 * HOUR)
        if self.t - plan.submitted_at > 20 * timedelta(hours=1):
            # The desk answers every day (the reply-within-24-h commitment): not left over Sunday.
            self.t = self.desk_moment(plan.submitted_at + timedelta(minutes=self.rng.uniform(10, 50)))
        if self.chance(0.05):
            self.add("reject", desk, reason=self.pick(T.REJECT_REASONS))
            return self.steps
        if self.chance(0.03):
            self.wait(30, 8 * HOUR, office=False)
            self.add("cancel", None, reason=self.pick(T.CANCEL_REASONS_CUSTOMER))
            return self.steps
        if plan.channel not in {"phone", "walk_in"} and self.chance(0.1):
            self.add("request_info", desk, reason=self.pick(T.INFO_REQUESTS))
            if self.chance(0.15):
                self.wait(3 * DAY, 5 * DAY)
                self.add("reject", desk, reason="客户逾期未补充资料，申请无法受理。")
                return self.steps
            self.wait(HOUR, 2 * DAY, office=False)
            self.add("provide_info", None, note=self.pick(T.INFO_REPLIES))
            self.wait(15, 3 * HOUR)

        paid = self.is_paid()
        self.add("accept", desk, charge_type="undetermined" if paid else "free", fault_cause=self.fault_cause())
        if plan.service_type == "complaint":
            return self.complaint(agent)
        remote = plan.service_type in {"consultation", "technical_guidance"} or (
            plan.service_type in {"repair", "software_upgrade"}
            and not paid
            and self.chance(0.5)
            and (plan.fault is None or plan.fault.remote_fix)
            and plan.line.code in {"NOTEBOOK", "DESKTOP", "SWITCH", "GPS", "SORTER", "EBIKE", "AC"}
        )
        if remote:
            return self.remote(agent)
        return self.on_site(agent, desk, by_station, paid)

    def recent(self) -> list[Step]:
        """A request of the last days (plan_recent_operation): accepted at the desk within the
        hour in desk hours, booked on the board by the centre's dispatcher as a visit of the
        technician's route, and from the visit on the usual work, as far as now has come."""
        plan, b = self.plan_, self.b
        agent = self.creator if self.creator in b.agents else self.pick(b.agents)
        visit = plan.visit
        latest = b.now - timedelta(minutes=5)
        if visit is not None:
            latest = min(latest, visit.start - timedelta(minutes=30))
        room = latest - plan.submitted_at
        accepted = self.desk_moment(plan.submitted_at + timedelta(minutes=self.rng.uniform(5, 40)))
        if accepted > plan.submitted_at + room / 2:
            accepted = plan.submitted_at + room * self.rng.uniform(0.05, 0.3)
        self.t = accepted
        self.add("accept", agent, charge_type="free", fault_cause=self.fault_cause())
        if visit is None:
            return self.steps
        booked = self.desk_moment(accepted + timedelta(minutes=self.rng.uniform(10, 180)))
        if booked > latest:
            booked = accepted + (latest - accepted) * self.rng.uniform(0.2, 0.9)
        self.t = booked
        note = "已电话与客户确认上门时间。"
        if visit.start - plan.submitted_at > b.arrival_need:
            note = "客户要求改约至该时间上门。"
        data = {"technician": visit.technician, "start": visit.start, "minutes": visit.minutes, "note": note}
        self.other("book", self.team.dispatcher, data)
        if visit.start >= b.now - VISIT_DONE_AFTER:
            return self.steps  # still ahead
        self.t = visit.start + timedelta(minutes=self.rng.randint(-10, 10))
        parts = list(plan.fault.parts) if plan.fault else []
        self.work(visit.technician, self.team.inspector, parts, minutes=visit.minutes)
        if self.steps[-1].action != "close_incomplete":
            self.sign_off()
            self.settle(agent, visit.technician, Decimal("0.00"), paid=False)
        return self.follow_up(agent)

    def desk_moment(self, moment: datetime) -> datetime:
        """The desk answers from 08:00 to 20:00, every day: later requests the next morning."""
        local = timezone.localtime(moment, self.b.tz)
        if 8 <= local.hour < 20:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 20 else 0)
        return self.b.at(day, 8, self.rng.randint(0, 40))

    def fault_cause(self) -> str:
        fault = self.plan_.fault
        if fault is None or "不在保修范围" not in fault.work:
            return "unknown"
        return next((cause for word, cause in FAULT_CAUSE_WORDS if word in fault.work), "misuse")

    def is_paid(self) -> bool:
        """Paid or free as the warranty policy decides it (policies); where it asks for a review,
        the agent's own reading of the dates."""
        from policies.services import warranty_decision

        plan = self.plan_
        if plan.service_type in {"maintenance", "inspection"}:
            return "维保合同" not in plan.customer.tags and self.chance(0.7)
        if plan.service_type != "repair" or plan.device is None:
            return False
        decision = warranty_decision(
            device=plan.device.obj,
            on=timezone.localtime(plan.submitted_at, self.b.tz).date(),
            request="repair",
            fault_cause=self.fault_cause(),
        )
        if decision.coverage in {"free", "paid"}:
            return decision.coverage == "paid"
        expired = plan.submitted_at.date() > plan.device.warranty_ends()
        return expired or self.fault_cause() != "unknown"

    def remote(self, agent: Any) -> list[Step]:
        engineer = self.pick(self.b.remote)
        self.wait(5, 3 * HOUR)
        self.add("start", engineer, note="远程支持中心接单，电话联系客户。")
        self.wait(10, 90)
        fault = self.plan_.fault
        self.add(
            "resolve_remotely", engineer, note=fault.remote_fix if fault and fault.remote_fix else T.REMOTE_DEFAULT
        )
        return self.follow_up(agent)

    def complaint(self, agent: Any) -> list[Step]:
        director = self.b.director
        self.wait(HOUR, 8 * HOUR)
        self.add("start", director, note="主任接手投诉，当天电话联系客户致歉并核实情况。")
        self.wait(2 * HOUR, 2 * DAY)
        self.add("submit_qc", director, note="已核实并处理：重新安排技术人员上门，客户表示认可。")
        self.wait(HOUR, DAY)
        self.add("qc_pass", self.b.users["qc"], note="投诉处理记录完整。")
        self.sign_off()
        return self.follow_up(agent)

    def on_site(self, agent: Any, desk: Any, by_station: bool, paid: bool) -> list[Step]:
        plan = self.plan_
        parts = list(plan.fault.parts) if plan.fault else []
        if paid:
            amount = sum((part.price for part in parts), Decimal("0")) + self.labour()
            self.wait(HOUR, 6 * HOUR)
            hours = (self.labour() / LABOUR_RATE * 2).quantize(Decimal("1")) / 2  # in half hours
            self.other(
                "quote",
                desk,
                {
                    "hours": max(hours, Decimal("0.5")),
                    "travel_cost": self.pick((Decimal("0"), Decimal("0"), Decimal("36.00"), Decimal("128.50"))),
                    "parts": [{"code": part.model, "name": part.name} for part in parts],
                    "note": self.pick(T.QUOTE_NOTES),
                },
            )
            self.wait(HOUR, 3 * DAY, office=False)
            if self.chance(0.15):
                # Ends the order if it was quoted; a quote the contract or warranty waived in full
                # has nothing to decline, and the work goes ahead (write_order skips the step).
                self.add("decline_quote", None, reason=self.pick(T.DECLINE_REASONS))
            elif self.chance(0.8):
                self.add("approve_quote", None)
            else:
                self.other("phone_confirm", agent, {"confirmed_by": self.applicant()})
        else:
            amount = Decimal("0.00")
        if by_station:
            dispatcher = desk
            technicians = self.team.station_technicians or self.team.technicians
            inspector = desk
        else:
            dispatcher, technicians, inspector = self.team.dispatcher, self.team.technicians, self.team.inspector
        if self.fast:
            self.wait(10, 40)
        else:
            self.wait(20, 4 * HOUR)
        if self.chance(0.03):
            self.add("cancel", agent, reason=self.pick(T.CANCEL_REASONS_STAFF))
            return self.steps
        booked = self.dispatch(dispatcher, technicians, note="已电话与客户确认上门时间。")
        if booked is None:
            return self.steps
        technician, appointment = booked
        self.t = appointment + timedelta(minutes=self.rng.randint(-10, 40))
        self.work(technician, inspector, parts)
        if self.steps[-1].action == "close_incomplete":
            return self.follow_up(agent)
        self.sign_off()
        self.settle(agent if not by_station else desk, technician, amount, paid)
        self.follow_up(agent)
        if plan.service_type == "repair" and self.chance(0.03):
            self.reopen(dispatcher, technician, inspector, agent)
        return self.steps

    def labour(self) -> Decimal:
        low, high = self.plan_.line.labour
        return Decimal(self.rng.randrange(low, high + 1, 10)) + self.pick((Decimal("0"), Decimal("50")))

    def work(self, technician: Any, inspector: Any, parts: list[T.Part], *, minutes: int | None = None) -> None:
        """On site: start, materials, perhaps a wait for parts or the customer, the work done
        (``minutes`` when the visit was booked for that long), QC."""
        plan = self.plan_
        self.add("start", technician, note="已到达现场，出示上岗证，穿戴鞋套。")
        if parts:
            self.wait(20, 90)
            for part in parts:
                self.other(
                    "material",
                    technician,
                    {
                        "name": part.name,
                        "model": part.model,
                        "unit_of_measure": part.unit,
                        "quantity": Decimal("1"),
                        "unit_price": part.price,
                    },
                )
        if parts and self.chance(0.2):
            self.wait(30, 2 * HOUR)
            if self.chance(0.8):
                self.add("pause", technician, wait_reason="parts", note=self.pick(T.WAIT_NOTES_PARTS))
                if self.chance(0.1):
                    self.wait(10 * DAY, 40 * DAY)  # a long wait for parts: the backlog a director chases
                else:
                    self.wait(DAY, 6 * DAY)
            else:
                self.add("pause", technician, wait_reason="customer", note=self.pick(T.WAIT_NOTES_CUSTOMER))
                self.wait(DAY, 5 * DAY)
            if self.chance(0.08):
                self.add("close_incomplete", self.b.director, reason=self.pick(T.INCOMPLETE_REASONS))
                return
            self.add("resume", technician, note="配件已到，继续维修。")
        if minutes is not None:
            self.wait(minutes * 0.6, minutes * 0.95)
        else:
            self.wait(40, 4 * HOUR)
        work = plan.fault.work if plan.fault else T.ON_SITE_DEFAULT
        self.add("submit_qc", technician, note=work)
        if self.fast:
            self.wait(20, 2 * HOUR)
        else:
            self.wait(30, 20 * HOUR)
        if self.chance(0.07):
            self.add("qc_fail", inspector, reason=self.pick(T.QC_FAIL_REASONS))
            self.wait(HOUR, DAY)
            self.add("submit_qc", technician, note=f"已按质检意见返工：{work}")
            self.wait(30, 8 * HOUR)
        self.add("qc_pass", inspector, note="功能测试通过，现场清理干净。")
        if self.chance(0.03):
            self.wait(HOUR, 10 * HOUR, office=False)
            self.add("object", None, reason=self.pick(T.OBJECTIONS))
            self.wait(DAY, 2 * DAY)
            self.add("submit_qc", technician, note="主管回访后二次检测，故障已排除。")
            self.wait(HOUR, 6 * HOUR)
            self.add("qc_pass", inspector, note="复检合格。")

    def sign_off(self) -> None:
        if self.fast:
            self.wait(10, 3 * HOUR, office=False)
        else:
            self.wait(20, DAY, office=False)
        self.add("sign_off", None, signer_name=self.applicant())

    def applicant(self) -> str:
        contacts = self.plan_.customer.contacts
        return contacts[0].name if contacts else self.plan_.customer.name

    def settle(self, clerk: Any, technician: Any, amount: Decimal, paid: bool) -> None:
        self.wait(10, 60)
        changes: dict[str, Any] = {
            "actual_charge": amount,
            "technician_signature": technician.get_full_name(),
            "supervisor_signature": self.b.director.get_full_name(),
        }
        if paid:
            receiver = (
                technician.get_full_name() if self.plan_.customer.is_person else self.b.users["finance"].get_full_name()
            )
            method = self.pick(("wechat", "alipay", "cash")) if self.plan_.customer.is_person else "bank_transfer"
            self.other("payment", clerk, {"method": method, "receiver": receiver})
            changes.pop("actual_charge")
        self.other("settle", clerk, changes)
        if paid and self.chance(0.85):  # the rest wait in finance's review queue
            self.wait(30, 6 * HOUR)
            self.other("payment_review", self.b.users["finance"], {})
        if self.plan_.service_type == "installation" and self.plan_.device is not None:
            done = timezone.localtime(self.t, self.b.tz).date()
            device_changes: dict[str, Any] = {"installed_on": done}
            if self.plan_.line.acceptance:
                device_changes["accepted_on"] = done
            self.other("device", clerk, device_changes)

    def follow_up(self, agent: Any) -> list[Step]:
        if self.chance(0.05):
            self.wait(8 * DAY, 20 * DAY)  # a missed callback: shows up as overdue
        else:
            self.wait(DAY, 7 * DAY)  # a callback within one week of the service (seed)
        if self.chance(0.9):
            score = self.rng.choice((4, 5, 5, 5))
            self.add("follow_up", agent, satisfaction="satisfied", score=score, note=self.pick(T.SATISFIED_COMMENTS))
        else:
            note = self.pick(T.UNSATISFIED_COMMENTS)
            self.add("follow_up", agent, satisfaction="unsatisfied", score=self.rng.choice((1, 2, 3)), note=note)
        self.wait(10, 2 * DAY)
        self.add("close", agent)
        return self.steps

    def reopen(self, dispatcher: Any, technician: Any, inspector: Any, agent: Any) -> None:
        completed = next(step.at for step in reversed(self.steps) if step.action == "sign_off")
        self.t = max(self.t, completed + timedelta(days=self.rng.randint(5, 25)))
        self.wait(0, HOUR)
        self.add("reopen", self.b.director, reason=self.pick(T.REOPEN_REASONS))
        self.wait(20, 3 * HOUR)
        booked = self.dispatch(dispatcher, [technician], note="返修，优先安排。")
        if booked is None:
            return
        appointment = booked[1]
        self.t = appointment + timedelta(minutes=self.rng.randint(0, 30))
        self.work(technician, inspector, [])
        if self.steps[-1].action == "close_incomplete":
            self.follow_up(agent)
            return
        self.sign_off()
        self.follow_up(agent)


def load_demo(*, scale: float = 1.0, seed: int = 2026, log: Callable[[str], None] = print) -> DemoBuilder:
    """Build all demo data in one transaction (all or nothing) and return the builder (counts, timings).

    The services log every transition at INFO; thousands of simulated ones would bury the output,
    so INFO is silenced while loading.
    """
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        with demo_clock() as clock, transaction.atomic():
            builder = DemoBuilder(clock=clock, scale=scale, seed=seed, log=log)
            builder.build()
    finally:
        logging.disable(previous)
    return builder
