"""Demo content of training: an initial training at a cash sorter's installation with the
attendees' signatures, a training during use under an annual maintenance contract that promises
two a year (so the next one shows as due), and a centralised training of station staff (seed 000
5.2.3). Idempotent: it stops where the demo already has training records."""

from __future__ import annotations

import base64
import io
import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.choices import UnitKind
from core.models import OrgUnit
from devices.models import Device
from policies.models import Contract
from training.models import TrainingRecord
from training.services import training_commitment_set, training_record_create, training_signature_capture


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).select_related("profile").first()


def _signature_png(seed: int) -> str:
    """A handwriting-like stroke, the same for the same seed (what the pad would send)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGBA", (360, 140), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 40, 70 + rng.randint(-40, 40)) for i in range(9)]
    draw.line(points, fill=(20, 20, 20, 255), width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def load_demo_training() -> dict[str, int]:
    created = {"training records": 0, "training signatures": 0, "training commitments": 0}
    if TrainingRecord.objects.exists():
        return created
    technician = _user("technician")
    trainer = technician.get_full_name() if technician else "售后工程师"
    today = timezone.localdate()
    sorter = (
        Device.objects.filter(product_model__code__in=["JL-2000", "DC-618"], is_active=True)
        .select_related("customer", "product_model")
        .order_by("pk")
        .first()
    )
    if sorter is not None:
        record = training_record_create(
            acting_user=None,
            kind="initial",
            content="清分机开机自检、走钞与卡币处理、可疑币复核流程、日常清洁保养；现场演示新版人民币鉴伪。",
            held_on=sorter.installed_on or today - timedelta(days=60),
            duration_hours="2",
            trainer=technician,
            trainer_name=trainer or "售后工程师",
            customer=sorter.customer,
            device=sorter,
            location=sorter.location,
            attendees=[
                {"name": "李晓燕", "organisation": sorter.customer.name, "position": "柜员"},
                {"name": "陈志强", "organisation": sorter.customer.name, "position": "现金主管"},
                {"name": "吴婷", "organisation": sorter.customer.name, "position": "柜员"},
            ],
            satisfaction="very_satisfied",
            comment="讲解清楚，希望提供操作手册电子版。",
        )
        created["training records"] += 1
        for index, attendee in enumerate(record.attendees.order_by("pk")[:2]):
            training_signature_capture(
                record=record,
                acting_user=None,
                image=_signature_png(index + 1),
                signer_name="",
                attendee_id=attendee.pk,
            )
            created["training signatures"] += 1
    contract = (
        Contract.objects.filter(kind="annual_maintenance", is_active=True, ends_on__gte=today)
        .select_related("customer")
        .order_by("pk")
        .first()
    )
    if contract is not None:
        training_commitment_set(
            contract=contract, acting_user=None, trainings_per_year=2, note="合同约定每年至少两次培训"
        )
        created["training commitments"] += 1
        device = contract.devices.order_by("pk").first()
        held = max(contract.starts_on, today - timedelta(days=150))
        training_record_create(
            acting_user=None,
            kind="during_use",
            content="维保合同年度复训：常见故障自查、耗材更换、新员工上机操作。",
            held_on=held,
            duration_hours="1.5",
            trainer=technician,
            trainer_name=trainer or "售后工程师",
            customer=contract.customer,
            device=device,
            contract=contract,
            attendees=[{"name": "周敏", "organisation": contract.customer.name, "position": "操作员"}],
            satisfaction="satisfied",
        )
        created["training records"] += 1
    station = OrgUnit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("code").first()
    if station is not None:
        training_record_create(
            acting_user=None,
            kind="centralised",
            audience="station_staff",
            content="特约维修站技术人员集中培训：新机型结构、维修规范、服务行为规范与考核。",
            held_on=today - timedelta(days=20),
            duration_hours="6",
            trainer_name="总部技术培训中心",
            unit=station,
            location="总部培训教室",
            attendees=[
                {"name": "王建国", "organisation": station.name, "position": "维修工程师"},
                {"name": "刘洋", "organisation": station.name, "position": "维修工程师"},
            ],
            satisfaction="satisfied",
        )
        created["training records"] += 1
    return created
