"""Ready-made configuration: the visit code of conduct (SPEC §7; seed 003 篇2 上门服务规范,
seed 000 第二篇 6.4). Idempotent: an item is created only when its code does not exist yet, so
admins' renames, reordering and retirements are never overwritten."""

from __future__ import annotations

from typing import Any

#: (code, Chinese label, English label) in the order of a visit.
REFERENCE_CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("appointment-made", "已与客户预约上门时间", "Appointment made with the customer"),
    ("certificate-shown", "出示上岗证", "Service certificate shown"),
    ("shoe-covers", "穿戴鞋套", "Shoe covers worn"),
    ("floor-cloth", "铺设工具垫布", "Floor cloth laid for the tools"),
    ("quiet-work", "文明安静作业", "Worked quietly and politely"),
    ("explained", "讲解维修情况及使用注意事项", "Explained the repair and usage tips"),
    ("customer-inspected", "请客户检验维修结果", "Customer inspected the result"),
    ("cleaned-up", "清理现场", "Cleaned up the site"),
    ("no-gifts", "未接受客户礼品、宴请、香烟", "No gifts, meals or cigarettes accepted"),
)


def install_reference_data(**kwargs: Any) -> None:
    from fieldwork.models import ChecklistItem

    existing = set(ChecklistItem.objects.values_list("code", flat=True))
    for position, (code, label, label_en) in enumerate(REFERENCE_CHECKLIST, start=1):
        if code not in existing:
            ChecklistItem.objects.create(code=code, label=label, label_en=label_en, position=position * 10)
