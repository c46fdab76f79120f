"""Demo content of follow-up for the existing demo orders: survey links (two answered, one
unhappy → a recovery task), the callback queue with a reached and an unanswered call, an HQ
sample, the quality scan, and complaints at several steps. Idempotent: a second run adds
nothing (it stops where the demo already has complaints). Call it from the demo loader:
``followup.demo.load_demo_followup()``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.choices import UnitKind
from followup.choices import CallbackStatus
from followup.models import CallbackTask, Complaint
from followup.services import (
    callback_queue_refresh,
    callback_record_call,
    callback_sample_draw,
    complaint_create,
    complaint_transition,
)
from workorders.choices import Status
from workorders.models import WorkOrder


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).select_related("profile").first()


def load_demo_followup() -> dict[str, int]:
    """Create the demo's callbacks, one HQ sample and three complaints (uses the demo users
    ``agent`` and ``director``); returns what it created."""
    agent, director = _user("agent"), _user("director")
    from followup.quality import quality_warning_scan
    from followup.surveys import survey_answer, surveys_issue_due

    created = {
        "surveys": surveys_issue_due(),
        "callbacks": callback_queue_refresh(),
        "calls": 0,
        "samples": 0,
        "complaints": 0,
    }
    if agent is None or director is None:
        return created
    open_tasks = list(CallbackTask.objects.filter(status=CallbackStatus.OPEN).select_related("order")[:2])
    if open_tasks:
        callback_record_call(
            task=open_tasks[0],
            acting_user=agent,
            outcome="reached",
            satisfaction="satisfied",
            score=5,
            comment="工程师准时到达，讲解清楚。",
        )
        created["calls"] += 1
    if len(open_tasks) > 1:
        callback_record_call(task=open_tasks[1], acting_user=agent, outcome="no_answer", note="响铃无人接")
        created["calls"] += 1
    done = WorkOrder.objects.filter(
        status__in=[Status.COMPLETED, Status.FOLLOWED_UP, Status.CLOSED], completed_at__isnull=False
    ).exclude(unit__kind=UnitKind.HQ)
    first = done.order_by("completed_at").first()
    if first is not None and first.completed_at is not None:
        day = timezone.localtime(first.completed_at).date()
        callback_sample_draw(
            unit=first.unit,
            period_start=day.replace(day=1),
            period_end=timezone.localdate(),
            acting_user=director,
            share=Decimal("0.2"),
            seed="demo",
        )
        created["samples"] = 1
    from followup.models import Survey

    unanswered = list(Survey.objects.filter(answered_at__isnull=True).order_by("id")[:2])
    for survey, (rating, score) in zip(unanswered, [("satisfied", 5), ("unsatisfied", 2)], strict=False):
        survey_answer(token=survey.token, satisfaction=rating, score=score, comment="演示评价")
    created["warnings"] = quality_warning_scan()
    if Complaint.objects.exists():
        return created
    orders = list(WorkOrder.objects.filter(completed_at__isnull=False).select_related("customer")[:3])
    texts = [
        ("师傅上门迟到了两个小时，也没有提前打电话说明。", "希望退还上门费并道歉"),
        ("修好不到一周又出现同样的故障，耽误了我们营业。", "要求免费更换主板"),
        ("客服电话一直占线，打了五次才接通。", ""),
    ]
    for index, order in enumerate(orders):
        words, remedy = texts[index]
        complaint = complaint_create(
            acting_user=agent,
            customer=order.customer,
            work_order=order if index < 2 else None,
            description=words,
            remedy_requested=remedy,
            channel="phone",
        )
        created["complaints"] += 1
        if index == 0:
            for action, data in [
                ("acknowledge", {}),
                ("investigate", {}),
                ("note", {"note": "调取派工记录：预约 9:00，签到 11:05，属实。"}),
                ("contact", {"note": "电话向客户致歉，说明处理方案。"}),
                ("resolve", {"resolution": "迟到属实，已对工程师进行批评教育。", "remedy": "退还上门费 50 元"}),
                ("customer_answer", {"answer": "satisfied"}),
                ("close", {}),
            ]:
                complaint = complaint_transition(complaint=complaint, action=action, acting_user=agent, data=data)
        elif index == 1:
            complaint_transition(complaint=complaint, action="acknowledge", acting_user=agent)
    return created
