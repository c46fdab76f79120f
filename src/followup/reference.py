"""Ready-made follow-up configuration installed after every migrate, idempotently and without
overwriting edits: a call script per service type and the complaint messages (both languages)."""

from __future__ import annotations

from typing import Any

from notify.choices import DeliveryChannel

CUSTOMER = (DeliveryChannel.EMAIL, DeliveryChannel.SMS)
STAFF = (DeliveryChannel.IN_APP, DeliveryChannel.EMAIL, DeliveryChannel.WECOM)

_COMMON = (
    "您好，我是{公司}售后服务中心的客服，工号____。您的{设备}于{日期}完成了服务，想占用您两分钟做个回访。"
    "请问：1. 工程师是否按约定时间到达？2. 问题是否已经解决？3. 工程师是否出示证件、着装规范、讲解清楚、清理现场？"
    "4. 收费是否与报价一致、是否开具收据？5. 您对本次服务满意吗（满意/不满意）？按 1–5 分打几分？"
    "6. 还有什么意见或建议？感谢您的支持，如有问题请拨打服务热线。"
)
CALL_SCRIPTS: dict[str, str] = {
    "repair": _COMMON,
    "installation": _COMMON.replace("2. 问题是否已经解决？", "2. 设备是否安装调试完毕、运行正常，是否讲解了使用方法？"),
    "maintenance": _COMMON.replace("2. 问题是否已经解决？", "2. 保养项目是否逐项完成、是否告知下次保养时间？"),
    "inspection": _COMMON.replace("2. 问题是否已经解决？", "2. 巡检结果是否向您说明、发现的隐患是否已处理？"),
    "exchange": _COMMON.replace("2. 问题是否已经解决？", "2. 换货是否完成、新设备是否正常？"),
    "return": _COMMON.replace("2. 问题是否已经解决？", "2. 退货及退款是否办妥？"),
    "software_upgrade": _COMMON.replace("2. 问题是否已经解决？", "2. 升级后设备功能是否正常？"),
    "training": _COMMON.replace("2. 问题是否已经解决？", "2. 培训内容是否清楚、是否需要再次培训？"),
}


def _care(zh_subject: str, zh: str, en_subject: str, en: str) -> tuple[tuple[str, ...], dict[str, tuple[str, str]]]:
    return (CUSTOMER, {"zh-hans": (zh_subject, zh), "en": (en_subject, en)})


