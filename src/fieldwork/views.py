"""The technician's phone pages (my jobs today, the job page with its big buttons, the signature
pad), the QC inspector's list and the service report download. Thin: every action calls one
``fieldwork.services`` function; a refusal is shown as a message naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import form_int
from fieldwork import selectors, services
from policies.choices import FaultCause
from workorders.choices import AttachmentKind, Status
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

#: Labels of the fields a refusal may name (the message says which input to fix).
FIELD_LABELS = {
    "order": gettext_lazy("Order"),
    "at": gettext_lazy("Arrival time"),
    "item": gettext_lazy("Checklist item"),
    "fault_cause": gettext_lazy("Fault cause"),
    "diagnosis": gettext_lazy("Diagnosis"),
    "materials": gettext_lazy("Materials"),
    "people": gettext_lazy("People"),
    "expected_minutes": gettext_lazy("Expected time (minutes)"),
    "text": gettext_lazy("Repair log"),
    "name": gettext_lazy("Part"),
    "model": gettext_lazy("Model"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "photo": gettext_lazy("Photo"),
    "note": gettext_lazy("Work done"),
    "signature": gettext_lazy("Signature"),
    "signer_name": gettext_lazy("Signed by"),
    "reason": gettext_lazy("Reason"),
}
PAGE_SIZE = 25


def _int(data: QueryDict, name: str) -> int:
    try:
        return int(data.get(name, "").strip())
    except ValueError:
        raise ValidationError({name: _("Enter a whole number.")}) from None


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return " ".join(
            f"{FIELD_LABELS.get(field, field)}: {message}"
            for field, field_messages in error.message_dict.items()
            for message in field_messages
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, TransitionNotAllowed | VersionConflict):
        return error.message
    return str(error) or _("Permission denied.")


# --- the technician's day -----------------------------------------------------------------------


@login_required
@permission_required("workorders.work_on_workorder", raise_exception=True)
def my_jobs(request: HttpRequest) -> HttpResponse:
    day = parse_date(request.GET.get("day", "") or "") or timezone.localdate()
    jobs = selectors.field_jobs_for(request.user, day)
    return render(request, "fieldwork/my_jobs.html", {"jobs": jobs, "day": day, "today": timezone.localdate()})


def _job_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    user = request.user
    key = services.visit_key(order)
    check_ins = selectors.check_ins_visible_to(user).filter(order=order).order_by("at")
    return {
        "order": order,
        "checked_in": check_ins.filter(visit_key=key).first(),
        "check_ins": list(check_ins),
        "may_check_in": order.status in services.CHECK_IN_FROM,
        "working": order.status in services.WORKING,
        "checklist_open": order.status in services.CHECKLIST_OPEN,
        "checklist": selectors.checklist_for(order),
        "plan": selectors.repair_plans_visible_to(user).filter(order=order).first(),
        "log": list(selectors.repair_log_entries_visible_to(user).filter(order=order).order_by("at", "id")),
        "materials": list(order.materials.all()),
        "photos": list(order.attachments.filter(kind=AttachmentKind.PHOTO)),
        "signatures": list(selectors.customer_signatures_visible_to(user).filter(order=order)),
        "reports": list(selectors.service_reports_visible_to(user).filter(order=order)),
        "reportable": order.status in services.REPORTABLE,
        "awaiting_signoff": order.status == Status.AWAITING_SIGNOFF,
        "in_qc": order.status == Status.QC,
        "fault_causes": [choice for choice in FaultCause.choices if choice[0] != FaultCause.UNKNOWN],
        "today": timezone.localdate(),
    }


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.field_job_for(request.user, pk)
    if order is None:
        raise Http404
    return render(request, "fieldwork/job.html", _job_context(request, order))


def _check_in(request: HttpRequest, order: WorkOrder) -> Any:
    lat, lon = request.POST.get("lat") or None, request.POST.get("lon") or None
    services.fieldwork_check_in(order=order, acting_user=request.user, lat=lat, lon=lon)
    return _("Checked in. Work has started.")


def _checklist(request: HttpRequest, order: WorkOrder) -> Any:
    checked = request.POST.get("checked", "1") == "1"
    services.checklist_mark(
        order=order, acting_user=request.user, item_code=request.POST.get("item", ""), checked=checked
    )
    return None


def _diagnose(request: HttpRequest, order: WorkOrder) -> Any:
    services.fieldwork_diagnose(
        order=order,
        acting_user=request.user,
        fault_cause=request.POST.get("fault_cause", ""),
        diagnosis=request.POST.get("diagnosis", ""),
    )
    return _("Diagnosis recorded.")


def _plan(request: HttpRequest, order: WorkOrder) -> Any:
    version = request.POST.get("version") or None
    services.repair_plan_save(
        order=order,
        acting_user=request.user,
        materials=request.POST.get("materials", ""),
        people=_int(request.POST, "people"),
        expected_minutes=_int(request.POST, "expected_minutes"),
        note=request.POST.get("note", ""),
        expected_version=form_int(version),
    )
    return _("Repair plan saved.")


def _log(request: HttpRequest, order: WorkOrder) -> Any:
    services.repair_log_add(order=order, acting_user=request.user, text=request.POST.get("text", ""))
    return _("Added to the repair log.")


def _part(request: HttpRequest, order: WorkOrder) -> Any:
    services.part_use(
        order=order,
        acting_user=request.user,
        name=request.POST.get("name", ""),
        model=request.POST.get("model", ""),
        quantity=request.POST.get("quantity", ""),
        unit_price=request.POST.get("unit_price", ""),
    )
    return _("Part recorded.")


def _photo(request: HttpRequest, order: WorkOrder) -> Any:
    upload = request.FILES.get("photo")
    if upload is None:
        raise ValidationError({"photo": _("Choose or take a photo.")})
    services.photo_add(order=order, acting_user=request.user, upload=upload)
    return _("Photo added.")


def _submit_qc(request: HttpRequest, order: WorkOrder) -> Any:
    services.work_submit_qc(order=order, acting_user=request.user, note=request.POST.get("note", ""))
    return _("Sent to QC.")


def _signature(request: HttpRequest, order: WorkOrder) -> Any:
    services.signature_capture(
        order=order,
        acting_user=request.user,
        image=request.POST.get("signature", ""),
        signer_name=request.POST.get("signer_name", ""),
    )
    return _("Signed by the customer. The service report is ready.")


def _object(request: HttpRequest, order: WorkOrder) -> Any:
    services.objection_record(order=order, acting_user=request.user, reason=request.POST.get("reason", ""))
    return _("The objection was recorded and escalated to the supervisor.")


def _report(request: HttpRequest, order: WorkOrder) -> Any:
    services.service_report_generate(order=order, acting_user=request.user)
    return _("A new service report was made.")


ACTIONS: dict[str, tuple[Callable[[HttpRequest, WorkOrder], Any], str]] = {
    "check-in": (_check_in, "job-top"),
    "checklist": (_checklist, "checklist"),
    "diagnose": (_diagnose, "diagnosis"),
    "plan": (_plan, "repair-plan"),
    "log": (_log, "repair-log"),
    "part": (_part, "parts"),
    "photo": (_photo, "photos"),
    "submit-qc": (_submit_qc, "job-top"),
    "signature": (_signature, "job-top"),
    "object": (_object, "job-top"),
    "report": (_report, "report"),
}


@login_required
@require_POST
def job_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = selectors.field_job_for(request.user, pk)
    if order is None or action not in ACTIONS:
        raise Http404
    handler, anchor = ACTIONS[action]
    try:
        done = handler(request, order)
    except (ValidationError, PermissionDenied, TransitionNotAllowed, VersionConflict) as error:
        messages.error(request, _refusal_text(error))
    else:
        if done:
            messages.success(request, done)
    return redirect(f"{reverse('fieldwork:job', args=[order.pk])}#{anchor}")


# --- QC -------------------------------------------------------------------------------------------


@login_required
@permission_required("workorders.inspect_workorder", raise_exception=True)
def qc_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.orders_awaiting_qc(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/qc_list.html", {"page": page})


@login_required
@permission_required("workorders.inspect_workorder", raise_exception=True)
@require_POST
def qc_decide(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.orders_awaiting_qc(request.user), pk=pk)
    passed = request.POST.get("result") == "pass"
    try:
        services.qc_decide(order=order, acting_user=request.user, passed=passed, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied, TransitionNotAllowed, VersionConflict) as error:
        messages.error(request, f"{order.number}: {_refusal_text(error)}")
    else:
        messages.success(
            request,
            (_("%(number)s passed QC.") if passed else _("%(number)s failed QC and went back to work."))
            % {"number": order.number},
        )
    return redirect("fieldwork:qc_list")


# --- files ----------------------------------------------------------------------------------------


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The newest service report of an order the user may see (made on first download)."""
    order = get_object_or_404(workorders_visible_to(request.user), pk=pk)
    try:
        report = services.service_report_latest(order=order, acting_user=request.user)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, _refusal_text(error))
        return redirect("fieldwork:job", pk=order.pk)
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=f"{report.number}.pdf")


@login_required
def signature_image(request: HttpRequest, pk: int) -> HttpResponseBase:
    signature = get_object_or_404(selectors.customer_signatures_visible_to(request.user), pk=pk)
    return FileResponse(signature.image.open("rb"), content_type="image/png")
