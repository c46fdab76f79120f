"""Ready-made rule sets a fresh install has: seed 004's counterfeit-note compensation (假币赔付).

Installed after migrate, once: if a rule set with the code exists (any version, maybe edited by
an admin since), nothing is touched. The wording is the seed's own, kept as data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from claims.choices import EvidenceKind, RuleKind

COUNTERFEIT_CODE = "COUNTERFEIT"

#: (kind, code, seed wording, English wording, question, answers that satisfy the rule)
COUNTERFEIT_RULES: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        RuleKind.CONDITION,
        "1",
        "发现收取假币时,第一时间通知我公司售后服务人员;",
        "When a counterfeit note is found, our after-sales staff are notified at once.",
        "notified_immediately",
        ["yes"],
    ),
    (
        RuleKind.CONDITION,
        "2",
        "在我公司服务人员到场情况下,检测机器的检伪功能是否全开,并且设置为正常状态;",
        "With our service staff on site, the machine's counterfeit detection is checked to be fully on and set "
        "to normal.",
        "detection_fully_on",
        ["yes"],
    ),
    (
        RuleKind.CONDITION,
        "3",
        "在该清分机必须具有冠字号码储存功能,并检测是否能查到该张假币的冠字号码;",
        "The sorter must store serial numbers, and the counterfeit note's serial number must be found in it.",
        "serial_found_in_machine",
        ["yes"],
    ),
    (
        RuleKind.CONDITION,
        "4",
        "该清分机是否插U盘、链接电脑或网络上传,在电脑中或U盘内的Excel表格中找到该张假钞的冠字号码,"
        "并确认该假币进入正币口、损币口还是退币口,进退币口的不予赔付;",
        "The note's serial number is found in the Excel records on the computer or USB drive, confirming it went "
        "to the accepted or damaged-note outlet (notes at the reject outlet are not compensated).",
        "outlet",
        ["accepted", "damaged"],
    ),
    (
        RuleKind.EXCLUSION,
        "a",
        "我公司售后服务人员未到现场,代理商售后私自赔付的不予赔偿;",
        "Our after-sales staff were not on site and a dealer's after-sales staff paid compensation privately.",
        "agent_paid_privately",
        ["yes"],
    ),
    (
        RuleKind.EXCLUSION,
        "b",
        "清分机检测、检伪功能开启不全的不予赔付;",
        "The sorter's detection and counterfeit-detection functions were not all switched on.",
        "detection_fully_on",
        ["no"],
    ),
    (
        RuleKind.EXCLUSION,
        "c",
        "该张假币的冠字号码在清分机内查找不到的不予赔付;",
        "The counterfeit note's serial number cannot be found in the sorter.",
        "serial_found_in_machine",
        ["no"],
    ),
    (
        RuleKind.EXCLUSION,
        "d",
        "不插U盘或不连接电脑的,即使在清分机内查找到该张假钞号码,因无法确认其进入退币口还是正、损币口也不予赔付;",
        "No USB drive or computer was connected: even if the serial number is found in the sorter, the outlet "
        "cannot be confirmed.",
        "export_connected",
        ["no"],
    ),
    (
        RuleKind.EXCLUSION,
        "e",
        "在Excel表格内找到该张假币冠字号码,但显示该张冠字号码进入的为退币口,不予赔付;",
        "The serial number is in the Excel records, but shows the note went to the reject outlet.",
        "outlet",
        ["reject"],
    ),
    (
        RuleKind.EXCLUSION,
        "f",
        "发现该假币到我们服务人员上门确认期间,该张假币的冠字号码被私自涂改的不予赔付;",
        "Between the discovery and our staff's visit, the note's serial number was altered.",
        "serial_altered",
        ["yes"],
    ),
    (
        RuleKind.EXCLUSION,
        "g",
        "有意删除、阻碍我们查询电脑内或U盘内的Excel表格的不予赔付;",
        "The Excel records on the computer or USB drive were deliberately deleted, or our check of them was "
        "obstructed.",
        "records_obstructed",
        ["yes"],
    ),
]

COUNTERFEIT_DESCRIPTION = (
    "假币赔付承诺:客户在使用我公司产品中,如果未检出假币,我公司按照以下条款判别,因设备原因,我公司按1:1等额赔付。\n"
    "说明:遇到假币赔付,要将银行出示假币鉴别单发回公司,经审查合格后给予报销。"
)


@transaction.atomic
def install_counterfeit_rule_set() -> Any:
    """The seed-004 rule set, version 1, unless one with its code already exists."""
    from claims.models import ClaimRule, ClaimRuleSet

    existing = ClaimRuleSet.objects.filter(code=COUNTERFEIT_CODE).order_by("-version").first()
    if existing is not None:
        return existing
    rule_set = ClaimRuleSet.objects.create(
        code=COUNTERFEIT_CODE,
        version=1,
        name="清分机假币赔付",
        description=COUNTERFEIT_DESCRIPTION,
        effective_from=datetime.date(2020, 1, 1),
        payout_ratio=Decimal("1"),
        required_documents=[EvidenceKind.BANK_SLIP.value],
    )
    ClaimRule.objects.bulk_create(
        ClaimRule(
            rule_set=rule_set,
            position=position,
            kind=kind,
            code=code,
            text_zh=text_zh,
            text_en=text_en,
            question=question,
            expected=expected,
        )
        for position, (kind, code, text_zh, text_en, question, expected) in enumerate(COUNTERFEIT_RULES, start=1)
    )
    return rule_set


def install_reference_data(**kwargs: Any) -> None:
    """post_migrate receiver: safe to run many times; never overwrites an admin's edits."""
    install_counterfeit_rule_set()
