"""Route plans: proposed by the optimiser, edited, approved or rejected by a person, applied as bookings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.services import check_version, save_versioned
from dispatch import optimizer
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, PlanStatus
from dispatch.models import (
    Appointment,
    DispatchPlan,
    PlanVisit,
    TechnicianProfile,
)
from dispatch.selectors import (
    LastCheckIn,
    day_start,
    field_orders_open,
    home_of,
    last_check_ins,
    loaned_in_profiles,
    local_tz,
    order_location,
    orders_visited_on,
    sla_deadlines,
    technician_shift,
    unit_profiles,
)
from dispatch.services._common import (
    CENT,
    DEFAULT_SERVICE_MINUTES,
    MAX_TIME_LIMIT,
    MIN_TIME_LIMIT,
    _ensure_unit_visible,
    _name,
    _require,
    _required_reason,
    logger,
)
from dispatch.services.appointments import appointment_book
from dispatch.services.rules import _order_category
from workorders.models import WorkOrder

# --- plans ----------------------------------------------------------------------------------


def _drop_text(code: str, detail: str) -> str:
    """The reason an order was left out, in the user's language (dispatch.optimizer.DropCode + ours)."""
    texts = {
        "no_technicians": _("no technician is on shift"),
        "invalid_window": _("the appointment window ends before it starts"),
        "outside_shifts": _("the window is outside every shift"),
        "capacity": _("the technicians who could do it are fully booked"),
        "not_enough_time": _("not enough time in the day of the technicians who could do it"),
        "no_location": _("the customer's address has no known location"),
    }
    if code == "window_passed":
        return _("the booked window %(window)s has already passed") % {"window": detail}
    if code == "no_skill":
        if detail:
            return _("no technician on shift has the skill %(skill)s") % {"skill": _skill_label(detail)}
        return _("no technician on shift has all the skills")
    if code == "manual":
        return detail
    return str(texts.get(code, code))


def drop_reason_text(reason: Mapping[str, Any]) -> str:
    """A reason the plan keeps (its code and detail) in the reader's language: the text stored with
    it is the proposer's language, shown only for a reason without a code."""
    code = str(reason.get("code") or "")
    return _drop_text(code, str(reason.get("detail") or "")) if code else str(reason.get("text", ""))


def solver_status_label(status: str) -> str:
    """What the route planner's search came to (dispatch.optimizer.PlanStatus), for people."""
    labels = {
        "optimal": _("best possible plan"),
        "feasible": _("search converged"),
        "timed_out": _("stopped at the time limit"),
    }
    return str(labels.get(status, status))


def _minutes(day: date, moment: datetime) -> float:
    return (moment - day_start(day)).total_seconds() / 60


def _at(day: date, minutes: float) -> datetime:
    return day_start(day) + timedelta(minutes=round(minutes))


def _skill_label(skill: str) -> str:
    from catalog.models import ProductCategory
    from workorders.choices import ServiceType

    kind, _sep, value = skill.partition(":")
    if kind == "cat":
        category = ProductCategory.objects.filter(pk=value).first()
        return f"“{category.name}”" if category else skill
    if kind == "svc":
        return f"“{ServiceType(value).label}”" if value in ServiceType.values else skill
    if kind == "pin":
        return _("(the booked technician)")
    return skill


def _reasons_json(reasons: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "detail": detail, "text": _drop_text(code, detail)} for code, detail in reasons]


def _technician_skills(profile: TechnicianProfile) -> frozenset[str]:
    skills = {f"cat:{pk}" for pk in profile.categories.values_list("pk", flat=True)}
    skills |= {f"svc:{code}" for code in profile.service_types or []}
    skills.add(f"pin:{profile.user_id}")
    return frozenset(skills)


def _order_skills(order: WorkOrder) -> set[str]:
    category = _order_category(order)
    skills = {f"svc:{order.service_type}"}
    if category is not None:
        skills.add(f"cat:{category.pk}")
    return skills


#: A plan for today starts at the next multiple of this many minutes from now (14:40:20 → 14:45).
START_STEP_MINUTES = 5


def _round_up(minutes: float) -> float:
    return float(math.ceil(round(minutes, 6) / START_STEP_MINUTES) * START_STEP_MINUTES)


def _day_open(day: date, now: datetime) -> float | None:
    """The first minute of ``day`` still to plan: None for a later day (the whole day is open),
    now rounded up for today. A day that has passed is refused: nobody can visit yesterday."""
    today = timezone.localtime(now, local_tz()).date()
    if day < today:
        raise ValidationError(
            {
                "day": ValidationError(
                    _("%(day)s has passed: plan today or a later day.") % {"day": day.isoformat()},
                    code="past_day",
                )
            }
        )
    return _round_up(_minutes(day, now)) if day == today else None


