"""Default message templates every install starts with (both languages, every event).

``install_reference_data`` only creates what is missing, so it is safe after every migrate and
never overwrites an admin's edit. Placeholders per message are listed in docs/notify.md.
"""

from __future__ import annotations

from typing import Any

from notify.choices import DeliveryChannel

CUSTOMER = (DeliveryChannel.EMAIL, DeliveryChannel.SMS)
STAFF = (DeliveryChannel.IN_APP, DeliveryChannel.EMAIL, DeliveryChannel.WECOM)

# key → (channels, {language: (subject, body)})
DEFAULT_TEMPLATES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "order_accepted": (
        CUSTOMER,
        {
            "zh-hans": (
                "您的服务申请已受理（{{ order_number }}）",
                "尊敬的{{ customer_name }}：您的服务申请 {{ order_number }} 已受理，我们将尽快安排处理。"
                "查看进度：{{ order_url }} 服务热线：{{ hotline }}",
            ),
            "en": (
                "Your service request has been accepted ({{ order_number }})",
                "Dear {{ customer_name }}, your service request {{ order_number }} has been accepted and will be "
                "handled shortly. Track it at {{ order_url }}. Hotline: {{ hotline }}",
            ),
        },
    ),
    "quote_sent": (
        CUSTOMER,
        {
            "zh-hans": (
                "服务报价（{{ order_number }}）",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 的服务报价为 ¥{{ amount }}。"
                "请在此确认或拒绝：{{ order_url }}",
            ),
            "en": (
                "Quote for {{ order_number }}",
                "Dear {{ customer_name }}, the quote for {{ order_number }} is CNY {{ amount }}. "
                "Approve or decline it here: {{ order_url }}",
            ),
        },
    ),
    "appointment_reminder": (
        CUSTOMER,
        {
            "zh-hans": (
                "明日上门服务提醒（{{ order_number }}）",
                "尊敬的{{ customer_name }}：我们的工程师{{ technician }}将于 {{ appointment_at }}–{{ window_end }} "
                "上门处理工单 {{ order_number }}（{{ content }}）。如需改约请致电 {{ hotline }}。",
            ),
            "en": (
                "Reminder: visit tomorrow ({{ order_number }})",
                "Dear {{ customer_name }}, our technician {{ technician }} will visit between {{ appointment_at }} and "
                "{{ window_end }} for {{ order_number }} ({{ content }}). To change it call {{ hotline }}.",
            ),
        },
    ),
    "appointment_booked": (
        CUSTOMER,
        {
            "zh-hans": (
                "上门服务预约（{{ order_number }}）",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 已预约于 {{ appointment_at }} 上门服务。"
                "如需改约请致电 {{ hotline }}。",
            ),
            "en": (
                "Appointment for {{ order_number }}",
                "Dear {{ customer_name }}, our technician will visit for {{ order_number }} at {{ appointment_at }}. "
                "To change it call {{ hotline }}.",
            ),
        },
    ),
    "technician_assigned": (
        CUSTOMER,
        {
            "zh-hans": (
                "已为您安排服务工程师（{{ order_number }}）",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 已安排工程师 {{ technician_name }} 为您服务。",
            ),
            "en": (
                "A technician is assigned to {{ order_number }}",
                "Dear {{ customer_name }}, {{ technician_name }} will handle your request {{ order_number }}.",
            ),
        },
    ),
    "order_progress": (
        CUSTOMER,
        {
            "zh-hans": (
                "服务进度（{{ order_number }}）：{{ progress }}",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 进度更新：{{ progress }}。"
                "{% if note %}{{ note }}{% endif %} 查看：{{ order_url }}",
            ),
            "en": (
                "Progress of {{ order_number }}: {{ progress }}",
                "Dear {{ customer_name }}, update on {{ order_number }}: {{ progress }}. "
                "{% if note %}{{ note }}{% endif %} Details: {{ order_url }}",
            ),
        },
    ),
    "order_completed": (
        CUSTOMER,
        {
            "zh-hans": (
                "服务已完成（{{ order_number }}）",
                "尊敬的{{ customer_name }}：工单 {{ order_number }} 已完成服务，感谢您的支持！"
                "请为本次服务评价：{{ survey_url }}",
            ),
            "en": (
                "Service completed ({{ order_number }})",
                "Dear {{ customer_name }}, the service for {{ order_number }} is complete. Thank you! "
                "Please rate our service: {{ survey_url }}",
            ),
        },
    ),
    "job_assigned": (
        (DeliveryChannel.IN_APP, DeliveryChannel.WECOM),
        {
            "zh-hans": (
                "新工单：{{ order_number }}",
                "您有新的服务任务 {{ order_number }}（{{ customer_name }}，{{ service_address }}）：{{ description }}",
            ),
            "en": (
                "New job: {{ order_number }}",
                "New service job {{ order_number }} ({{ customer_name }}, {{ service_address }}): {{ description }}",
            ),
        },
    ),
    "sla_at_risk": (
        STAFF,
        {
            "zh-hans": (
                "时限预警：{{ order_number }}",
                "工单 {{ order_number }} 的{{ deadline }}将于 {{ due_at }} 到期，请尽快处理。{{ staff_url }}",
            ),
            "en": (
                "Deadline at risk: {{ order_number }}",
                "The {{ deadline }} of {{ order_number }} is due at {{ due_at }}. Please act now. {{ staff_url }}",
            ),
        },
    ),
    "sla_breached": (
        STAFF,
        {
            "zh-hans": (
                "已超时：{{ order_number }}",
                "工单 {{ order_number }} 的{{ deadline }}已于 {{ due_at }} 超时，请立即处理。{{ staff_url }}",
            ),
            "en": (
                "Deadline breached: {{ order_number }}",
                "The {{ deadline }} of {{ order_number }} was due at {{ due_at }} and is breached. "
                "Act immediately. {{ staff_url }}",
            ),
        },
    ),
    "callback_due": (
        (DeliveryChannel.IN_APP,),
        {
            "zh-hans": (
                "回访提醒：{{ order_number }}",
                "工单 {{ order_number }}（{{ customer_name }}）已完成服务，"
                "请于 {{ due_at }} 前回访客户。{{ staff_url }}",
            ),
            "en": (
                "Callback due: {{ order_number }}",
                "{{ order_number }} ({{ customer_name }}) is complete: call the customer back by {{ due_at }}. "
                "{{ staff_url }}",
            ),
        },
    ),
    "backup_unit": (
        (DeliveryChannel.IN_APP, DeliveryChannel.EMAIL),
        {
            "zh-hans": (
                "备用机：{{ order_number }}",
                "工单 {{ order_number }}（{{ customer_name }}）备用机记录：{{ note }} {{ staff_url }}",
            ),
            "en": (
                "Backup unit: {{ order_number }}",
                "Backup unit on {{ order_number }} ({{ customer_name }}): {{ note }} {{ staff_url }}",
            ),
        },
    ),
}


def install_reference_data(**kwargs: Any) -> int:
    """Create the missing default templates; return how many were created."""
    from notify.models import MessageTemplate

    existing = set(MessageTemplate.objects.values_list("key", "channel", "language"))
    created = 0
    for key, (channels, texts) in DEFAULT_TEMPLATES.items():
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
