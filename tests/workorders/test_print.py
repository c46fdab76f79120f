"""The order's print view: the seed's 服务申请维修单 (000, 附件3) on one A4 page, with the form's
Chinese labels and boxes whatever the reader's language, reachable from the order page and
scoped like it (issue 18, point 10)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from workorders.services import workorder_add_material, workorder_create, workorder_transition, workorder_update

pytestmark = pytest.mark.django_db

#: Every label of the seed's form (000, 附件3), in its order.
FORM_LABELS = [
    "服务申请维修单",
    "申请单位",
    "申请人",
    "申请时间",
    "服务类别",
    "服务内容",
    "预约日期",
    "预约时间",
    "服务部门",
    "填单人",
    "有偿服务",
    "无偿服务",
    "部门受理人",
    "完成状态",
    "已完成",
    "未完成",
    "完成时间",
    "实际收费",
    "材料",
    "型号",
    "单位",
    "数量",
    "单价",
    "附加",
    "小计",
    "完成/未完成/未返单原因",
    "服务人员签字",
    "服务部门主管签字",
    "申请人签字",
    "收款人",
    "服务评价",
    "满意",
    "不满意",
]


def client_for(user: Any, language: str = "en") -> Client:
    user.profile.language = language
    user.profile.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order(agent: Any, customer_b: Any) -> Any:
    order = workorder_create(
        acting_user=agent,
        customer=customer_b,
        service_type="repair",
        channel="phone",
        description="点钞机卡钞，显示E3",
        applicant_name="李经理",
    )
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    workorder_add_material(
        order=order,
        acting_user=agent,
        name="进钞轮",
        model="JC-01",
        unit_of_measure="个",
        quantity=Decimal("2"),
        unit_price=Decimal("35.50"),
        extra=Decimal("5"),
    )
    return workorder_update(
        order=order,
        acting_user=agent,
        changes={"technician_signature": "王师傅", "payment_receiver": "赵会计"},
    )


def cell(page: str, field: str) -> str:
    """The text of the form's cell for ``field`` (its data-field attribute), tags removed."""
    found = re.search(rf'data-field="{field}"[^>]*>(.*?)</td>', page, re.S)
    assert found, field
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip()


def test_the_print_view_has_every_field_of_the_form_in_chinese_whatever_the_language(agent: Any, order: Any) -> None:
    response = client_for(agent, "en").get(reverse("workorders:print", args=[order.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.find(label) for label in FORM_LABELS]
    assert -1 not in positions, [label for label, at in zip(FORM_LABELS, positions, strict=True) if at == -1]
    # The paper's layout is the print view's own style sheet (no <style> element: the CSP refuses them).
    assert "workorders/print.css" in page
    sheet = (Path(settings.BASE_DIR) / "src/workorders/static/workorders/print.css").read_text(encoding="utf-8")
    assert "@page { size: A4" in sheet and "@media print" in sheet
    assert '<html lang="zh-hans">' in page
    assert 'id="print">Print</button>' in page  # the toolbar speaks the reader's language


def test_the_form_is_filled_from_the_order(agent: Any, order: Any) -> None:
    page = client_for(agent).get(reverse("workorders:print", args=[order.pk])).content.decode()

    assert order.number in page
    assert cell(page, "applicant_unit") == "北京某银行海淀支行"
    assert cell(page, "applicant_name") == "李经理"
    assert cell(page, "service_type") == "维修"
    assert cell(page, "description") == "点钞机卡钞，显示E3"
    assert cell(page, "unit") == order.unit.name
    assert cell(page, "created_by") == "agent"
    assert cell(page, "accepted_by") == "agent"
    assert re.sub(r"\s+", "", cell(page, "charge_type")) == "□有偿服务☑无偿服务"
    assert re.sub(r"\s+", "", cell(page, "completion_status")) == "□已完成□未完成"
    assert cell(page, "technician_signature") == "王师傅"
    assert cell(page, "payment_receiver") == "赵会计"
    assert cell(page, "materials_total") == "76.00"
    material = re.search(r'<tr class="material">(.*?)</tr>', page, re.S)
    assert material is not None
    texts = [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", material.group(1))]
    assert texts == ["进钞轮", "JC-01", "个", "2", "35.50", "5.00", "76.00"]


def test_the_order_page_links_its_print_view(agent: Any, order: Any) -> None:
    page = client_for(agent).get(reverse("workorders:detail", args=[order.pk])).content.decode()

    assert f'href="{reverse("workorders:print", args=[order.pk])}" id="order-print"' in page


def test_an_order_of_another_unit_has_no_print_view(station_a_user: Any, order: Any) -> None:
    assert client_for(station_a_user).get(reverse("workorders:print", args=[order.pk])).status_code == 404
