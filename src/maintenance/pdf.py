"""巡检报告 (inspection report) as a PDF for the customer, in Chinese whatever the staff member's
language, like the service report (fieldwork.pdf); the CJK font comes from billing.pdf."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from billing.pdf import register_cjk_font
from maintenance.models import Occurrence
from workorders.models import WorkOrder

OUTCOME_TEXT = {"ok": "√ 正常", "issue": "× 有问题", "measured": "测量"}
SERVICE_TEXT = {"inspection": "巡检", "maintenance": "保养"}


def _p(text: Any) -> str:
    return escape(str(text or "")).replace("\n", "<br/>")


def _result_text(row: dict[str, Any]) -> tuple[str, str]:
    result = row["result"]
    if result is None:
        return "□ 未记录", ""
    if result.outcome == "measured":
        text = result.value_text
        if result.out_of_limit:
            text += " ▲ 超出限值"
        return text, result.note
    return OUTCOME_TEXT.get(result.outcome, result.outcome), result.note


def inspection_report_pdf(*, order: WorkOrder, occurrence: Occurrence, rows: list[dict[str, Any]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    plan = occurrence.plan
    device = occurrence.device
    customer = order.customer
    parent = customer.parent.name if customer.parent_id and customer.parent else ""
    kind = SERVICE_TEXT.get(plan.service_type, plan.service_type)
    facts = [
        ["工单号", order.number, "计划", plan.name],
        ["客户", customer.name, "上级机构", parent or "—"],
        ["设备型号", device.product_model.name, "序列号", device.serial_number],
        ["应完成日期", occurrence.due_on.isoformat(), "计划日期", occurrence.planned_on.isoformat()],
        [
            "技术员",
            (order.technician.get_full_name() or order.technician.get_username()) if order.technician else "—",
            "完成时间",
            f"{timezone.localtime(order.completed_at):%Y-%m-%d %H:%M}" if order.completed_at else "—",
        ],
    ]
    facts_table = Table(
        [[Paragraph(_p(cell), body) for cell in line] for line in facts], colWidths=[24 * mm, 61 * mm, 24 * mm, 61 * mm]
    )
    facts_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    lines: list[list[Any]] = [[Paragraph(h, body) for h in ("序号", "检查项目", "标准／限值", "结果", "备注")]]
    flagged = 0
    for index, row in enumerate(rows, start=1):
        item = row["item"]
        text, note = _result_text(row)
        if row["result"] is not None and (row["result"].out_of_limit or row["result"].outcome == "issue"):
            flagged += 1
        lines.append([Paragraph(_p(v), body) for v in (index, item.label, item.limits_text() or "—", text, note)])
    items_table = Table(lines, colWidths=[12 * mm, 58 * mm, 32 * mm, 34 * mm, 34 * mm], repeatRows=1)
    items_table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    )
    summary = f"共 {len(rows)} 项，已记录 {sum(1 for r in rows if r['result'] is not None)} 项，异常 {flagged} 项。"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"设备{kind}报告 {order.number}", leftMargin=20 * mm, rightMargin=20 * mm
    )
    document.build(
        [
            Paragraph(f"设备{kind}报告", title),
            Spacer(1, 6 * mm),
            facts_table,
            Spacer(1, 5 * mm),
            items_table,
            Spacer(1, 4 * mm),
            Paragraph(_p(summary), body),
            Spacer(1, 10 * mm),
            Paragraph("客户签字：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿", body),
        ]
    )
    return buffer.getvalue()
