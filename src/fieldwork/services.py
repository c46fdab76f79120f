"""Writes of field work. The status of an order still changes only through
``workorders.services.workorder_transition``; these services add the records of the visit
(check-in, code of conduct, plan, log, signature, report) around it.

Who: the technician assigned to the order, or someone who may edit orders (the transition
table's personal-duty rule); QC by ``inspect_workorder``. The customer's own acts (sign-off,
objection) are recorded as the customer's, captured on the technician's screen.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exceptions import ChecklistIncomplete, OutOfStock, TransitionNotAllowed
from core.numbering import next_number
from core.services import check_version, save_versioned
from fieldwork.models import (
    CheckIn,
    ChecklistItem,
    CustomerSignature,
    RepairLogEntry,
    RepairPlan,
    ServiceReport,
    VisitChecklist,
)
from fieldwork.policies import checklist_decide, signature_check, signature_png_bytes
from fieldwork.selectors import checklist_for, price_list_part
from parts.services import order_parts_used
from workorders.actions import (
    workorder_customer_object,
    workorder_customer_sign_off,
    workorder_diagnose,
    workorder_pause,
    workorder_qc_fail,
    workorder_qc_pass,
    workorder_resume,
    workorder_start,
    workorder_submit_qc,
)
from workorders.attachments import check_upload
from workorders.choices import AttachmentKind, EventKind, Status, WaitReason
from workorders.models import Attachment, MaterialLine, WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.services import (
    Actor,
    allowed_transitions,
    workorder_add_attachment,
    workorder_add_material,
    workorder_record_event,
)

#: An order the technician may check in on: dispatched or already being worked on.
CHECK_IN_FROM = frozenset(
    {Status.ACCEPTED, Status.APPROVED, Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS, Status.WAITING}
)
START_FROM = frozenset({Status.ACCEPTED, Status.APPROVED, Status.ASSIGNED, Status.SCHEDULED})
#: Work on site is being done (log, parts, photos, plan).
WORKING = frozenset({Status.IN_PROGRESS, Status.WAITING})
#: The code of conduct is ticked during the visit, up to the customer's sign-off.
CHECKLIST_OPEN = frozenset({*CHECK_IN_FROM, Status.QC, Status.AWAITING_SIGNOFF})
#: The service report is made once QC has passed.
REPORTABLE = frozenset({Status.AWAITING_SIGNOFF, Status.COMPLETED, Status.FOLLOWED_UP, Status.CLOSED})
#: A phone may have been offline: an arrival may be recorded a little later, never in the future.
CLOCK_SKEW = timedelta(minutes=5)
MAX_TEXT = 5000
#: A short reason why an item of the code of conduct was not done (the column's length).
MAX_CHECKLIST_REASON = 200
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")  # coordinates: six decimals


# --- checks ----------------------------------------------------------------------------------


def _visible(order: WorkOrder, user: Any) -> WorkOrder:
    """The order as the user may see it, locked for the write (unknown when not visible)."""
    if user is not None and not workorders_visible_to(user).filter(pk=order.pk).exists():
        raise ValidationError({"order": _("Unknown work order.")})
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)


def _require_field_duty(order: WorkOrder, user: Any) -> None:
    """Field work is done by the order's technician (or someone who may edit orders)."""
    if user is None:
        return
    if not user.has_perm("workorders.work_on_workorder"):
        raise PermissionDenied(_("You may not carry out work orders."))
    if (
        order.technician_id is not None
        and order.technician_id != user.pk
        and not user.has_perm("workorders.change_workorder")
    ):
        raise PermissionDenied(_("This order is assigned to another technician."))


def _require_customer_capture(order: WorkOrder, user: Any) -> None:
    """The customer's sign-off or objection is captured by the order's technician on site, or by
    staff who record customers' decisions (``record_customer_action``)."""
    if user is None or user.has_perm("workorders.record_customer_action"):
        return
    _require_field_duty(order, user)


def _refuse_state(order: WorkOrder, action: str, allowed: frozenset[str], message: str) -> None:
    if order.status not in allowed:
        raise TransitionNotAllowed(
            message % {"status": order.get_status_display()}, status=order.status, action=action, allowed_actions=[]
        )


