"""The training form as a PDF in Chinese (客户培训登记表, seed 004), with the attendees' drawn
signatures: ReportLab with the project's CJK font (billing.pdf), like the service report."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation

from billing.pdf import register_cjk_font
from training.models import TrainingRecord


def _p(text: Any) -> str:
    return escape(str(text or "")).replace("\n", "<br/>")


def training_form_pdf(record: TrainingRecord) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    company = str(getattr(settings, "SITE_NAME", "") or "售后服务中心")
    with translation.override("zh-hans"):
        kind = str(record.get_kind_display())
        audience = str(record.get_audience_display())
        satisfaction = str(record.get_satisfaction_display()) if record.satisfaction else "—"
    device = record.device
    trained = record.customer.name if record.customer else record.unit.name
    story: list[Any] = [
        Paragraph(f"{_p(company)} 客户培训登记表", title),
        Spacer(1, 3 * mm),
        Paragraph(f"编号：{_p(record.number)}　　培训类型：{_p(kind)}　　培训对象：{_p(audience)}", body),
        Paragraph(f"受训单位：{_p(trained)}　　地点：{_p(record.location) or '—'}", body),
        Paragraph(
            f"设备：{_p(device.product_model.name) if device else '—'}　　"
            f"序列号：{_p(device.serial_number) if device else '—'}",
            body,
        ),
        Paragraph(
            f"培训日期：{record.held_on:%Y年%m月%d日}　　培训时长：{record.duration_hours} 小时　　"
            f"培训人：{_p(record.trainer_name)}",
            body,
        ),
        Paragraph("培训内容", heading),
        Paragraph(_p(record.content), body),
        Paragraph("参训人员", heading),
    ]
    signatures = {s.attendee_id: s for s in record.signatures.all() if s.attendee_id}
    rows: list[list[Any]] = [["序号", "姓名", "单位", "职务", "签名"]]
    for index, attendee in enumerate(record.attendees.all(), start=1):
        signature = signatures.get(attendee.pk)
        cell: Any = "未签"
        if signature is not None:
            try:
                with signature.image.open("rb") as handle:
                    cell = Image(io.BytesIO(handle.read()), width=30 * mm, height=12 * mm)
            except OSError:
                cell = "已签"
        rows.append([str(index), attendee.name, attendee.organisation, attendee.position, cell])
    table = Table(rows, colWidths=[12 * mm, 30 * mm, 55 * mm, 28 * mm, 40 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    others = [s for s in record.signatures.all() if not s.attendee_id]
    for signature in others:
        story.append(Paragraph(f"签名：{_p(signature.signer_name)}　{signature.at:%Y-%m-%d %H:%M}", body))
    story += [
        Paragraph("培训评价", heading),
        Paragraph(f"满意度：{_p(satisfaction)}", body),
        Paragraph(f"意见与建议：{_p(record.comment) or '—'}", body),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"客户培训登记表 {record.number}").build(story)
    return buffer.getvalue()
