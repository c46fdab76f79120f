"""The work-order state machine of SPEC §3 as one explicit table.

Each row: the action, the states it may start from, the state it leads to, the permission it
needs (or the customer acting on their own order), the data it requires, and an optional guard
(a further rule with its reason). ``workorders.services.workorder_transition`` is the only code
that applies it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workorders.choices import ChargeType, CompletionStatus, FaultCause, Satisfaction, ServiceType, WaitReason
from workorders.choices import Status as S
from workorders.hooks import repair_warranty_days

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from workorders.models import WorkOrder

FieldType = Literal["text", "datetime", "user", "decimal", "choice", "score"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool = True
    label: Promise | str = ""
    choices: tuple[str, ...] = ()
    max_length: int = 5000  # text fields: the column (or a sane bound for notes)
    #: A "choice" field's codes with their labels: the form offers the labels, never the codes.
    choice_set: builtins.type[models.Choices] | None = None  # ``type`` is a field name here

    def __post_init__(self) -> None:
        if self.choice_set is not None and not self.choices:
            object.__setattr__(self, "choices", tuple(str(value) for value in self.choice_set.values))

    def choice_label(self, value: str) -> str:
        """What a person reads for one of the field's codes (issue 18, point 7)."""
        if self.choice_set is not None and value in self.choice_set.values:
            return str(self.choice_set(value).label)
        return value


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: str
    label: Promise | str
    customer_may: bool = False
    fields: tuple[FieldSpec, ...] = ()
    guard: str = ""
    style: str = "primary"
    extra_sources: frozenset[str] = field(default_factory=frozenset)


REASON = FieldSpec("reason", "text", label=_("reason"))
NOTE_OPTIONAL = FieldSpec("note", "text", required=False, label=_("note"))

DISPATCHABLE_FROM = frozenset({S.ACCEPTED, S.APPROVED, S.ASSIGNED, S.SCHEDULED})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "accept",
        frozenset({S.SUBMITTED}),
        S.ACCEPTED,
        "accept_workorder",
        _("Accept"),
        fields=(
            FieldSpec("charge_type", "choice", required=False, label=_("paid or free"), choice_set=ChargeType),
            FieldSpec("fault_cause", "choice", required=False, label=_("fault cause"), choice_set=FaultCause),
            NOTE_OPTIONAL,
        ),
        style="success",
    ),
    Transition(
        "reject",
        frozenset({S.SUBMITTED, S.INFO_REQUESTED}),
        S.REJECTED,
        "reject_workorder",
        _("Reject"),
        fields=(REASON,),
        style="danger",
    ),
    Transition(
        "request_info",
        frozenset({S.SUBMITTED}),
        S.INFO_REQUESTED,
        "accept_workorder",
        _("Ask customer for information"),
        fields=(REASON,),
        style="warning",
    ),
    Transition(
        "provide_info",
        frozenset({S.INFO_REQUESTED}),
        S.SUBMITTED,
        "record_customer_action",
        _("Information provided"),
        customer_may=True,
        fields=(FieldSpec("note", "text", label=_("information")),),
    ),
    Transition(
        "cancel",
        frozenset({S.SUBMITTED, S.INFO_REQUESTED, S.ACCEPTED, S.QUOTED, S.APPROVED, S.ASSIGNED, S.SCHEDULED}),
        S.CANCELLED,
        "cancel_workorder",
        _("Cancel"),
        customer_may=True,
        fields=(REASON,),
        guard="customer_cancels_early",
        style="danger",
    ),
    Transition(
        "quote",
        frozenset({S.ACCEPTED}),
        S.QUOTED,
        "accept_workorder",
        _("Send quote"),
        fields=(FieldSpec("amount", "decimal", label=_("quoted amount")), NOTE_OPTIONAL),
    ),
    Transition(
        "approve_quote",
        frozenset({S.QUOTED}),
        S.APPROVED,
        "record_customer_action",
        _("Quote approved"),
        customer_may=True,
        fields=(
            # Staff recording a phone confirmation say who on the customer's side confirmed.
            FieldSpec("confirmed_by", "text", required=False, label=_("confirmed by (customer side)"), max_length=64),
            NOTE_OPTIONAL,
        ),
        style="success",
    ),
    Transition(
        "decline_quote",
        frozenset({S.QUOTED}),
        S.CANCELLED,
        "record_customer_action",
        _("Quote declined"),
        customer_may=True,
        fields=(REASON,),
        style="danger",
    ),
    Transition(
        "assign",
        DISPATCHABLE_FROM,
        S.ASSIGNED,
        "dispatch_workorder",
        _("Assign technician"),
        fields=(
            FieldSpec("technician", "user", label=_("technician")),
            FieldSpec("reason", "text", required=False, label=_("reason for reassignment")),
        ),
        guard="paid_work_needs_approved_quote",
    ),
    Transition(
        "schedule",
        frozenset({S.ASSIGNED, S.SCHEDULED}),
        S.SCHEDULED,
        "dispatch_workorder",
        _("Book appointment"),
        fields=(FieldSpec("appointment_at", "datetime", label=_("appointment")), NOTE_OPTIONAL),
    ),
    Transition(
        "start",
        frozenset({S.ACCEPTED, S.APPROVED, S.ASSIGNED, S.SCHEDULED}),
        S.IN_PROGRESS,
        "work_on_workorder",
        _("Start work"),
        fields=(NOTE_OPTIONAL,),
        guard="paid_work_needs_approved_quote",
    ),
    Transition(
        "diagnose",
        frozenset({S.IN_PROGRESS}),
        S.IN_PROGRESS,
        "work_on_workorder",
        _("Record diagnosis"),
        fields=(
            FieldSpec("fault_cause", "choice", label=_("fault cause"), choice_set=FaultCause),
            FieldSpec("diagnosis", "text", label=_("diagnosis")),
        ),
        style="secondary",
    ),
    Transition(
        "pause",
        frozenset({S.IN_PROGRESS}),
        S.WAITING,
        "work_on_workorder",
        _("Pause (waiting)"),
        fields=(
            FieldSpec("wait_reason", "choice", label=_("waiting for"), choice_set=WaitReason),
            NOTE_OPTIONAL,
        ),
        style="warning",
    ),
    Transition(
        "resume", frozenset({S.WAITING}), S.IN_PROGRESS, "work_on_workorder", _("Resume"), fields=(NOTE_OPTIONAL,)
    ),
    Transition(
        "submit_qc",
        frozenset({S.IN_PROGRESS}),
        S.QC,
        "work_on_workorder",
        _("Send to QC"),
        fields=(FieldSpec("note", "text", label=_("work done")),),
    ),
    Transition(
        "qc_pass",
        frozenset({S.QC}),
        S.AWAITING_SIGNOFF,
        "inspect_workorder",
        _("QC passed"),
        fields=(NOTE_OPTIONAL,),
        style="success",
    ),
    Transition(
        "qc_fail",
        frozenset({S.QC}),
        S.IN_PROGRESS,
        "inspect_workorder",
        _("QC failed"),
        fields=(REASON,),
        style="danger",
    ),
    Transition(
        "sign_off",
        frozenset({S.AWAITING_SIGNOFF}),
        S.COMPLETED,
        "record_customer_action",
        _("Customer signs off"),
        customer_may=True,
        fields=(FieldSpec("signer_name", "text", label=_("signed by"), max_length=64), NOTE_OPTIONAL),
        style="success",
    ),
    Transition(
        "object",
        frozenset({S.AWAITING_SIGNOFF}),
        S.IN_PROGRESS,
        "record_customer_action",
        _("Customer objects"),
        customer_may=True,
        fields=(REASON,),
        style="danger",
    ),
    Transition(
        "resolve_remotely",
        frozenset({S.IN_PROGRESS}),
        S.COMPLETED,
        "work_on_workorder",
        _("Resolved remotely"),
        fields=(FieldSpec("note", "text", label=_("solution")),),
        guard="remote_service_type",
        style="success",
    ),
    Transition(
        "close_incomplete",
        frozenset({S.IN_PROGRESS, S.WAITING}),
        S.COMPLETED,
        "close_workorder",
        _("End without completion"),
        fields=(REASON,),
        style="danger",
    ),
    Transition(
        "follow_up",
        frozenset({S.COMPLETED}),
        S.FOLLOWED_UP,
        "follow_up_workorder",
        _("Record follow-up"),
        fields=(
            FieldSpec("satisfaction", "choice", label=_("rating"), choice_set=Satisfaction),
            FieldSpec("score", "score", required=False, label=_("score")),
            FieldSpec("note", "text", required=False, label=_("comment")),
        ),
    ),
    Transition("close", frozenset({S.FOLLOWED_UP}), S.CLOSED, "close_workorder", _("Close"), fields=(NOTE_OPTIONAL,)),
    Transition(
        "reopen",
        frozenset({S.COMPLETED, S.FOLLOWED_UP, S.CLOSED}),
        S.ACCEPTED,
        "reopen_workorder",
        _("Reopen (repeat repair)"),
        fields=(REASON,),
        guard="within_repair_warranty",
        style="warning",
    ),
)

