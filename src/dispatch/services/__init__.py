"""Writes for dispatch: technicians' setup, appointments, assignment, loans and route plans, one
module per area. One function per business action, keyword-only, atomic. Order status changes
only through the typed transitions of ``workorders.actions`` (assign, schedule); appointments are
recorded on the order's timeline as ``EventKind.APPOINTMENT`` events with before → after.

Everything is importable from ``dispatch.services`` as before."""

from dispatch.services._common import CENT, DEFAULT_SERVICE_MINUTES, MAX_TIME_LIMIT, MIN_TIME_LIMIT
from dispatch.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_sync_on_event,
)
from dispatch.services.assignment import AutoAssignResult, auto_assign, dispatch_assign
from dispatch.services.board import board_drop
from dispatch.services.loans import loan_decide, loan_request
from dispatch.services.pickers import (
    PickerOption,
    appointment_window,
    board_technicians,
    loan_admission_for_user,
    only_technicians,
    picker_options,
    technician_for_dispatch,
    unit_for_plans,
)
from dispatch.services.plans import (
    drop_reason_text,
    plan_apply,
    plan_approve,
    plan_propose,
    plan_reject,
    plan_visit_drop,
    plan_visit_move,
    solver_status_label,
)
from dispatch.services.reminders import REMINDER_TEMPLATE, appointment_reminders_enqueue
from dispatch.services.rules import assignment_check, loan_admission, qualification_refusal
from dispatch.services.technicians import (
    certificate_add,
    certificate_retire,
    shift_override_set,
    technician_home_clear,
    technician_profile_save,
    technician_shifts_replace,
)

__all__ = [
    "CENT",
    "DEFAULT_SERVICE_MINUTES",
    "MAX_TIME_LIMIT",
    "MIN_TIME_LIMIT",
    "REMINDER_TEMPLATE",
    "AutoAssignResult",
    "PickerOption",
    "appointment_book",
    "appointment_cancel",
    "appointment_reminders_enqueue",
    "appointment_reschedule",
    "appointment_sync_on_event",
    "appointment_window",
    "assignment_check",
    "auto_assign",
    "board_drop",
    "board_technicians",
    "certificate_add",
    "certificate_retire",
    "dispatch_assign",
    "drop_reason_text",
    "loan_admission",
    "loan_admission_for_user",
    "loan_decide",
    "loan_request",
    "only_technicians",
    "picker_options",
    "plan_apply",
    "plan_approve",
    "plan_propose",
    "plan_reject",
    "plan_visit_drop",
    "plan_visit_move",
    "qualification_refusal",
    "shift_override_set",
    "solver_status_label",
    "technician_for_dispatch",
    "technician_home_clear",
    "technician_profile_save",
    "technician_shifts_replace",
    "unit_for_plans",
]
