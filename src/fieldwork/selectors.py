"""Reads of field work. Records of the visit are scoped like their order: the units the user may
see (``core.scoping``), plus the orders assigned to the user (a borrowed technician)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

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
from workorders.choices import AttachmentKind, EventKind, Status
from workorders.models import Attachment, MaterialLine, TimelineEvent, WorkOrder
from workorders.selectors import workorders_visible_to

if TYPE_CHECKING:
    from billing.models import PartPrice

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


def paused_since(order: WorkOrder) -> TimelineEvent | None:
    """The ``pause`` event of a waiting order (when, by whom, the note), None otherwise."""
    if order.status != Status.WAITING:
        return None
    return TimelineEvent.objects.filter(order=order, kind=EventKind.PAUSE).order_by("-at", "-id").first()


def job_photos(order: WorkOrder) -> list[Attachment]:
    return list(Attachment.objects.filter(order=order, kind=AttachmentKind.PHOTO).order_by("id"))


# --- parts from the price list -------------------------------------------------------------------

#: How many parts of the price list a search as you type shows.
PART_RESULTS = 10
MAX_PART_TOKENS = 5


def price_list_parts(*, query: str, on: date, limit: int = PART_RESULTS) -> list[PartPrice]:
    """Parts of the price list in force on ``on`` (附件2 零部件报价清单) whose name or part code
    contains every word of ``query``; nothing for an empty query. The price list is company-wide
    configuration, read-only here (billing owns it)."""
    from billing.models import PartPrice
    from billing.selectors import part_price_list_in_force

    tokens = (query or "")[:100].split()[:MAX_PART_TOKENS]
    price_list = part_price_list_in_force(on) if tokens else None
    if price_list is None:
        return []
    parts = PartPrice.objects.filter(price_list=price_list)
    for token in tokens:
        parts = parts.filter(Q(name__icontains=token) | Q(code__icontains=token))
    return list(parts.order_by("code")[:limit])


def price_list_part(*, code: str, on: date) -> PartPrice | None:
    """One part of the price list in force on ``on`` by its part code."""
    from billing.models import PartPrice
    from billing.selectors import part_price_list_in_force

    price_list = part_price_list_in_force(on)
    if price_list is None or not code:
        return None
    return PartPrice.objects.filter(price_list=price_list, code=code).first()


def price_list_line_ids(lines: Iterable[MaterialLine]) -> set[int]:
    """The material lines that are parts of the price list: the part code (kept as the line's model),
    name and unit price of a part of the list in force on the day the line was recorded. Every other
    line was typed by hand and is shown as not on the price list. One query per price list involved
    (usually one) and one for the parts."""
    from billing.models import PartPrice
    from billing.selectors import part_price_list_in_force

    lines = [line for line in lines if line.model]
    if not lines:
        return set()
    list_of_day: dict[date, int | None] = {}
    for line in lines:
        day = timezone.localdate(line.created_at)
        if day not in list_of_day:
            price_list = part_price_list_in_force(day)
            list_of_day[day] = price_list.pk if price_list else None
    list_ids = {pk for pk in list_of_day.values() if pk is not None}
    if not list_ids:
        return set()
    listed: dict[tuple[int | None, str], tuple[str, Decimal]] = {
        (price.price_list_id, price.code): (price.name, price.unit_price)
        for price in PartPrice.objects.filter(price_list_id__in=list_ids, code__in={line.model for line in lines})
    }
    return {
        line.pk
        for line in lines
        if listed.get((list_of_day[timezone.localdate(line.created_at)], line.model)) == (line.name, line.unit_price)
    }


def _checklist_rows(
    items: list[ChecklistItem], marks: dict[int, VisitChecklist]
) -> list[tuple[ChecklistItem, VisitChecklist | None]]:
    """The active items with their marks, and the retired items this order has a mark of."""
    return [(item, marks.get(item.pk)) for item in items if item.is_active or item.pk in marks]


def checklist_for(order: WorkOrder) -> list[tuple[ChecklistItem, VisitChecklist | None]]:
    """The active items of the code of conduct with this order's marks (and retired items that were
    marked on it)."""
    marks = {mark.item_id: mark for mark in VisitChecklist.objects.filter(order=order).select_related("checked_by")}
    items = ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=list(marks))).order_by("position", "id")
    return _checklist_rows(list(items), marks)


def orders_awaiting_qc(user: Any) -> QuerySet[WorkOrder]:
    """Orders in QC the user may inspect (none without ``inspect_workorder``)."""
    if not user.has_perm("workorders.inspect_workorder"):
        return WorkOrder.objects.none()
    return (
        workorders_visible_to(user)
        .filter(status=Status.QC)
        .select_related("customer", "technician")
        .order_by("updated_at", "id")
    )


@dataclass
class QcDossier:
    """What the QC inspector passes: the repair log, the parts and materials, the photos and the
    code of conduct with each item's state."""

    order: WorkOrder
    log: list[RepairLogEntry] = field(default_factory=list)
    materials: list[MaterialLine] = field(default_factory=list)
    photos: list[Attachment] = field(default_factory=list)
    checklist: list[tuple[ChecklistItem, VisitChecklist | None]] = field(default_factory=list)


def qc_dossiers(user: Any, orders: list[WorkOrder]) -> list[QcDossier]:
    """The dossiers of a page of orders awaiting QC, in the page's order: one query per kind of
    record, whatever the number of orders (the records scoped like their order, ADR 0002)."""
    ids = [order.pk for order in orders]
    dossiers = {order.pk: QcDossier(order=order) for order in orders}
    if not ids:
        return []
    for entry in repair_log_entries_visible_to(user).filter(order_id__in=ids).order_by("at", "id"):
        dossiers[entry.order_id].log.append(entry)
    for line in MaterialLine.objects.filter(order_id__in=ids).order_by("id"):
        dossiers[line.order_id].materials.append(line)
    for photo in Attachment.objects.filter(order_id__in=ids, kind=AttachmentKind.PHOTO).order_by("id"):
        dossiers[photo.order_id].photos.append(photo)
    marks: dict[int, dict[int, VisitChecklist]] = {order_id: {} for order_id in ids}
    for mark in visit_checklists_visible_to(user).filter(order_id__in=ids):
        marks[mark.order_id][mark.item_id] = mark
    marked = {item_id for order_marks in marks.values() for item_id in order_marks}
    items = list(ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=marked)).order_by("position", "id"))
    for order_id, dossier in dossiers.items():
        dossier.checklist = _checklist_rows(items, marks[order_id])
    return [dossiers[order_id] for order_id in ids]
