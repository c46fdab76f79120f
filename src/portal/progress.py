"""How an order's state reads to a customer: five plain steps, one sentence per status, the
timeline without staff-only detail, and the actions the customer may take now.

Staff-facing labels in ``workorders.transitions`` ("Customer signs off") are written for agents;
the customer sees the wording below instead ("Confirm and sign off").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.selectors import portal_last_event, portal_timeline
from workorders.choices import EventKind, Status, WaitReason
from workorders.models import WorkOrder
from workorders.services import CUSTOMER_LABEL, Actor, allowed_transitions
from workorders.transitions import FieldSpec, Transition

CUSTOMER = Actor(None, is_customer=True)

# 提交 → 受理 → 处理 → 完成 → 回访
STEPS: tuple[tuple[str, Any], ...] = (
    ("submitted", gettext_lazy("Submitted")),
    ("accepted", gettext_lazy("Accepted")),
    ("processing", gettext_lazy("Processing")),
    ("completed", gettext_lazy("Completed")),
    ("followed_up", gettext_lazy("Follow-up")),
)
STEP_OF_STATUS: dict[str, int] = {
    Status.SUBMITTED: 0,
    Status.INFO_REQUESTED: 0,
    Status.ACCEPTED: 1,
    Status.QUOTED: 1,
    Status.APPROVED: 1,
    Status.ASSIGNED: 2,
    Status.SCHEDULED: 2,
    Status.IN_PROGRESS: 2,
    Status.WAITING: 2,
    Status.QC: 2,
    Status.AWAITING_SIGNOFF: 2,
    Status.COMPLETED: 3,
    Status.FOLLOWED_UP: 4,
    Status.CLOSED: 4,
}
ENDED_STATUSES = frozenset({Status.REJECTED, Status.CANCELLED})

# One plain sentence per status. Placeholders are filled from the order.
STATUS_EXPLANATIONS: dict[str, Any] = {
    Status.SUBMITTED: gettext_lazy("We have received your request and an agent will review it shortly."),
    Status.INFO_REQUESTED: gettext_lazy("We need more information from you: %(reason)s Please reply below."),
    Status.ACCEPTED: gettext_lazy("Your request has been accepted. We are arranging the service for you."),
    Status.QUOTED: gettext_lazy(
        "This service is chargeable. The quote is ¥%(amount)s. Please approve it or decline it below; "
        "no technician is sent before you approve."
    ),
    Status.APPROVED: gettext_lazy("Thank you for approving the quote. We are arranging a technician."),
    Status.ASSIGNED: gettext_lazy("A technician has been assigned and will contact you to agree on a time."),
    Status.SCHEDULED: gettext_lazy("Your appointment is booked for %(appointment)s."),
    Status.IN_PROGRESS: gettext_lazy("Our technician is working on your request."),
    Status.WAITING: gettext_lazy("The work is paused: %(wait_reason)s We will continue as soon as possible."),
    Status.QC: gettext_lazy("The work is done and our quality inspector is checking it."),
    Status.AWAITING_SIGNOFF: gettext_lazy(
        "The work is finished. Please check the result and confirm it, or tell us what is still wrong."
    ),
    Status.COMPLETED: gettext_lazy("The service is complete. We will call you within a week to ask how it went."),
    Status.FOLLOWED_UP: gettext_lazy("Thank you for your feedback. Your request is finished."),
    Status.CLOSED: gettext_lazy("This request is closed. Thank you for choosing our service."),
    Status.REJECTED: gettext_lazy("We cannot take on this request: %(reason)s"),
    Status.CANCELLED: gettext_lazy("This request has been cancelled: %(reason)s"),
}
WAIT_EXPLANATIONS: dict[str, Any] = {
    WaitReason.PARTS: gettext_lazy("we are waiting for spare parts."),
    WaitReason.CUSTOMER: gettext_lazy("we are waiting for you; we will contact you."),
    WaitReason.OTHER: gettext_lazy("we are waiting for something outside our control."),
}

# Timeline entries whose note is meant for the customer.
CUSTOMER_NOTE_KINDS = frozenset(
    {
        EventKind.REQUEST_INFO,
        EventKind.REJECT,
        EventKind.QUOTE,
        EventKind.SCHEDULE,
        EventKind.CANCEL,
        # The customer's own words on their actions.
        EventKind.PROVIDE_INFO,
        EventKind.DECLINE_QUOTE,
        EventKind.OBJECT,
    }
)
CUSTOMER_EVENT_LABELS: dict[str, Any] = {
    EventKind.CREATED: gettext_lazy("Request submitted"),
    EventKind.ATTACHMENT: gettext_lazy("Photo added"),
    EventKind.ESCALATED: gettext_lazy("Passed to the service manager"),
    EventKind.ACCEPT: gettext_lazy("Request accepted"),
    EventKind.ASSIGN: gettext_lazy("Technician assigned"),
    EventKind.SUBMIT_QC: gettext_lazy("Work done, quality check"),
    EventKind.QC_FAIL: gettext_lazy("Quality check: more work needed"),
    EventKind.SIGN_OFF: gettext_lazy("You confirmed the result"),
    EventKind.OBJECT: gettext_lazy("You reported a remaining problem"),
    EventKind.PROVIDE_INFO: gettext_lazy("You sent more information"),
    EventKind.APPROVE_QUOTE: gettext_lazy("You approved the quote"),
    EventKind.DECLINE_QUOTE: gettext_lazy("You declined the quote"),
}

# Customer wording for the actions and their fields.
ACTION_LABELS: dict[str, Any] = {
    "approve_quote": gettext_lazy("Approve the quote"),
    "decline_quote": gettext_lazy("Decline the quote"),
    "sign_off": gettext_lazy("Confirm and sign off"),
    "object": gettext_lazy("Something is still wrong"),
    "provide_info": gettext_lazy("Send the information"),
    "cancel": gettext_lazy("Cancel my request"),
}
FIELD_LABELS: dict[tuple[str, str], Any] = {
    ("approve_quote", "note"): gettext_lazy("Comment (optional)"),
    ("decline_quote", "reason"): gettext_lazy("Why do you decline the quote?"),
    ("sign_off", "signer_name"): gettext_lazy("Your name as signature"),
    ("sign_off", "note"): gettext_lazy("Comment (optional)"),
    ("object", "reason"): gettext_lazy("What is still wrong?"),
    ("provide_info", "note"): gettext_lazy("The information we asked for"),
    ("cancel", "reason"): gettext_lazy("Why do you want to cancel?"),
}
# Fields staff fill in when they record the customer's decision; the customer never sees them.
STAFF_ONLY_FIELDS = frozenset({("approve_quote", "confirmed_by")})
ACTION_ORDER = ("provide_info", "approve_quote", "sign_off", "decline_quote", "object", "cancel")


@dataclass
class ActionField:
    name: str
    label: str
    required: bool
    multiline: bool


@dataclass
class CustomerAction:
    action: str
    label: str
    style: str
    fields: list[ActionField] = field(default_factory=list)

    @property
    def needs_input(self) -> bool:
        return bool(self.fields)


@dataclass
class TimelineEntry:
    label: str
    at: Any
    note: str
    by_customer: bool


def _local(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _field(transition: Transition, spec: FieldSpec) -> ActionField:
    label = FIELD_LABELS.get((transition.action, spec.name)) or spec.label or spec.name
    return ActionField(
        name=spec.name, label=str(label), required=spec.required, multiline=spec.name in {"reason", "note"}
    )


def customer_actions(order: WorkOrder) -> list[CustomerAction]:
    """What the customer may do now, straight from the transition table (state, guards)."""
    allowed = {t.action: t for t in allowed_transitions(order, CUSTOMER)}
    ordered = [allowed[a] for a in ACTION_ORDER if a in allowed] + [
        t for a, t in allowed.items() if a not in ACTION_ORDER
    ]
    return [
        CustomerAction(
            action=t.action,
            label=str(ACTION_LABELS.get(t.action, t.label)),
            style=t.style,
            fields=[_field(t, spec) for spec in t.fields if (t.action, spec.name) not in STAFF_ONLY_FIELDS],
        )
        for t in ordered
    ]


def customer_action_fields(order: WorkOrder, action: str) -> list[str] | None:
    """Field names of an action the customer may take now, or ``None`` if it is not allowed."""
    for transition in allowed_transitions(order, CUSTOMER):
        if transition.action == action:
            return [spec.name for spec in transition.fields if (action, spec.name) not in STAFF_ONLY_FIELDS]
    return None


def status_explanation(order: WorkOrder) -> str:
    template = STATUS_EXPLANATIONS.get(order.status)
    if template is None:  # pragma: no cover - every Status has a sentence (tested)
        return order.get_status_display()
    reason = ""
    if order.status == Status.INFO_REQUESTED:
        event = portal_last_event(order, EventKind.REQUEST_INFO)
        reason = event.note if event else ""
    elif order.status == Status.REJECTED:
        reason = order.reject_reason
    elif order.status == Status.CANCELLED:
        reason = order.cancel_reason
    reason = (reason or "").strip()
    if reason and reason[-1] not in ".。!！?？":
        reason += "。" if any("\u4e00" <= ch <= "\u9fff" for ch in reason) else "."
    return str(template) % {
        "reason": reason or "—",
        "amount": order.quoted_amount if order.quoted_amount is not None else "—",
        "appointment": _local(order.appointment_at) or "—",
        "wait_reason": str(WAIT_EXPLANATIONS.get(order.wait_reason, WAIT_EXPLANATIONS[WaitReason.OTHER])),
    }


def progress_steps(order: WorkOrder) -> list[dict[str, Any]]:
    """The five steps with done / current / upcoming; empty for a rejected or cancelled order."""
    if order.status in ENDED_STATUSES:
        return []
    current = STEP_OF_STATUS.get(order.status, 0)
    finished = order.status == Status.CLOSED
    steps = []
    for index, (key, label) in enumerate(STEPS):
        if index < current or (finished and index == current):
            state = "done"
        else:
            state = "current" if index == current else "todo"
        steps.append({"key": key, "label": label, "state": state})
    return steps


def customer_timeline(order: WorkOrder) -> list[TimelineEntry]:
    entries = []
    for event in portal_timeline(order):
        label = CUSTOMER_EVENT_LABELS.get(event.kind) or event.get_kind_display()
        note = event.note if event.kind in CUSTOMER_NOTE_KINDS else ""
        if event.kind == EventKind.QUOTE and event.data.get("amount"):
            amount = _("Quote: ¥%(amount)s") % {"amount": event.data["amount"]}
            note = f"{amount} {note}".strip()
        if event.kind == EventKind.SCHEDULE and event.data.get("appointment_at"):
            when = parse_datetime(event.data["appointment_at"])
            appointment = _("Appointment: %(time)s") % {"time": _local(when)}
            note = f"{appointment} {note}".strip()
        entries.append(
            TimelineEntry(label=str(label), at=event.at, note=note, by_customer=event.actor_label == CUSTOMER_LABEL)
        )
    return entries


def technician_first_name(order: WorkOrder) -> str:
    technician = order.technician
    if technician is None:
        return ""
    return (technician.first_name or "").strip()