def _technician_start(
    profile: TechnicianProfile, day: date, shift_start: float, opens: float | None, last: LastCheckIn | None
) -> tuple[float, optimizer.Point, int, dict[str, Any]]:
    """When and where a technician's route begins, how many jobs they can still take, and how the
    plan page says it. A later day: the shift start, from home base. Today: not before now, from the
    latest arrival on site today (a visit still going on first ends: its booked duration), else from
    home base; what they have visited today counts against their daily capacity."""
    home = home_of(profile) or (0.0, 0.0)
    if opens is None:
        return shift_start, home, profile.daily_capacity, {"kind": "home"}
    start, where, capacity = max(shift_start, opens), home, profile.daily_capacity
    origin: dict[str, Any] = {"kind": "home"}
    if last is not None:
        where = last.point or home
        capacity = max(0, capacity - last.visits)
        origin = {
            "kind": "visit" if last.in_progress else "check_in",
            "order": last.order.number,
            "at": timezone.localtime(last.at, local_tz()).strftime("%H:%M"),
        }
        if last.in_progress:
            busy_until = _minutes(day, last.at) + (last.expected_minutes or DEFAULT_SERVICE_MINUTES)
            start = max(start, _round_up(busy_until))
    return start, where, capacity, origin


def _plan_inputs(
    unit: OrgUnit, day: date, now: datetime | None = None
) -> tuple[list[optimizer.Job], list[optimizer.Technician], dict[str, Any], list[dict[str, Any]]]:
    """The optimiser's jobs and technicians for a unit and a day, the JSON to keep with the plan,
    and the orders dropped before solving (no location, a booked window already over).

    For today (``now`` on ``day``) nothing starts in the past: every route begins at
    max(shift start, now rounded up) — later while a visit is still going on — from where the
    technician is (see ``_technician_start``), so each visit starts at or after that plus the
    travel to it; job windows start no earlier than now; orders someone arrived at today (done
    or in progress) are not planned again. The optimiser itself is unchanged (ADR 0013)."""
    now = now or timezone.now()
    opens = _day_open(day, now)
    profiles = list(unit_profiles(unit.pk))
    profiles += [p for p in loaned_in_profiles(unit.pk, day) if p.pk not in {x.pk for x in profiles}]
    arrivals = last_check_ins([p.user_id for p in profiles], day, now) if opens is not None else {}
    technicians: list[optimizer.Technician] = []
    tech_json: dict[str, Any] = {}
    off_shift: list[str] = []
    shift_over: list[str] = []
    for profile in profiles:
        shift = technician_shift(profile, day)
        if shift is None:
            off_shift.append(_name(profile.user))
            continue
        shift_start = shift[0].hour * 60 + shift[0].minute
        end = shift[1].hour * 60 + shift[1].minute + (1 if shift[1].second else 0)
        start, where, capacity, origin = _technician_start(
            profile, day, shift_start, opens, arrivals.get(profile.user_id)
        )
        if start >= end:
            shift_over.append(_name(profile.user))
            continue
        technicians.append(
            optimizer.Technician(
                id=str(profile.user_id),
                home=where,
                shift_start=start,
                shift_end=end,
                skills=_technician_skills(profile),
                capacity=capacity,
            )
        )
        tech_json[str(profile.user_id)] = {
            "name": _name(profile.user),
            "home": list(where),  # where the route begins (the optimiser's "home")
            "shift_start": start,  # when it begins: the shift start, or now for today
            "shift_end": end,
            "shift": [shift_start, end],
            "from": origin,
            "skills": sorted(_technician_skills(profile)),
            "capacity": capacity,
        }
    orders = list(field_orders_open(unit.pk))
    if opens is not None:
        visited = orders_visited_on([o.pk for o in orders], day, now)
        orders = [order for order in orders if order.pk not in visited]
    booked = {
        a.order_id: a for a in Appointment.objects.filter(order__in=orders, status__in=ACTIVE_APPOINTMENT_STATUSES)
    }
    deadlines = sla_deadlines([o.pk for o in orders])
    jobs: list[optimizer.Job] = []
    job_json: dict[str, Any] = {}
    pre_dropped: list[dict[str, Any]] = []
    for order in orders:
        appointment = booked.get(order.pk)
        if appointment is not None and appointment.date != day:
            continue
        if (
            appointment is None
            and order.appointment_at
            and timezone.localtime(order.appointment_at, local_tz()).date() != day
        ):
            continue
        location = order_location(order)
        if location is None:
            pre_dropped.append(
                {"order": order.pk, "number": order.number, "reasons": _reasons_json([("no_location", "")])}
            )
            continue
        skills = _order_skills(order)
        if appointment is not None:
            window = (_minutes(day, appointment.window_start), _minutes(day, appointment.window_end))
            service = float(appointment.expected_minutes)
            skills.add(f"pin:{appointment.technician_id}")
        else:
            window, service = (0.0, 24 * 60.0), float(DEFAULT_SERVICE_MINUTES)
        if opens is not None:
            if window[1] < opens:
                span = f"{_at(day, window[0]):%H:%M}–{_at(day, window[1]):%H:%M}"
                pre_dropped.append(
                    {"order": order.pk, "number": order.number, "reasons": _reasons_json([("window_passed", span)])}
                )
                continue
            window = (max(window[0], opens), window[1])
        deadline = deadlines.get(order.pk)
        deadline_minutes = (
            _minutes(day, deadline) if deadline is not None and deadline.astimezone(local_tz()).date() == day else None
        )
        job = optimizer.Job(
            id=str(order.pk),
            location=location,
            service_minutes=service,
            window_start=window[0],
            window_end=window[1],
            skills=frozenset(skills),
            priority=max(1, 5 - int(order.priority)),
            deadline=deadline_minutes,
        )
        jobs.append(job)
        job_json[str(order.pk)] = {
            "number": order.number,
            "location": list(location),
            "service_minutes": service,
            "window": list(window),
            "skills": sorted(skills),
            "priority": job.priority,
            "deadline": deadline_minutes,
            "appointment": appointment.pk if appointment else None,
        }
    summary = {
        "technicians": tech_json,
        "jobs": job_json,
        "off_shift": off_shift,
        "shift_over": shift_over,
        "planned_at": timezone.localtime(now, local_tz()).isoformat(),
        "opens": opens,
    }
    return jobs, technicians, summary, pre_dropped


