"""Reads of field work. Records of the visit are scoped like their order: the units the user may
see (``core.scoping``), plus the orders assigned to the user (a borrowed technician)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from core.scoping import scope_by_unit_or_assignee
from fieldwork.models import (
    CheckIn,
    ChecklistItem,
    CustomerSignature,
    RepairLogEntry,
    RepairPlan,
    ServiceReport,
    VisitChecklist,
)
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

#: Orders a technician still has work on (shown on "my jobs" whatever their appointment day).
ONGOING = (Status.IN_PROGRESS, Status.WAITING, Status.AWAITING_SIGNOFF)
DISPATCHED = (Status.ACCEPTED, Status.APPROVED, Status.ASSIGNED, Status.SCHEDULED)


def _scoped(queryset: QuerySet[Any], user: Any, permission: str) -> QuerySet[Any]:
    return scope_by_unit_or_assignee(
        queryset, user, field="order__unit", assignee_field="order__technician_id", permission=permission
    )


def check_ins_visible_to(user: Any) -> QuerySet[CheckIn]:
    return _scoped(CheckIn.objects.select_related("order", "technician"), user, "fieldwork.view_checkin")


def visit_checklists_visible_to(user: Any) -> QuerySet[VisitChecklist]:
    return _scoped(VisitChecklist.objects.select_related("item", "checked_by"), user, "fieldwork.view_visitchecklist")


def repair_plans_visible_to(user: Any) -> QuerySet[RepairPlan]:
    return _scoped(RepairPlan.objects.all(), user, "fieldwork.view_repairplan")


def repair_log_entries_visible_to(user: Any) -> QuerySet[RepairLogEntry]:
    return _scoped(RepairLogEntry.objects.select_related("author"), user, "fieldwork.view_repairlogentry")


def customer_signatures_visible_to(user: Any) -> QuerySet[CustomerSignature]:
    return _scoped(CustomerSignature.objects.all(), user, "fieldwork.view_customersignature")


def service_reports_visible_to(user: Any) -> QuerySet[ServiceReport]:
    return _scoped(ServiceReport.objects.select_related("order"), user, "fieldwork.view_servicereport")


# --- the technician's day ------------------------------------------------------------------------


@dataclass
class FieldJob:
    """One stop of the technician's day, in route order."""

    order: WorkOrder
    sequence: int | None = None  # the approved plan's order of visits
    window_start: datetime | None = None
    window_end: datetime | None = None
    source: str = ""  # "plan", "appointment", "scheduled" or "ongoing"

    @property
    def sort_key(self) -> tuple[int, float, int]:
        moment = self.window_start or self.order.appointment_at
        return (
            0 if self.order.status in ONGOING else 1,
            moment.timestamp() if moment else float("inf"),
            self.sequence if self.sequence is not None else 999,
        )


def field_jobs_for(user: Any, day: date) -> list[FieldJob]:
    """The technician's jobs of the day in route order: work already under way first, then the
    visits by the approved (or applied) plan's sequence and the appointments' windows."""
    from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, PlanStatus
    from dispatch.models import Appointment, PlanVisit
    from dispatch.selectors import day_start

    orders = workorders_visible_to(user).filter(technician_id=user.pk)
    start, end = day_start(day), day_start(day + timedelta(days=1))
    jobs: dict[int, FieldJob] = {}
    for order in orders.filter(
        Q(status__in=ONGOING) | Q(status__in=DISPATCHED, appointment_at__gte=start, appointment_at__lt=end)
    ):
        jobs[order.pk] = FieldJob(order=order, source="ongoing" if order.status in ONGOING else "scheduled")
    appointments = Appointment.objects.filter(
        technician_id=user.pk,
        date=day,
        status__in=ACTIVE_APPOINTMENT_STATUSES,
        order__in=orders.filter(status__in=(*DISPATCHED, *ONGOING)),
    ).select_related("order__customer")
    for appointment in appointments:
        job = jobs.setdefault(appointment.order_id, FieldJob(order=appointment.order))
        job.window_start, job.window_end, job.source = appointment.window_start, appointment.window_end, "appointment"
    visits = PlanVisit.objects.filter(
        technician_id=user.pk,
        plan__day=day,
        plan__status__in=(PlanStatus.APPROVED, PlanStatus.APPLIED),
        order__in=orders.filter(status__in=(*DISPATCHED, *ONGOING)),
    ).select_related("order__customer")
    for visit in visits:
        planned = jobs.setdefault(
            visit.order_id, FieldJob(order=visit.order, window_start=visit.start_at, source="plan")
        )
        planned.sequence = visit.sequence
    ordered = sorted(jobs.values(), key=lambda job: job.sort_key)
    return ordered


def field_job_for(user: Any, pk: int) -> WorkOrder | None:
    """One order for the job page, as the user may see it."""
    return (
        workorders_visible_to(user)
        .select_related("customer", "device__product_model", "technician")
        .prefetch_related("materials")
        .filter(pk=pk)
        .first()
    )


def checklist_for(order: WorkOrder) -> list[tuple[ChecklistItem, VisitChecklist | None]]:
    """The active items of the code of conduct with this order's marks (and retired items that were
    ticked on it)."""
    marks = {mark.item_id: mark for mark in VisitChecklist.objects.filter(order=order).select_related("checked_by")}
    items = ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=list(marks))).order_by("position", "id")
    return [(item, marks.get(item.pk)) for item in items]


def orders_awaiting_qc(user: Any) -> QuerySet[WorkOrder]:
    """Orders in QC the user may inspect (none without ``inspect_workorder``)."""
    if not user.has_perm("workorders.inspect_workorder"):
        return WorkOrder.objects.none()
    return workorders_visible_to(user).filter(status=Status.QC).order_by("updated_at", "id")
