"""Loans of technicians between units, approved by the lending unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.services import lock_for_update
from dispatch.choices import LoanStatus
from dispatch.models import (
    TechnicianLoan,
)
from dispatch.services._common import _ensure_unit_visible, _require

# --- loans ----------------------------------------------------------------------------------


@transaction.atomic
def loan_request(
    *, acting_user: Any, technician: Any, to_unit: OrgUnit, starts_on: date, ends_on: date, reason: str
) -> TechnicianLoan:
    """Ask another unit to lend one of its technicians to ``to_unit`` for some days."""
    _require(acting_user, "dispatch.add_technicianloan")
    _ensure_unit_visible(acting_user, to_unit.pk, "to_unit")
    profile = getattr(technician, "profile", None)
    if profile is None or not technician.has_perm("workorders.work_on_workorder"):
        raise ValidationError({"technician": _("Choose an active technician.")})
    if profile.unit_id == to_unit.pk:
        raise ValidationError({"technician": _("This technician already belongs to that unit.")})
    loan = TechnicianLoan(
        technician=technician,
        from_unit_id=profile.unit_id,
        to_unit=to_unit,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=(reason or "").strip(),
        requested_by=acting_user,
    )
    loan.full_clean()
    loan.save()
    return loan


@transaction.atomic
def loan_decide(*, acting_user: Any, loan: TechnicianLoan, approve: bool, note: str = "") -> TechnicianLoan:
    """Only the technician's own unit (a dispatcher or director there) approves or rejects lending them."""
    _require(acting_user, "dispatch.decide_technicianloan")
    loan = lock_for_update(loan)
    if loan.status != LoanStatus.REQUESTED:
        raise ValidationError({"status": _("This loan was already decided.")})
    own_unit = getattr(getattr(acting_user, "profile", None), "unit_id", None)
    if not acting_user.is_superuser and own_unit != loan.from_unit_id:
        raise PermissionDenied(
            _("Only the technician's own unit (%(unit)s) may decide on lending them.") % {"unit": loan.from_unit.name}
        )
    loan.status = LoanStatus.APPROVED if approve else LoanStatus.REJECTED
    loan.decided_by, loan.decided_at, loan.decision_note = acting_user, timezone.now(), (note or "").strip()
    loan.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    return loan
