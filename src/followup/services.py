"""Writes of follow-up work (SPEC §9): the callback queue, calls, the HQ's random samples, and
complaints with their timeline and acknowledgement alerts. One function per business action,
each in one transaction with its timeline/audit record."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role, UnitKind
from core.exceptions import TransitionNotAllowed
from core.models import OrgUnit
from core.numbering import next_number
from core.scoping import default_unit, unit_ancestry, unit_ids_visible_to
from core.services import check_version, save_versioned
from followup.choices import (
    CALLBACK_OPEN_STATUSES,
    CallbackReason,
    CallOutcome,
    ComplaintAlert,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    ComplaintSubject,
    CustomerAnswer,
)
from followup.models import CallbackAttempt, CallbackSample, CallbackTask, Complaint, ComplaintEvent
from followup.policies import (
    COMPLAINT_TRANSITIONS,
    COMPLAINT_TRANSITIONS_BY_ACTION,
    ComplaintTransition,
    acknowledgement_deadlines,
    call_decide,
    callback_due_at,
    complaint_guard_failure,
    sample_draw,
)
from workcalendar.calendar import WorkingCalendar
from workorders.choices import Satisfaction
from workorders.choices import Status as OrderStatus
from workorders.models import WorkOrder
from workorders.services import workorder_transition

logger = logging.getLogger(__name__)


def followup_calendar() -> WorkingCalendar:
    """The work calendar callbacks and complaint acknowledgements count on
    (``FOLLOWUP_CALENDAR``, default the ready-made office calendar "standard")."""
    from workcalendar.models import WorkCalendar
    from workcalendar.selectors import default_working_calendar, working_calendar

    try:
        return working_calendar(getattr(settings, "FOLLOWUP_CALENDAR", "standard"))
    except WorkCalendar.DoesNotExist:
        return default_working_calendar()


def callback_days() -> int:
    return int(getattr(settings, "FOLLOWUP_CALLBACK_DAYS", 7))


def callback_max_attempts() -> int:
    return int(getattr(settings, "FOLLOWUP_CALLBACK_MAX_ATTEMPTS", 3))


def complaint_ack_hours() -> float:
    return float(getattr(settings, "FOLLOWUP_COMPLAINT_ACK_HOURS", 8))


# --- the callback queue -------------------------------------------------------------------------


def _task_exists() -> Exists:
    return Exists(CallbackTask.objects.filter(order_id=OuterRef("pk"), visit_at=OuterRef("completed_at")))


def callback_queue_refresh(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Create the callback owed for every completed on-site order (a technician was dispatched)
    not followed up yet, due ``callback_days()`` working days after the visit. Re-derived from
    the orders, so a second run — or a second worker — creates nothing (one per completion)."""
    now = now or timezone.now()
    calendar = followup_calendar()
    candidates = (
        WorkOrder.objects.filter(
            status=OrderStatus.COMPLETED, completed_at__isnull=False, completed_at__lte=now, technician__isnull=False
        )
        .filter(~_task_exists())
        .order_by("completed_at", "pk")
        .values_list("pk", "unit_id", "completed_at")[:limit]
    )
    created = 0
    for pk, unit_id, completed_at in candidates:
        if completed_at is None:
            continue
        task = CallbackTask(
            order_id=pk,
            unit_id=unit_id,
            reason=CallbackReason.DUE,
            visit_at=completed_at,
            due_at=callback_due_at(calendar, completed_at, days=callback_days()),
        )
        try:
            with transaction.atomic():
                task.save()
        except IntegrityError:
            continue  # another worker was first (or an HQ sample drew it)
        created += 1
    if created:
        logger.info("callback queue: %s new callbacks", created)
    return created


