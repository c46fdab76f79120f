"""服务报告单 (service report) as a PDF, in Chinese whatever the staff member's language: a fixed
form handed to the customer, like the seed's 附件 forms. The CJK font comes from billing.pdf."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation

from billing.pdf import register_cjk_font
from workorders.choices import EventKind
from workorders.models import WorkOrder


def _p(text: Any) -> str:
    """Text for a ReportLab paragraph: markup escaped, line breaks kept."""
    return escape(str(text or "")).replace("\n", "<br/>")


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def report_facts(order: WorkOrder) -> dict[str, Any]:
    """What the report shows, read from the order and its field-work records."""
    from fieldwork.models import CheckIn, CustomerSignature, RepairLogEntry, RepairPlan, VisitChecklist

    events = list(order.events.order_by("at", "id"))
    qc = [event for event in events if event.kind == EventKind.QC_PASS]
    submitted = [event for event in events if event.kind == EventKind.SUBMIT_QC]
    arrival = CheckIn.objects.filter(order=order).order_by("-at", "-id").first()
    return {
        "arrival": arrival.at if arrival else None,
        "qc": qc[-1] if qc else None,
        "work_done": submitted[-1].note if submitted else "",
        "plan": RepairPlan.objects.filter(order=order).first(),
        "log": list(RepairLogEntry.objects.filter(order=order).order_by("at", "id")),
        "materials": list(order.materials.order_by("id")),
        "checklist": list(VisitChecklist.objects.filter(order=order, checked=True).select_related("item")),
        "signature": CustomerSignature.objects.filter(order=order).order_by("-at", "-id").first(),
    }


def service_report_pdf(order: WorkOrder, *, number: str, generated_at: datetime) -> bytes:
    """The report: order, customer, device, fault and diagnosis, plan, work done and log, parts with
    prices, arrival and completion times, technician, QC, code of conduct, the customer's signature
    image and the satisfaction line."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    facts = report_facts(order)
    company = str(getattr(settings, "SITE_NAME", "") or "售后服务中心")
    with translation.override("zh-hans"):
        service_type = str(order.get_service_type_display())
        fault_cause = str(order.get_fault_cause_display())
        satisfaction = str(order.get_satisfaction_display()) if order.satisfaction else ""
    device = order.device
    model_name = order.product_model.name if order.product_model else ""
    serial = device.serial_number if device else order.reported_serial
    technician = order.technician.get_full_name() or order.technician.get_username() if order.technician else "—"

    story: list[Any] = [
        Paragraph(f"{_p(company)} 服务报告单", title),
        Spacer(1, 3 * mm),
        Paragraph(f"报告编号：{_p(number)}　　工单号：{_p(order.number)}　　服务类型：{_p(service_type)}", body),
        Paragraph(
            f"客户：{_p(order.customer.name)}　　联系人：{_p(order.applicant_name)}　　电话：{_p(order.contact_phone)}",
            body,
        ),
        Paragraph(f"服务地址：{_p(order.service_address)}", body),
        Paragraph(f"设备：{_p(model_name) or '—'}　　序列号：{_p(serial) or '—'}", body),
        Paragraph("故障与诊断", heading),
        Paragraph(f"故障描述：{_p(order.description)}", body),
        Paragraph(f"故障原因：{_p(fault_cause)}", body),
        Paragraph(f"诊断结论：{_p(order.diagnosis) or '—'}", body),
    ]
    plan = facts["plan"]
    if plan is not None:
        story += [
            Paragraph("维修方案", heading),
            Paragraph(
                f"材料：{_p(plan.materials) or '—'}　　人员：{plan.people} 人　　"
                f"预计用时：{plan.expected_minutes} 分钟",
                body,
            ),
        ]
        if plan.note:
            story.append(Paragraph(f"方案说明：{_p(plan.note)}", body))
    story.append(Paragraph("维修记录", heading))
    story.append(Paragraph(f"完成工作：{_p(facts['work_done']) or '—'}", body))
    for entry in facts["log"]:
        story.append(Paragraph(f"{_when(entry.at)}　{_p(entry.text)}", body))

    story.append(Paragraph("更换配件", heading))
    rows: list[list[str]] = [["序号", "名称", "型号", "数量", "单价（元）", "附加（元）", "小计（元）"]]
    total = Decimal("0.00")
    for index, line in enumerate(facts["materials"], start=1):
        total += line.subtotal
        rows.append(
            [
                str(index),
                line.name[:30],
                line.model[:20],
                f"{line.quantity.normalize():f}{line.unit_of_measure}",
                _yuan(line.unit_price),
                _yuan(line.extra),
                _yuan(line.subtotal),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "无", "", "", "", "", ""])
    rows.append(["", "合计", "", "", "", "", _yuan(total)])
    table = Table(rows, colWidths=[11 * mm, 45 * mm, 28 * mm, 20 * mm, 24 * mm, 24 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)

    qc = facts["qc"]
    story += [
        Paragraph("时间与人员", heading),
        Paragraph(f"到达时间：{_when(facts['arrival'])}　　完成时间：{_when(order.completed_at)}", body),
        Paragraph(f"维修技师：{_p(technician)}", body),
        Paragraph(
            f"质检验收：{'合格' if qc else '—'}　　质检员：{_p(qc.actor_label) if qc else '—'}　　"
            f"质检时间：{_when(qc.at) if qc else '—'}",
            body,
        ),
    ]
    if facts["checklist"]:
        story.append(Paragraph("上门服务规范", heading))
        story.append(Paragraph("　".join(f"√ {_p(mark.item.label)}" for mark in facts["checklist"]), body))

    story.append(Paragraph("客户确认", heading))
    signature = facts["signature"]
    if signature is not None:
        with signature.image.open("rb") as handle:
            image = Image(io.BytesIO(handle.read()))
        image._restrictSize(60 * mm, 25 * mm)
        story += [
            Paragraph(f"客户签名：{_p(signature.signer_name)}　　签名时间：{_when(signature.at)}", body),
            image,
        ]
    else:
        story.append(Paragraph("客户签名：________________", body))
    if satisfaction:
        score = f"　评分：{order.satisfaction_score} 分" if order.satisfaction_score else ""
        story.append(Paragraph(f"客户满意度：{_p(satisfaction)}{score}", body))
    else:
        story.append(Paragraph("客户满意度：□ 满意　□ 不满意", body))
    story += [Spacer(1, 4 * mm), Paragraph(f"报告生成时间：{_when(generated_at)}", body)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"服务报告单 {number}", leftMargin=15 * mm, rightMargin=15 * mm
    )
    document.build(story)
    return buffer.getvalue()
