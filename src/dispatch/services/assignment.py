"""Assignment: by a dispatcher, and auto-assign with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.geo import distance_km
from dispatch.models import (
    TechnicianProfile,
)
from dispatch.policies import AutoAssignDecision, CandidateFacts, auto_assign_decide
from dispatch.selectors import (
    home_of,
    jobs_on,
    loaned_in_profiles,
    local_tz,
    order_location,
    sla_deadlines,
    technician_shift,
)
from dispatch.services._common import _name, _require
from dispatch.services.appointments import _visible_order
from dispatch.services.rules import qualification_refusal
from workorders.actions import workorder_assign
from workorders.choices import Urgency
from workorders.models import WorkOrder
from workorders.selectors import technicians_for_order

# --- assignment -----------------------------------------------------------------------------


@transaction.atomic
def dispatch_assign(*, acting_user: Any, order: WorkOrder, technician: Any, reason: str = "") -> WorkOrder:
    """Assign (or reassign, with a reason) through the work order's ``assign`` transition."""
    return workorder_assign(order=order, acting_user=acting_user, technician=technician, reason=reason)


@dataclass
class AutoAssignResult:
    decision: AutoAssignDecision
    order: WorkOrder
    applied: bool


def _candidate_profiles(
    acting_user: Any, order: WorkOrder, day: date
) -> list[tuple[Any, TechnicianProfile | None, bool]]:
    users = list(technicians_for_order(acting_user, order)) if acting_user is not None else []
    profiles = {
        p.user_id: p for p in TechnicianProfile.objects.filter(user__in=users).select_related("user", "calendar")
    }
    result: list[tuple[Any, TechnicianProfile | None, bool]] = [(u, profiles.get(u.pk), False) for u in users]
    seen = {u.pk for u in users}
    for profile in loaned_in_profiles(order.unit_id, day):
        if profile.user_id not in seen:
            result.append((profile.user, profile, True))
    return result


@transaction.atomic
def auto_assign(
    *, acting_user: Any, order: WorkOrder, day: date | None = None, apply: bool = False
) -> AutoAssignResult:
    """Choose a technician by skill, region (distance from home base), workload (the day's jobs
    against capacity), calendar (a shift that day) and deadline; assign when ``apply``."""
    _require(acting_user, "workorders.dispatch_workorder")
    order = _visible_order(acting_user, order)
    day = day or (
        timezone.localtime(order.appointment_at, local_tz()).date() if order.appointment_at else timezone.localdate()
    )
    location = order_location(order)
    facts = []
    for user, profile, loaned in _candidate_profiles(acting_user, order, day):
        if profile is None:
            facts.append(
                CandidateFacts(user.pk, _name(user), _("no dispatch profile (skills unknown)"), False, None, 0, 0)
            )
            continue
        home = home_of(profile)
        facts.append(
            CandidateFacts(
                technician_id=user.pk,
                name=_name(user),
                refusal=qualification_refusal(order, profile, on=day),
                working=technician_shift(profile, day) is not None,
                distance_km=round(distance_km(home, location), 1) if home and location else None,
                jobs_today=jobs_on(user.pk, day),
                capacity=profile.daily_capacity,
                loaned=loaned,
            )
        )
    deadline = sla_deadlines([order.pk]).get(order.pk)
    soon = order.urgency != Urgency.NORMAL or (
        deadline is not None and deadline <= timezone.now() + timedelta(hours=24)
    )
    decision = auto_assign_decide(facts, deadline_soon=soon)
    applied = False
    if apply and decision.choice is not None and decision.choice != order.technician_id:
        from django.contrib.auth import get_user_model

        technician = get_user_model().objects.get(pk=decision.choice)
        order = dispatch_assign(
            acting_user=acting_user,
            order=order,
            technician=technician,
            reason=_("Auto-assign: %(reasons)s") % {"reasons": "; ".join(decision.reasons)},
        )
        applied = True
    return AutoAssignResult(decision=decision, order=order, applied=applied)
