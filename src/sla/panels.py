"""The SLA card on the work-order detail page: deadlines, business time left, status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sla.choices import SlaStatus, Target
from sla.models import OrderServiceLevel
from sla.selectors import time_left
from workorders.models import WorkOrder

BADGES = {
    SlaStatus.ON_TRACK: "success",
    SlaStatus.AT_RISK: "warning",
    SlaStatus.BREACHED: "danger",
    SlaStatus.MET: "secondary",
    SlaStatus.STOPPED: "light",
}


def duration_text(value: timedelta | None) -> str:
    """“3 h 20 min” (negative: overdue) in business time."""
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    text = _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return f"-{text}" if value < timedelta(0) else text


def sla_rows(row: OrderServiceLevel, now: Any = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    rows = []
    for target in Target:
        deadline = row.due(target.value)
        if deadline is None:
            continue
        left = time_left(row, target.value, now)
        state = (row.target_states or {}).get(target.value, SlaStatus.ON_TRACK)
        rows.append(
            {
                "target": target.label,
                "code": target.value,
                "deadline": deadline,
                "met_at": getattr(row, f"{target.value}_met_at"),
                "left": duration_text(left),
                "overdue": left is not None and left < timedelta(0),
                "state": state,
                "state_label": SlaStatus(state).label,
                "badge": BADGES.get(SlaStatus(state), "secondary"),
            }
        )
    return rows


def sla_panel_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    if not request.user.has_perm("sla.view_orderservicelevel"):
        return None
    row = OrderServiceLevel.objects.select_related("level").filter(order_id=order.pk).first()
    if row is None:
        return None
    status = SlaStatus(row.status)
    return {
        "row": row,
        "level": row.level,
        "targets": sla_rows(row),
        "status": status,
        "status_label": status.label,
        "badge": BADGES.get(status, "secondary"),
        "paused_since": row.paused_since,
        "paused": duration_text(timedelta(seconds=row.paused_seconds)) if row.paused_seconds else "",
    }