def _lock_plan(plan: DispatchPlan, expected_version: int | None = None) -> DispatchPlan:
    locked = DispatchPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    check_version(locked, expected_version)
    return locked


def _store_routes(plan: DispatchPlan, routes: dict[str, list[dict[str, Any]]]) -> None:
    PlanVisit.objects.filter(plan=plan).delete()
    visits = []
    for tech_id, stops in routes.items():
        for sequence, stop in enumerate(stops, start=1):
            visits.append(
                PlanVisit(
                    plan=plan,
                    order_id=int(stop["job"]),
                    technician_id=int(tech_id),
                    sequence=sequence,
                    arrival_at=_at(plan.day, stop["arrival"]),
                    start_at=_at(plan.day, stop["start"]),
                    finish_at=_at(plan.day, stop["finish"]),
                    travel_km=Decimal(str(stop["travel_km"])).quantize(CENT, rounding=ROUND_HALF_UP),
                    late_minutes=round(stop.get("late", 0)),
                )
            )
    PlanVisit.objects.bulk_create(visits)


@transaction.atomic
def plan_propose(*, acting_user: Any, unit: OrgUnit, day: date, time_limit: float = 2.0) -> DispatchPlan:
    """Ask the route planner for the unit's open field orders on ``day`` and keep its proposal.

    Booked appointments keep their window and technician; other orders may go to anyone with the
    skills. What cannot fit is kept with the reasons (see dispatch.optimizer.DropCode). A plan for
    today starts from now (``_plan_inputs``); a day that has passed is refused on ``day``
    (code ``past_day``)."""
    _require(acting_user, "dispatch.add_dispatchplan")
    _ensure_unit_visible(acting_user, unit.pk, "unit")
    now = timezone.now()
    _day_open(day, now)
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise ValidationError(
            {
                "time_limit": _("Choose a time limit from %(min)s to %(max)s seconds.")
                % {"min": MIN_TIME_LIMIT, "max": MAX_TIME_LIMIT}
            }
        )
    jobs, technicians, summary, dropped = _plan_inputs(unit, day, now)
    plan_result = optimizer.plan_routes(
        optimizer.PlanRequest(jobs=jobs, technicians=technicians, time_limit_seconds=time_limit, seed=0)
    )
    for item in plan_result.dropped:
        order_id = int(item.job_id)
        dropped.append(
            {
                "order": order_id,
                "number": summary["jobs"][item.job_id]["number"],
                "reasons": _reasons_json([(str(r.code), r.detail) for r in item.reasons]),
            }
        )
    summary.update(
        {
            "status": str(plan_result.status),
            "travel_km": plan_result.travel_km,
            "lateness_minutes": plan_result.lateness_minutes,
            "solve_seconds": plan_result.solve_seconds,
            "time_limit": time_limit,
        }
    )
    plan = DispatchPlan(unit=unit, day=day, created_by=acting_user, summary=summary, dropped=dropped)
    plan.full_clean()
    plan.save()
    routes = {
        route.technician_id: [
            {
                "job": v.job_id,
                "arrival": v.arrival,
                "start": v.start,
                "finish": v.finish,
                "travel_km": v.travel_km,
                "late": v.late_minutes,
            }
            for v in route.visits
        ]
        for route in plan_result.routes
        if route.visits
    }
    _store_routes(plan, routes)
    logger.info("dispatch plan %s for %s on %s: %s", plan.pk, unit.code, day, summary["status"])
    return plan


