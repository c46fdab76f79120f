"""Demo content of the service network: a record for every demo station, in different lifecycle
states with a back-dated history, the station scorecards of the last three months (their
warnings where the default thresholds are broken; one warning for 滨江 if none arose), and a
support escalation that HQ answered. Idempotent: a second run adds nothing. Called by the demo
loader after the KPIs: ``network.demo.load_demo_network()``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import ProductCategory
from core.choices import UnitKind
from core.models import OrgUnit
from kpis.scorecards import previous_month
from network.models import StationEvent, StationProfile, StationWarning, SupportRequest
from network.scorecards import _months_back, station_scorecards_compute
from network.services import station_create, station_transition, support_answer, support_escalate

#: code -> (the lifecycle actions walked, with their reasons)
PATHS: dict[str, list[tuple[str, str]]] = {
    "HZ-XH": [("start_trial", "资质审核通过，进入三个月试运行"), ("authorise", "试运行期满，考核合格，正式授权")],
    "HZ-BJ": [("start_trial", "资质审核通过"), ("authorise", "试运行合格")],
    "BJ-HD": [("start_trial", "资质审核通过，进入试运行")],
    "BJ-CY": [],
}
DEFAULT_PATH = [("start_trial", "资质审核通过"), ("authorise", "试运行合格，正式授权")]


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def load_demo_network() -> dict[str, int]:
    created = {"station records": 0, "station scorecards": 0, "station warnings": 0, "support requests": 0}
    if StationProfile.objects.exists():
        return created
    director = _user("director")
    if director is None:
        return created
    today = timezone.localdate()
    lines = list(ProductCategory.objects.order_by("pk")[:3])
    for index, unit in enumerate(OrgUnit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("code")):
        station = station_create(
            acting_user=director,
            unit=unit,
            product_lines=lines[: 1 + index % max(1, len(lines))],
            legal_entity=f"{unit.name.removesuffix('特约维修站')}维修服务有限公司",
            licence_number=f"WX-{unit.code}-{2024 + index % 2}",
            licence_expires_on=today + timedelta(days=300 + 30 * index),
            equipment="综合测试仪 1 台\n示波器 1 台\n清分机检测工装 1 套\n服务车 1 辆",
            contact_name="站长",
            contact_phone=unit.phone,
            contract_start=today.replace(month=1, day=1),
            contract_end=today.replace(month=12, day=31),
            contract_terms="三包期内维修按总部工时定额结算；旧件 15 日内返还总部；服务质量按月考核。",
        )
        for action, reason in PATHS.get(unit.code, DEFAULT_PATH):
            station = station_transition(acting_user=director, station=station, action=action, reason=reason)
        # back-date the history: the application a year ago, each step two months later
        events = list(StationEvent.objects.filter(station=station).order_by("id"))
        start = timezone.now() - timedelta(days=365)
        for step, event in enumerate(events):
            StationEvent.objects.filter(pk=event.pk).update(at=start + timedelta(days=60 * step))
        created["station records"] += 1
    last = previous_month(today)
    for back in (2, 1, 0):
        created["station scorecards"] += station_scorecards_compute(month=_months_back(last, back), today=today)[
            "written"
        ]
    binjiang = StationProfile.objects.filter(unit__code="HZ-BJ").first()
    if binjiang is not None and not StationWarning.objects.filter(station=binjiang).exists():
        binjiang.refresh_from_db()
        station_transition(
            acting_user=director, station=binjiang, action="warn", reason="本月两起客户投诉，旧件返还超期，书面警告"
        )
    created["station warnings"] = StationWarning.objects.count()
    qc = _user("qc")
    from workorders.models import WorkOrder

    # 西湖 (HZ-XH) first where it has orders, else another station's latest order
    station_orders = WorkOrder.objects.filter(unit__kind=UnitKind.STATION).order_by("-created_at")
    order = station_orders.filter(unit__code="HZ-XH").first() or station_orders.first()
    if qc is not None and order is not None:
        escalating = (
            get_user_model()
            .objects.filter(is_active=True, profile__unit=order.unit, groups__name="station")
            .order_by("pk")
            .first()
        ) or _user("admin")
        if escalating is not None:
            support = support_escalate(
                acting_user=escalating,
                order=order,
                reason="diagnosis",
                question="更换主板后仍间歇性卡钞，传感器自检正常，请总部指导排查方向。",
            )
            support_answer(
                acting_user=qc,
                request=support,
                answer="请检查走钞通道第二组对射传感器的插头是否氧化，并将固件升级至 V3.2 后重新校准。",
            )
            created["support requests"] = SupportRequest.objects.count()
    return created
