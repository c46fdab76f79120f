"""Reads of preventive maintenance, each through one scoping rule per model: a plan is seen by the
users of its unit (and above) and by those who see one of its devices; an occurrence and an
inspection result by those who see its device's owner (``devices.selectors.devices_visible_to``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.scoping import unit_ids_visible_to
from customers.models import Customer
from maintenance.models import InspectionResult, MaintenancePlan, Occurrence


def plans_visible_to(user: Any) -> QuerySet[MaintenancePlan]:
    if not user.has_perm("maintenance.view_maintenanceplan"):
        return MaintenancePlan.objects.none()
    plans = MaintenancePlan.objects.select_related("unit", "contract", "checklist")
    visible = unit_ids_visible_to(user)
    if visible is None:
        return plans
    own_device = MaintenancePlan.devices.through.objects.filter(
        maintenanceplan_id=OuterRef("pk"), device__customer__unit_id__in=visible
    )
    return plans.filter(Q(unit_id__in=visible) | Exists(own_device) | Q(contract__customer__unit_id__in=visible))


def occurrences_visible_to(user: Any) -> QuerySet[Occurrence]:
    if not user.has_perm("maintenance.view_maintenanceplan"):
        return Occurrence.objects.none()
    occurrences = Occurrence.objects.select_related("device__customer", "device__product_model", "work_order", "plan")
    visible = unit_ids_visible_to(user)
    return occurrences if visible is None else occurrences.filter(device__customer__unit_id__in=visible)


def results_visible_to(user: Any) -> QuerySet[InspectionResult]:
    if not user.has_perm("maintenance.view_inspectionresult"):
        return InspectionResult.objects.none()
    results = InspectionResult.objects.select_related("item", "order", "recorded_by")
    visible = unit_ids_visible_to(user)
    return results if visible is None else results.filter(order__customer__unit_id__in=visible)


def plan_occurrences(*, user: Any, plan: MaintenancePlan) -> QuerySet[Occurrence]:
    return occurrences_visible_to(user).filter(plan=plan).order_by("due_on", "device_id")


def occurrences_by_day(*, user: Any, plan: MaintenancePlan, start: date, end: date) -> dict[date, list[Occurrence]]:
    """The calendar view: occurrences planned on each day of [start, end]."""
    days: dict[date, list[Occurrence]] = defaultdict(list)
    for occ in plan_occurrences(user=user, plan=plan).filter(planned_on__range=(start, end)):
        days[occ.planned_on].append(occ)
    return dict(days)


def organisation_tree(customer: Customer) -> list[Customer]:
    """The organisation and every branch reporting to it, however deep (breadth first)."""
    tree = [customer]
    frontier = [customer.pk]
    seen = {customer.pk}
    while frontier:
        children = [c for c in Customer.objects.filter(parent_id__in=frontier).order_by("pk") if c.pk not in seen]
        seen.update(c.pk for c in children)
        tree.extend(children)
        frontier = [c.pk for c in children]
    return tree


def inspection_rollup(*, user: Any, customer: Customer, start: date, end: date) -> dict[str, Any]:
    """Per organisation of the tree (the customer and its branches): occurrences due in the period,
    orders completed, items with an issue and measurements out of limits; and the totals."""
    tree = organisation_tree(customer)
    ids = [c.pk for c in tree]
    occurrences = occurrences_visible_to(user).filter(device__customer_id__in=ids, due_on__range=(start, end))
    due = dict(
        occurrences.values_list("device__customer_id").annotate(n=Count("id")).values_list("device__customer_id", "n")
    )
    done = dict(
        occurrences.filter(work_order__completed_at__isnull=False)
        .values_list("device__customer_id")
        .annotate(n=Count("id"))
        .values_list("device__customer_id", "n")
    )
    orders = occurrences.exclude(work_order=None).values("work_order_id")
    results = results_visible_to(user).filter(order_id__in=orders)
    issues = dict(
        results.filter(outcome="issue")
        .values_list("order__customer_id")
        .annotate(n=Count("id"))
        .values_list("order__customer_id", "n")
    )
    flagged = dict(
        results.filter(out_of_limit=True)
        .values_list("order__customer_id")
        .annotate(n=Count("id"))
        .values_list("order__customer_id", "n")
    )
    rows: list[dict[str, Any]] = [
        {
            "customer": c,
            "is_root": c.pk == customer.pk,
            "due": due.get(c.pk, 0),
            "done": done.get(c.pk, 0),
            "issues": issues.get(c.pk, 0),
            "out_of_limit": flagged.get(c.pk, 0),
        }
        for c in tree
    ]
    totals = {key: sum(int(row[key]) for row in rows) for key in ("due", "done", "issues", "out_of_limit")}
    return {"customer": customer, "rows": rows, "totals": totals, "start": start, "end": end}


def contracts_expiring(*, user: Any, today: date, within_days: int = 60) -> Any:
    """The user's active contracts whose term ends within ``within_days`` (soonest first)."""
    from datetime import timedelta

    from policies.selectors import contracts_visible_to

    return (
        contracts_visible_to(user)
        .filter(is_active=True, ends_on__gte=today, ends_on__lte=today + timedelta(days=within_days))
        .order_by("ends_on", "pk")
    )
