"""The sla part of the public API v1: service levels, and an order's clocks. Thin."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    LAX,
    DateTimeText,
    DecimalText,
    Hours,
    IdCodeName,
    PageQuery,
    StrictIn,
    idempotent_create,
    local_iso,
    paginate,
)
from core.models import OrgUnit
from sla import services
from sla.choices import ResolutionFrom, SlaStatus
from sla.models import OrderServiceLevel, ServiceLevel
from sla.panels import duration_text
from sla.selectors import order_sla_for, service_levels_visible_to, time_left
from workcalendar.models import WorkCalendar
from workorders.selectors import workorders_visible_to

router = Router(tags=["sla"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/service-levels", router)]

ERRORS: dict[int, Any] = ERROR_RESPONSES
MAX_ID = 2**63 - 1


class LevelIn(StrictIn):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    calendar: str = Field(max_length=32, description="Work calendar code, e.g. 24x7 or standard")
    description: str = ""
    rank: int = Field(100, ge=0, le=32767)
    service_types: list[str] = Field(default_factory=list, max_length=20)
    urgencies: list[str] = Field(default_factory=list, max_length=5)
    priorities: list[int] = Field(default_factory=list, max_length=5)
    customer_tags: list[str] = Field(default_factory=list, max_length=20)
    region_prefixes: list[str] = Field(default_factory=list, max_length=50)
    units: list[str] = Field(default_factory=list, max_length=50, description="Unit codes")
    response_hours: Hours | None = None
    arrival_hours: Hours | None = None
    resolution_hours: Hours | None = None
    resolution_from: Annotated[ResolutionFrom, LAX] = ResolutionFrom.REQUEST
    at_risk_percent: int = Field(80, ge=1, le=99)
    backup_unit_on_miss: bool = False


class LevelPatch(StrictIn):
    version: int
    name: str | None = Field(default=None, max_length=100)
    calendar: str | None = Field(default=None, max_length=32)
    description: str | None = None
    is_active: bool | None = None
    rank: int | None = Field(default=None, ge=0, le=32767)
    service_types: list[str] | None = Field(default=None, max_length=20)
    urgencies: list[str] | None = Field(default=None, max_length=5)
    priorities: list[int] | None = Field(default=None, max_length=5)
    customer_tags: list[str] | None = Field(default=None, max_length=20)
    region_prefixes: list[str] | None = Field(default=None, max_length=50)
    units: list[str] | None = Field(default=None, max_length=50)
    response_hours: Hours | None = None
    arrival_hours: Hours | None = None
    resolution_hours: Hours | None = None
    resolution_from: Annotated[ResolutionFrom, LAX] | None = None
    at_risk_percent: int | None = Field(default=None, ge=1, le=99)
    backup_unit_on_miss: bool | None = None


class LevelFilters(PageQuery):
    active: bool | None = None


class ConditionsOut(Schema):
    """What an order must match for the level to apply; an empty list matches anything."""

    service_types: list[str]
    urgencies: list[str]
    priorities: list[int]
    customer_tags: list[str]
    region_prefixes: list[str]
    units: list[str] = Field(description="Unit codes")


class TargetsOut(Schema):
    """Business hours allowed for each target; null: no such target."""

    response_hours: DecimalText | None
    arrival_hours: DecimalText | None
    resolution_hours: DecimalText | None


class LevelOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool
    rank: int
    conditions: ConditionsOut
    calendar: str = Field(description="Work calendar code")
    targets: TargetsOut
    resolution_from: str
    at_risk_percent: int
    backup_unit_on_miss: bool
    version: int


class LevelListOut(Schema):
    items: list[LevelOut]
    count: int


class TargetClockOut(Schema):
    deadline: DateTimeText
    met_at: DateTimeText | None
    state: str = Field(description="on_track, at_risk, breached or met")
    business_seconds_left: int | None = Field(description="Negative when overdue")
    left: str = Field(description="Business time left in words (negative: overdue)")


class LevelReasonOut(Schema):
    rule: str
    message: str


class OrderSlaOut(Schema):
    order: int
    level: IdCodeName
    calendar: str
    status: str
    targets: dict[str, TargetClockOut] = Field(
        description="Per target with a deadline: `response`, `arrival`, `resolution` (absent without one)."
    )
    paused_since: DateTimeText | None
    paused_business_seconds: int
    next_deadline: DateTimeText | None
    reasons: list[LevelReasonOut] = Field(description="Why this level applies (each condition that matched).")
    computed_at: DateTimeText | None


def _hours(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def level_out(level: ServiceLevel) -> dict[str, Any]:
    return {
        "id": level.pk,
        "code": level.code,
        "name": level.name,
        "description": level.description,
        "is_active": level.is_active,
        "rank": level.rank,
        "conditions": {
            "service_types": level.service_types,
            "urgencies": level.urgencies,
            "priorities": level.priorities,
            "customer_tags": level.customer_tags,
            "region_prefixes": level.region_prefixes,
            "units": [unit.code for unit in level.units.all()],
        },
        "calendar": level.calendar.code,
        "targets": {
            "response_hours": _hours(level.response_hours),
            "arrival_hours": _hours(level.arrival_hours),
            "resolution_hours": _hours(level.resolution_hours),
        },
        "resolution_from": level.resolution_from,
        "at_risk_percent": level.at_risk_percent,
        "backup_unit_on_miss": level.backup_unit_on_miss,
        "version": level.version,
    }


def order_sla_out(row: OrderServiceLevel) -> dict[str, Any]:
    now = timezone.now()
    targets = {}
    for name in ("response", "arrival", "resolution"):
        deadline = row.due(name)
        if deadline is None:
            continue
        left = time_left(row, name, now)
        targets[name] = {
            "deadline": local_iso(deadline),  # type: ignore[arg-type]
            "met_at": local_iso(getattr(row, f"{name}_met_at")),
            "state": (row.target_states or {}).get(name, SlaStatus.ON_TRACK),
            "business_seconds_left": None if left is None else int(left.total_seconds()),
            "left": duration_text(left),
        }
    return {
        "order": row.order_id,
        "level": {"id": row.level_id, "code": row.level.code, "name": row.level.name},
        "calendar": row.calendar_code,
        "status": row.status,
        "targets": targets,
        "paused_since": local_iso(row.paused_since),
        "paused_business_seconds": row.paused_seconds,
        "next_deadline": local_iso(row.nearest_deadline),
        "reasons": row.reasons,
        "computed_at": local_iso(row.computed_at),
    }


def _calendar(code: str) -> WorkCalendar:
    calendar = WorkCalendar.objects.filter(code=code, is_active=True).first()
    if calendar is None:
        raise ValidationError({"calendar": _("Unknown work calendar.")})
    return calendar


def _units(codes: list[str]) -> list[OrgUnit]:
    units = list(OrgUnit.objects.filter(code__in=codes))
    if len(units) != len(set(codes)):
        raise ValidationError({"units": _("Unknown unit.")})
    return units


def _get_level(request: HttpRequest, level_id: int) -> ServiceLevel:
    level = service_levels_visible_to(request.user).filter(pk=level_id).first() if 1 <= level_id <= MAX_ID else None
    if level is None:
        raise Http404
    return level


@router.get("", response={200: LevelListOut, **ERRORS}, summary="List service levels (lowest rank first)")
def list_levels(request: HttpRequest, filters: Query[LevelFilters]) -> Any:
    if not request.user.has_perm("sla.view_servicelevel"):
        raise PermissionDenied(_("You may not view service levels."))
    levels = service_levels_visible_to(request.user).order_by("rank", "code")
    if filters.active is not None:
        levels = levels.filter(is_active=filters.active)
    return paginate(levels, page=filters.page, page_size=filters.page_size, serialize=level_out)


@router.post("", response={201: LevelOut, **ERRORS}, summary="Create a service level (Idempotency-Key honoured)")
def create_level(request: HttpRequest, payload: LevelIn) -> Any:
    if not request.user.has_perm("sla.add_servicelevel"):
        raise PermissionDenied(_("You may not configure service levels."))

    def create() -> tuple[int, dict[str, Any]]:
        data = payload.dict()
        level = services.service_level_create(
            acting_user=request.user,
            code=data.pop("code"),
            name=data.pop("name"),
            calendar=_calendar(data.pop("calendar")),
            units=_units(data.pop("units")),
            **{**data, "resolution_from": str(payload.resolution_from.value)},
        )
        return 201, level_out(_get_level(request, level.pk))

    return idempotent_create(request, "service-levels", create)


@router.get(
    "/orders/{order_id}", response={200: OrderSlaOut, **ERRORS}, summary="An order's deadlines, time left and status"
)
def order_sla(request: HttpRequest, order_id: int) -> Any:
    row = order_sla_for(request.user, order_id) if 1 <= order_id <= MAX_ID else None
    if row is None:
        raise Http404
    return order_sla_out(row)


@router.post(
    "/orders/{order_id}/recompute",
    response={200: OrderSlaOut, **ERRORS},
    summary="Pick the order's level again and recompute its clocks from the history",
)
def recompute_order_sla(request: HttpRequest, order_id: int) -> Any:
    if not request.user.has_perm("sla.change_servicelevel"):
        raise PermissionDenied(_("You may not recompute deadlines."))
    order = workorders_visible_to(request.user).filter(pk=order_id).first() if 1 <= order_id <= MAX_ID else None
    if order is None:
        raise Http404
    row = services.order_sla_recompute(order=order, rematch=True)
    if row is None:
        raise ValidationError({"order": _("No active service level applies to this order.")})
    return order_sla_out(order_sla_for(request.user, order_id) or row)


@router.get("/{level_id}", response={200: LevelOut, **ERRORS}, summary="One service level")
def get_level(request: HttpRequest, level_id: int) -> Any:
    return level_out(_get_level(request, level_id))


@router.patch(
    "/{level_id}", response={200: LevelOut, **ERRORS}, summary="Edit a service level (optimistic concurrency)"
)
def update_level(request: HttpRequest, level_id: int, payload: LevelPatch) -> Any:
    level = _get_level(request, level_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "calendar" in changes:
        changes["calendar"] = _calendar(changes["calendar"] or "")
    if "units" in changes:
        changes["units"] = _units(changes["units"] or [])
    if changes.get("resolution_from") is not None:
        changes["resolution_from"] = str(payload.resolution_from.value)  # type: ignore[union-attr]
    for name in ("description", "service_types", "urgencies", "priorities", "customer_tags", "region_prefixes"):
        if name in changes and changes[name] is None:
            changes[name] = "" if name == "description" else []
    level = services.service_level_update(
        level=level, acting_user=request.user, changes=changes, expected_version=version
    )
    return level_out(_get_level(request, level.pk))
