"""Staff pages of preventive maintenance: the plans with their calendar of due occurrences, the
create/edit forms, the inspection page of a maintenance order (phone-sized), its PDF report, and
the roll-up per customer organisation. Thin: forms validate, services decide and write."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors
from core.scoping import unit_ids_visible_to
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from maintenance import services
from maintenance.choices import ItemKind, Outcome
from maintenance.forms import GenerateForm, PlanForm
from maintenance.models import ChecklistTemplateItem, MaintenancePlan, Occurrence
from maintenance.selectors import (
    inspection_rollup,
    occurrences_by_day,
    plan_occurrences,
    plans_visible_to,
    results_visible_to,
)
from policies.models import Contract
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 25


def _plan_or_404(request: HttpRequest, pk: int) -> MaintenancePlan:
    plan = plans_visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def _contracts(request: HttpRequest) -> list[Contract]:
    contracts = Contract.objects.select_related("customer").filter(is_active=True).order_by("-starts_on")
    visible = unit_ids_visible_to(request.user)
    if visible is not None:
        contracts = contracts.filter(customer__unit_id__in=visible)
    return list(contracts[:200])


@login_required
@permission_required("maintenance.view_maintenanceplan", raise_exception=True)
def plans(request: HttpRequest) -> HttpResponse:
    rows = plans_visible_to(request.user).order_by("-id")
    q = request.GET.get("q", "").strip()[:64]
    if q:
        rows = rows.filter(name__icontains=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "maintenance/plan_list.html", {"page": page, "q": q})


def _resolve_serials(request: HttpRequest, form: PlanForm) -> list[int] | None:
    serials = form.serials()
    found = dict(devices_visible_to(request.user).filter(serial_number__in=serials).values_list("serial_number", "pk"))
    missing = [s for s in serials if s not in found]
    if missing:
        form.add_error("devices", _("Unknown device: %(ids)s.") % {"ids": ", ".join(missing)})
        return None
    return [found[s] for s in serials]


@login_required
@permission_required("maintenance.add_maintenanceplan", raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    contracts = _contracts(request)
    if request.method == "POST":
        form = PlanForm(request.POST, contracts=contracts)
        if form.is_valid():
            device_ids = _resolve_serials(request, form)
            data = form.cleaned_data
            contract = None
            if data.get("contract"):
                contract = next((c for c in contracts if c.pk == data["contract"]), None)
                if contract is None:
                    form.add_error("contract", _("Unknown contract."))
            if device_ids is not None and not form.errors:
                try:
                    plan = services.plan_create(
                        acting_user=request.user,
                        name=data["name"],
                        service_type=data["service_type"],
                        schedule=data["schedule"],
                        interval_months=data.get("interval_months"),
                        interval_days=data.get("interval_days"),
                        starts_on=data["starts_on"],
                        ends_on=data.get("ends_on"),
                        horizon_days=data["horizon_days"],
                        non_working=data["non_working"],
                        checklist=data.get("checklist"),
                        contract=contract,
                        devices=device_ids,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("Maintenance plan created."))
                    return redirect("maintenance:plan", plan.pk)
    else:
        initial: dict[str, Any] = {"starts_on": timezone.localdate()}
        device_pk = request.GET.get("device", "")
        if device_pk.isdigit():
            device = devices_visible_to(request.user).filter(pk=int(device_pk)).first()
            if device is not None:
                initial["devices"] = device.serial_number
        form = PlanForm(initial=initial, contracts=contracts)
    return render(request, "maintenance/plan_form.html", {"form": form, "plan": None})


@login_required
@permission_required("maintenance.change_maintenanceplan", raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    serials = " ".join(plan.devices.order_by("pk").values_list("serial_number", flat=True))
    initial = {
        "name": plan.name,
        "service_type": plan.service_type,
        "schedule": plan.schedule,
        "interval_months": plan.interval_months,
        "interval_days": plan.interval_days,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "horizon_days": plan.horizon_days,
        "non_working": plan.non_working,
        "checklist": plan.checklist,
        "contract": plan.contract_id,
        "devices": serials,
    }
    contracts = _contracts(request)
    if request.method == "POST":
        form = PlanForm(request.POST, initial=initial, contracts=contracts, editing=True)
        if form.is_valid():
            device_ids = _resolve_serials(request, form)
            if device_ids is not None:
                data = form.cleaned_data
                changes = {
                    name: data.get(name)
                    for name in (
                        "name",
                        "schedule",
                        "interval_months",
                        "interval_days",
                        "ends_on",
                        "horizon_days",
                        "non_working",
                        "checklist",
                    )
                }
                try:
                    services.plan_update(
                        plan=plan,
                        acting_user=request.user,
                        changes=changes,
                        devices=device_ids,
                        expected_version=int(request.POST.get("version") or plan.version),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except VersionConflict as conflict:
                    form.add_error(None, str(conflict))
                else:
                    messages.success(request, _("Maintenance plan saved."))
                    return redirect("maintenance:plan", plan.pk)
    else:
        form = PlanForm(initial=initial, contracts=contracts, editing=True)
    return render(request, "maintenance/plan_form.html", {"form": form, "plan": plan})


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@permission_required("maintenance.view_maintenanceplan", raise_exception=True)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    first = _month(request)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    by_day = occurrences_by_day(user=request.user, plan=plan, start=first, end=last)
    weeks = [
        [{"day": day, "in_month": day.month == first.month, "items": by_day.get(day, [])} for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    occurrences = Paginator(plan_occurrences(user=request.user, plan=plan), PAGE_SIZE).get_page(request.GET.get("page"))
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    context = {
        "plan": plan,
        "weeks": weeks,
        "month": first,
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "occurrences": occurrences,
        "devices": list(services.plan_devices(plan).select_related("customer")[:50]),
        "device_count": services.plan_devices(plan).count(),
        "generate_form": GenerateForm(initial={"until": timezone.localdate() + timedelta(days=plan.horizon_days)}),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "maintenance/plan_detail.html", context)


@login_required
@permission_required("maintenance.generate_maintenanceplan", raise_exception=True)
@require_POST
def plan_generate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a date as YYYY-MM-DD."))
        return redirect("maintenance:plan", plan.pk)
    try:
        created = services.plan_generate(plan=plan, until=form.cleaned_data["until"], acting_user=request.user)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("%(n)s work orders created.") % {"n": created})
    return redirect("maintenance:plan", plan.pk)


# --- inspection of one order -----------------------------------------------------------------


def _maintenance_order(request: HttpRequest, pk: int) -> tuple[WorkOrder, Occurrence]:
    if not request.user.has_perm("maintenance.view_inspectionresult"):
        raise PermissionDenied
    order = workorders_visible_to(request.user).filter(pk=pk).first()
    occurrence = (
        Occurrence.objects.select_related("plan__checklist", "device").filter(work_order=order).first()
        if order
        else None
    )
    if order is None or occurrence is None:
        raise Http404
    return order, occurrence


def inspection_rows(request: HttpRequest, order: WorkOrder, occurrence: Occurrence) -> list[dict[str, Any]]:
    checklist = occurrence.plan.checklist
    if checklist is None:
        return []
    results = {r.item_id: r for r in results_visible_to(request.user).filter(order=order)}
    return [{"item": item, "result": results.get(item.pk)} for item in checklist.items.order_by("position", "id")]


@login_required
@require_http_methods(["GET", "POST"])
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """The technician's phone page of a maintenance order: each checklist item ok / issue / a
    measured value (flagged outside its limits), photos, and the report."""
    order, occurrence = _maintenance_order(request, pk)
    error = ""
    if request.method == "POST":
        try:
            if "photo" in request.FILES:
                from fieldwork.services import photo_add

                upload = request.FILES.get("photo")
                assert upload is not None
                photo_add(order=order, acting_user=request.user, upload=upload)
                messages.success(request, _("Photo added."))
            else:
                item = ChecklistTemplateItem.objects.filter(pk=int(request.POST.get("item") or 0)).first()
                if item is None:
                    raise ValidationError({"item": _("This item is not on the order's checklist.")})
                services.inspection_record(
                    order=order,
                    acting_user=request.user,
                    item=item,
                    outcome=request.POST.get("outcome", ""),
                    value=request.POST.get("value") or None,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Recorded: %(item)s.") % {"item": item.label})
            return redirect("maintenance:inspection", order.pk)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        except TransitionNotAllowed as refused:
            error = str(refused)
    from fieldwork.selectors import job_photos

    context = {
        "order": order,
        "occurrence": occurrence,
        "rows": inspection_rows(request, order, occurrence),
        "photos": job_photos(order),
        "error": error,
        "outcomes": [(Outcome.OK, Outcome.OK.label), (Outcome.ISSUE, Outcome.ISSUE.label)],
        "measure": ItemKind.MEASURE,
        "may_record": request.user.has_perm("maintenance.add_inspectionresult"),
    }
    return render(request, "maintenance/inspection.html", context, status=400 if error else 200)


@login_required
def inspection_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from maintenance.pdf import inspection_report_pdf

    order, occurrence = _maintenance_order(request, pk)
    content = inspection_report_pdf(
        order=order, occurrence=occurrence, rows=inspection_rows(request, order, occurrence)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="inspection-{order.number}.pdf"'
    return response


# --- roll-up ---------------------------------------------------------------------------------


@login_required
@permission_required("maintenance.view_inspectionresult", raise_exception=True)
def rollup(request: HttpRequest) -> HttpResponse:
    """Inspections per customer organisation and its branches over a period (default this year)."""
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today.replace(month=12, day=31)
    organisations = customers_visible_to(request.user).filter(kind="organisation", parent=None, branches__isnull=False)
    organisations = organisations.distinct().order_by("name")
    chosen = None
    raw = request.GET.get("customer", "")
    if raw.isdigit():
        chosen = customers_visible_to(request.user).filter(pk=int(raw)).first()
    report = inspection_rollup(user=request.user, customer=chosen, start=start, end=end) if chosen else None
    context = {
        "organisations": list(organisations[:200]),
        "chosen": chosen,
        "report": report,
        "start": start,
        "end": end,
    }
    return render(request, "maintenance/rollup.html", context)


# --- contracts -------------------------------------------------------------------------------


@login_required
@permission_required("policies.view_contract", raise_exception=True)
def contracts(request: HttpRequest) -> HttpResponse:
    """Annual-maintenance and other contracts ending soon: covered devices, their plans, a renewal
    quote; an annual-maintenance contract without a plan gets one with a click."""
    from maintenance.selectors import contracts_expiring

    try:
        within = max(1, min(int(request.GET.get("within", "60")), 366))
    except ValueError:
        within = 60
    today = timezone.localdate()
    rows = []
    for contract in contracts_expiring(user=request.user, today=today, within_days=within)[:100]:
        rows.append(
            {
                "contract": contract,
                "devices": services.contract_devices(contract).count(),
                "plans": list(plans_visible_to(request.user).filter(contract=contract)),
                "quote": services.renewal_quote(contract),
                "days_left": (contract.ends_on - today).days,
            }
        )
    annual = (
        Contract.objects.filter(
            pk__in=_contract_ids(request), kind="annual_maintenance", is_active=True, ends_on__gte=today
        )
        .exclude(maintenance_plans__is_active=True)
        .select_related("customer")
        .order_by("ends_on")[:50]
    )
    context = {"rows": rows, "within": within, "without_plan": list(annual)}
    return render(request, "maintenance/contracts.html", context)


def _contract_ids(request: HttpRequest) -> Any:
    from policies.selectors import contracts_visible_to

    return contracts_visible_to(request.user).values("pk")


@login_required
@permission_required("maintenance.add_maintenanceplan", raise_exception=True)
@require_POST
def contract_plan(request: HttpRequest, pk: int) -> HttpResponse:
    from policies.selectors import contracts_visible_to

    contract = contracts_visible_to(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    from maintenance.models import ChecklistTemplate
    from maintenance.reference import CASH_SORTER_CODE

    try:
        plan = services.plan_from_contract(
            contract=contract,
            acting_user=request.user,
            checklist=ChecklistTemplate.objects.filter(code=CASH_SORTER_CODE, is_active=True).first(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("maintenance:contracts")
    messages.success(request, _("Maintenance plan created."))
    return redirect("maintenance:plan", plan.pk)