def _require(user: Any, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def _visible_unit(user: Any, unit_id: int) -> bool:
    ids = unit_ids_visible_to(user)
    return ids is None or unit_id in ids


@dataclass(frozen=True)
class CallRecorded:
    task: CallbackTask
    attempt: CallbackAttempt
    recorded_on_order: bool


@transaction.atomic
def callback_record_call(
    *,
    task: CallbackTask,
    acting_user: Any,
    outcome: str,
    satisfaction: str = "",
    score: int | None = None,
    comment: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> CallRecorded:
    """Record one call of a callback. Reached: the rating (满意/不满意, 1–5, comment) goes on the
    order through its ``follow_up`` transition (the work-order service, nothing duplicated); no
    answer: call again on the next working day, up to ``callback_max_attempts()`` calls; wrong
    number: finished. A callback finished after its due time is recorded as late (a KPI miss)."""
    _require(acting_user, "followup.call_callbacktask", _("You may not call customers back."))
    task = CallbackTask.objects.select_for_update().select_related("order").get(pk=task.pk)
    if not _visible_unit(acting_user, task.unit_id):
        raise PermissionDenied(_("You may not call customers back."))
    check_version(task, expected_version)
    if task.status not in CALLBACK_OPEN_STATUSES:
        raise TransitionNotAllowed(
            _("This callback is already finished (%(status)s).") % {"status": task.get_status_display()},
            status=task.status,
            action="call",
            allowed_actions=[],
        )
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("Choose reached, no answer or wrong number.")})
    now = timezone.now()
    calendar = followup_calendar()
    today = now.astimezone(calendar.tz).date()
    if task.next_attempt_on is not None and today < task.next_attempt_on:
        raise ValidationError(
            {"outcome": _("The next attempt is due on %(day)s (a later working day).") % {"day": task.next_attempt_on}}
        )
    if outcome == CallOutcome.REACHED:
        if satisfaction not in Satisfaction.values:
            raise ValidationError({"satisfaction": _("Choose satisfied or unsatisfied.")})
        if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
            raise ValidationError({"score": _("Enter a whole number from 1 to 5.")})
    decision = call_decide(
        outcome=outcome,
        attempts_before=task.attempts,
        max_attempts=callback_max_attempts(),
        calendar=calendar,
        today=today,
    )
    recorded_on_order = False
    if decision.records_follow_up and task.order.status == OrderStatus.COMPLETED:
        data: dict[str, Any] = {"satisfaction": satisfaction, "note": comment}
        if score is not None:
            data["score"] = score
        workorder_transition(order=task.order, action="follow_up", acting_user=acting_user, data=data)
        recorded_on_order = True
    attempt = CallbackAttempt.objects.create(task=task, at=now, by=acting_user, outcome=outcome, note=note[:2000])
    task.attempts += 1
    task.status = decision.status
    task.next_attempt_on = decision.next_attempt_on
    fields = ["attempts", "status", "next_attempt_on"]
    if outcome == CallOutcome.REACHED:
        task.satisfaction, task.score, task.comment = satisfaction, score, comment
        fields += ["satisfaction", "score", "comment"]
    if decision.finished:
        task.finished_at, task.finished_by, task.is_late = now, acting_user, now > task.due_at
        fields += ["finished_at", "finished_by", "is_late"]
    save_versioned(task, fields)
    return CallRecorded(task=task, attempt=attempt, recorded_on_order=recorded_on_order)


@transaction.atomic
def callback_sample_draw(
    *,
    unit: OrgUnit,
    period_start: date,
    period_end: date,
    acting_user: Any,
    share: Decimal | None = None,
    seed: str = "",
) -> CallbackSample:
    """HQ's random check: draw a share (``FOLLOWUP_SAMPLE_SHARE``, default 5 %) of the unit's
    orders completed in the period that have no callback yet, with a recorded seed; each drawn
    order gets a callback (reason: HQ sample) due ``callback_days()`` working days from now. The
    sample keeps the population, the seed and why each order was drawn; drawing the same unit
    and period again returns the recorded sample (nothing drawn twice)."""
    _require(acting_user, "followup.draw_sample", _("Only HQ may draw callback samples."))
    profile = getattr(acting_user, "profile", None)
    if not acting_user.is_superuser and (profile is None or profile.unit.kind != UnitKind.HQ):
        raise PermissionDenied(_("Only HQ may draw callback samples."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("The end of the period is before its start.")})
    existing = CallbackSample.objects.filter(unit=unit, period_start=period_start, period_end=period_end).first()
    if existing is not None:
        return existing
    share = Decimal(str(getattr(settings, "FOLLOWUP_SAMPLE_SHARE", "0.05"))) if share is None else share
    if not Decimal("0") < share <= Decimal("1"):
        raise ValidationError({"share": _("Enter a share above 0 and at most 1 (e.g. 0.05 for 5 %).")})
    calendar = followup_calendar()
    tz = calendar.tz
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period_end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    population = list(
        WorkOrder.objects.filter(
            unit=unit,
            completed_at__gte=start,
            completed_at__lt=end,
            status__in=[OrderStatus.COMPLETED, OrderStatus.FOLLOWED_UP, OrderStatus.CLOSED],
        )
        .filter(~_task_exists())
        .values_list("pk", flat=True)
    )
    seed = seed.strip()[:64] or f"{unit.code}:{period_start.isoformat()}:{period_end.isoformat()}"
    draw = sample_draw(population=population, share=share, seed=seed)
    reasons = draw.reasons()
    orders = {o.pk: o for o in WorkOrder.objects.filter(pk__in=draw.drawn)}
    sample = CallbackSample.objects.create(
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        share=share,
        seed=seed,
        population=list(draw.population),
        drawn=[{"order": pk, "number": orders[pk].number, "why": reasons[pk]} for pk in draw.drawn],
        drawn_by=acting_user,
    )
    now = timezone.now()
    due_at = callback_due_at(calendar, now, days=callback_days())
    for pk in draw.drawn:
        order = orders[pk]
        assert order.completed_at is not None
        CallbackTask.objects.create(
            order=order,
            unit_id=order.unit_id,
            reason=CallbackReason.HQ_SAMPLE,
            sample=sample,
            visit_at=order.completed_at,
            due_at=max(due_at, callback_due_at(calendar, order.completed_at, days=callback_days())),
        )
    return sample


