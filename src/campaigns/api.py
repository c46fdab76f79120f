"""Campaigns in the public API v1 (SPEC §14.2): ``POST /campaigns`` → ``{"id","devices"}``,
``GET /campaigns/{id}`` → ``{"id","devices","done",…}``; the preview of a selection's count, the
launch, the join of devices added later, and a device's outcome. Thin: parse, call the services,
serialise."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from campaigns import services
from campaigns.choices import TargetStatus
from campaigns.models import Campaign, CampaignTarget
from campaigns.selectors import (
    campaign_progress,
    campaign_targets_visible_to,
    campaigns_visible_to,
    population_count,
)
from core.api import ERROR_RESPONSES, Date, Id, PageQuery, StrictIn, idempotent_create, local_iso, paginate

router = Router(tags=["campaigns"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/campaigns", router)]


class SelectionIn(StrictIn):
    product_models: list[str] = Field(max_length=200, description="Product model codes")
    firmware_below: str | None = Field(
        default=None, max_length=64, description="Devices whose version is below this one (1.9 < 1.10 < 2.0)"
    )
    serial_from: str | None = Field(default=None, max_length=64)
    serial_to: str | None = Field(default=None, max_length=64)
    unit: Id | None = Field(default=None, description="An org unit id: its devices and those of the units below it")
    region: str | None = Field(default=None, max_length=6, description="Customer's region code prefix (2, 4, 6 digits)")
    installed_from: Date | None = None
    installed_to: Date | None = None


class CampaignIn(SelectionIn):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["upgrade", "recall", "retrofit"]
    due_on: Date
    firmware_to: str | None = Field(default=None, max_length=64, description="The version an upgrade installs")
    description: str | None = Field(default=None, max_length=5000)


class PreviewOut(Schema):
    devices: int


class CampaignCreatedOut(Schema):
    id: int
    code: str
    devices: int


class CampaignOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    status: str
    due_on: str
    firmware_below: str
    firmware_to: str
    product_models: list[str]
    devices: int
    done: int
    failed: int
    unreachable: int
    pending: int
    overdue: int
    orders: int
    launched_at: str | None


class CampaignListOut(Schema):
    items: list[CampaignOut]
    count: int


class LaunchOut(Schema):
    created: int
    campaign: CampaignOut


class JoinOut(Schema):
    joined: int
    campaign: CampaignOut


class TargetOut(Schema):
    id: int
    device: int
    serial_number: str
    product_model: str
    unit: int
    status: str
    work_order: int | None
    work_order_number: str | None
    firmware_before: str
    firmware_after: str
    joined_late: bool
    note: str


class TargetListOut(Schema):
    items: list[TargetOut]
    count: int


class TargetFilters(PageQuery):
    status: Literal["pending", "done", "failed", "unreachable"] | None = None


class OutcomeIn(StrictIn):
    status: Literal["unreachable", "failed", "pending"]
    note: str = Field(default="", max_length=500)


class FirmwareIn(StrictIn):
    firmware_version: str = Field(min_length=1, max_length=64)


def campaign_out(campaign: Campaign, request: HttpRequest) -> dict[str, Any]:
    figures = campaign_progress(campaign=campaign, user=request.user, today=timezone.localdate())
    return {
        "id": campaign.pk,
        "code": campaign.code,
        "name": campaign.name,
        "kind": campaign.kind,
        "status": campaign.status,
        "due_on": campaign.due_on.isoformat(),
        "firmware_below": campaign.firmware_below,
        "firmware_to": campaign.firmware_to,
        "product_models": sorted(m.code for m in campaign.product_models.all()),
        **figures,
        "launched_at": local_iso(campaign.launched_at),
    }


def target_out(target: CampaignTarget) -> dict[str, Any]:
    return {
        "id": target.pk,
        "device": target.device_id,
        "serial_number": target.device.serial_number,
        "product_model": target.device.product_model.code,
        "unit": target.unit_id,
        "status": target.status,
        "work_order": target.work_order_id,
        "work_order_number": target.work_order.number if target.work_order else None,
        "firmware_before": target.firmware_before,
        "firmware_after": target.firmware_after,
        "joined_late": target.joined_late,
        "note": target.note,
    }


def _selection_kwargs(payload: SelectionIn) -> dict[str, Any]:
    return {
        "product_models": payload.product_models,
        "firmware_below": payload.firmware_below or "",
        "serial_from": payload.serial_from or "",
        "serial_to": payload.serial_to or "",
        "unit": payload.unit,
        "region": payload.region or "",
        "installed_from": payload.installed_from,
        "installed_to": payload.installed_to,
    }


@router.post("/preview", response={200: PreviewOut, **ERROR_RESPONSES}, summary="How many devices a selection covers")
def preview(request: HttpRequest, payload: SelectionIn) -> Any:
    from django.core.exceptions import PermissionDenied

    if not request.user.has_perm("campaigns.add_campaign"):
        raise PermissionDenied
    selection = services.selection_clean(user=request.user, **_selection_kwargs(payload))
    return {"devices": population_count(user=request.user, selection=selection)}


@router.post("", response={201: CampaignCreatedOut, **ERROR_RESPONSES}, summary="Create a campaign (Idempotency-Key)")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        campaign = services.campaign_create(
            acting_user=request.user,
            code=payload.code,
            name=payload.name,
            kind=payload.kind,
            due_on=payload.due_on,
            firmware_to=payload.firmware_to or "",
            description=payload.description or "",
            **_selection_kwargs(payload),
        )
        return 201, {"id": campaign.pk, "code": campaign.code, "devices": campaign.targets.count()}

    return idempotent_create(request, "campaigns.campaign", create)


@router.get("", response={200: CampaignListOut, **ERROR_RESPONSES}, summary="Campaigns (scoped)")
def list_campaigns(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    campaigns = campaigns_visible_to(request.user).prefetch_related("product_models").order_by("-id")
    return paginate(
        campaigns, page=filters.page, page_size=filters.page_size, serialize=lambda c: campaign_out(c, request)
    )


@router.get("/{campaign_id}", response={200: CampaignOut, **ERROR_RESPONSES}, summary="A campaign and its progress")
def get_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    return campaign_out(campaigns_visible_to(request.user).get(pk=campaign_id), request)


@router.post("/{campaign_id}/launch", response={200: LaunchOut, **ERROR_RESPONSES}, summary="One order per device")
def launch(request: HttpRequest, campaign_id: Id) -> Any:
    campaign = campaigns_visible_to(request.user).get(pk=campaign_id)
    created = services.campaign_launch(campaign=campaign, acting_user=request.user)
    campaign.refresh_from_db()
    return {"created": created, "campaign": campaign_out(campaign, request)}


@router.post("/{campaign_id}/join", response={200: JoinOut, **ERROR_RESPONSES}, summary="Join devices added later")
def join(request: HttpRequest, campaign_id: Id) -> Any:
    campaign = campaigns_visible_to(request.user).get(pk=campaign_id)
    joined = services.campaign_join_new(campaign=campaign, acting_user=request.user)
    return {"joined": joined, "campaign": campaign_out(campaign, request)}


@router.get("/{campaign_id}/devices", response={200: TargetListOut, **ERROR_RESPONSES}, summary="A campaign's devices")
def list_targets(request: HttpRequest, campaign_id: Id, filters: Query[TargetFilters]) -> Any:
    campaign = campaigns_visible_to(request.user).get(pk=campaign_id)
    targets = campaign_targets_visible_to(request.user).filter(campaign=campaign).order_by("pk")
    if filters.status:
        targets = targets.filter(status=TargetStatus(filters.status))
    return paginate(targets, page=filters.page, page_size=filters.page_size, serialize=target_out)


def _target(request: HttpRequest, campaign_id: int, target_id: int) -> CampaignTarget:
    return campaign_targets_visible_to(request.user).get(pk=target_id, campaign_id=campaign_id)


@router.post(
    "/{campaign_id}/devices/{target_id}/outcome",
    response={200: TargetOut, **ERROR_RESPONSES},
    summary="Record a device unreachable or failed (or pending again)",
)
def record_outcome(request: HttpRequest, campaign_id: Id, target_id: Id, payload: OutcomeIn) -> Any:
    target = services.campaign_target_mark(
        target=_target(request, campaign_id, target_id),
        acting_user=request.user,
        status=payload.status,
        note=payload.note,
    )
    return target_out(_target(request, campaign_id, target.pk))


@router.post(
    "/{campaign_id}/devices/{target_id}/firmware",
    response={200: TargetOut, **ERROR_RESPONSES},
    summary="The version installed (written to the device when the order completes)",
)
def record_firmware(request: HttpRequest, campaign_id: Id, target_id: Id, payload: FirmwareIn) -> Any:
    target = services.campaign_target_record_firmware(
        target=_target(request, campaign_id, target_id),
        acting_user=request.user,
        firmware_version=payload.firmware_version,
    )
    return target_out(_target(request, campaign_id, target.pk))
