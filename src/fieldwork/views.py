"""The technician's phone pages (my jobs today, the job page with its big buttons, the signature
pad), the QC inspector's list and the service report download. Thin: every action calls one
``fieldwork.services`` function; a refusal is shown as a message naming the field.

Ticking or explaining an item of the code of conduct through htmx answers only that item's row
(and, out of band, the open-items warning above "Send to QC"); without JavaScript the same forms
post and the page reloads. The parts picker searches the price list as the technician types and
falls back to a plain GET form."""

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
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import form_int
from core.panels import page_panels
from fieldwork import selectors, services, thumbnails
from fieldwork.policies import checklist_decide
from parts.selectors import van_of
from policies.choices import FaultCause
from workorders.choices import AttachmentKind, Status, WaitReason
from workorders.models import Attachment, WorkOrder
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
    "checklist": gettext_lazy("Checklist"),
    "wait_reason": gettext_lazy("Waiting for"),
    "part_code": gettext_lazy("Part code"),
    "unit_of_measure": gettext_lazy("Unit"),
}
#: The pause buttons of the job page, in the order shown (暂停 / 等待备件 / 等待客户).
PAUSE_BUTTONS = (
    (WaitReason.OTHER, gettext_lazy("Pause")),
    (WaitReason.PARTS, WaitReason.PARTS.label),
    (WaitReason.CUSTOMER, WaitReason.CUSTOMER.label),
)
#: Actions answered with the item's row when htmx posts them (no full reload).
CHECKLIST_ACTIONS = frozenset({"checklist", "checklist-explain"})
PARTS_PERMISSION = "billing.view_partprice"
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
    # "My van stock" is offered when the technician has a van (parts).
    context = {"jobs": jobs, "day": day, "today": timezone.localdate(), "van": van_of(request.user)}
    return render(request, "fieldwork/my_jobs.html", context)


def _job_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    user = request.user
    key = services.visit_key(order)
    check_ins = selectors.check_ins_visible_to(user).filter(order=order).order_by("at")
    checklist = selectors.checklist_for(order)
    materials = list(order.materials.all())
    working = order.status in services.WORKING
    may_pick_parts = working and user.has_perm(PARTS_PERMISSION)
    part_query = request.GET.get("part_q", "").strip()[:100] if may_pick_parts else ""
    picked_code = request.GET.get("part_code", "").strip()[:64] if may_pick_parts else ""
    today = timezone.localdate()
    return {
        "order": order,
        "checked_in": check_ins.filter(visit_key=key).first(),
        "check_ins": list(check_ins),
        "may_check_in": order.status in services.CHECK_IN_FROM,
        "working": working,
        "may_pause": order.status == Status.IN_PROGRESS,
        "pause_buttons": PAUSE_BUTTONS,
        "paused": selectors.paused_since(order),
        "checklist_open": order.status in services.CHECKLIST_OPEN,
        "checklist": checklist,
        "checklist_open_items": checklist_decide(checklist).open_items,
        "plan": selectors.repair_plans_visible_to(user).filter(order=order).first(),
        "log": list(selectors.repair_log_entries_visible_to(user).filter(order=order).order_by("at", "id")),
        "materials": materials,
        "listed_line_ids": selectors.price_list_line_ids(materials),
        "may_pick_parts": may_pick_parts,
        "part_query": part_query,
        "part_results": selectors.price_list_parts(query=part_query, on=today) if part_query else [],
        "picked": selectors.price_list_part(code=picked_code, on=today) if picked_code else None,
        "photos": selectors.job_photos(order),
        "signatures": list(selectors.customer_signatures_visible_to(user).filter(order=order)),
        "reports": list(selectors.service_reports_visible_to(user).filter(order=order)),
        "reportable": order.status in services.REPORTABLE,
        "awaiting_signoff": order.status == Status.AWAITING_SIGNOFF,
        "in_qc": order.status == Status.QC,
        "fault_causes": [choice for choice in FaultCause.choices if choice[0] != FaultCause.UNKNOWN],
        "today": today,
    }


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.field_job_for(request.user, pk)
    if order is None:
        raise Http404
    context = _job_context(request, order)
    context["job_panels"] = page_panels("field_job", request, order)  # e.g. knowledge suggestions
    return render(request, "fieldwork/job.html", context)


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


def _checklist_explain(request: HttpRequest, order: WorkOrder) -> Any:
    services.checklist_explain(
        order=order,
        acting_user=request.user,
        item_code=request.POST.get("item", ""),
        reason=request.POST.get("reason", ""),
    )
    return _("The reason was recorded.")


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
        part_code=request.POST.get("part_code", ""),
        name=request.POST.get("name", ""),
        model=request.POST.get("model", ""),
        unit_of_measure=request.POST.get("unit_of_measure", "") or "个",
        quantity=request.POST.get("quantity", ""),
        unit_price=request.POST.get("unit_price", ""),
    )
    return _("Part recorded.")