TRANSITIONS_BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
REMOTE_SERVICE_TYPES = frozenset(
    {ServiceType.CONSULTATION, ServiceType.TECHNICAL_GUIDANCE, ServiceType.SOFTWARE_UPGRADE, ServiceType.REPAIR}
)


def guard_failure(transition: Transition, order: WorkOrder, *, by_customer: bool) -> str | None:
    """The reason a guard refuses this transition for this order, or ``None`` when it allows it."""
    if transition.guard == "paid_work_needs_approved_quote":
        if order.charge_type == ChargeType.PAID and order.quote_approved_at is None:
            return str(_("Paid work cannot be dispatched before the customer approves the quote."))
        if transition.action == "assign" and order.charge_type == ChargeType.UNDETERMINED:
            # SPEC §3: paid work is quoted and approved before anyone goes out, so decide first.
            return str(_("Decide whether the work is paid or free before dispatching it."))
    elif transition.guard == "customer_cancels_early":
        if by_customer and order.status not in {S.SUBMITTED, S.INFO_REQUESTED, S.QUOTED}:
            return str(_("The order is already being handled; please call the hotline to cancel."))
    elif transition.guard == "remote_service_type":
        if order.service_type not in REMOTE_SERVICE_TYPES:
            return str(_("Only consultation, guidance, software and repair orders can be resolved remotely."))
        if order.technician_id is not None or order.appointment_at is not None:
            # Once someone was dispatched, the work ends through QC and the customer's sign-off.
            return str(_("An order with a dispatched technician is finished through QC and sign-off."))
    elif transition.guard == "within_repair_warranty":
        # How long a repair must hold (第六条: at least 30 days): stored when it completed; for an
        # order completed before that was stored, the device's terms (workorders.hooks) say.
        if order.completion_status != CompletionStatus.DONE or order.completed_at is None:
            return str(_("Only a completed repair can be reopened as a repeat repair."))
        ends_at = order.repair_warranty_ends_at
        if ends_at is None:
            ends_at = order.completed_at + timedelta(days=repair_warranty_days(order))
        if timezone.now() > ends_at:
            days = (ends_at - order.completed_at).days
            return str(_("Reopening is only possible within the %(days)s-day repair warranty.") % {"days": days})
    return None
