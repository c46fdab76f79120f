"""Writes of the SLA app: service levels (configuration) and each order's clocks.

The clocks are derived from the order's timeline (``sla.clock``); these functions load the
inputs, store the result on ``OrderServiceLevel`` and append an ``sla`` timeline event for every
target that becomes at risk, breached or met — which the notification app turns into alerts
(at risk → the agent, breached → the director). Every function here is idempotent: run twice on
the same state, it writes no second event.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.services import apply_changes, check_version, lock_for_update, save_versioned
from sla import clock
from sla.choices import BackupUnitStatus, ResolutionFrom, SlaStatus, Target
from sla.models import BackupUnitTask, OrderServiceLevel, ServiceLevel, hours_delta
from sla.policies import LevelDecision
from sla.selectors import (
    _service_level_pick,
    order_history,
    stored_clocks,
    terms_of,
    working_calendar_for,
)
from workorders.choices import OPEN_STATUSES, EventKind, Priority, ServiceType, Status, Urgency
from workorders.models import TimelineEvent, WorkOrder
from workorders.transitions import TRANSITIONS_BY_ACTION

logger = logging.getLogger(__name__)

#: Event kinds that never move a clock (and our own events, which must not loop).
IGNORED_EVENTS = frozenset(
    {
        EventKind.SLA,
        EventKind.BACKUP_UNIT,
        EventKind.COMMENT,
        EventKind.ATTACHMENT,
        EventKind.ESCALATED,
        EventKind.WARRANTY,
        EventKind.QUOTE_LINES,
        EventKind.SETTLEMENT,
        EventKind.CLAIM,
        EventKind.DIAGNOSE,
        EventKind.REPAIR_LOG,
        EventKind.SIGNATURE,
        EventKind.APPOINTMENT,
    }
)
#: What the clocks listen to (workorders.hooks): the state changes, a check-in, an edit that may
#: reclassify the order — not the events that never move a clock.
CLOCK_EVENT_KINDS = frozenset((set(TRANSITIONS_BY_ACTION) | {EventKind.UPDATED, EventKind.CHECK_IN}) - IGNORED_EVENTS)
#: A change of these fields re-matches the level and recomputes the clocks from the history.
RECLASSIFYING_FIELDS = frozenset({"priority", "urgency", "service_type"})
ESCALATION = {clock.AT_RISK: "agent", clock.BREACHED: "director"}
#: States that write an ``sla`` event (an alert). A target met in time is stored on the order's
#: clocks and shown on its page, but adds nothing to the timeline.
ALERT_STATES = frozenset(ESCALATION)
EDITABLE_FIELDS = {
    "code",
    "name",
    "description",
    "is_active",
    "rank",
    "service_types",
    "urgencies",
    "priorities",
    "customer_tags",
    "region_prefixes",
    "calendar",
    "response_hours",
    "arrival_hours",
    "resolution_hours",
    "resolution_from",
    "at_risk_percent",
    "backup_unit_on_miss",
}
HOURS_QUANTUM = Decimal("0.01")


# --- service levels (configuration) ------------------------------------------------------------


def _clean_level_lists(level: ServiceLevel) -> None:
    """The condition lists hold known codes only; a typo would silently never match."""
    errors: dict[str, str] = {}
    checks: list[tuple[str, set[Any]]] = [
        ("service_types", set(ServiceType.values)),
        ("urgencies", set(Urgency.values)),
        ("priorities", set(Priority.values)),
    ]
    for name, known in checks:
        values = getattr(level, name) or []
        if not isinstance(values, list) or any(value not in known for value in values):
            errors[name] = _("Unknown value in %(field)s.") % {"field": name}
    for name in ("customer_tags", "region_prefixes"):
        values = getattr(level, name) or []
        if not isinstance(values, list) or any(not isinstance(v, str) or not v.strip() for v in values):
            errors[name] = _("Enter a list of texts.")
    if any(not str(prefix).isdigit() or len(str(prefix)) not in (2, 4, 6) for prefix in level.region_prefixes or []):
        errors["region_prefixes"] = _("A region code has 2, 4 or 6 digits.")
    for name in ("response_hours", "arrival_hours", "resolution_hours"):
        value = getattr(level, name)
        if value is not None:
            setattr(level, name, Decimal(value).quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP))
    if level.response_hours is None and level.arrival_hours is None and level.resolution_hours is None:
        errors["response_hours"] = _("Set at least one target.")
    if level.resolution_from == ResolutionFrom.ARRIVAL and level.arrival_hours is None:
        errors["resolution_from"] = _("Counting the resolution from the arrival needs an arrival target.")
    if level.backup_unit_on_miss and level.resolution_hours is None:
        errors["backup_unit_on_miss"] = _("A backup unit is lent when the resolution target is missed: set one.")
    if errors:
        raise ValidationError(errors)


def _require(acting_user: Any | None, permission: str) -> None:
    if acting_user is not None and not acting_user.has_perm(permission):
        raise PermissionDenied(_("You may not configure service levels."))


@transaction.atomic
def service_level_create(
    *, acting_user: Any | None, code: str, name: str, calendar: Any, units: list[OrgUnit] | None = None, **fields: Any
) -> ServiceLevel:
    """A new level. It applies to orders accepted from now on; existing deadlines do not move."""
    _require(acting_user, "sla.add_servicelevel")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    code = (code or "").strip().upper()
    if ServiceLevel.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A service level with this code exists already.")})
    level = ServiceLevel(code=code, name=(name or "").strip(), calendar=calendar, **fields)
    _clean_level_lists(level)
    level.full_clean(exclude=["units"])
    level.save()
    if units:
        level.units.set(units)
    return level


@transaction.atomic
def service_level_update(
    *,
    level: ServiceLevel,
    acting_user: Any | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> ServiceLevel:
    """Edit a level (optimistic concurrency). Deadlines already set keep their terms: an order
    takes the new terms only when it is recomputed with a re-match (e.g. its priority changes)."""
    _require(acting_user, "sla.change_servicelevel")
    level = lock_for_update(level)
    check_version(level, expected_version)
    changes = dict(changes)
    units = changes.pop("units", None)
    if "code" in changes:
        changes["code"] = (changes["code"] or "").strip().upper()
        if ServiceLevel.objects.filter(code=changes["code"]).exclude(pk=level.pk).exists():
            raise ValidationError({"code": _("A service level with this code exists already.")})
    diff = apply_changes(level, changes, allowed=EDITABLE_FIELDS)
    _clean_level_lists(level)
    level.full_clean(exclude=["units"])
    if units is not None:
        level.units.set(units)
    if diff or units is not None:
        # A change of units alone is a new version too (and tells the other processes' level caches).
        save_versioned(level, list(diff))
    return level


# --- matching ----------------------------------------------------------------------------------


# --- the clocks of one order -------------------------------------------------------------------


def _snapshot_terms(row: OrderServiceLevel, level: ServiceLevel, decision: LevelDecision) -> None:
    row.level = level
    row.calendar_code = level.calendar.code
    row.response_hours = level.response_hours
    row.arrival_hours = level.arrival_hours
    row.resolution_hours = level.resolution_hours
    row.resolution_from = level.resolution_from
    row.at_risk_percent = level.at_risk_percent
    row.backup_unit_on_miss = level.backup_unit_on_miss
    row.reasons = [reason.as_dict() for reason in decision.reasons]


def store_clocks(row: OrderServiceLevel, clocks: clock.Clocks, now: datetime) -> None:
    """Copy computed clocks onto the row (no save)."""
    for name in clock.TARGETS:
        target = clocks.targets.get(name)
        setattr(row, f"{name}_due", target.deadline if target else None)
        setattr(row, f"{name}_met_at", target.met_at if target else None)
    row.at_risk_times = {name: t.at_risk_at.isoformat() for name, t in clocks.targets.items()}
    row.target_states = {name: t.state for name, t in clocks.targets.items()}
    row.status = clocks.status
    row.nearest_deadline = clocks.nearest_deadline
    row.next_check_at = clocks.next_check_at
    row.paused_since = clocks.paused_since
    row.paused_seconds = int(clocks.paused_business.total_seconds())
    row.computed_at = now


#: The computed clock columns (the bulk path writes them in this order: see ``BULK_WRITTEN``).
STORED_FIELDS = [
    "response_due",
    "arrival_due",
    "resolution_due",
    "response_met_at",
    "arrival_met_at",
    "resolution_met_at",
    "at_risk_times",
    "target_states",
    "status",
    "nearest_deadline",
    "next_check_at",
    "paused_since",
    "paused_seconds",
    "computed_at",
]
TERM_FIELDS = [
    "level",
    "calendar_code",
    "response_hours",
    "arrival_hours",
    "resolution_hours",
    "resolution_from",
    "at_risk_percent",
    "backup_unit_on_miss",
    "reasons",
]


@dataclass(frozen=True)
class SlaChange:
    target: str
    state: str
    deadline: datetime


def _changes(before: dict[str, str], after: dict[str, str], row: OrderServiceLevel) -> list[SlaChange]:
    changes = []
    for name, state in after.items():
        if state == before.get(name) or state not in ALERT_STATES:
            continue
        deadline = getattr(row, f"{name}_due")
        changes.append(SlaChange(name, state, deadline))
    return changes


def _note(change: SlaChange) -> str:
    target = str(Target(change.target).label)
    deadline = timezone.localtime(change.deadline).strftime("%Y-%m-%d %H:%M")
    if change.state == clock.AT_RISK:
        return _("%(target)s at risk: due %(deadline)s.") % {"target": target, "deadline": deadline}
    if change.state == clock.BREACHED:
        return _("%(target)s deadline missed (due %(deadline)s); escalated to the director.") % {
            "target": target,
            "deadline": deadline,
        }
    return _("%(target)s met (due %(deadline)s).") % {"target": target, "deadline": deadline}


def _record_changes(order: WorkOrder, row: OrderServiceLevel, changes: list[SlaChange], at: datetime) -> None:
    from workorders.services import workorder_record_event

    for change in changes:
        data: dict[str, Any] = {
            "state": change.state,
            "target": change.target,
            "deadline": timezone.localtime(change.deadline).isoformat(),
            "level": row.level.code if row.level_id else "",
        }
        if change.state in ESCALATION:
            data["escalated_to"] = ESCALATION[change.state]
        workorder_record_event(order=order, kind=EventKind.SLA, acting_user=None, note=_note(change), data=data, at=at)
    if row.backup_unit_on_miss and row.target_states.get(clock.RESOLUTION) == clock.BREACHED:
        _request_backup_unit(order, row, at)


def _request_backup_unit(order: WorkOrder, row: OrderServiceLevel, at: datetime) -> None:
    """备用机: once per order, when the "fix within 3 h" commitment is missed (seed 002)."""
    from workorders.services import workorder_record_event

    task, created = BackupUnitTask.objects.get_or_create(
        order=order, defaults={"level": row.level, "requested_at": at, "status": BackupUnitStatus.OPEN}
    )
    if not created:
        return
    workorder_record_event(
        order=order,
        kind=EventKind.BACKUP_UNIT,
        acting_user=None,
        note=_("The fix was not done in time: lend the customer an equal or better backup unit."),
        data={
            "state": "requested",
            "task": task.pk,
            "deadline": timezone.localtime(row.resolution_due).isoformat() if row.resolution_due else None,
        },
        at=at,
    )


@transaction.atomic(savepoint=False)  # part of the caller's transaction (the order's event): no savepoint
def order_sla_recompute(
    *,
    order: WorkOrder,
    now: datetime | None = None,
    rematch: bool = False,
    at: datetime | None = None,
    existing_only: bool = False,
) -> OrderServiceLevel | None:
    """Recompute an order's clocks from its whole history (and, with ``rematch``, pick its level
    again from the current classification and snapshot that level's terms). Returns ``None``
    when no level applies. ``at`` stamps the events this writes (default: ``now``).

    ``existing_only``: do nothing for an order without clocks yet (they are set at acceptance)."""
    now = now or timezone.now()
    row = OrderServiceLevel.objects.select_for_update().filter(order_id=order.pk).select_related("level").first()
    if row is None and existing_only:
        return None
    rematched = row is None or rematch
    if rematched:
        decision, level = _service_level_pick(order)
        if decision.level is None or level is None:
            if row is not None:
                # Reclassified out of every level: its old clocks stop (no more alerts), kept for the record.
                row.status, row.nearest_deadline, row.next_check_at = SlaStatus.STOPPED, None, None
                row.save(update_fields=["status", "nearest_deadline", "next_check_at"])
            return None
        if row is None:
            row = OrderServiceLevel(order=order)
        _snapshot_terms(row, level, decision)
    assert row is not None
    before = dict(row.target_states or {})
    clocks = clock.compute_clocks(terms_of(row), working_calendar_for(row.calendar_code), order_history(order), now)
    store_clocks(row, clocks, now)
    if row.pk is None:
        row.save()
    else:
        row.save(update_fields=[*STORED_FIELDS, *(TERM_FIELDS if rematched else ()), "updated_at"])
    _record_changes(order, row, _changes(before, row.target_states, row), at or now)
    return row


def event_moves_clocks(event: TimelineEvent) -> bool:
    """Whether the event changes what ``clock.history_from_events`` folds: a met, stop or
    restart event, or a status change into or out of a waiting (paused) status."""
    kind = event.kind
    if (
        kind in clock.RESPONSE_EVENTS
        or kind in clock.ARRIVAL_EVENTS
        or kind in clock.RESOLUTION_EVENTS
        or kind in clock.STOP_EVENTS
        or kind in clock.RESTART_EVENTS
    ):
        return True
    if not event.to_status:
        return False
    return (event.from_status in clock.PAUSE_STATUSES) != (event.to_status in clock.PAUSE_STATUSES)


def order_sla_on_event(order: WorkOrder, event: TimelineEvent) -> None:
    """The timeline hook. Acceptance sets the deadlines (the level is picked from the order's
    classification then); afterwards every status change and arrival moves the clocks, and a
    change of priority, urgency or service type picks the level again and recomputes.

    Cheap on the events that cannot move a clock (creation, assignment, scheduling…): the
    history's clock inputs are unchanged, so the stored deadlines stand; one indexed read, and a
    recompute only when a stored at-risk instant or deadline has come (what the recompute would
    then store is what is stored already, so nothing is written)."""
    if event.kind in IGNORED_EVENTS:
        return
    if event.kind == EventKind.ACCEPT:
        order_sla_recompute(order=order, now=event.at, rematch=True)
        return
    if event.kind == EventKind.CREATED:
        return  # clocks are set at acceptance
    if event.kind == EventKind.UPDATED:
        if RECLASSIFYING_FIELDS & set(event.data or {}):
            order_sla_recompute(order=order, now=event.at, rematch=True, existing_only=True)
        return
    if event.kind != EventKind.CHECK_IN and not event.to_status:
        return
    if not event_moves_clocks(event):
        stored = OrderServiceLevel.objects.filter(order_id=order.pk).values_list("paused_since", "next_check_at")
        found = stored.first()
        if found is None:
            return
        paused_since, next_check_at = found
        if paused_since is None and (next_check_at is None or next_check_at > event.at):
            return
    order_sla_recompute(order=order, now=event.at, existing_only=True)


# --- the periodic scan -------------------------------------------------------------------------


def sla_scan(*, now: datetime | None = None, limit: int = 2000) -> int:
    """Move the stored status of orders whose next at-risk instant or deadline has come, and
    record the events (at risk → agent, breached → director). Only rows with ``next_check_at``
    due are read; a state already stored writes nothing, so running it twice is harmless.
    Returns how many orders changed."""
    now = now or timezone.now()
    due = list(
        OrderServiceLevel.objects.filter(
            next_check_at__lte=now, paused_since__isnull=True, order__status__in=OPEN_STATUSES
        )
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    changed = 0
    for pk in due:
        with transaction.atomic():
            row = (
                OrderServiceLevel.objects.select_for_update(of=("self",))
                .select_related("order", "level")
                .filter(pk=pk, next_check_at__lte=now)
                .first()
            )
            if row is None:
                continue
            stored = stored_clocks(row)
            states = clock.states_at(stored, now)
            before = dict(row.target_states or {})
            row.target_states = states
            row.status = clock.worst(states.values())
            upcoming = [
                instant
                for values in stored.values()
                if values["met_at"] is None
                for instant in (values["at_risk_at"], values["deadline"])
                if instant > now
            ]
            row.next_check_at = min(upcoming) if upcoming else None
            row.save(update_fields=["target_states", "status", "next_check_at", "updated_at"])
            changes = _changes(before, states, row)
            if changes:
                changed += 1
                _record_changes(row.order, row, changes, now)
    if changed:
        logger.info("SLA scan: %s orders changed state", changed)
    return changed


# --- due callbacks (回访) ------------------------------------------------------------------------

#: The target name of callback events on the timeline (``sla`` events with ``data.target``).
CALLBACK = "callback"
#: Callback states: due (the agent should call back) → breached (overdue: escalated).
CALLBACK_DUE, CALLBACK_OVERDUE = "due", clock.BREACHED


def callback_window() -> timedelta:
    """How long after the service the callback is due: 7 days (SPEC §9, seed 002 "服务完成后
    7 日内回访"); ``SLA_CALLBACK_DAYS`` in settings changes it."""
    return timedelta(days=int(getattr(settings, "SLA_CALLBACK_DAYS", 7)))


def _callback_recorded(state: str) -> Exists:
    """The order already has this callback state on its timeline since its (latest) completion."""
    return Exists(
        TimelineEvent.objects.filter(
            order_id=OuterRef("pk"),
            kind=EventKind.SLA,
            data__target=CALLBACK,
            data__state=state,
            at__gte=OuterRef("completed_at"),
        )
    )


def callback_scan(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Completed orders not yet followed up whose callback is due or overdue (SPEC §9).

    A completed order gets one ``sla`` event ``{"target": "callback", "state": "due"}`` (the
    notification hook alerts the agent who accepted it, in-app), and once ``callback_window()``
    has passed without a follow-up one ``{"state": "breached", "escalated_to": "director"}``
    (the agent and the unit's directors). An order first seen overdue gets only the second.
    The state is read back from the timeline, so a second run — or a second worker — writes
    nothing; a reopened and completed-again order counts from its new completion. Returns how
    many orders got each state."""
    now = now or timezone.now()
    window = callback_window()
    completed = WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__isnull=False, completed_at__lte=now)
    passes = (
        (CALLBACK_DUE, completed.filter(completed_at__gt=now - window)),
        (CALLBACK_OVERDUE, completed.filter(completed_at__lte=now - window)),
    )
    counts = {CALLBACK_DUE: 0, CALLBACK_OVERDUE: 0}
    for state, candidates in passes:
        ids = list(
            candidates.filter(~_callback_recorded(state))
            .order_by("completed_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in ids:
            if _callback_record(pk, state, now, window):
                counts[state] += 1
    if any(counts.values()):
        logger.info("callback scan: %s due, %s overdue", counts[CALLBACK_DUE], counts[CALLBACK_OVERDUE])
    return counts


@transaction.atomic
def _callback_record(order_id: int, state: str, now: datetime, window: timedelta) -> bool:
    from workorders.services import workorder_record_event

    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "unit")
        .filter(pk=order_id, status=Status.COMPLETED)
        .first()
    )
    if order is None or order.completed_at is None:
        return False  # followed up (or reopened) since the candidates were read
    if WorkOrder.objects.filter(pk=order_id).filter(_callback_recorded(state)).exists():
        return False  # another worker was first
    deadline = timezone.localtime(order.completed_at + window)
    data: dict[str, Any] = {"target": CALLBACK, "state": state, "deadline": deadline.isoformat()}
    when = deadline.strftime("%Y-%m-%d %H:%M")
    if state == CALLBACK_OVERDUE:
        data["escalated_to"] = "director"
        note = _("Callback overdue (due %(deadline)s); escalated to the director.") % {"deadline": when}
    else:
        note = _("Callback due: call the customer back by %(deadline)s.") % {"deadline": when}
    workorder_record_event(order=order, kind=EventKind.SLA, acting_user=None, note=note, data=data, at=now)
    return True


@transaction.atomic
def backup_unit_task_update(*, task: BackupUnitTask, acting_user: Any, status: str, note: str = "") -> BackupUnitTask:
    if not acting_user.has_perm("sla.change_backupunittask"):
        raise PermissionDenied(_("You may not handle backup units."))
    if status not in BackupUnitStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    task = lock_for_update(task)
    task.status = status
    task.note = note or task.note
    task.full_clean()
    task.save(update_fields=["status", "note", "updated_at"])
    return task


__all__ = [
    "SlaStatus",
    "backup_unit_task_update",
    "callback_scan",
    "order_sla_on_event",
    "order_sla_recompute",
    "service_level_create",
    "service_level_update",
    "sla_scan",
]


# --- bulk recompute (after a calendar or level change; the benchmark) ---------------------------

#: What the bulk path reads of each order's clocks (values, not model instances: 100k rows fast).
BULK_ROW_FIELDS = (
    "pk",
    "order_id",
    "order__submitted_at",
    "calendar_code",
    "response_hours",
    "arrival_hours",
    "resolution_hours",
    "resolution_from",
    "at_risk_percent",
    "target_states",
)
#: The bulk UPDATE's columns, in the order of ``sla_bulk_compute``'s value tuples.
BULK_WRITTEN = (*STORED_FIELDS, "updated_at")


@dataclass
class BulkChunk:
    """One chunk of open orders' clock inputs, as loaded by ``sla_bulk_load``; ``previous`` holds
    each row's stored clock values as the database returns them (to skip unchanged rows)."""

    rows: list[tuple[Any, ...]]
    histories: dict[int, clock.History]
    previous: dict[int, tuple[Any, ...]] = field(default_factory=dict)


@dataclass
class BulkResult:
    values: list[tuple[Any, ...]]  # one UPDATE parameter tuple per row
    alerts: list[tuple[int, int, list[SlaChange]]]  # (row id, order id, new alert states)
    previous: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def _db_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


#: The stored clock columns compared before writing (the order of ``BULK_WRITTEN`` minus the stamps).
BULK_COMPARED = BULK_WRITTEN[:13]
_BULK_DATETIMES = frozenset(
    {
        "response_due",
        "arrival_due",
        "resolution_due",
        "response_met_at",
        "arrival_met_at",
        "resolution_met_at",
        "nearest_deadline",
        "next_check_at",
        "paused_since",
    }
)


def _text_datetime(value: Any) -> datetime | None:
    """A datetime column read as text (``CAST … AS TEXT``): naive UTC on SQLite (as Django stores
    it), with its offset on PostgreSQL. ``fromisoformat`` parses in C; the drivers' own datetime
    converters (psycopg's pure-Python loader, Django's SQLite converter) cost several times more."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def sla_bulk_load(row_ids: list[int]) -> BulkChunk:
    """Terms of these rows (a sorted id range of open orders' clocks), their stored clock values
    and their orders' histories: two plain SQL queries; the ORM's per-value converters would cost
    more than the computation itself at 100,000 orders. Datetimes are read as text (``CAST … AS
    TEXT`` bypasses the drivers' converters) and parsed with ``fromisoformat``."""
    from django.db import connection

    if not row_ids:
        return BulkChunk(rows=[], histories={})
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    sla_table, order_table, event_table = (
        quote(OrderServiceLevel._meta.db_table),
        quote(WorkOrder._meta.db_table),
        quote(TimelineEvent._meta.db_table),
    )

    def column(name: str, *, as_text: bool) -> str:
        return f"CAST({name} AS TEXT)" if as_text else name

    to_datetime = _text_datetime
    previous_columns = ", ".join(column(f"s.{quote(name)}", as_text=name in _BULK_DATETIMES) for name in BULK_COMPARED)
    wanted = set(row_ids)
    lo, hi = row_ids[0], row_ids[-1]
    ignored = tuple(str(kind) for kind in IGNORED_EVENTS)
    marks = ", ".join(["%s"] * len(ignored))
    previous: dict[int, tuple[Any, ...]] = {}
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.order_id, {column('o.submitted_at', as_text=True)}, s.calendar_code, s.response_hours,"
            f" s.arrival_hours, s.resolution_hours, s.resolution_from, s.at_risk_percent, {previous_columns}"
            f" FROM {sla_table} s JOIN {order_table} o ON o.id = s.order_id"
            f" WHERE s.id BETWEEN %s AND %s ORDER BY s.id",
            [lo, hi],
        )
        for r in cursor.fetchall():
            if r[0] not in wanted:
                continue
            states = _db_json(r[16])
            rows.append((r[0], r[1], to_datetime(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], states))
            previous[r[0]] = r[9:]
        submitted = {row[1]: row[2] for row in rows}
        events: dict[int, list[tuple[str, datetime, str, str]]] = {order_id: [] for order_id in submitted}
        orders_params: list[Any]
        if sqlite:
            orders_sql = f"e.order_id IN (SELECT order_id FROM {sla_table} WHERE id BETWEEN %s AND %s)"
            orders_params = [lo, hi]
        else:  # one array parameter: an index scan on the events' order_id whatever the statistics say
            orders_sql, orders_params = "e.order_id = ANY(%s)", [list(submitted)]
        cursor.execute(
            f"SELECT e.order_id, e.kind, {column('e.at', as_text=True)}, e.from_status, e.to_status"
            f" FROM {event_table} e WHERE {orders_sql} AND e.kind NOT IN ({marks}) ORDER BY e.order_id, e.at, e.id",
            [*orders_params, *ignored],
        )
        for order_id, kind, at, from_status, to_status in cursor.fetchall():
            bucket = events.get(order_id)
            if bucket is not None:
                bucket.append((kind, to_datetime(at), from_status, to_status))  # type: ignore[arg-type]
    histories = {
        order_id: clock.history_from_events(submitted[order_id], events[order_id])  # type: ignore[arg-type]
        for order_id in submitted
    }
    return BulkChunk(rows=rows, histories=histories, previous=previous)


def _terms_from_values(row: tuple[Any, ...]) -> clock.Terms:
    return clock.Terms(
        response=hours_delta(row[4]),
        arrival=hours_delta(row[5]),
        resolution=hours_delta(row[6]),
        at_risk_ratio=row[8] / 100,
        resolution_from_arrival=row[7] == ResolutionFrom.ARRIVAL,
    )


def sla_bulk_compute(chunk: BulkChunk, now: datetime) -> BulkResult:
    """The pure part: clocks of every row of the chunk (no database)."""
    values: list[tuple[Any, ...]] = []
    alerts: list[tuple[int, int, list[SlaChange]]] = []
    calendars: dict[str, Any] = {}
    terms_cache: dict[tuple[Any, ...], clock.Terms] = {}
    for row in chunk.rows:
        pk, order_id, _submitted, code = row[0], row[1], row[2], row[3]
        calendar = calendars.get(code)
        if calendar is None:
            calendar = calendars[code] = working_calendar_for(code)
        key = row[4:9]
        terms = terms_cache.get(key)
        if terms is None:
            terms = terms_cache[key] = _terms_from_values(row)
        clocks = clock.compute_clocks(terms, calendar, chunk.histories[order_id], now)
        targets = clocks.targets
        states = {name: t.state for name, t in targets.items()}
        before = row[9] or {}
        changes = [
            SlaChange(name, state, targets[name].deadline)
            for name, state in states.items()
            if state != before.get(name) and state in ALERT_STATES
        ]
        if changes:
            alerts.append((pk, order_id, changes))
        values.append(
            (
                targets[clock.RESPONSE].deadline if clock.RESPONSE in targets else None,
                targets[clock.ARRIVAL].deadline if clock.ARRIVAL in targets else None,
                targets[clock.RESOLUTION].deadline if clock.RESOLUTION in targets else None,
                targets[clock.RESPONSE].met_at if clock.RESPONSE in targets else None,
                targets[clock.ARRIVAL].met_at if clock.ARRIVAL in targets else None,
                targets[clock.RESOLUTION].met_at if clock.RESOLUTION in targets else None,
                {name: t.at_risk_at.isoformat() for name, t in targets.items()},
                states,
                clocks.status,
                clocks.nearest_deadline,
                clocks.next_check_at,
                clocks.paused_since,
                int(clocks.paused_business.total_seconds()),
                now,
                now,
                pk,
            )
        )
    return BulkResult(values=values, alerts=alerts, previous=chunk.previous)


def sla_bulk_store(result: BulkResult) -> int:
    """One ``executemany`` UPDATE by primary key for the rows whose clocks changed (Django's
    ``bulk_update`` builds a CASE per column and row, several times slower at this size). A row
    whose deadlines, states, pause and next check come out as stored is not written (its
    ``computed_at`` stays: the time its clocks last changed). Returns how many rows were written."""
    from django.db import connection

    if connection.vendor == "sqlite":  # naive UTC text, as Django stores it

        def adapt(value: datetime | None) -> Any:
            return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    else:

        def adapt(value: datetime | None) -> Any:
            return value

    table = OrderServiceLevel._meta.db_table
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in BULK_WRITTEN)
    sql = f"UPDATE {connection.ops.quote_name(table)} SET {columns} WHERE id = %s"
    previous = result.previous
    params = []
    for v in result.values:
        old = previous.get(v[15])
        if old is not None and _same_clocks(v, old):
            continue
        params.append(
            (
                adapt(v[0]),
                adapt(v[1]),
                adapt(v[2]),
                adapt(v[3]),
                adapt(v[4]),
                adapt(v[5]),
                json.dumps(v[6]),
                json.dumps(v[7]),
                v[8],
                adapt(v[9]),
                adapt(v[10]),
                adapt(v[11]),
                v[12],
                adapt(v[13]),
                adapt(v[14]),
                v[15],
            )
        )
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return len(params)


#: Positions of the datetime columns in ``BULK_COMPARED`` (and in a computed values tuple).
_COMPARED_DATETIMES = (0, 1, 2, 3, 4, 5, 9, 10, 11)


def _same_clocks(new: tuple[Any, ...], old: tuple[Any, ...]) -> bool:
    """The stored values (as read by ``sla_bulk_load``: datetimes as text, JSON as text or data)
    equal the computed ones. Cheap columns first: most changed rows differ in one of them."""
    if new[8] != old[8] or new[12] != old[12] or new[7] != _db_json(old[7]):
        return False
    for index in _COMPARED_DATETIMES:
        if new[index] != _text_datetime(old[index]):
            return False
    return bool(new[6] == _db_json(old[6]))


def sla_bulk_alert(result: BulkResult, now: datetime) -> int:
    """The alerts found by a bulk recompute, recorded one order at a time (through the timeline,
    so notifications follow). Usually few: only targets that newly became at risk or breached."""
    if not result.alerts:
        return 0
    rows = {
        row.pk: row
        for row in OrderServiceLevel.objects.filter(pk__in=[pk for pk, _o, _c in result.alerts]).select_related(
            "order", "level"
        )
    }
    for pk, _order_id, changes in result.alerts:
        row = rows[pk]
        _record_changes(row.order, row, changes, now)
    return len(result.alerts)


def sla_recompute_open(*, now: datetime | None = None, chunk_size: int = 5000) -> dict[str, int]:
    """Recompute the clocks of every open order with its current terms (after an admin entered a
    year's holidays, or edited a calendar): deadlines, states and the alerts that follow. Each
    chunk is its own transaction; running it twice writes no second alert."""
    now = now or timezone.now()
    ids = list(
        OrderServiceLevel.objects.filter(order__status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    alerts = written = 0
    for start in range(0, len(ids), chunk_size):
        with transaction.atomic():
            result = sla_bulk_compute(sla_bulk_load(ids[start : start + chunk_size]), now)
            written += sla_bulk_store(result)
            alerts += sla_bulk_alert(result, now)
    return {"orders": len(ids), "written": written, "alerts": alerts}
