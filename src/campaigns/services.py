"""Writes of campaigns: create (the selection checked and its devices resolved), launch (one work
order per device through the work-order services), join devices added later, record a device's
outcome or its new firmware, and react to the orders' ends (``campaign_order_event``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import SERVICE_TYPE_OF_KIND, CampaignKind, CampaignStatus, TargetStatus
from campaigns.models import Campaign, CampaignTarget
from campaigns.selectors import Selection, population, selection_excluding_members
from campaigns.versions import version_parse_bound
from catalog.models import ProductModel
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from core.services import save_versioned
from devices.services import device_update
from workorders.choices import Channel
from workorders.models import WorkOrder
from workorders.services import workorder_create

#: Targets written per INSERT when a campaign's devices are resolved.
TARGET_BATCH = 2000


def selection_clean(
    *,
    user: Any,
    product_models: list[str],
    firmware_below: str = "",
    serial_from: str = "",
    serial_to: str = "",
    unit: int | None = None,
    region: str = "",
    installed_from: date | None = None,
    installed_to: date | None = None,
) -> Selection:
    """The selection as the population query takes it, or ``ValidationError`` naming each field
    that is wrong: an unknown model code, an unparseable version, a reversed range, a unit the
    user does not see (nothing is saved)."""
    errors: dict[str, str] = {}
    codes = sorted({str(code).strip() for code in product_models or [] if str(code).strip()})
    model_ids: list[int] = []
    if not codes:
        errors["product_models"] = _("Name at least one product model.")
    else:
        found = dict(ProductModel.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            errors["product_models"] = _("Unknown product model: %(codes)s.") % {"codes": ", ".join(unknown)}
        model_ids = sorted(found.values())
    bound: tuple[int, ...] | None = None
    if (firmware_below or "").strip():
        try:
            bound = version_parse_bound(firmware_below)
        except ValueError as error:
            errors["firmware_below"] = str(error)
    serial_from, serial_to = (serial_from or "").strip(), (serial_to or "").strip()
    if serial_from and serial_to and serial_from > serial_to:
        errors["serial_to"] = _("The last serial number comes before the first.")
    if unit is not None:
        visible = unit_ids_visible_to(user) if user is not None else None
        if not OrgUnit.objects.filter(pk=unit).exists() or (visible is not None and unit not in visible):
            errors["unit"] = _("Unknown unit.")
    region = (region or "").strip()
    if region and (not region.isdigit() or len(region) not in (2, 4, 6)):
        errors["region"] = _("A region code has 2, 4 or 6 digits (province, city, district).")
    if installed_from and installed_to and installed_to < installed_from:
        errors["installed_to"] = _("The end of the installation range comes before its start.")
    if errors:
        raise ValidationError(errors)
    return Selection(
        product_model_ids=tuple(model_ids),
        firmware_below=bound,
        serial_from=serial_from,
        serial_to=serial_to,
        unit_id=unit,
        region=region,
        installed_from=installed_from,
        installed_to=installed_to,
    )


def _owner_unit(user: Any) -> OrgUnit:
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is not None:
        return profile.unit
    unit = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
    if unit is None:
        raise ValidationError({"unit": _("Set up the organisation first.")})
    return unit


def _add_targets(campaign: Campaign, *, user: Any | None, selection: Selection, late: bool) -> int:
    """Write a target for each device of the population not yet in the campaign (in batches;
    a device already there is skipped by the unique constraint, not by a check)."""
    rows = population(user=user, selection=selection).order_by("pk").values_list("pk", "unit_id", "firmware_version")
    written = 0
    batch: list[CampaignTarget] = []
    for device_id, unit_id, firmware in rows.iterator(chunk_size=TARGET_BATCH):
        batch.append(
            CampaignTarget(
                campaign=campaign, device_id=device_id, unit_id=unit_id, firmware_before=firmware, joined_late=late
            )
        )
        if len(batch) >= TARGET_BATCH:
            written += len(CampaignTarget.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        written += len(CampaignTarget.objects.bulk_create(batch, ignore_conflicts=True))
    return written


@transaction.atomic
def campaign_create(
    *,
    acting_user: Any | None,
    code: str,
    name: str,
    kind: str,
    product_models: list[str],
    due_on: date,
    firmware_below: str = "",
    firmware_to: str = "",
    serial_from: str = "",
    serial_to: str = "",
    unit: int | None = None,
    region: str = "",
    installed_from: date | None = None,
    installed_to: date | None = None,
    description: str = "",
) -> Campaign:
    """A campaign with its devices resolved (draft: no order yet). Refused, with nothing saved,
    for a duplicate code, a bad selection or one that covers no device."""
    if acting_user is not None and not acting_user.has_perm("campaigns.add_campaign"):
        raise PermissionDenied(_("You may not create campaigns."))
    code = (code or "").strip()
    if kind not in CampaignKind.values:
        raise ValidationError({"kind": _("Unknown campaign kind.")})
    if code and Campaign.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A campaign with this code already exists.")})
    selection = selection_clean(
        user=acting_user,
        product_models=product_models,
        firmware_below=firmware_below,
        serial_from=serial_from,
        serial_to=serial_to,
        unit=unit,
        region=region,
        installed_from=installed_from,
        installed_to=installed_to,
    )
    campaign = Campaign(
        code=code,
        name=(name or "").strip(),
        kind=kind,
        description=(description or "").strip(),
        due_on=due_on,
        firmware_below=(firmware_below or "").strip(),
        firmware_below_parts=list(selection.firmware_below or []),
        firmware_to=(firmware_to or "").strip(),
        serial_from=selection.serial_from,
        serial_to=selection.serial_to,
        unit_id=selection.unit_id,
        region=selection.region,
        installed_from=selection.installed_from,
        installed_to=selection.installed_to,
        owner_unit=_owner_unit(acting_user),
        created_by=acting_user,
    )
    campaign.full_clean(exclude=["owner_unit", "unit", "created_by", "launched_by"])
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise ValidationError({"code": _("A campaign with this code already exists.")}) from None
    campaign.product_models.set(selection.product_model_ids)
    if not _add_targets(campaign, user=acting_user, selection=selection, late=False):
        raise ValidationError({"product_models": _("No active device matches this selection.")})
    return campaign


def _order_description(campaign: Campaign, target: CampaignTarget) -> str:
    parts = [f"【{campaign.get_kind_display()}】{campaign.code} {campaign.name}"]
    if campaign.firmware_to:
        parts.append(_("Install version %(version)s.") % {"version": campaign.firmware_to})
    if target.firmware_before:
        parts.append(_("Installed now: %(version)s.") % {"version": target.firmware_before})
    parts.append(_("Due on %(date)s.") % {"date": campaign.due_on.isoformat()})
    if campaign.description:
        parts.append(campaign.description)
    return " ".join(parts)


def _create_orders(campaign: Campaign) -> int:
    """One work order for each of the campaign's devices without one, routed (by the work-order
    service) to the unit serving the device's customer. The campaign row is locked by the caller,
    and the target's order is a one-to-one column: a device never gets two."""
    service_type = SERVICE_TYPE_OF_KIND[campaign.kind]
    created = 0
    targets = (
        CampaignTarget.objects.filter(campaign=campaign, work_order__isnull=True, status=TargetStatus.PENDING)
        .select_related("device__customer", "device__product_model")
        .order_by("pk")
    )
    for target in targets.iterator(chunk_size=500):
        device = target.device
        order = workorder_create(
            acting_user=None,
            customer=device.customer,
            device=device,
            service_type=service_type,
            channel=Channel.WEB,
            description=_order_description(campaign, target),
        )
        CampaignTarget.objects.filter(pk=target.pk, work_order__isnull=True).update(
            work_order=order, unit=order.unit_id, updated_at=timezone.now()
        )
        created += 1
    return created


