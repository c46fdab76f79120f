"""Typed wrappers of the transitions other apps call (dispatch, field work, billing…): each names
its data, so a caller cannot misspell an action or a field. They all go through
``workorder_transition``, the one code that applies the transition table."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from workorders.models import WorkOrder
from workorders.services import workorder_transition


def _note(note: str) -> dict[str, Any]:
    return {"note": note} if note else {}


def workorder_accept(*, order: WorkOrder, acting_user: Any, charge_type: str = "", note: str = "") -> WorkOrder:
    data = {**_note(note), **({"charge_type": charge_type} if charge_type else {})}
    return workorder_transition(order=order, action="accept", acting_user=acting_user, data=data)


def workorder_quote(*, order: WorkOrder, acting_user: Any, amount: Decimal | str, note: str = "") -> WorkOrder:
    data = {"amount": str(amount), **_note(note)}
    return workorder_transition(order=order, action="quote", acting_user=acting_user, data=data)


def workorder_approve_quote(*, order: WorkOrder, acting_user: Any, confirmed_by: str, note: str = "") -> WorkOrder:
    data = {"confirmed_by": confirmed_by, **_note(note)}
    return workorder_transition(order=order, action="approve_quote", acting_user=acting_user, data=data)


def workorder_assign(
    *, order: WorkOrder, acting_user: Any, technician: Any, reason: str = "", expected_version: int | None = None
) -> WorkOrder:
    """Assign (or reassign, with a reason) the technician; ``expected_version`` refuses a stale
    choice (the list's bulk assign sends the version each row was shown at)."""
    data = {"technician": technician.pk, "reason": reason}
    return workorder_transition(
        order=order, action="assign", acting_user=acting_user, data=data, expected_version=expected_version
    )


def workorder_schedule(*, order: WorkOrder, acting_user: Any, appointment_at: datetime, note: str = "") -> WorkOrder:
    data = {"appointment_at": appointment_at, "note": note}
    return workorder_transition(order=order, action="schedule", acting_user=acting_user, data=data)


def workorder_start(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    return workorder_transition(order=order, action="start", acting_user=acting_user, data=_note(note))


def workorder_pause(*, order: WorkOrder, acting_user: Any, wait_reason: str, note: str = "") -> WorkOrder:
    """Pause the work (``WaitReason``: parts, the customer or other); ``resume`` takes it up again."""
    data = {"wait_reason": wait_reason, **_note(note)}
    return workorder_transition(order=order, action="pause", acting_user=acting_user, data=data)


def workorder_resume(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    return workorder_transition(order=order, action="resume", acting_user=acting_user, data=_note(note))


def workorder_diagnose(*, order: WorkOrder, acting_user: Any, fault_cause: str, diagnosis: str) -> WorkOrder:
    data = {"fault_cause": fault_cause, "diagnosis": diagnosis}
    return workorder_transition(order=order, action="diagnose", acting_user=acting_user, data=data)


def workorder_submit_qc(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    return workorder_transition(order=order, action="submit_qc", acting_user=acting_user, data={"note": note})


def workorder_qc_pass(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    return workorder_transition(order=order, action="qc_pass", acting_user=acting_user, data={"note": note})


def workorder_qc_fail(*, order: WorkOrder, acting_user: Any, reason: str) -> WorkOrder:
    return workorder_transition(order=order, action="qc_fail", acting_user=acting_user, data={"reason": reason})


def workorder_customer_sign_off(*, order: WorkOrder, signer_name: str) -> WorkOrder:
    """The customer signs off on the technician's screen (no staff user acts)."""
    data = {"signer_name": signer_name}
    return workorder_transition(order=order, action="sign_off", acting_user=None, by_customer=True, data=data)


def workorder_customer_object(*, order: WorkOrder, reason: str) -> WorkOrder:
    """The customer refuses to sign off: back to work, escalated to the supervisor."""
    data = {"reason": reason}
    return workorder_transition(order=order, action="object", acting_user=None, by_customer=True, data=data)
