"""Reads of campaigns: the population of a selection (one SQL count or query, ADR 0022), the
scoped campaigns and their devices, and the progress board (SQL aggregates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaigns.choices import TargetStatus
from campaigns.models import Campaign, CampaignTarget
from campaigns.versions import VersionBelow
from core.scoping import ALL_UNITS, scope_by_unit, unit_ids_visible_to, unit_subtree_ids
from devices.models import Device
from devices.selectors import devices_visible_to


@dataclass(frozen=True)
class Selection:
    """Which devices a campaign covers, already checked (``campaigns.services.selection_clean``)."""

    product_model_ids: tuple[int, ...]
    firmware_below: tuple[int, ...] | None = None
    serial_from: str = ""
    serial_to: str = ""
    unit_id: int | None = None
    region: str = ""
    installed_from: date | None = None
    installed_to: date | None = None
    exclude_campaign_id: int | None = field(default=None, compare=False)


def selection_of(campaign: Campaign) -> Selection:
    return Selection(
        product_model_ids=tuple(campaign.product_models.values_list("pk", flat=True)),
        firmware_below=tuple(campaign.firmware_below_parts) if campaign.firmware_below_parts else None,
        serial_from=campaign.serial_from,
        serial_to=campaign.serial_to,
        unit_id=campaign.unit_id,
        region=campaign.region,
        installed_from=campaign.installed_from,
        installed_to=campaign.installed_to,
    )


def population(*, user: Any | None, selection: Selection) -> QuerySet[Device]:
    """The active devices the selection covers among those ``user`` may see (every device for the
    system, ``user=None``): one SQL query, the version comparison included."""
    devices = devices_visible_to(user) if user is not None else Device.objects.all()
    devices = devices.filter(is_active=True, product_model_id__in=selection.product_model_ids)
    if selection.firmware_below is not None:
        devices = devices.filter(VersionBelow("firmware_version", selection.firmware_below))
    if selection.serial_from:
        devices = devices.filter(serial_number__gte=selection.serial_from)
    if selection.serial_to:
        devices = devices.filter(serial_number__lte=selection.serial_to)
    if selection.unit_id is not None:
        devices = devices.filter(unit_id__in=unit_subtree_ids(selection.unit_id))
    if selection.region:
        devices = devices.filter(customer__adcode__startswith=selection.region)
    if selection.installed_from is not None:
        devices = devices.filter(installed_on__gte=selection.installed_from)
    if selection.installed_to is not None:
        devices = devices.filter(installed_on__lte=selection.installed_to)
    if selection.exclude_campaign_id is not None:
        devices = devices.exclude(
            Exists(CampaignTarget.objects.filter(campaign_id=selection.exclude_campaign_id, device_id=OuterRef("pk")))
        )
    return devices


def selection_excluding_members(campaign: Campaign) -> Selection:
    """The campaign's selection without the devices already in it (who would join now)."""
    selection = selection_of(campaign)
    return Selection(**{**selection.__dict__, "exclude_campaign_id": campaign.pk})


def population_count(*, user: Any | None, selection: Selection) -> int:
    """The preview: how many devices a launch would reach (``SELECT count(*)``)."""
    return population(user=user, selection=selection).order_by().count()


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """The one scoping rule for campaigns: those run by a unit the user sees, and those with a
    device in the user's area (a station sees HQ's upgrade for the devices it serves)."""
    if not user.has_perm("campaigns.view_campaign"):
        return Campaign.objects.none()
    ids = unit_ids_visible_to(user)
    campaigns = Campaign.objects.select_related("owner_unit", "unit")
    if ids is ALL_UNITS:
        return campaigns
    mine = CampaignTarget.objects.filter(campaign_id=OuterRef("pk"), unit_id__in=ids)
    return campaigns.filter(Q(owner_unit_id__in=ids) | Exists(mine))


def campaign_targets_visible_to(user: Any) -> QuerySet[CampaignTarget]:
    """The one scoping rule for a campaign's devices: the unit serving the device."""
    return scope_by_unit(
        CampaignTarget.objects.select_related("device", "device__product_model", "device__customer", "work_order"),
        user,
        field="unit",
        permission="campaigns.view_campaign",
    )


def campaign_progress(*, campaign: Campaign, user: Any, today: date) -> dict[str, int]:
    """The board's figures over the devices the user sees, in one aggregate: devices, done, failed,
    unreachable, pending, overdue (still pending after ``due_on``), orders created."""
    targets = campaign_targets_visible_to(user).filter(campaign=campaign).order_by()
    overdue = Q(status=TargetStatus.PENDING) if today > campaign.due_on else Q(pk__in=[])
    figures = targets.aggregate(
        devices=Count("pk"),
        done=Count("pk", filter=Q(status=TargetStatus.DONE)),
        failed=Count("pk", filter=Q(status=TargetStatus.FAILED)),
        unreachable=Count("pk", filter=Q(status=TargetStatus.UNREACHABLE)),
        pending=Count("pk", filter=Q(status=TargetStatus.PENDING)),
        overdue=Count("pk", filter=overdue),
        orders=Count("work_order"),
    )
    return {key: int(value or 0) for key, value in figures.items()}


def campaigns_progress(*, campaigns: list[Campaign], user: Any, today: date) -> dict[int, dict[str, int]]:
    """The list page's figures for several campaigns in one grouped aggregate (no query per row)."""
    rows = (
        campaign_targets_visible_to(user)
        .filter(campaign__in=[c.pk for c in campaigns])
        .order_by()
        .values("campaign_id")
        .annotate(
            devices=Count("pk"),
            done=Count("pk", filter=Q(status=TargetStatus.DONE)),
            pending=Count("pk", filter=Q(status=TargetStatus.PENDING)),
        )
    )
    found: dict[int, dict[str, Any]] = {row["campaign_id"]: dict(row) for row in rows}
    figures = {}
    for campaign in campaigns:
        row = found.get(campaign.pk, {})
        pending = int(row.get("pending", 0))
        figures[campaign.pk] = {
            "devices": int(row.get("devices", 0)),
            "done": int(row.get("done", 0)),
            "pending": pending,
            "overdue": pending if today > campaign.due_on else 0,
        }
    return figures


def campaign_progress_by_unit(*, campaign: Campaign, user: Any) -> list[dict[str, Any]]:
    """The board's rows: the same figures per serving unit."""
    rows = (
        campaign_targets_visible_to(user)
        .filter(campaign=campaign)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(
            devices=Count("pk"),
            done=Count("pk", filter=Q(status=TargetStatus.DONE)),
            failed=Count("pk", filter=Q(status=TargetStatus.FAILED)),
            unreachable=Count("pk", filter=Q(status=TargetStatus.UNREACHABLE)),
            pending=Count("pk", filter=Q(status=TargetStatus.PENDING)),
        )
        .order_by("unit__name")
    )
    return [dict(row) for row in rows]


def campaigns_of_device(*, device: Device, user: Any) -> QuerySet[CampaignTarget]:
    return campaign_targets_visible_to(user).filter(device=device).select_related("campaign")