def _check_may_launch(acting_user: Any | None) -> None:
    if acting_user is not None and not acting_user.has_perm("campaigns.launch_campaign"):
        raise PermissionDenied(_("You may not launch campaigns."))


@transaction.atomic
def campaign_launch(*, campaign: Campaign, acting_user: Any | None) -> int:
    """Launch: a work order for every device of the campaign that has none yet. Returns how many
    were created (0 on a second launch: safe to repeat)."""
    _check_may_launch(acting_user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"status": _("The campaign is closed.")})
    if campaign.status == CampaignStatus.DRAFT:
        campaign.status, campaign.launched_at, campaign.launched_by = (
            CampaignStatus.LAUNCHED,
            timezone.now(),
            acting_user,
        )
        save_versioned(campaign, ["status", "launched_at", "launched_by"])
    return _create_orders(campaign)


@transaction.atomic
def campaign_join_new(*, campaign: Campaign, acting_user: Any | None) -> int:
    """Devices added (or upgraded out of range, or moved) since the campaign was made that match
    its selection now join it; once launched, they get their orders at once. Returns how many."""
    _check_may_launch(acting_user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"status": _("The campaign is closed.")})
    selection = selection_excluding_members(campaign)
    launched = campaign.status == CampaignStatus.LAUNCHED
    joined = _add_targets(campaign, user=acting_user, selection=selection, late=launched)
    if launched and joined:
        _create_orders(campaign)
    return joined


