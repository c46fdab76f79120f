"""Demo content of campaigns: the software upgrade every cash sorter needs within 30 days of a new
banknote series (seed 004), launched, with one device done remotely (its firmware written on
completion) and one unreachable; and a GPS-terminal recall still in draft, to preview and launch.
Idempotent: a campaign whose code exists is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.choices import TargetStatus
from campaigns.models import Campaign, CampaignTarget
from campaigns.selectors import population_count
from campaigns.services import campaign_create, campaign_launch, campaign_target_mark, selection_clean
from catalog.models import ProductModel
from workorders.services import workorder_transition

SORTERS = ["JL-2000", "DC-618"]
GPS = ["GT-800"]


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).select_related("profile").first()


def load_demo_campaigns() -> dict[str, int]:
    created = {"campaigns": 0, "campaign orders": 0}
    director, agent, technician = _user("director"), _user("agent"), _user("technician")
    today = timezone.localdate()
    upgrade_code = f"UPG-{today:%Y}-RMB"
    if not Campaign.objects.filter(code=upgrade_code).exists() and _covers(SORTERS, "3.5"):
        upgrade = campaign_create(
            acting_user=director,
            code=upgrade_code,
            name="新版人民币发行：清分机/点验钞机软件升级",
            kind="upgrade",
            product_models=SORTERS,
            firmware_below="3.5",
            firmware_to="V3.5.0",
            due_on=today + timedelta(days=30),
            description="新版人民币发行后 30 天内完成升级（合同约定）；升级后用新版样币做鉴伪测试并记录版本号。",
        )
        created["campaigns"] += 1
        created["campaign orders"] += campaign_launch(campaign=upgrade, acting_user=director)
        targets = list(CampaignTarget.objects.filter(campaign=upgrade).select_related("work_order").order_by("pk"))
        if targets and agent is not None and technician is not None:
            order = targets[0].work_order
            if order is not None:
                order = workorder_transition(
                    order=order, action="accept", acting_user=agent, data={"charge_type": "free"}
                )
                order = workorder_transition(order=order, action="start", acting_user=technician)
                workorder_transition(
                    order=order,
                    action="resolve_remotely",
                    acting_user=technician,
                    data={"note": "远程推送 V3.5.0 升级包，重启后新版样币鉴伪测试通过。"},
                )
        if len(targets) > 1:
            campaign_target_mark(
                target=targets[1],
                acting_user=director,
                status=TargetStatus.UNREACHABLE,
                note="网点装修停业，设备已断电封存，联系人电话无人接听。",
            )
    recall_code = f"RC-{today:%Y}-GT800"
    if not Campaign.objects.filter(code=recall_code).exists() and _covers(GPS, ""):
        campaign_create(
            acting_user=director,
            code=recall_code,
            name="GT-800 终端电池批次召回检查",
            kind="recall",
            product_models=GPS,
            due_on=today + timedelta(days=60),
            description="检查电池批次号，批次 B2405 的电池免费更换。",
        )
        created["campaigns"] += 1
    return created


def _covers(codes: list[str], firmware_below: str) -> bool:
    """The selection reaches a device of the demo (at a small scale some lines have none)."""
    if not ProductModel.objects.filter(code__in=codes).exists():
        return False
    selection = selection_clean(user=None, product_models=codes, firmware_below=firmware_below)
    return population_count(user=None, selection=selection) > 0