# --- complaints ---------------------------------------------------------------------------------


def _actor_label(user: Any) -> str:
    if user is None:
        return _("system")
    return str(user.get_full_name() or user.get_username())[:64]


def _complaint_event(
    complaint: Complaint,
    kind: str,
    acting_user: Any,
    *,
    at: datetime,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        at=at,
        actor=acting_user,
        actor_label=_actor_label(acting_user),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _handling_unit(*, order: WorkOrder | None, station: OrgUnit | None, customer: Any) -> OrgUnit:
    if order is not None:
        return order.unit
    if station is not None:
        return station
    unit = customer.unit or default_unit()
    if unit is None:
        raise ValidationError({"customer": _("No unit serves this customer.")})
    return unit


@transaction.atomic
def complaint_create(
    *,
    acting_user: Any,
    customer: Any,
    description: str,
    channel: str,
    subject: str = "",
    work_order: WorkOrder | None = None,
    technician: Any | None = None,
    station: OrgUnit | None = None,
    product_model: Any | None = None,
    remedy_requested: str = "",
) -> Complaint:
    """Register a complaint in the customer's own words (never start by doubting the customer,
    seed 002): numbered, with the acknowledgement due ``complaint_ack_hours()`` business hours
    after receipt on the work calendar (at risk after three quarters of them)."""
    _require(acting_user, "followup.add_complaint", _("You may not register complaints."))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Write down the customer's words.")})
    if channel not in ComplaintChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if not subject:
        subject = ComplaintSubject.ORDER if work_order is not None else ComplaintSubject.POLICY
    if subject not in ComplaintSubject.values:
        raise ValidationError({"subject": _("Unknown subject.")})
    if subject == ComplaintSubject.ORDER and work_order is None:
        raise ValidationError({"work_order": _("Name the work order the complaint is about.")})
    if subject == ComplaintSubject.TECHNICIAN and technician is None:
        if work_order is not None and work_order.technician_id:
            technician = work_order.technician
        else:
            raise ValidationError({"technician": _("Name the technician the complaint is about.")})
    if subject == ComplaintSubject.STATION and station is None:
        raise ValidationError({"station": _("Name the station the complaint is about.")})
    if subject == ComplaintSubject.PRODUCT and product_model is None:
        if work_order is not None and (work_order.product_model_id or work_order.device_id):
            product_model = work_order.product_model or work_order.device.product_model  # type: ignore[union-attr]
        else:
            raise ValidationError({"product_model": _("Name the product model the complaint is about.")})
    if work_order is not None and work_order.customer_id != customer.pk:
        raise ValidationError({"work_order": _("This work order belongs to another customer.")})
    now = timezone.now()
    at_risk_at, acknowledge_by = acknowledgement_deadlines(followup_calendar(), now, hours=complaint_ack_hours())
    complaint = Complaint(
        number=next_number("TS"),
        customer=customer,
        unit=_handling_unit(order=work_order, station=station, customer=customer),
        channel=channel,
        subject=subject,
        work_order=work_order,
        technician=technician,
        station=station,
        product_model=product_model,
        description=description,
        remedy_requested=(remedy_requested or "").strip(),
        received_at=now,
        acknowledge_by=acknowledge_by,
        at_risk_at=at_risk_at,
        created_by=acting_user,
    )
    complaint.full_clean()
    complaint.save()
    _complaint_event(
        complaint,
        ComplaintEventKind.RECEIVED,
        acting_user,
        at=now,
        to_status=complaint.status,
        note=complaint.description,
        data={"channel": channel, "subject": subject, "acknowledge_by": acknowledge_by.isoformat()},
    )
    return complaint


def complaint_allowed_actions(complaint: Complaint, user: Any) -> list[str]:
    return [
        t.action
        for t in COMPLAINT_TRANSITIONS
        if complaint.status in t.sources and user is not None and user.has_perm(f"followup.{t.permission}")
    ]


def _clean_complaint_data(transition: ComplaintTransition, data: dict[str, Any]) -> dict[str, str]:
    cleaned = {key: str(value or "").strip() for key, value in data.items() if value is not None}
    errors: dict[str, str] = {}
    for name in transition.required:
        if not cleaned.get(name):
            errors[name] = str(_("This field is required."))
    if (
        transition.action == "customer_answer"
        and cleaned.get("answer")
        and cleaned["answer"] not in CustomerAnswer.values
    ):
        errors["answer"] = str(_("Choose satisfied, not satisfied or not reachable."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    action: str,
    acting_user: Any,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Apply one step of the complaint's transition table (followup.policies), or refuse it with
    the reason: 409 naming the status and the allowed actions; nothing written when refused."""
    transition = COMPLAINT_TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise ValidationError({"action": _("Unknown action “%(action)s”.") % {"action": action}})
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    check_version(complaint, expected_version)
    if complaint.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the complaint is %(status)s.")
            % {"action": transition.label, "status": complaint.get_status_display()},
            status=complaint.status,
            action=action,
            allowed_actions=complaint_allowed_actions(complaint, acting_user),
        )
    if acting_user is None or not acting_user.has_perm(f"followup.{transition.permission}"):
        raise PermissionDenied(_("You may not perform “%(action)s”.") % {"action": transition.label})
    if not _visible_unit(acting_user, complaint.unit_id):
        raise PermissionDenied(_("You may not perform “%(action)s”.") % {"action": transition.label})
    cleaned = _clean_complaint_data(transition, data or {})
    refusal = complaint_guard_failure(transition, customer_answer=complaint.customer_answer)
    if refusal:
        raise TransitionNotAllowed(
            refusal,
            status=complaint.status,
            action=action,
            allowed_actions=[a for a in complaint_allowed_actions(complaint, acting_user) if a != action],
        )
    now = timezone.now()
    from_status = complaint.status
    fields: list[str] = []
    event_data: dict[str, Any] = {}
    if action == "acknowledge":
        complaint.acknowledged_at = now
        fields.append("acknowledged_at")
        event_data["late"] = now > complaint.acknowledge_by
    elif action == "resolve":
        complaint.resolution, complaint.remedy, complaint.resolved_at = (
            cleaned["resolution"],
            cleaned.get("remedy", ""),
            now,
        )
        complaint.customer_answer, complaint.customer_asked_at = "", None
        fields += ["resolution", "remedy", "resolved_at", "customer_answer", "customer_asked_at"]
        event_data = {"remedy": complaint.remedy}
    elif action == "customer_answer":
        complaint.customer_answer, complaint.customer_asked_at = cleaned["answer"], now
        fields += ["customer_answer", "customer_asked_at"]
        event_data = {"answer": cleaned["answer"]}
    elif action == "close":
        complaint.closed_at = now
        fields.append("closed_at")
        event_data = {"answer": complaint.customer_answer}
    elif action == "reopen":
        complaint.reopened_count += 1
        complaint.closed_at, complaint.customer_answer, complaint.customer_asked_at = None, "", None
        fields += ["reopened_count", "closed_at", "customer_answer", "customer_asked_at"]
    elif action == "contact":
        event_data = {"channel": cleaned.get("channel", "")}
    if transition.target is not None:
        complaint.status = transition.target
        fields.append("status")
    save_versioned(complaint, fields)
    note = cleaned.get("note") or cleaned.get("reason") or cleaned.get("resolution") or ""
    _complaint_event(
        complaint,
        action,
        acting_user,
        at=now,
        note=note,
        from_status=from_status,
        to_status=complaint.status,
        data=event_data,
    )
    if action == "acknowledge":
        _notify_customer_acknowledged(complaint)
    return complaint


# --- acknowledgement alerts ----------------------------------------------------------------------


def _staff(unit_ids: list[int], role: str) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, profile__unit_id__in=unit_ids)
        .select_related("profile")
        .order_by("id")
        .distinct()
    )


def _agents_for(complaint: Complaint) -> list[Any]:
    agents = _staff([complaint.unit_id], Role.AGENT)
    if complaint.created_by_id and complaint.created_by_id not in {a.pk for a in agents}:
        agents += list(get_user_model().objects.filter(pk=complaint.created_by_id, is_active=True))
    return agents


def _directors_for(complaint: Complaint) -> list[Any]:
    """The directors of the handling unit, else of the nearest unit above that has any."""
    return _directors_for_unit(complaint.unit_id)


def _directors_for_unit(unit_id: int) -> list[Any]:
    chain = unit_ancestry(unit_id)
    directors = _staff(chain, Role.DIRECTOR)
    for unit_id in chain:
        found = [user for user in directors if user.profile.unit_id == unit_id]
        if found:
            return found
    return []


def _complaint_context(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint_number": complaint.number,
        "customer_name": complaint.customer.name,
        "acknowledge_by": timezone.localtime(complaint.acknowledge_by).strftime("%Y-%m-%d %H:%M"),
        "description": complaint.description[:200],
    }


def _notify_staff(complaint: Complaint, users: list[Any], template_key: str) -> None:
    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    for user in users:
        notification_enqueue(
            template_key=template_key,
            recipient=Recipient.for_user(user),
            context=_complaint_context(complaint),
            order_id=complaint.work_order_id,
            customer_id=complaint.customer_id,
            dedupe_key=f"complaint:{complaint.pk}:{template_key}:{complaint.reopened_count}",
            unit_id=complaint.unit_id,
            fetch=False,
        )


def _notify_customer_acknowledged(complaint: Complaint) -> None:
    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    notification_enqueue(
        template_key="service_complaint_acknowledged",
        recipient=Recipient.for_customer(complaint.customer),
        context=_complaint_context(complaint),
        order_id=complaint.work_order_id,
        customer_id=complaint.customer_id,
        dedupe_key=f"complaint:{complaint.pk}:acknowledged",
        unit_id=complaint.unit_id,
        fetch=False,
    )


def complaint_scan(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Complaints not acknowledged in time (like the SLA clocks): at risk → the unit's agents;
    breached → escalated to the unit's directors (and the agents). The state is stored on the
    complaint, so a second run — or a second worker — alerts nobody twice."""
    now = now or timezone.now()
    counts = {ComplaintAlert.AT_RISK.value: 0, ComplaintAlert.BREACHED.value: 0}
    waiting = Complaint.objects.filter(status=ComplaintStatus.RECEIVED)
    breached = list(
        waiting.filter(acknowledge_by__lte=now)
        .exclude(alert=ComplaintAlert.BREACHED)
        .values_list("pk", flat=True)[:limit]
    )
    at_risk = list(
        waiting.filter(at_risk_at__lte=now, acknowledge_by__gt=now, alert="").values_list("pk", flat=True)[:limit]
    )
    for pk in breached:
        if _complaint_alert(pk, ComplaintAlert.BREACHED, now):
            counts[ComplaintAlert.BREACHED] += 1
    for pk in at_risk:
        if _complaint_alert(pk, ComplaintAlert.AT_RISK, now):
            counts[ComplaintAlert.AT_RISK] += 1
    return counts


@transaction.atomic
def _complaint_alert(pk: int, alert: str, now: datetime) -> bool:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=pk, status=ComplaintStatus.RECEIVED)
        .first()
    )
    if complaint is None or complaint.alert == alert or complaint.alert == ComplaintAlert.BREACHED:
        return False
    complaint.alert = alert
    complaint.save(update_fields=["alert", "updated_at"])
    when = timezone.localtime(complaint.acknowledge_by).strftime("%Y-%m-%d %H:%M")
    if alert == ComplaintAlert.BREACHED:
        _complaint_event(
            complaint,
            ComplaintEventKind.ESCALATE,
            None,
            at=now,
            note=_("Not acknowledged by %(deadline)s; escalated to the director.") % {"deadline": when},
            data={"escalated_to": "director"},
        )
        users = _agents_for(complaint) + _directors_for(complaint)
        unique = list({user.pk: user for user in users}.values())
        _notify_staff(complaint, unique, "service_complaint_breached")
    else:
        _complaint_event(
            complaint,
            ComplaintEventKind.AT_RISK,
            None,
            at=now,
            note=_("Acknowledge by %(deadline)s.") % {"deadline": when},
        )
        _notify_staff(complaint, _agents_for(complaint), "service_complaint_at_risk")
    return True