TEMPLATES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "wish_birthday": _care(
        "生日快乐",
        "尊敬的{{ customer_name }}：祝您生日快乐、万事如意！感谢您一直以来的信任与支持。",
        "Happy birthday",
        "Dear {{ customer_name }}, happy birthday and all the best! Thank you for your trust.",
    ),
    "wish_anniversary": _care(
        "感谢您的陪伴",
        "尊敬的{{ customer_name }}：感谢您选择我们的产品又满一年，如需保养或检查请致电服务热线。",
        "Thank you for another year",
        "Dear {{ customer_name }}, thank you for another year with our product. Call us for maintenance or a check.",
    ),
    "wish_festival": _care(
        "节日问候",
        "尊敬的{{ customer_name }}：值此佳节，祝您和家人节日快乐、阖家幸福！",
        "Season's greetings",
        "Dear {{ customer_name }}, warm wishes to you and your family for the festival!",
    ),
    "wish_notice": _care(
        "{{ rule }}",
        "尊敬的{{ customer_name }}：{{ rule }}。详情请致电服务热线。回复 TD 退订。",
        "{{ rule }}",
        "Dear {{ customer_name }}: {{ rule }}. Call our hotline for details. Reply STOP to opt out.",
    ),
    "survey_invite": (
        CUSTOMER,
        {
            "zh-hans": (
                "请评价本次服务（{{ order_number }}）",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 已完成，请花一分钟评价本次服务：{{ survey_url }}",
            ),
            "en": (
                "How was our service? ({{ order_number }})",
                "Dear {{ customer_name }}, order {{ order_number }} is complete. Please rate our service: "
                "{{ survey_url }}",
            ),
        },
    ),
    "service_recovery": (
        STAFF,
        {
            "zh-hans": (
                "服务补救：客户不满意（{{ order_number }}）",
                "工单 {{ order_number }} 的客户评价：{{ reason }}。{{ comment }} 请尽快联系客户补救。",
            ),
            "en": (
                "Service recovery: an unhappy customer ({{ order_number }})",
                "The customer of {{ order_number }} rated: {{ reason }}. {{ comment }} Please contact them.",
            ),
        },
    ),
    "service_complaint_acknowledged": (
        CUSTOMER,
        {
            "zh-hans": (
                "您的投诉已受理（{{ complaint_number }}）",
                "尊敬的{{ customer_name }}：您的投诉 {{ complaint_number }} 已由专人受理，我们会尽快调查并与您联系。",
            ),
            "en": (
                "Your complaint has been acknowledged ({{ complaint_number }})",
                "Dear {{ customer_name }}, your complaint {{ complaint_number }} has been acknowledged; we are "
                "looking into it and will contact you shortly.",
            ),
        },
    ),
    "quality_major_issue": (
        STAFF,
        {
            "zh-hans": (
                "重大质量问题：{{ title }}",
                "质量问题 {{ title }}（{{ model }}）已列为重大问题，转{{ route }}处理：{{ evidence }}",
            ),
            "en": (
                "Major quality issue: {{ title }}",
                "Quality issue {{ title }} ({{ model }}) is marked major and sent to {{ route }}: {{ evidence }}",
            ),
        },
    ),
    "service_complaint_at_risk": (
        STAFF,
        {
            "zh-hans": (
                "投诉即将超时未受理（{{ complaint_number }}）",
                "投诉 {{ complaint_number }}（{{ customer_name }}）须在 {{ acknowledge_by }} 前受理：{{ description }}",
            ),
            "en": (
                "Complaint about to miss its acknowledgement ({{ complaint_number }})",
                "Complaint {{ complaint_number }} ({{ customer_name }}) must be acknowledged by {{ acknowledge_by }}: "
                "{{ description }}",
            ),
        },
    ),
    "service_complaint_breached": (
        STAFF,
        {
            "zh-hans": (
                "投诉超时未受理，已升级（{{ complaint_number }}）",
                "投诉 {{ complaint_number }}（{{ customer_name }}）未在 {{ acknowledge_by }} 前受理，"
                "已升级至主任：{{ description }}",
            ),
            "en": (
                "Complaint not acknowledged in time, escalated ({{ complaint_number }})",
                "Complaint {{ complaint_number }} ({{ customer_name }}) was not acknowledged by {{ acknowledge_by }} "
                "and is escalated to the director: {{ description }}",
            ),
        },
    ),
}


def _rule(code: str, name: str, kind: str, template_key: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "kind": kind, "template_key": template_key, **extra}


CARE_RULES: list[dict[str, Any]] = [
    _rule("birthday", "生日祝福", "birthday", "wish_birthday"),
    _rule("anniversary", "购买周年感谢", "anniversary", "wish_anniversary"),
    _rule("spring", "春节问候", "festival", "wish_festival", festival="spring"),
    _rule("dragon-boat", "端午问候", "festival", "wish_festival", festival="dragon_boat"),
    _rule("mid-autumn", "中秋问候", "festival", "wish_festival", festival="mid_autumn"),
    # The seed's weekly cadence (周二预约提醒、周五产品回访、周日问候): off until an admin turns them on.
    _rule("tue-reminder", "周二预约提醒", "weekly", "wish_notice", weekday=1, is_active=False),
    _rule("fri-followup", "周五产品使用回访", "weekly", "wish_notice", weekday=4, is_active=False),
    _rule("sun-greeting", "周日问候", "weekly", "wish_festival", weekday=6, is_active=False),
]


def install_reference_data(**kwargs: Any) -> int:
    from followup.models import CallScript, CareRule

    for spec in CARE_RULES:
        CareRule.objects.get_or_create(code=spec["code"], defaults=spec)
    from notify.models import MessageTemplate

    created = 0
    existing_scripts = set(CallScript.objects.values_list("service_type", flat=True))
    for service_type, text in CALL_SCRIPTS.items():
        if service_type not in existing_scripts:
            CallScript.objects.create(service_type=service_type, text=text)
            created += 1
    existing = set(MessageTemplate.objects.values_list("key", "channel", "language"))
    for key, (channels, texts) in TEMPLATES.items():
        for channel in channels:
            for language, (subject, body) in texts.items():
                if (key, channel, language) in existing:
                    continue
                MessageTemplate.objects.create(
                    key=key,
                    channel=channel,
                    language=language,
                    subject=subject if channel != DeliveryChannel.SMS else "",
                    body=body,
                )
                created += 1
    return created
