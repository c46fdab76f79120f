"""Reads of follow-up work, scoped by the unit that serves the order or handles the complaint."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from core.scoping import scope_by_unit
from followup.choices import CALLBACK_OPEN_STATUSES, ComplaintEventKind
from followup.models import (
    CallbackSample,
    CallbackTask,
    CallScript,
    CareDelivery,
    CareRule,
    Complaint,
    QualityIssue,
    QualityWarning,
    RecoveryTask,
    Survey,
)


def callbacks_visible_to(user: Any) -> QuerySet[CallbackTask]:
    return scope_by_unit(
        CallbackTask.objects.select_related("order", "order__customer", "unit", "sample"),
        user,
        field="unit",
        permission="followup.view_callbacktask",
    )


def callback_queue(*, user: Any, today: date | None = None, status: str = "", q: str = "") -> QuerySet[CallbackTask]:
    """The agent's queue: open callbacks whose next attempt is due (today or earlier), the
    nearest due time first; ``status`` shows the finished ones too."""
    tasks = callbacks_visible_to(user)
    if status:
        tasks = tasks.filter(status=status)
    else:
        today = today or timezone.localdate()
        tasks = tasks.filter(status__in=CALLBACK_OPEN_STATUSES).filter(
            Q(next_attempt_on__isnull=True) | Q(next_attempt_on__lte=today)
        )
    q = (q or "").strip()[:64]
    if q:
        tasks = tasks.filter(Q(order__number__icontains=q) | Q(order__customer__name__icontains=q))
    return tasks.order_by("due_at", "id")


def samples_visible_to(user: Any) -> QuerySet[CallbackSample]:
    return scope_by_unit(
        CallbackSample.objects.select_related("unit", "drawn_by"),
        user,
        field="unit",
        permission="followup.view_callbacksample",
    )


def call_script_for(service_type: str) -> CallScript | None:
    return CallScript.objects.filter(service_type=service_type).first()


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    return scope_by_unit(
        Complaint.objects.select_related("customer", "unit", "work_order", "technician", "station", "product_model"),
        user,
        field="unit",
        permission="followup.view_complaint",
    )


def complaint_list(
    *, user: Any, status: str = "", subject: str = "", alert: str = "", q: str = "", work_order: int | None = None
) -> QuerySet[Complaint]:
    complaints = complaints_visible_to(user)
    if status:
        complaints = complaints.filter(status=status)
    if subject:
        complaints = complaints.filter(subject=subject)
    if alert:
        complaints = complaints.filter(alert=alert)
    if work_order:
        complaints = complaints.filter(work_order_id=work_order)
    q = (q or "").strip()[:64]
    if q:
        complaints = complaints.filter(
            Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(description__icontains=q)
        )
    return complaints


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def complaint_monthly_report(*, user: Any, year: int, month: int) -> dict[str, Any]:
    """The month's complaints for the report upward (SPEC §9 "reported upward"): received by
    subject, channel and unit; acknowledged in time; closed, with the customers' answers; still
    open at the month's end. Counted in SQL over the complaints the user may see."""
    start, end = _month_bounds(year, month)
    visible = complaints_visible_to(user)
    received = visible.filter(received_at__gte=start, received_at__lt=end)
    acknowledged = visible.filter(acknowledged_at__gte=start, acknowledged_at__lt=end)
    closed = visible.filter(closed_at__gte=start, closed_at__lt=end)

    def by(queryset: QuerySet[Complaint], field: str) -> dict[str, int]:
        return {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("id")).order_by(field)}

    on_time = acknowledged.filter(acknowledged_at__lte=models_f("acknowledge_by")).count()
    escalated = visible.filter(
        events__kind=ComplaintEventKind.ESCALATE, events__at__gte=start, events__at__lt=end
    ).distinct()
    return {
        "year": year,
        "month": month,
        "received": received.count(),
        "by_subject": by(received, "subject"),
        "by_channel": by(received, "channel"),
        "by_unit": {
            row["unit__name"]: row["n"]
            for row in received.values("unit__name").annotate(n=Count("id")).order_by("unit__name")
        },
        "acknowledged": acknowledged.count(),
        "acknowledged_on_time": on_time,
        "escalated": escalated.count(),
        "closed": closed.count(),
        "closed_by_answer": by(closed, "customer_answer"),
        "open_at_month_end": visible.filter(received_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .count(),
    }


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def month_of(day: date) -> tuple[int, int]:
    return day.year, day.month


def previous_month(day: date) -> tuple[int, int]:
    first = day.replace(day=1) - timedelta(days=1)
    return first.year, first.month


# --- surveys and service recovery ---------------------------------------------------------------


def surveys_visible_to(user: Any) -> QuerySet[Survey]:
    """Surveys of the orders of the user's units (the customer answers on the portal)."""
    return scope_by_unit(
        Survey.objects.select_related("order", "order__customer", "order__technician", "unit"),
        user,
        field="unit",
        permission="followup.view_survey",
    )


def _period(start: date | None, end: date | None) -> Q:
    tz = timezone.get_current_timezone()
    q = Q()
    if start is not None:
        q &= Q(created_at__gte=datetime.combine(start, time(0, 0), tzinfo=tz))
    if end is not None:
        q &= Q(created_at__lt=datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=tz))
    return q


