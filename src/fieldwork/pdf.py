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
from fieldwork.choices import ChecklistState
from fieldwork.report_links import ReportLink, report_links
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
    from fieldwork.models import CheckIn, CustomerSignature, RepairLogEntry, RepairPlan
    from fieldwork.selectors import checklist_for

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
        "checklist": checklist_for(order),
        "signature": CustomerSignature.objects.filter(order=order).order_by("-at", "-id").first(),
    }


#: How the report states each item of the code of conduct (it is in Chinese whatever the language).
CHECKLIST_STATE_TEXT = {
    ChecklistState.DONE: "√ 已完成",
    ChecklistState.EXPLAINED: "× 未完成（已说明原因）",
    ChecklistState.OPEN: "□ 未完成（未说明）",
}


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _checklist_table(rows: list[tuple[Any, Any]], *, font: str, body: Any) -> Any:
    """Every item of the code of conduct with its state: ticked, not done with the reason, or open —
    none left out (issue 18 point 5: a report that listed only the ticked ones hid the open ones)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    from fieldwork.policies import checklist_item_state

    table_rows: list[list[Any]] = [["序号", "项目", "状态", "原因／记录"]]
    for index, (item, mark) in enumerate(rows, start=1):
        state = checklist_item_state(mark)
        if state == ChecklistState.EXPLAINED:
            note = f"原因：{_p(mark.reason)}（{_p(_person(mark.checked_by))} {_when(mark.checked_at)}）"
        elif state == ChecklistState.DONE:
            note = f"{_p(_person(mark.checked_by))} {_when(mark.checked_at)}"
        else:
            note = "—"
        table_rows.append(
            [str(index), Paragraph(_p(item.label), body), CHECKLIST_STATE_TEXT[state], Paragraph(note, body)]
        )
    if len(table_rows) == 1:
        table_rows.append(["", "无", "", ""])
    table = Table(table_rows, colWidths=[11 * mm, 58 * mm, 44 * mm, 65 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


#: The QR code's size on paper: 30 mm scans from a phone at arm's length (a ~60-character link
#: is a version 4–5 code, 33–37 modules plus the quiet zone: ~0.7 mm a module).
QR_SIZE_MM = 30


def qr_png(url: str) -> bytes:
    """The link as a QR code (``qrcode``, error correction M, 4-module quiet zone), 8 px a module."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def _link_block(link: ReportLink, *, heading: Any, body: Any) -> list[Any]:
    """A link of an app above (the survey): its heading, the QR code and the address as text."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, Paragraph, Table, TableStyle

    small = ParagraphStyle("link", parent=body, fontSize=8, leading=11)  # the address on one line
    image = Image(io.BytesIO(qr_png(link.url)), width=QR_SIZE_MM * mm, height=QR_SIZE_MM * mm)
    table = Table(
        [[image, [Paragraph(_p(link.text), body), Paragraph(_p(link.url), small)]]],
        colWidths=[(QR_SIZE_MM + 4) * mm, 142 * mm],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return [KeepTogether([Paragraph(_p(link.heading), heading), table])]


def service_report_pdf(order: WorkOrder, *, number: str, generated_at: datetime) -> bytes:
    """The report: order, customer, device, fault and diagnosis, plan, work done and log, parts with
    prices, arrival and completion times, technician, QC, every item of the code of conduct with its
    state, the customer's signature image, the satisfaction line, and the links apps above give
    (the survey's QR code and address, ``fieldwork.report_links``)."""
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
    story.append(Paragraph("上门服务规范", heading))
    story.append(_checklist_table(facts["checklist"], font=font, body=body))

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
    for link in report_links(order):
        story += _link_block(link, heading=heading, body=body)
    story += [Spacer(1, 4 * mm), Paragraph(f"报告生成时间：{_when(generated_at)}", body)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"服务报告单 {number}", leftMargin=15 * mm, rightMargin=15 * mm
    )
    document.build(story)
    return buffer.getvalue()
