"""PDF documents in Chinese with ReportLab: the font registration other apps reuse (service
report PDF) and the settlement receipt (收费单据).

Font: Adobe's CID font ``STSong-Light`` (``UnicodeCIDFont``) ships with ReportLab's metrics and
needs no font file; readers substitute a Song/Ming face and ``pdftotext`` reads it back with
poppler-data. The Noto CJK fonts Debian installs are OpenType/CFF collections, which ReportLab's
TrueType embedding cannot use, so they are not an option here.

The receipt is a fixed-format Chinese financial document (like the seed's 附件 forms): its labels
are Chinese whatever the staff member's language, and so are the fee names on it.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from billing.models import Settlement

CJK_FONT = "STSong-Light"
_registered: set[str] = set()

FEE_NAMES_ZH = {
    "labour": "工时费",
    "parts": "配件费",
    "software": "软件服务费",
    "travel": "交通费",
    "lodging": "住宿费",
    "meals": "餐饮费",
    "allowance": "人员补贴",
}
PAYMENT_METHODS_ZH = {
    "cash": "现金",
    "bank_transfer": "银行转账",
    "wechat": "微信支付",
    "alipay": "支付宝",
    "card": "银行卡",
    "none": "未收费（免费服务）",
}
SOURCES_ZH = {"warranty": "保修减免", "contract": "合同减免"}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "兆"]


def register_cjk_font() -> str:
    """Register the CJK font once per process and return its name for ``setFont``/styles."""
    if CJK_FONT not in _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _registered.add(CJK_FONT)
    return CJK_FONT


def _integer_in_chinese(number: int) -> str:
    digits = str(number)
    length, text, zero = len(digits), "", False
    for index, char in enumerate(digits):
        position = length - 1 - index
        digit = int(char)
        if digit == 0:
            zero = bool(text)
        else:
            if zero:
                text += "零"
                zero = False
            text += _DIGITS[digit] + _UNITS[position % 4]
        if position % 4 == 0 and position and int(digits[max(0, index - 3) : index + 1]):
            text += _GROUPS[position // 4]
    return text


def amount_in_chinese(value: Decimal) -> str:
    """人民币大写: 356.50 → 叁佰伍拾陆元伍角整; 1000.05 → 壹仟元零伍分; 10050 → 壹万零伍拾元整."""
    cents = int((abs(value) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = _integer_in_chinese(yuan)
    result = text + "元" if text else ""
    if jiao:
        result += _DIGITS[jiao] + "角"
    elif fen and text:
        result += "零"
    if fen:
        result += _DIGITS[fen] + "分"
    if not result:
        return "零元整"
    if not fen:
        result += "整"
    return ("负" if value < 0 else "") + result


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def settlement_receipt_pdf(settlement: Settlement) -> bytes:
    """The receipt (收费单据) of a settlement: order, customer, the quote's lines, totals in
    figures and in words, payment, receiver, date and review status."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    order = settlement.order
    company = str(getattr(settings, "SITE_NAME", "") or "售后服务中心")
    paid_at = timezone.localtime(settlement.paid_at)

    story = [
        Paragraph(f"{company} 收费单据", title),
        Spacer(1, 4 * mm),
        Paragraph(f"单据编号：{settlement.receipt_number}　　工单号：{order.number}", body),
        Paragraph(f"客户：{order.customer.name}　　申请人：{order.applicant_name}", body),
        Paragraph(f"服务内容：{order.get_service_type_display()}　{order.description[:80]}", body),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[str]] = [["序号", "项目", "数量", "单价（元）", "金额（元）", "备注"]]
    quote = settlement.quote
    if quote is not None:
        for index, line in enumerate(quote.lines.order_by("position"), start=1):
            name = line.description if line.kind == "parts" else FEE_NAMES_ZH.get(line.kind, line.description)
            if line.is_waiver:
                name = f"{SOURCES_ZH.get(line.source, '减免')}：{FEE_NAMES_ZH.get(line.kind, line.kind)}"
            remark = "客户提供" if line.provided_by_customer else line.remark
            rows.append(
                [str(index), name, f"{line.quantity:g}", _yuan(line.unit_price), _yuan(line.amount), remark[:30]]
            )
        rows.append(["", "报价合计", "", "", _yuan(quote.total), f"报价第{quote.number}版"])
    table = Table(rows, colWidths=[12 * mm, 48 * mm, 18 * mm, 26 * mm, 26 * mm, 50 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("ALIGN", (2, 1), (4, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    review = {"recorded": "待财务审核", "reviewed": "财务已审核", "rejected": "财务已驳回"}[settlement.status]
    story += [
        Paragraph(
            f"实际收费：¥{_yuan(settlement.actual_charge)}　　"
            f"人民币大写：{amount_in_chinese(settlement.actual_charge)}",
            body,
        ),
        Paragraph(
            f"实收金额：¥{_yuan(settlement.amount_paid)}　　人民币大写：{amount_in_chinese(settlement.amount_paid)}",
            body,
        ),
        Paragraph(f"付款方式：{PAYMENT_METHODS_ZH.get(settlement.payment_method, settlement.payment_method)}", body),
        Paragraph(f"收款人：{settlement.receiver}　　收款日期：{paid_at:%Y-%m-%d %H:%M}", body),
        Paragraph(f"审核状态：{review}", body),
    ]
    if settlement.note:
        story.append(Paragraph(f"备注：{settlement.note}", body))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"收费单据 {settlement.receipt_number}", leftMargin=15 * mm, rightMargin=15 * mm
    )
    document.build(story)
    return buffer.getvalue()