def _text(value: str | None, field: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Enter at most %(max)s characters.") % {"max": max_length}})
    return text


def _decimal(value: Any, field: str, *, minimum: Decimal = Decimal("0"), places: Decimal = CENT) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number such as 1 or 12.50.")}) from None
    if not number.is_finite() or number < minimum or number >= Decimal("10000000000"):
        raise ValidationError({field: _("Enter a number from %(min)s up.") % {"min": minimum}})
    return number.quantize(places, rounding=ROUND_HALF_UP)


# --- check-in --------------------------------------------------------------------------------


def visit_key(order: WorkOrder) -> str:
    """Which visit an arrival belongs to: the latest booked (not cancelled) appointment, or, for an
    order without one, the n-th repair of the order (a repeat repair is a new visit)."""
    from dispatch.choices import AppointmentStatus
    from dispatch.models import Appointment

    appointment = (
        Appointment.objects.filter(order=order)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("-window_start", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if appointment is not None:
        return f"appointment-{appointment}"
    return f"repair-{order.reopened_count}"


@transaction.atomic
def fieldwork_check_in(
    *,
    order: WorkOrder,
    acting_user: Any,
    at: datetime | None = None,
    lat: Decimal | float | str | None = None,
    lon: Decimal | float | str | None = None,
) -> CheckIn:
    """Arrival on site: one check-in per visit. Records the timeline's ``check_in`` event at the
    arrival time (the SLA's on-site target is met by it) and starts the work if it had not started
    (``start``), or resumes it after a wait (``resume``)."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    _refuse_state(order, "check_in", CHECK_IN_FROM, _("You cannot check in while the order is %(status)s."))
    now = timezone.now()
    arrived = at or now
    if timezone.is_naive(arrived):
        arrived = timezone.make_aware(arrived)
    if arrived > now + CLOCK_SKEW:
        raise ValidationError({"at": _("The arrival time cannot be in the future.")})
    if arrived < order.submitted_at:
        raise ValidationError({"at": _("The arrival time cannot be before the request was made.")})
    key = visit_key(order)
    earlier = CheckIn.objects.filter(order=order, visit_key=key).first()
    if earlier is not None:
        raise ValidationError(
            {
                "order": _("You already checked in for this visit at %(time)s.")
                % {"time": f"{timezone.localtime(earlier.at):%Y-%m-%d %H:%M}"}
            }
        )
    if (lat is None) != (lon is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    check_in = CheckIn(
        order=order,
        technician=acting_user,
        visit_key=key,
        at=arrived,
        lat=None if lat is None else _decimal(lat, "lat", minimum=Decimal("-90"), places=MICRO),
        lon=None if lon is None else _decimal(lon, "lon", minimum=Decimal("-180"), places=MICRO),
    )
    check_in.full_clean(exclude=["order", "technician"])
    check_in.save()
    data: dict[str, Any] = {
        "check_in": check_in.pk,
        "visit": key,
        "arrived_at": timezone.localtime(arrived).isoformat(),
    }
    if check_in.lat is not None:
        data.update(lat=str(check_in.lat), lon=str(check_in.lon))
    workorder_record_event(order=order, kind=EventKind.CHECK_IN, acting_user=acting_user, data=data, at=arrived)
    if order.status in START_FROM:
        workorder_start(order=order, acting_user=acting_user, note=_("Checked in on site"))
    elif order.status == Status.WAITING:
        workorder_resume(order=order, acting_user=acting_user, note=_("Checked in on site"))
    return check_in


# --- the code of conduct -------------------------------------------------------------------


def _checklist_item(order: WorkOrder, acting_user: Any, item_code: str) -> tuple[WorkOrder, ChecklistItem]:
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    _refuse_state(
        order, "checklist", CHECKLIST_OPEN, _("The checklist cannot be changed while the order is %(status)s.")
    )
    item = ChecklistItem.objects.filter(code=item_code, is_active=True).first()
    if item is None:
        raise ValidationError({"item": _("Unknown checklist item.")})
    return order, item


@transaction.atomic
def checklist_mark(*, order: WorkOrder, acting_user: Any, item_code: str, checked: bool = True) -> VisitChecklist:
    """Tick (or untick) one item of the visit code of conduct, with the time. Ticking an item that
    was explained drops the explanation (the change log keeps it); unticking leaves the item open."""
    order, item = _checklist_item(order, acting_user, item_code)
    now = timezone.now()
    mark = VisitChecklist.objects.select_for_update().filter(order=order, item=item).first()
    if mark is None:
        mark = VisitChecklist(order=order, item=item, checked=checked, checked_at=now, checked_by=acting_user)
        mark.save()
    elif mark.checked != checked or mark.reason:
        mark.checked, mark.reason, mark.checked_at, mark.checked_by = checked, "", now, acting_user
        mark.save(update_fields=["checked", "reason", "checked_at", "checked_by", "updated_at"])
    return mark


@transaction.atomic
def checklist_explain(*, order: WorkOrder, acting_user: Any, item_code: str, reason: str) -> VisitChecklist:
    """An item of the code of conduct that was not done, with a short reason why (the customer was
    not at home to inspect the result…), who said so and when; recorded on the timeline. An
    explained item no longer holds up QC or the sign-off (``policies.checklist_decide``)."""
    order, item = _checklist_item(order, acting_user, item_code)
    text = _text(reason, "reason", max_length=MAX_CHECKLIST_REASON)
    now = timezone.now()
    mark = VisitChecklist.objects.select_for_update().filter(order=order, item=item).first()
    if mark is None:
        mark = VisitChecklist(
            order=order, item=item, checked=False, reason=text, checked_at=now, checked_by=acting_user
        )
        mark.save()
    else:
        mark.checked, mark.reason, mark.checked_at, mark.checked_by = False, text, now, acting_user
        mark.save(update_fields=["checked", "reason", "checked_at", "checked_by", "updated_at"])
    workorder_record_event(
        order=order,
        kind=EventKind.UPDATED,
        acting_user=acting_user,
        note=_("Checklist item not done, explained"),
        data={"checklist_item": item.label, "not_done_reason": text},
        at=now,
    )
    return mark


def _refuse_open_checklist(order: WorkOrder, action: str, actor: Actor, message: str) -> None:
    """Refuse ``action`` while items of the code of conduct are neither ticked nor explained; the
    message names them (``message`` has ``%(items)s``)."""
    decision = checklist_decide(checklist_for(order))
    if decision.ok:
        return
    # Translators: between the names of checklist items in a list
    separator = pgettext("list separator", ", ")
    names = separator.join(f"“{item.display_label}”" for item in decision.open_items)
    raise ChecklistIncomplete(
        message % {"items": names},
        status=order.status,
        action=action,
        allowed_actions=[transition.action for transition in allowed_transitions(order, actor)],
        open_items=[{"item": item.code, "label": item.display_label} for item in decision.open_items],
    )


# --- diagnosis, plan, log, parts, photos ------------------------------------------------------


@transaction.atomic
def fieldwork_diagnose(*, order: WorkOrder, acting_user: Any, fault_cause: str, diagnosis: str) -> WorkOrder:
    """故障排查: the fault cause and the diagnosis (warranty coverage is re-decided on it)."""
    order = _visible(order, acting_user)
    return workorder_diagnose(order=order, acting_user=acting_user, fault_cause=fault_cause, diagnosis=diagnosis)


@transaction.atomic
def repair_plan_save(
    *,
    order: WorkOrder,
    acting_user: Any,
    materials: str,
    people: int,
    expected_minutes: int,
    note: str = "",
    expected_version: int | None = None,
) -> RepairPlan:
    """维修方案 (materials, manpower, time estimate); an edit based on an old version is refused."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    _refuse_state(
        order, "repair_plan", WORKING, _("The repair plan is made while the work is in progress, not %(status)s.")
    )
    plan = RepairPlan.objects.select_for_update().filter(order=order).first()
    values = {
        "materials": _text(materials, "materials", required=False),
        "people": people,
        "expected_minutes": expected_minutes,
        "note": _text(note, "note", required=False),
    }
    if plan is None:
        plan = RepairPlan(order=order, updated_by=acting_user, **values)
        plan.full_clean(exclude=["order", "updated_by"])
        plan.save()
    else:
        check_version(plan, expected_version)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.updated_by = acting_user
        plan.full_clean(exclude=["order", "updated_by"])
        save_versioned(plan, [*values, "updated_by"])
    workorder_record_event(
        order=order,
        kind=EventKind.UPDATED,
        acting_user=acting_user,
        note=_("Repair plan saved"),
        data={"repair_plan": {"materials": plan.materials, "people": plan.people, "minutes": plan.expected_minutes}},
    )
    return plan


@transaction.atomic
def repair_log_add(*, order: WorkOrder, acting_user: Any, text: str) -> RepairLogEntry:
    """维修日志: one entry of what was done."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    _refuse_state(
        order, "repair_log", WORKING, _("The repair log is written while the work is in progress, not %(status)s.")
    )
    entry = RepairLogEntry(order=order, text=_text(text, "text"), at=timezone.now(), author=acting_user)
    entry.save()
    workorder_record_event(
        order=order, kind=EventKind.REPAIR_LOG, acting_user=acting_user, note=entry.text, data={"entry": entry.pk}
    )
    return entry


@transaction.atomic
def part_use(
    *,
    order: WorkOrder,
    acting_user: Any,
    quantity: Any,
    name: str = "",
    unit_price: Any = None,
    model: str = "",
    unit_of_measure: str = "个",
    part_code: str = "",
) -> MaterialLine:
    """A part used on the order (a material line of the form, with its price).

    With ``part_code`` the part is picked from the parts price list in force today (附件2): its
    name, code (as the model), unit and price are the list's, whatever else was sent, so the line
    bills at the list's price. Without it the part is typed by hand and is shown as not on the price
    list (``selectors.price_list_line_ids``)."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    _refuse_state(order, "part", WORKING, _("Parts are recorded while the work is in progress, not %(status)s."))
    code = _text(part_code, "part_code", required=False, max_length=64)
    if code:
        listed = price_list_part(code=code, on=timezone.localdate())
        if listed is None:
            raise ValidationError(
                {"part_code": _("Part code “%(code)s” is not on the price list in force.") % {"code": code}}
            )
        name, model, unit_of_measure, unit_price = listed.name, listed.code, listed.unit_of_measure, listed.unit_price
    line = workorder_add_material(
        order=order,
        acting_user=acting_user,
        name=_text(name, "name", max_length=100),
        model=_text(model, "model", required=False, max_length=64),
        unit_of_measure=_text(unit_of_measure, "unit_of_measure", required=False, max_length=16) or "个",
        quantity=_decimal(quantity, "quantity", minimum=CENT),
        unit_price=_decimal(unit_price, "unit_price"),
    )
    if code:
        # Stock follows (issue 11): against the order's reservation, else from the technician's van;
        # a part not available there refuses the line with it, naming the quantity.
        try:
            order_parts_used(order=order, acting_user=acting_user, part_code=code, quantity=line.quantity)
        except OutOfStock as shortage:
            raise ValidationError({"quantity": shortage.message}) from None
    return line


@transaction.atomic
def photo_add(*, order: WorkOrder, acting_user: Any, upload: UploadedFile) -> Attachment:
    """A photo of the work; its real type and size are checked (``ATTACHMENT_MAX_BYTES``) and a
    refusal names the ``photo`` field."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    try:
        kind, _content_type = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"photo": error.message_dict.get("file", error.messages)}) from None
    if kind != AttachmentKind.PHOTO:
        raise ValidationError({"photo": _("Only photos (JPEG, PNG, GIF, WebP) can be added here.")})
    return workorder_add_attachment(order=order, upload=upload, acting_user=acting_user)


# --- pause and resume ------------------------------------------------------------------------


@transaction.atomic
def work_pause(*, order: WorkOrder, acting_user: Any, wait_reason: str, note: str = "") -> WorkOrder:
    """暂停 / 等待备件 / 等待客户: the work stops (``waiting``) with what it waits for; the
    transition records the ``pause`` event with the reason and the SLA clocks stop with it."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    if wait_reason not in WaitReason.values:
        raise ValidationError({"wait_reason": _("Choose what the work is waiting for.")})
    return workorder_pause(
        order=order, acting_user=acting_user, wait_reason=wait_reason, note=_text(note, "note", required=False)
    )


@transaction.atomic
def work_resume(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    """The wait is over: back to work (``resume`` event; the SLA clocks run again)."""
    order = _visible(order, acting_user)
    _require_field_duty(order, acting_user)
    return workorder_resume(order=order, acting_user=acting_user, note=_text(note, "note", required=False))


# --- QC, the customer's signature or objection ------------------------------------------------


@transaction.atomic
def work_submit_qc(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    """Send the finished work to QC; without a note, the repair log says what was done. Refused
    while items of the code of conduct are neither ticked nor explained (``ChecklistIncomplete``)."""
    order = _visible(order, acting_user)
    _refuse_open_checklist(
        order,
        "submit_qc",
        Actor(acting_user),
        _("Tick or explain every item of the visit code of conduct before sending the work to QC. Open: %(items)s."),
    )
    text = (note or "").strip()
    if not text:
        text = "；".join(RepairLogEntry.objects.filter(order=order).values_list("text", flat=True))[:MAX_TEXT]
    return workorder_submit_qc(order=order, acting_user=acting_user, note=text)


@transaction.atomic
def qc_decide(*, order: WorkOrder, acting_user: Any, passed: bool, note: str = "") -> WorkOrder:
    """质检验收: pass (to the customer's sign-off) or fail with the reason (back to work). The
    transition table refuses QC by the person who sent the work to QC."""
    order = _visible(order, acting_user)
    if passed:
        return workorder_qc_pass(order=order, acting_user=acting_user, note=note)
    return workorder_qc_fail(order=order, acting_user=acting_user, reason=note)


@transaction.atomic
def signature_capture(*, order: WorkOrder, acting_user: Any, image: str | bytes, signer_name: str) -> CustomerSignature:
    """The customer signs on the screen: a PNG with ink (a blank canvas is refused), stored as a
    file, recorded on the timeline, then the customer's ``sign_off`` and the service report."""
    order = _visible(order, acting_user)
    _require_customer_capture(order, acting_user)
    _refuse_state(
        order,
        "sign_off",
        frozenset({Status.AWAITING_SIGNOFF}),
        _("The customer signs once QC has passed; the order is %(status)s."),
    )
    _refuse_open_checklist(
        order,
        "sign_off",
        Actor(None, is_customer=True),
        _("Tick or explain every item of the visit code of conduct before the customer signs off. Open: %(items)s."),
    )
    name = _text(signer_name, "signer_name", max_length=64)
    try:
        png = signature_png_bytes(image)
    except ValueError as error:
        raise ValidationError({"signature": str(error)}) from None
    decision = signature_check(png)
    if not decision.ok:
        raise ValidationError({"signature": decision.reason})
    now = timezone.now()
    signature = CustomerSignature(order=order, signer_name=name, at=now, captured_by=acting_user)
    signature.image.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
    signature.save()
    workorder_record_event(
        order=order,
        kind=EventKind.SIGNATURE,
        acting_user=acting_user,
        note=name,
        data={"signature": signature.pk, "signer": name, "width": decision.width, "height": decision.height},
        at=now,
    )
    order = workorder_customer_sign_off(order=order, signer_name=name)
    service_report_generate(order=order, acting_user=None)
    return signature


@transaction.atomic
def objection_record(*, order: WorkOrder, acting_user: Any, reason: str) -> WorkOrder:
    """The customer does not accept the work: recorded as the customer's objection, which the
    transition escalates to the supervisor, and the order goes back to work."""
    order = _visible(order, acting_user)
    _require_customer_capture(order, acting_user)
    return workorder_customer_object(order=order, reason=_text(reason, "reason"))


# --- the service report ------------------------------------------------------------------------


@transaction.atomic
def service_report_generate(*, order: WorkOrder, acting_user: Any) -> ServiceReport:
    """服务报告单 as a PDF, made from the order as it is now; each generation is kept."""
    from fieldwork.pdf import service_report_pdf

    order = _visible(order, acting_user)
    if acting_user is not None and not acting_user.has_perm("fieldwork.add_servicereport"):
        raise PermissionDenied(_("You may not make service reports."))
    _refuse_state(
        order,
        "service_report",
        REPORTABLE,
        _("The service report is made once QC has passed; the order is %(status)s."),
    )
    now = timezone.now()
    report = ServiceReport(order=order, number=next_number("SR"), generated_at=now, generated_by=acting_user)
    pdf = service_report_pdf(order, number=report.number, generated_at=now)
    report.file.save(f"{report.number}.pdf", ContentFile(pdf), save=False)
    report.save()
    return report


def service_report_latest(*, order: WorkOrder, acting_user: Any) -> ServiceReport:
    """The newest report of an order the user may see, made (by the system) if there is none yet."""
    if not workorders_visible_to(acting_user).filter(pk=order.pk).exists():
        raise ValidationError({"order": _("Unknown work order.")})
    report = ServiceReport.objects.filter(order=order).order_by("-generated_at", "-id").first()
    if report is None:
        report = service_report_generate(order=order, acting_user=None)
    return report