def _pause(request: HttpRequest, order: WorkOrder) -> Any:
    services.work_pause(
        order=order,
        acting_user=request.user,
        wait_reason=request.POST.get("wait_reason", ""),
        note=request.POST.get("note", ""),
    )
    return _("The work is paused.")


def _resume(request: HttpRequest, order: WorkOrder) -> Any:
    services.work_resume(order=order, acting_user=request.user, note=request.POST.get("note", ""))
    return _("Back to work.")


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
    "checklist-explain": (_checklist_explain, "checklist"),
    "diagnose": (_diagnose, "diagnosis"),
    "plan": (_plan, "repair-plan"),
    "log": (_log, "repair-log"),
    "part": (_part, "parts"),
    "pause": (_pause, "job-top"),
    "resume": (_resume, "job-top"),
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
    refusal, done = "", None
    try:
        done = handler(request, order)
    except (ValidationError, PermissionDenied, TransitionNotAllowed, VersionConflict) as error:
        refusal = _refusal_text(error)
    if getattr(request, "htmx", False) and action in CHECKLIST_ACTIONS:
        return _checklist_row(request, order, item_code=request.POST.get("item", ""), refusal=refusal)
    if refusal:
        messages.error(request, refusal)
    elif done:
        messages.success(request, done)
    return redirect(f"{reverse('fieldwork:job', args=[order.pk])}#{anchor}")


def _checklist_row(request: HttpRequest, order: WorkOrder, *, item_code: str, refusal: str) -> HttpResponse:
    """The row of one item as it is now (with the refusal, answered 400), and the open-items
    warning above "Send to QC" swapped out of band."""
    order.refresh_from_db(fields=["status"])
    checklist = selectors.checklist_for(order)
    row = next(((item, mark) for item, mark in checklist if item.code == item_code), None)
    if row is None:  # an item that does not exist: nothing on the page to swap
        response = HttpResponse(refusal or _("Unknown checklist item."), status=400)
        response["HX-Reswap"] = "none"
        return response
    item, mark = row
    context = {
        "order": order,
        "item": item,
        "mark": mark,
        "refusal": refusal,
        "checklist_open_items": checklist_decide(checklist).open_items,
        "oob": True,
    }
    return render(request, "fieldwork/partials/checklist_answer.html", context, status=400 if refusal else 200)


def _field_job_for_parts(request: HttpRequest, pk: int) -> WorkOrder:
    order = selectors.field_job_for(request.user, pk)
    if order is None:
        raise Http404
    if not (request.user.has_perm("workorders.work_on_workorder") and request.user.has_perm(PARTS_PERMISSION)):
        raise PermissionDenied
    return order


@login_required
@require_GET
def part_search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the parts of the price list in force matching what the technician typed."""
    order = _field_job_for_parts(request, pk)
    query = request.GET.get("part_q", "").strip()[:100]
    parts = selectors.price_list_parts(query=query, on=timezone.localdate()) if query else []
    return render(
        request, "fieldwork/partials/part_results.html", {"order": order, "part_query": query, "part_results": parts}
    )


@login_required
@require_GET
def part_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the part form's fields filled from the picked part (or empty for a part typed by hand,
    without ``code``); the search results are cleared out of band."""
    order = _field_job_for_parts(request, pk)
    code = request.GET.get("code", "").strip()[:64]
    picked = selectors.price_list_part(code=code, on=timezone.localdate()) if code else None
    return render(request, "fieldwork/partials/part_picked.html", {"order": order, "picked": picked, "oob": True})


@login_required
@require_GET
def photo_thumbnail(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    """A small JPEG of a photo of an order the user may see; the photo itself if Pillow cannot
    read it."""
    order = selectors.field_job_for(request.user, pk)
    if order is None:
        raise Http404
    photo = get_object_or_404(Attachment, pk=photo_pk, order_id=order.pk, kind=AttachmentKind.PHOTO)
    data = thumbnails.photo_thumbnail(photo)
    if data is None:
        return redirect("workorders:attachment", pk=order.pk, attachment_pk=photo.pk)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- QC -------------------------------------------------------------------------------------------


@login_required
@permission_required("workorders.inspect_workorder", raise_exception=True)
def qc_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.orders_awaiting_qc(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    dossiers = selectors.qc_dossiers(request.user, list(page))
    return render(request, "fieldwork/qc_list.html", {"page": page, "dossiers": dossiers})


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