def survey_list(
    *,
    user: Any,
    answered: bool | None = None,
    satisfaction: str = "",
    work_order: int | None = None,
    technician: int | None = None,
    unit: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Survey]:
    """The surveys issued in the period (``start``–``end`` by the day the link was made), newest first."""
    surveys = surveys_visible_to(user).filter(_period(start, end))
    if answered is not None:
        surveys = surveys.filter(answered_at__isnull=not answered)
    if satisfaction:
        surveys = surveys.filter(satisfaction=satisfaction)
    if work_order:
        surveys = surveys.filter(order_id=work_order)
    if technician:
        surveys = surveys.filter(order__technician_id=technician)
    if unit:
        surveys = surveys.filter(unit_id=unit)
    return surveys.order_by("-created_at", "-id")


SURVEY_RESULT_KEYS = {"technician": "order__technician_id", "station": "unit_id"}


def survey_results(*, user: Any, by: str, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """Survey results per technician or station (the order's serving unit) in SQL: links
    issued, answers, 满意 / 不满意, the mean score and the scores of 2 or less."""
    key = SURVEY_RESULT_KEYS[by]
    rows = (
        surveys_visible_to(user)
        .filter(_period(start, end))
        .exclude(**{f"{key}__isnull": True})
        .order_by()
        .values(key)
        .annotate(
            issued=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            satisfied=Count("id", filter=Q(satisfaction="satisfied")),
            unsatisfied=Count("id", filter=Q(satisfaction="unsatisfied")),
            low_scores=Count("id", filter=Q(score__lte=2)),
            mean_score=Avg("score"),
        )
        .order_by(key)
    )
    results = list(rows)
    names = _result_names(by, [row[key] for row in results])
    return [
        {
            "id": row[key],
            "name": names.get(row[key], ""),
            "issued": row["issued"],
            "answered": row["answered"],
            "satisfied": row["satisfied"],
            "unsatisfied": row["unsatisfied"],
            "low_scores": row["low_scores"],
            "mean_score": round(row["mean_score"], 2) if row["mean_score"] is not None else None,
        }
        for row in results
    ]


def _result_names(by: str, ids: list[int]) -> dict[int, str]:
    if by == "station":
        from core.models import OrgUnit

        return dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name"))
    from django.contrib.auth import get_user_model

    return {
        user.pk: user.get_full_name() or user.get_username() for user in get_user_model().objects.filter(pk__in=ids)
    }


def recovery_tasks_visible_to(user: Any) -> QuerySet[RecoveryTask]:
    return scope_by_unit(
        RecoveryTask.objects.select_related("order", "order__customer", "survey", "assigned_to", "closed_by"),
        user,
        field="unit",
        permission="followup.view_recoverytask",
    )


# --- customer care ----------------------------------------------------------------------------


def care_rules_visible_to(user: Any) -> QuerySet[CareRule]:
    """Care rules are the organisation's: every holder of the view permission sees them all."""
    if not user.has_perm("followup.view_carerule"):
        return CareRule.objects.none()
    return CareRule.objects.all()


def care_log_visible_to(user: Any) -> QuerySet[CareDelivery]:
    """The care log of the customers of the user's units."""
    if not user.has_perm("followup.view_caredelivery"):
        return CareDelivery.objects.none()
    return scope_by_unit(
        CareDelivery.objects.select_related("rule", "customer"), user, field="customer__unit"
    ).order_by("-day", "-id")


# --- quality ------------------------------------------------------------------------------------


def quality_warnings_visible_to(user: Any) -> QuerySet[QualityWarning]:
    """Warnings are about product models (the manufacturer's), not a unit: by permission only."""
    if not user.has_perm("followup.view_qualitywarning"):
        return QualityWarning.objects.none()
    return QualityWarning.objects.select_related("product_model", "issue")


def quality_issues_visible_to(user: Any) -> QuerySet[QualityIssue]:
    if not user.has_perm("followup.view_qualityissue"):
        return QualityIssue.objects.none()
    return QualityIssue.objects.select_related("product_model", "warning", "owner", "created_by")
