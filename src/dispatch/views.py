"""Staff pages: the dispatch board (day / week), plan review, technicians' setup. Thin views:
they parse, call the same services as the API, and show refusals as messages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from catalog.models import ProductCategory
from core.api import error_body
from core.errors import ErrorCode
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import form_int
from dispatch import selectors, services
from dispatch.choices import PlanStatus, Weekday
from dispatch.models import Certificate
from workorders.choices import ServiceType
from workorders.selectors import technicians_visible_to, workorders_visible_to

REFUSALS = (ValidationError, PermissionDenied, TransitionNotAllowed, VersionConflict)
#: What the board's picker or the appointment card had typed when it was refused (shown again once).
BOARD_DRAFT = "dispatch.board_draft"
#: Dragging on the board books visits and assigns technicians.
DROP_PERMISSIONS = ("dispatch.add_appointment", "workorders.dispatch_workorder")
BOOKING_DRAFT = "dispatch.booking_draft"
#: The SLA app's clock states (its own msgids), for the board's colours and badges.
SLA_LABELS = {
    "on_track": _lazy("On track"),
    "at_risk": _lazy("At risk"),
    "breached": _lazy("Breached"),
    "met": _lazy("Met"),
    "stopped": _lazy("Stopped"),
}
BOOKING_FIELDS = ("technician", "date", "start", "end", "content", "expected_minutes", "expected_fees", "reason")


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)  # every field's messages, in order
    return str(getattr(error, "message", "") or error)


def _day(raw: str | None) -> date:
    return (parse_date(raw) if raw else None) or timezone.localdate()


def _unit(request: HttpRequest) -> Any:
    raw = request.GET.get("unit") or request.POST.get("unit")
    try:
        return services.unit_for_plans(request.user, int(raw) if raw else None)
    except (ValueError, ValidationError):
        return services.unit_for_plans(request.user, None)


def _technician(request: HttpRequest, raw: str) -> Any:
    return services.technician_for_dispatch(request.user, form_int(raw))


def _board_url(unit: Any, day: date, view: str = "day") -> str:
    return f"{reverse('dispatch:board')}?unit={unit.pk}&day={day.isoformat()}&view={view}"


@login_required
@permission_required("dispatch.view_dispatchplan", raise_exception=True)
def board(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    day = _day(request.GET.get("day"))
    view = "week" if request.GET.get("view") == "week" else "day"
    start = day - timedelta(days=day.weekday()) if view == "week" else day
    data = selectors.dispatch_board(user=request.user, unit=unit, start=start, days=7 if view == "week" else 1)
    # Every unassigned order on the board belongs to ``unit``: one list of technicians serves them
    # all, with the technicians on loan to the unit; each order gets its skill match, load and distance.
    loaned = [row.profile for row in data.rows if row.loaned]
    pickers = services.board_technicians(request.user, data.unassigned[0], loaned) if data.unassigned else []
    loads = {row.profile.user_id: row.days[0]["count"] for row in data.rows}
    options = services.picker_options(data.unassigned[:50], pickers, day=start, loads=loads)
    draft = request.session.pop(BOARD_DRAFT, None)
    plans = selectors.plans_visible_to(request.user).filter(unit=unit, day__gte=start).order_by("day", "-id")[:10]
    return render(
        request,
        "dispatch/board.html",
        {
            "board": data,
            "unit": unit,
            "units": selectors.board_units(request.user),
            "day": day,
            "view": view,
            "prev": day - timedelta(days=7 if view == "week" else 1),
            "next": day + timedelta(days=7 if view == "week" else 1),
            "unassigned": [
                (
                    order,
                    data.deadlines.get(order.pk),
                    options.get(order.pk, []),
                    draft if isinstance(draft, dict) and draft.get("order") == order.pk else None,
                )
                for order in data.unassigned
            ],
            "sla_labels": SLA_LABELS,
            "plans": plans,
            "day_passed": day < timezone.localdate(),
            "may_drag": view == "day" and all(request.user.has_perm(name) for name in DROP_PERMISSIONS),
        },
    )


@login_required
@require_POST
def assign(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_id)
    unit, day = _unit(request), _day(request.POST.get("day"))
    try:
        if request.POST.get("auto"):
            result = services.auto_assign(acting_user=request.user, order=order, day=day, apply=True)
            if result.applied:
                messages.success(
                    request, _("Auto-assigned: %(reasons)s") % {"reasons": "; ".join(result.decision.reasons)}
                )
            else:
                messages.warning(request, "; ".join(result.decision.reasons))
        else:
            technician = _technician(request, request.POST.get("technician") or "")
            services.dispatch_assign(
                acting_user=request.user, order=order, technician=technician, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("%(order)s assigned.") % {"order": order.number})
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
        request.session[BOARD_DRAFT] = {
            "order": order.pk,
            "technician": request.POST.get("technician", "")[:20],
            "reason": request.POST.get("reason", "")[:500],
        }
    return redirect(_board_url(unit, day, request.POST.get("view", "day")))


def _drop_start(request: HttpRequest) -> datetime:
    day = parse_date(request.POST.get("day") or "")
    start = _time_or_none(request.POST.get("start"))
    if day is None:
        raise ValidationError({"day": _("Enter the date of the visit.")})
    if start is None:
        raise ValidationError({"start": _("Enter times as HH:MM.")})
    return selectors.at_local(day, start)


def _time_or_none(raw: str | None) -> time | None:
    try:
        return datetime.strptime(raw, "%H:%M").time() if raw else None
    except ValueError:
        return None


@login_required
@require_POST
def board_drop(request: HttpRequest) -> JsonResponse:
    """A visit dragged on the board (day view): the server books, moves or reassigns it with the
    services' own checks and answers JSON; the page reloads on success, or shows the refusal
    and puts the bar back."""
    if not all(request.user.has_perm(name) for name in DROP_PERMISSIONS):
        return JsonResponse(error_body(_("You may not do this."), code=ErrorCode.PERMISSION_DENIED), status=403)
    order = workorders_visible_to(request.user).filter(pk=form_int(request.POST.get("order"), 0)).first()
    if order is None:
        body = error_body(_("Unknown work order."), {"order": _("Unknown work order.")}, code=ErrorCode.NOT_FOUND)
        return JsonResponse(body, status=404)
    try:
        technician = services.technician_for_dispatch(request.user, form_int(request.POST.get("technician")))
        appointment = services.board_drop(
            acting_user=request.user,
            order=order,
            technician=technician,
            start=_drop_start(request),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {}
        body = error_body(_refusal_text(error), fields, code=ErrorCode.VALIDATION_ERROR)
        return JsonResponse(body, status=400)
    except PermissionDenied as error:
        return JsonResponse(error_body(_refusal_text(error), code=ErrorCode.PERMISSION_DENIED), status=403)
    except VersionConflict as error:
        return JsonResponse(error_body(_refusal_text(error), code=ErrorCode.STALE_VERSION), status=409)
    except TransitionNotAllowed as error:
        return JsonResponse(error_body(_refusal_text(error), code=ErrorCode.INVALID_TRANSITION), status=409)
    text = _("%(order)s: %(name)s, %(start)s–%(end)s.") % {
        "order": order.number,
        "name": technician.get_full_name() or technician.get_username(),
        "start": timezone.localtime(appointment.window_start).strftime("%H:%M"),
        "end": timezone.localtime(appointment.window_end).strftime("%H:%M"),
    }
    messages.success(request, text)
    return JsonResponse({"ok": True, "message": text, "appointment": appointment.pk})


@login_required
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    unit, day = _unit(request), _day(request.POST.get("day"))
    try:
        plan = services.plan_propose(acting_user=request.user, unit=unit, day=day, time_limit=2.0)
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
        return redirect(_board_url(unit, day))
    return redirect("dispatch:plan", pk=plan.pk)


def _hhmm(minutes: float | None) -> str:
    """Minutes from the plan day's start (the summary's unit) as HH:MM; "" when absent."""
    if minutes is None:
        return ""
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _hhmm_of(moment: str | None) -> str:
    try:
        return datetime.fromisoformat(moment).strftime("%H:%M") if moment else ""
    except ValueError:
        return ""


@login_required
@permission_required("dispatch.view_dispatchplan", raise_exception=True)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    routes: dict[int, dict[str, Any]] = {}
    for visit in plan.visits.select_related("order", "order__customer", "technician").order_by(
        "technician_id", "sequence"
    ):
        routes.setdefault(visit.technician_id, {"technician": visit.technician, "visits": []})["visits"].append(visit)
    technicians = [
        {"id": int(key), "name": value["name"]} for key, value in plan.summary.get("technicians", {}).items()
    ]
    for technician_id, route in routes.items():
        starts = plan.summary.get("technicians", {}).get(str(technician_id), {})
        route["start"] = {**starts.get("from", {"kind": "home"}), "time": _hhmm(starts.get("shift_start"))}
    reviewing = plan.status in {PlanStatus.PROPOSED, PlanStatus.APPROVED}
    return render(
        request,
        "dispatch/plan_detail.html",
        {
            "plan": plan,
            "routes": list(routes.values()),
            "technicians": technicians,
            "opens": _hhmm(plan.summary.get("opens")),
            "planned_at": _hhmm_of(plan.summary.get("planned_at")),
            "solver_status": services.solver_status_label(str(plan.summary.get("status", ""))),
            "dropped": [
                {**item, "reasons": [services.drop_reason_text(r) for r in item.get("reasons", [])]}
                for item in plan.dropped
            ],
            "changes": selectors.plan_change_rows(plan) if reviewing else None,
            "approvers": selectors.plan_approvers(plan) if plan.status == PlanStatus.PROPOSED else None,
        },
    )


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    version = form_int(request.POST.get("version"))
    try:
        if action == "approve":
            services.plan_approve(acting_user=request.user, plan=plan, expected_version=version)
        elif action == "reject":
            services.plan_reject(
                acting_user=request.user, plan=plan, reason=request.POST.get("reason", ""), expected_version=version
            )
        elif action == "apply":
            services.plan_apply(acting_user=request.user, plan=plan)
        elif action == "move":
            services.plan_visit_move(
                acting_user=request.user,
                plan=plan,
                order_id=form_int(request.POST.get("order"), 0),
                technician_id=form_int(request.POST.get("technician"), 0),
                position=form_int(request.POST.get("position"), 1),
                expected_version=version,
            )
        elif action == "drop":
            services.plan_visit_drop(
                acting_user=request.user,
                plan=plan,
                order_id=form_int(request.POST.get("order"), 0),
                reason=request.POST.get("reason", ""),
                expected_version=version,
            )
        else:
            raise ValidationError({"action": _("Unknown action.")})
        messages.success(request, _("Plan updated."))
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
    return redirect("dispatch:plan", pk=plan.pk)


# --- technicians' setup ---------------------------------------------------------------------


@login_required
@permission_required("dispatch.view_technicianprofile", raise_exception=True)
def technician_list(request: HttpRequest) -> HttpResponse:
    profiles = selectors.technician_profiles_visible_to(request.user).prefetch_related(
        "categories", Prefetch("certificates", queryset=Certificate.objects.filter(is_active=True))
    )
    managed = set(profiles.values_list("user_id", flat=True))
    others = [u for u in technicians_visible_to(request.user) if u.pk not in managed]
    return render(request, "dispatch/technician_list.html", {"profiles": profiles, "others": others})


def _decimal(raw: str | None) -> Decimal | None:
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        raise ValidationError({"home_lat": _("Enter a number.")}) from None


def _time(raw: str | None) -> time | None:
    try:
        return datetime.strptime(raw, "%H:%M").time() if raw else None
    except ValueError:
        raise ValidationError({"shifts": _("Enter times as HH:MM.")}) from None


@login_required
@permission_required("dispatch.view_technicianprofile", raise_exception=True)
def technician_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(technicians_visible_to(request.user), pk=user_id)
    profile = selectors.profile_of(user)
    if request.method == "POST":
        try:
            section = request.POST.get("section")
            if section == "profile":
                capacity = request.POST.get("daily_capacity") or "6"
                profile = services.technician_profile_save(
                    acting_user=request.user,
                    user=user,
                    categories=list(
                        ProductCategory.objects.filter(
                            pk__in=[pk for raw in request.POST.getlist("categories") if (pk := form_int(raw))]
                        )
                    ),
                    service_types=request.POST.getlist("service_types"),
                    home_lat=_decimal(request.POST.get("home_lat")),
                    home_lon=_decimal(request.POST.get("home_lon")),
                    home_address=request.POST.get("home_address", ""),
                    daily_capacity=form_int(capacity, 0),
                    is_active=bool(request.POST.get("is_active")),
                    expected_version=form_int(request.POST.get("version")),
                )
            elif profile is None:
                raise ValidationError({"section": _("Save the skills first.")})
            elif section == "shifts":
                weekly: dict[int, list[tuple[time, time]]] = {}
                for weekday in Weekday.values:
                    start, end = _time(request.POST.get(f"start_{weekday}")), _time(request.POST.get(f"end_{weekday}"))
                    if start and end:
                        weekly[weekday] = [(start, end)]
                services.technician_shifts_replace(acting_user=request.user, profile=profile, weekly=weekly)
            elif section == "override":
                services.shift_override_set(
                    acting_user=request.user,
                    profile=profile,
                    day=_day(request.POST.get("date")),
                    starts_at=_time(request.POST.get("starts_at")),
                    ends_at=_time(request.POST.get("ends_at")),
                    day_off=bool(request.POST.get("day_off")),
                )
            elif section == "certificate":
                services.certificate_add(
                    acting_user=request.user,
                    profile=profile,
                    name=request.POST.get("name", ""),
                    number=request.POST.get("number", ""),
                    expires_on=parse_date(request.POST.get("expires_on") or "") or None,
                )
            messages.success(request, _("Saved."))
            return redirect("dispatch:technician", user_id=user.pk)
        except REFUSALS as error:
            messages.error(request, _refusal_text(error))
    weekly_rows = {}
    if profile is not None:
        for row in profile.shifts.filter(weekday__isnull=False):
            weekly_rows[row.weekday] = row
    return render(
        request,
        "dispatch/technician_form.html",
        {
            "tech": user,
            "profile": profile,
            "categories": ProductCategory.objects.order_by("code"),
            "chosen": set(profile.categories.values_list("pk", flat=True)) if profile else set(),
            "service_types": ServiceType.choices,
            "weekdays": [(value, label, weekly_rows.get(value)) for value, label in Weekday.choices],
            "overrides": profile.shifts.filter(date__isnull=False).order_by("-date")[:20] if profile else [],
            "certificates": profile.certificates.filter(is_active=True) if profile else [],
        },
    )


# --- appointments (the card on the work order's page) ---------------------------------------


def _window(request: HttpRequest) -> tuple[datetime, datetime]:
    day = parse_date(request.POST.get("date") or "")
    if day is None:
        raise ValidationError({"window_start": _("Enter the date of the visit.")})
    start, end = _time(request.POST.get("start")), _time(request.POST.get("end"))
    if start is None or end is None:
        raise ValidationError({"window_start": _("Enter the start and end of the window.")})
    return services.appointment_window(day, start, end)


def _order_page(order_id: int) -> HttpResponse:
    return redirect(f"{reverse('workorders:detail', args=[order_id])}#appointment-panel")


@login_required
@require_POST
def appointment_book(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_id)
    try:
        start, end = _window(request)
        minutes = request.POST.get("expected_minutes") or "60"
        try:
            fees = Decimal(request.POST.get("expected_fees") or "0")
        except InvalidOperation:
            raise ValidationError({"expected_fees": _("Enter a number such as 1 or 12.50.")}) from None
        if not fees.is_finite() or fees < 0:
            raise ValidationError({"expected_fees": _("Enter a number such as 1 or 12.50.")})
        services.appointment_book(
            acting_user=request.user,
            order=order,
            technician=_technician(request, request.POST.get("technician") or ""),
            window_start=start,
            window_end=end,
            content=request.POST.get("content", ""),
            expected_minutes=form_int(minutes, 0),
            expected_fees=fees,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Appointment booked."))
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
        request.session[BOOKING_DRAFT] = {
            "order": order.pk,
            **{name: request.POST.get(name, "")[:2000] for name in BOOKING_FIELDS},
        }
    return _order_page(order.pk)


def _version(request: HttpRequest) -> int | None:
    return form_int(request.POST.get("version"))


@login_required
@require_POST
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(selectors.appointments_visible_to(request.user), pk=pk)
    try:
        start, end = _window(request)
        services.appointment_reschedule(
            acting_user=request.user,
            appointment=appointment,
            window_start=start,
            window_end=end,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
        messages.success(request, _("Appointment rescheduled."))
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
    return _order_page(appointment.order_id)


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(selectors.appointments_visible_to(request.user), pk=pk)
    try:
        services.appointment_cancel(
            acting_user=request.user,
            appointment=appointment,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
        messages.success(request, _("Appointment cancelled."))
    except REFUSALS as error:
        messages.error(request, _refusal_text(error))
    return _order_page(appointment.order_id)


# --- loans ----------------------------------------------------------------------------------


@login_required
@permission_required("dispatch.view_technicianloan", raise_exception=True)
def loans(request: HttpRequest) -> HttpResponse:
    """Loans from or to the user's units; ask another unit for a technician; the lending unit decides."""
    if request.method == "POST":
        try:
            if request.POST.get("loan"):
                loan = get_object_or_404(selectors.loans_visible_to(request.user), pk=_int_or_zero(request, "loan"))
                services.loan_decide(
                    acting_user=request.user,
                    loan=loan,
                    approve=request.POST.get("decision") == "approve",
                    note=request.POST.get("note", ""),
                )
            else:
                technician = (
                    selectors.lendable_profiles(request.user)
                    .filter(user_id=_int_or_zero(request, "technician"))
                    .first()
                )
                if technician is None:
                    raise ValidationError({"technician": _("Choose an active technician.")})
                services.loan_request(
                    acting_user=request.user,
                    technician=technician.user,
                    to_unit=services.unit_for_plans(request.user, _int_or_zero(request, "to_unit") or None),
                    starts_on=_day(request.POST.get("starts_on")),
                    ends_on=_day(request.POST.get("ends_on")),
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, _("Saved."))
            return redirect("dispatch:loans")
        except REFUSALS as error:
            messages.error(request, _refusal_text(error))
    own_unit = getattr(getattr(request.user, "profile", None), "unit_id", None)
    return render(
        request,
        "dispatch/loans.html",
        {
            "loans": selectors.loans_visible_to(request.user)[:100],
            "own_unit": own_unit,
            "lendable": selectors.lendable_profiles(request.user),
            "units": selectors.board_units(request.user),
            "today": timezone.localdate(),
        },
    )


def _int_or_zero(request: HttpRequest, name: str) -> int:
    return form_int(request.POST.get(name), 0)
