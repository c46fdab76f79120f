"""Training fixtures: English msgids, a drawn signature as the pad sends it."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids


def drawn_signature(blank: bool = False) -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(10, 60), (120, 20), (200, 100), (290, 40)], fill=(0, 0, 0, 255), width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def training_record(customer_a: Any, device_a: Any) -> Any:
    from django.utils import timezone

    from training.services import training_record_create

    return training_record_create(
        acting_user=None,
        kind="initial",
        content="清分机日常操作、卡币处理与日常清洁保养",
        held_on=timezone.localdate(),
        duration_hours="2",
        trainer_name="王工",
        customer=customer_a,
        device=device_a,
        attendees=[{"name": "李柜员", "organisation": "西湖支行"}, {"name": "赵主管", "organisation": "西湖支行"}],
        satisfaction="satisfied",
    )
