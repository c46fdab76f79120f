"""Field-work fixtures: a free repair for customer A (station A) assigned to the centre's
technician and booked for today, signature images, and a technician of station B."""

from __future__ import annotations

import base64
import io
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from core.choices import Role
from core.testing import make_user
from workorders import services as wo
from workorders.choices import Channel, ChargeType, ServiceType


def make_assigned_order(*, agent: Any, dispatcher: Any, technician: Any, customer: Any, device: Any = None) -> Any:
    order = wo.workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="电池充不进电，充电器指示灯一直是红色",
        service_address="浙江省杭州市西湖区文三路100号",
        submitted_at=timezone.now() - timedelta(hours=2),
    )
    order = wo.workorder_transition(
        order=order, action="accept", acting_user=agent, data={"charge_type": ChargeType.FREE}
    )
    order = wo.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    appointment = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    return wo.workorder_transition(
        order=order, action="schedule", acting_user=dispatcher, data={"appointment_at": appointment}
    )


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids); the default language is zh-hans."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def assigned_order(agent: Any, dispatcher: Any, technician: Any, customer_a: Any, device_a: Any) -> Any:
    return make_assigned_order(
        agent=agent, dispatcher=dispatcher, technician=technician, customer=customer_a, device=device_a
    )


@pytest.fixture
def station_b_technician(org: Any) -> Any:
    return make_user(Role.TECHNICIAN, org.station_b, username="tech_b")


def png_data_url(*, ink: bool = True, background: tuple[int, int, int, int] = (0, 0, 0, 0)) -> str:
    """A 300×120 canvas like the signature pad's: transparent (or filled), with a stroke if ``ink``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), background)
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line([(20, 80), (80, 30), (140, 90), (200, 30), (270, 70)], fill=(20, 20, 20, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def tick_checklist(order: Any, technician: Any) -> None:
    """Tick every active item of the visit code of conduct (QC and the sign-off need them ticked or explained)."""
    from fieldwork import services
    from fieldwork.models import ChecklistItem

    for code in ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True):
        services.checklist_mark(order=order, acting_user=technician, item_code=code)


def run_visit_to_qc(order: Any, technician: Any) -> Any:
    """Check in, diagnose, log, a part, the code of conduct ticked, send to QC — through the services."""
    from decimal import Decimal

    from fieldwork import services

    services.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=1))
    tick_checklist(order, technician)
    services.fieldwork_diagnose(
        order=order, acting_user=technician, fault_cause="quality", diagnosis="充电器输出端接触不良"
    )
    services.repair_log_add(order=order, acting_user=technician, text="更换充电器输出线，测试充电正常")
    services.part_use(
        order=order,
        acting_user=technician,
        name="充电器输出线",
        model="CL-48",
        quantity="1",
        unit_price=Decimal("35.5"),
    )
    return services.work_submit_qc(order=order, acting_user=technician)