def _require_proposed(plan: DispatchPlan) -> None:
    if plan.status != PlanStatus.PROPOSED:
        raise ValidationError(
            {
                "status": _("Only a proposed plan can be changed; this one is %(status)s.")
                % {"status": plan.get_status_display()}
            }
        )


def _retime(plan: DispatchPlan, sequences: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """Times of edited routes (leave home at the shift start, start each visit at its window),
    checked by the optimiser's independent plan check; a violation refuses the edit."""
    jobs_json, techs_json = plan.summary.get("jobs", {}), plan.summary.get("technicians", {})
    jobs = {
        key: optimizer.Job(
            id=key,
            location=tuple(value["location"]),  # type: ignore[arg-type]
            service_minutes=value["service_minutes"],
            window_start=value["window"][0],
            window_end=value["window"][1],
            skills=frozenset(value["skills"]),
            priority=value["priority"],
            deadline=value.get("deadline"),
        )
        for key, value in jobs_json.items()
    }
    techs = {
        key: optimizer.Technician(
            id=key,
            home=tuple(value["home"]),  # type: ignore[arg-type]
            shift_start=value["shift_start"],
            shift_end=value["shift_end"],
            skills=frozenset(value["skills"]),
            capacity=value["capacity"],
        )
        for key, value in techs_json.items()
    }
    routes: dict[str, list[dict[str, Any]]] = {}
    plan_routes = []
    for tech_id, sequence in sequences.items():
        tech = techs[tech_id]
        now, here, stops, visits = tech.shift_start, tech.home, [], []
        for job_id in sequence:
            job = jobs[job_id]
            km = optimizer.haversine_km(here, job.location) * optimizer.ROAD_FACTOR
            arrival = now + km / tech.speed_kmh * 60
            start = max(arrival, job.window_start)
            finish = start + job.service_minutes
            late = max(0.0, finish - job.deadline) if job.deadline is not None else 0.0
            stops.append(
                {
                    "job": job_id,
                    "arrival": arrival,
                    "start": start,
                    "finish": finish,
                    "travel_km": round(km, 3),
                    "late": late,
                }
            )
            visits.append(optimizer.Visit(job_id, arrival, start, finish, round(km, 3), late))
            now, here = finish, job.location
        routes[tech_id] = stops
        plan_routes.append(optimizer.TechnicianRoute(tech_id, visits, None, None, 0.0, len(visits)))
    planned = {job_id for seq in sequences.values() for job_id in seq}
    request = optimizer.PlanRequest(
        jobs=[jobs[key] for key in jobs if key in planned],
        technicians=[techs[key] for key in sequences],
    )
    check = optimizer.Plan(plan_routes, [], 0.0, 0.0, 0.0, optimizer.PlanStatus.FEASIBLE)
    problems = optimizer.plan_violations(request, check)
    if problems:
        raise ValidationError(
            {"visits": _("The edited plan breaks a rule: %(problems)s") % {"problems": "; ".join(problems)}}
        )
    return routes


def _current_sequences(plan: DispatchPlan) -> dict[str, list[str]]:
    sequences: dict[str, list[str]] = {key: [] for key in plan.summary.get("technicians", {})}
    for visit in plan.visits.order_by("technician_id", "sequence"):
        sequences.setdefault(str(visit.technician_id), []).append(str(visit.order_id))
    return sequences


@transaction.atomic
def plan_visit_move(
    *,
    acting_user: Any,
    plan: DispatchPlan,
    order_id: int,
    technician_id: int,
    position: int,
    expected_version: int | None = None,
) -> DispatchPlan:
    """Move a visit (or a dropped order) to a technician's route at ``position`` (1-based)."""
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    key, tech_key = str(order_id), str(technician_id)
    if key not in plan.summary.get("jobs", {}):
        raise ValidationError({"order": _("This order is not part of the plan.")})
    if tech_key not in plan.summary.get("technicians", {}):
        raise ValidationError({"technician": _("This technician is not on shift in the plan.")})
    sequences = _current_sequences(plan)
    for sequence in sequences.values():
        if key in sequence:
            sequence.remove(key)
    target = sequences.setdefault(tech_key, [])
    target.insert(max(0, min(position - 1, len(target))), key)
    routes = _retime(plan, sequences)
    plan.dropped = [item for item in plan.dropped if str(item["order"]) != key]
    _store_routes(plan, routes)
    save_versioned(plan, ["dropped"])
    return plan


@transaction.atomic
def plan_visit_drop(
    *, acting_user: Any, plan: DispatchPlan, order_id: int, reason: str, expected_version: int | None = None
) -> DispatchPlan:
    """Take a visit out of the plan (it stays unassigned), with the reason."""
    _require(acting_user, "dispatch.change_dispatchplan")
    reason = _required_reason(reason, _("Give a reason for dropping the visit."))
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    visit = plan.visits.filter(order_id=order_id).select_related("order").first()
    if visit is None:
        raise ValidationError({"order": _("This order is not planned.")})
    sequences = _current_sequences(plan)
    sequences[str(visit.technician_id)].remove(str(order_id))
    routes = _retime(plan, sequences)
    _store_routes(plan, routes)
    plan.dropped = [
        *plan.dropped,
        {"order": order_id, "number": visit.order.number, "reasons": _reasons_json([("manual", reason)])},
    ]
    save_versioned(plan, ["dropped"])
    return plan


@transaction.atomic
def plan_reject(
    *, acting_user: Any, plan: DispatchPlan, reason: str, expected_version: int | None = None
) -> DispatchPlan:
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    if plan.status not in {PlanStatus.PROPOSED, PlanStatus.APPROVED}:
        raise ValidationError({"status": _("This plan can no longer be rejected.")})
    reason = _required_reason(reason, _("Give a reason for rejecting the plan."))
    plan.status, plan.reject_reason, plan.decided_at = PlanStatus.REJECTED, reason, timezone.now()
    save_versioned(plan, ["status", "reject_reason", "decided_at"])
    return plan


@transaction.atomic
def plan_approve(*, acting_user: Any, plan: DispatchPlan, expected_version: int | None = None) -> DispatchPlan:
    """The director approves the plan (SPEC §7); applying it is a separate step."""
    _require(acting_user, "dispatch.approve_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    if not plan.visits.exists():
        raise ValidationError({"visits": _("The plan has no visits to approve.")})
    plan.status, plan.approved_by, plan.decided_at = PlanStatus.APPROVED, acting_user, timezone.now()
    save_versioned(plan, ["status", "approved_by", "decided_at"])
    return plan


@transaction.atomic
def plan_apply(*, acting_user: Any, plan: DispatchPlan) -> DispatchPlan:
    """Assign and book every visit of an approved plan, all or nothing; applying again does nothing."""
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan)
    if plan.status == PlanStatus.APPLIED:
        return plan
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError({"status": _("Only an approved plan can be applied.")})
    jobs = plan.summary.get("jobs", {})
    label = _("Dispatch plan %(id)s") % {"id": plan.pk}
    for visit in plan.visits.select_related("order", "technician").order_by("start_at"):
        order = visit.order
        booked = Appointment.objects.filter(order=order, status__in=ACTIVE_APPOINTMENT_STATUSES).first()
        try:
            if booked is not None:
                if booked.technician_id != visit.technician_id or booked.date != plan.day:
                    raise ValidationError({"order": _("The order's appointment changed since the plan was made.")})
                continue
            appointment_book(
                acting_user=acting_user,
                order=order,
                technician=visit.technician,
                window_start=visit.start_at,
                window_end=visit.start_at
                + timedelta(minutes=jobs.get(str(order.pk), {}).get("service_minutes", DEFAULT_SERVICE_MINUTES)),
                content=label,
                expected_minutes=int(jobs.get(str(order.pk), {}).get("service_minutes", DEFAULT_SERVICE_MINUTES)),
                reason=label,
            )
        except ValidationError as error:
            raise ValidationError({"visits": f"{order.number}: {'; '.join(error.messages)}"}) from error
    plan.status, plan.applied_at = PlanStatus.APPLIED, timezone.now()
    save_versioned(plan, ["status", "applied_at"])
    return plan