@transaction.atomic
def campaign_close(*, campaign: Campaign, acting_user: Any | None) -> Campaign:
    _check_may_launch(acting_user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.CLOSED:
        campaign.status = CampaignStatus.CLOSED
        save_versioned(campaign, ["status"])
    return campaign


@transaction.atomic
def campaign_target_mark(*, target: CampaignTarget, acting_user: Any | None, status: str, note: str) -> CampaignTarget:
    """Record by hand that a device could not be reached (offline, moved away, the customer does
    not answer) or failed, with the reason; or put it back to pending."""
    if acting_user is not None and not acting_user.has_perm("campaigns.record_campaigntarget"):
        raise PermissionDenied(_("You may not record campaign outcomes."))
    if status not in {TargetStatus.UNREACHABLE, TargetStatus.FAILED, TargetStatus.PENDING}:
        raise ValidationError({"status": _("Choose unreachable, failed or pending.")})
    note = (note or "").strip()
    if status != TargetStatus.PENDING and not note:
        raise ValidationError({"note": _("Give the reason.")})
    target = CampaignTarget.objects.select_for_update().get(pk=target.pk)
    if target.status == TargetStatus.DONE:
        raise ValidationError({"status": _("This device is already done.")})
    target.status, target.note = status, note[:500]
    target.finished_at = timezone.now() if status != TargetStatus.PENDING else None
    target.save(update_fields=["status", "note", "finished_at", "updated_at"])
    return target


@transaction.atomic
def campaign_target_record_firmware(
    *, target: CampaignTarget, acting_user: Any | None, firmware_version: str
) -> CampaignTarget:
    """The version the technician installed (read from the device's menu), kept until the order
    completes; a target already done writes it to the device at once."""
    if acting_user is not None and not acting_user.has_perm("campaigns.record_campaigntarget"):
        raise PermissionDenied(_("You may not record campaign outcomes."))
    version = (firmware_version or "").strip()
    if not version:
        raise ValidationError({"firmware_version": _("This field is required.")})
    if len(version) > 64:
        raise ValidationError({"firmware_version": _("At most 64 characters.")})
    target = CampaignTarget.objects.select_for_update().select_related("device").get(pk=target.pk)
    target.firmware_after = version
    target.save(update_fields=["firmware_after", "updated_at"])
    if target.status == TargetStatus.DONE:
        _write_device_firmware(target, version)
    return target


def _write_device_firmware(target: CampaignTarget, version: str) -> None:
    if version and target.device.firmware_version != version:
        device_update(device=target.device, acting_user=None, changes={"firmware_version": version})


#: Order events that end a campaign device's work, and what they mean for it.
DONE_KINDS = frozenset({"sign_off", "resolve_remotely"})
FAILED_KINDS = frozenset({"close_incomplete", "cancel", "reject"})
REOPEN_KINDS = frozenset({"reopen"})
ORDER_EVENT_KINDS = DONE_KINDS | FAILED_KINDS | REOPEN_KINDS


def campaign_order_event(order: WorkOrder, event: Any) -> None:
    """Event hook ``campaigns.progress`` (ADR 0016): an order of a campaign ended — done, failed —
    or was reopened. Completing an upgrade writes the new firmware to the device (the version the
    technician recorded, else the campaign's target version) through the devices service."""
    target = (
        CampaignTarget.objects.select_for_update()
        .select_related("campaign", "device")
        .filter(work_order_id=order.pk)
        .first()
    )
    if target is None:
        return
    kind = event.kind
    now = timezone.now()
    if kind in DONE_KINDS:
        target.status, target.finished_at = TargetStatus.DONE, now
        if target.campaign.kind == CampaignKind.UPGRADE:
            target.firmware_after = target.firmware_after or target.campaign.firmware_to
            _write_device_firmware(target, target.firmware_after)
    elif kind in FAILED_KINDS:
        target.status, target.finished_at = TargetStatus.FAILED, now
        target.note = (getattr(event, "note", "") or "")[:500]
    elif kind in REOPEN_KINDS:
        target.status, target.finished_at = TargetStatus.PENDING, None
    else:
        return
    target.save(update_fields=["status", "finished_at", "firmware_after", "note", "updated_at"])
