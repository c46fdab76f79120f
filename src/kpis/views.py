"""Staff pages of the KPIs: the KPI table with period and slice pickers, the drill-down lists
behind every figure, the director's dashboard (ECharts, with a table under every chart) and the
Excel exports. Thin: parameters are parsed by ``kpis.params``, figures come from ``kpis.engine``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import ProductModel
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from followup.models import Complaint
from kpis import engine
from kpis.availability import device_rows
from kpis.definitions import BY_NAME, DEFINITIONS, MEAN
from kpis.excel import workbook, xlsx_response
from kpis.params import parse_period, parse_slice
from workorders.choices import OPEN_STATUSES, ServiceType
from workorders.models import WorkOrder

PAGE_SIZE = 50
SLICE_PARAMS = ("unit", "station", "technician", "product_model", "service_type", "customer")


def _require_view(user: Any) -> None:
    if not engine.may_view(user):
        raise PermissionDenied(_("You may not view KPIs."))


def _query(request: HttpRequest) -> tuple[engine.Period, engine.Slice, dict[str, str]]:
    params = {key: request.GET.get(key, "").strip() for key in ("from", "to", *SLICE_PARAMS)}
    period = parse_period(params["from"] or None, params["to"] or None)
    slice_ = parse_slice(request.user, **{key: params[key] for key in SLICE_PARAMS})
    params["from"], params["to"] = period.start.isoformat(), period.end.isoformat()
    return period, slice_, params


def display(figure: engine.Figure) -> str:
    """A figure as the UI shows it: a percentage, hours or a score; "—" without a denominator."""
    if figure.value is None:
        return "—"
    if figure.name == "mttr_hours":
        return _("%(hours)s h") % {"hours": figure.value}
    if figure.name == "mean_score":
        return f"{figure.value}"
    percent = (figure.value * 100).quantize(Decimal("0.1"))
    return f"{percent}%"


def _rows(figures: dict[str, engine.Figure], params: dict[str, str]) -> list[dict[str, Any]]:
    query = urlencode({k: v for k, v in params.items() if v})
    rows = []
    for definition in DEFINITIONS:
        figure = figures[definition.name]
        base = reverse("kpis:drilldown", args=[definition.name])
        rows.append(
            {
                "definition": definition,
                "figure": figure,
                "display": display(figure),
                "is_mean": definition.kind == MEAN,
                "below_goal": definition.goal is not None
                and figure.value is not None
                and figure.value < definition.goal,
                "links": {part: f"{base}?{query}&part={part}" for part in engine.PARTS},
            }
        )
    return rows


def _pickers(user: Any) -> dict[str, Any]:
    ids = unit_ids_visible_to(user)
    units = OrgUnit.objects.filter(is_active=True) if ids is None else OrgUnit.objects.filter(pk__in=ids)
    return {
        "units": units.order_by("code"),
        "product_models": ProductModel.objects.order_by("code")[:500],
        "service_types": ServiceType.choices,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    context: dict[str, Any] = _pickers(request.user)
    try:
        period, slice_, params = _query(request)
    except ValidationError as error:
        context.update(errors=error.message_dict, params=request.GET)
        return render(request, "kpis/index.html", context, status=400)
    figures = engine.compute(user=request.user, period=period, slice_=slice_)
    context.update(
        params=params,
        period=period,
        rows=_rows(figures, params),
        flagged=figures["device_availability"].flagged,
        export_url=f"{reverse('kpis:export')}?{urlencode({k: v for k, v in params.items() if v})}",
        may_export=request.user.has_perm("kpis.export_kpis"),
    )
    return render(request, "kpis/index.html", context)


@login_required
def export_table(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("kpis.export_kpis"):
        raise PermissionDenied(_("You may not export KPIs."))
    try:
        period, slice_, _params = _query(request)
    except ValidationError as error:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()), status=400)
    figures = engine.compute(user=request.user, period=period, slice_=slice_)
    header = [_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Numerator counts"), _("Denominator counts")]
    rows = (
        [
            str(d.label),
            None if figures[d.name].value is None else float(figures[d.name].value or 0),
            figures[d.name].numerator,
            figures[d.name].denominator,
            str(d.numerator),
            str(d.denominator),
        ]
        for d in DEFINITIONS
    )
    content = workbook(title=_("KPIs"), header=header, rows=rows)
    return xlsx_response(content, f"kpis-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


def _drill(request: HttpRequest, name: str) -> tuple[Any, dict[str, Any]]:
    _require_view(request.user)
    if name not in BY_NAME:
        raise Http404(_("Unknown figure."))
    part = request.GET.get("part", engine.PART_DENOMINATOR)
    if part not in engine.PARTS:
        part = engine.PART_DENOMINATOR
    period, slice_, params = _query(request)
    rows = engine.drilldown(user=request.user, period=period, slice_=slice_, name=name, part=part)
    return rows, {"definition": BY_NAME[name], "part": part, "params": params, "period": period}


@login_required
def drilldown(request: HttpRequest, name: str) -> HttpResponse:
    try:
        rows, context = _drill(request, name)
    except ValidationError as error:
        return render(request, "kpis/drilldown.html", {"errors": error.message_dict}, status=400)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in context["params"].items() if v}
    context.update(
        page=page,
        complaints=rows.model is Complaint,
        query=urlencode({**query, "part": context["part"]}),
        back=f"{reverse('kpis:index')}?{urlencode(query)}",
        parts=[(p, f"?{urlencode({**query, 'part': p})}") for p in engine.PARTS],
        may_export=request.user.has_perm("kpis.export_kpis"),
    )
    return render(request, "kpis/drilldown.html", context)


@login_required
def export_drilldown(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.has_perm("kpis.export_kpis"):
        raise PermissionDenied(_("You may not export KPIs."))
    try:
        rows, context = _drill(request, name)
    except ValidationError as error:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()), status=400)
    if rows.model is Complaint:
        header = [_("Number"), _("Customer"), _("Received at"), _("Unit")]
        lines: Any = ([c.number, c.customer.name, c.received_at, c.unit.name] for c in rows.iterator(chunk_size=500))
    else:
        header = [
            _("Number"),
            _("Customer"),
            _("Service type"),
            _("Unit"),
            _("Technician"),
            _("Decided at"),
            _("Counted"),
        ]
        lines = (
            [
                o.number,
                o.customer.name,
                o.get_service_type_display(),
                o.unit.name,
                str(o.technician or ""),
                o.kpi_at,
                _("yes") if o.kpi_hit else _("no"),
            ]
            for o in rows.iterator(chunk_size=500)
        )
    content = workbook(title=str(context["definition"].label), header=header, rows=lines)
    return xlsx_response(content, f"kpi-{name}-{context['period'].start:%Y%m%d}-{context['period'].end:%Y%m%d}.xlsx")


# --- dashboard -----------------------------------------------------------------------------


def dashboard_data(user: Any) -> dict[str, Any]:
    """Everything the director's dashboard shows, in the user's scope (a station: its own)."""
    today = timezone.localdate()
    week = engine.Period(today - timedelta(days=6), today)
    month = engine.Period(today.replace(day=1), today)
    orders = engine.orders_in_scope(user, engine.Slice())
    start_of_today = engine.Period(today, today)
    open_orders = orders.filter(status__in=sorted(OPEN_STATUSES))
    load = {
        "submitted_today": orders.filter(start_of_today.contains("submitted_at")).count(),
        "open": open_orders.count(),
        "at_risk": open_orders.filter(sla__status="at_risk").count(),
        "breached": open_orders.filter(sla__status="breached").count(),
    }
    at_risk = list(
        open_orders.filter(sla__status__in=["at_risk", "breached"])
        .select_related("sla", "customer", "unit")
        .order_by("sla__nearest_deadline")[:15]
    )
    trend = engine.daily_series(user=user, period=week, name="onsite_in_time_rate")
    response_trend = engine.daily_series(user=user, period=week, name="response_in_time_rate")
    figures = engine.compute(
        user=user,
        period=month,
        slice_=engine.Slice(),
        names=["first_time_fix_rate", "repeat_repair_rate", "satisfaction_rate", "complaint_rate", "mttr_hours"],
    )
    backlog = list(
        open_orders.order_by().values("unit_id", "unit__name").annotate(n=Count("pk")).order_by("-n", "unit__name")[:20]
    )
    units = engine.by_unit(user=user, period=month, name="first_time_fix_rate")
    onsite = dict((u.pk, f) for u, f in engine.by_unit(user=user, period=month, name="onsite_in_time_rate"))
    complaints_open = engine.complaints_in_scope(user, engine.Slice()).filter(~Q(status="closed")).count()
    month_query = urlencode({"from": month.start.isoformat(), "to": month.end.isoformat()})
    chart: dict[str, Any] = {
        "trend": {
            "days": [day.isoformat() for day, _f in trend],
            "onsite": [None if f.value is None else float(f.value) for _d, f in trend],
            "response": [None if f.value is None else float(f.value) for _d, f in response_trend],
            "links": [
                reverse("kpis:drilldown", args=["onsite_in_time_rate"]) + "?" + urlencode({"from": d, "to": d})
                for d in (day.isoformat() for day, _f in trend)
            ],
            "labels": {
                "onsite": str(BY_NAME["onsite_in_time_rate"].label),
                "response": str(BY_NAME["response_in_time_rate"].label),
            },
        },
        "backlog": {
            "units": [row["unit__name"] for row in backlog],
            "counts": [row["n"] for row in backlog],
            "links": [reverse("workorders:list") + "?" + urlencode({"unit": row["unit_id"]}) for row in backlog],
            "label": _("Open orders"),
        },
    }
    return {
        "today": today,
        "load": load,
        "at_risk": at_risk,
        "trend": list(zip(trend, response_trend, chart["trend"]["links"], strict=True)),
        "figures": [
            (BY_NAME[name], f, display(f), reverse("kpis:drilldown", args=[name]) + "?" + month_query)
            for name, f in figures.items()
        ],
        "backlog": list(zip(backlog, chart["backlog"]["links"], strict=True)),
        "units": [
            (unit, f, display(f), onsite.get(unit.pk)) for unit, f in units if f.denominator or onsite.get(unit.pk)
        ],
        "units_display": {unit.pk: display(f) for unit, f in units},
        "onsite_display": {pk: display(f) for pk, f in onsite.items()},
        "complaints_open": complaints_open,
        "chart": chart,
        "month": month,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    context = dashboard_data(request.user)
    return render(request, "kpis/dashboard.html", context)


__all__ = ["WorkOrder", "dashboard", "device_rows", "display", "drilldown", "index"]


# --- the agent's queue, the dispatcher's day, the technician's own --------------------------

#: Time left to the nearest deadline → colour band (hours; breached first).
BANDS = (("breached", None), ("under_2h", 2), ("under_8h", 8), ("later", None))


def _band(order: WorkOrder, now: Any) -> str:
    sla = getattr(order, "sla", None)
    deadline = getattr(sla, "nearest_deadline", None)
    if sla is not None and sla.status == "breached":
        return "breached"
    if deadline is None:
        return "later"
    left = (deadline - now).total_seconds() / 3600
    if left <= 0:
        return "breached"
    if left <= 2:
        return "under_2h"
    if left <= 8:
        return "under_8h"
    return "later"


BAND_LABELS = {  # lazy: read in the reader's language, not the one active at import
    "breached": gettext_lazy("Breached"),
    "under_2h": gettext_lazy("Under 2 h left"),
    "under_8h": gettext_lazy("Under 8 h left"),
    "later": gettext_lazy("More time left"),
}
BAND_CLASSES = {"breached": "table-danger", "under_2h": "table-warning", "under_8h": "table-info", "later": ""}


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The agent's home: open orders in sight, nearest deadline first, coloured by time left."""
    _require_view(request.user)
    now = timezone.now()
    orders = (
        engine.orders_in_scope(request.user, engine.Slice())
        .filter(status__in=sorted(OPEN_STATUSES))
        .select_related("sla", "customer", "unit", "technician")
        .order_by("sla__nearest_deadline", "submitted_at")[:200]
    )
    rows = [(order, _band(order, now)) for order in orders]
    counts = {band: 0 for band, _h in BANDS}
    for _order, band in rows:
        counts[band] += 1
    chart = {
        "bands": [str(BAND_LABELS[band]) for band, _h in BANDS],
        "counts": [counts[band] for band, _h in BANDS],
        "colors": ["#dc3545", "#fd7e14", "#0dcaf0", "#198754"],
        "links": [reverse("kpis:queue") + f"?band={band}" for band, _h in BANDS],
    }
    band = request.GET.get("band", "")
    shown = [(o, b, BAND_CLASSES[b], BAND_LABELS[b]) for o, b in rows if not band or b == band]
    return render(
        request,
        "kpis/queue.html",
        {"rows": shown, "chart": chart, "counts": [(BAND_LABELS[b], counts[b], b) for b, _h in BANDS]},
    )


@login_required
def capacity(request: HttpRequest) -> HttpResponse:
    """The dispatcher's day: each technician's capacity (jobs) against the visits booked today,
    and the field orders still waiting for a technician."""
    from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES
    from dispatch.models import Appointment, TechnicianProfile

    _require_view(request.user)
    today = timezone.localdate()
    ids = unit_ids_visible_to(request.user)
    profiles = TechnicianProfile.objects.filter(is_active=True).select_related("user", "user__profile__unit")
    if ids is not None:
        profiles = profiles.filter(user__profile__unit_id__in=ids)
    orders = engine.orders_in_scope(request.user, engine.Slice())
    booked = dict(
        Appointment.objects.filter(
            date=today, status__in=sorted(ACTIVE_APPOINTMENT_STATUSES), order_id__in=orders.values("pk")
        )
        .order_by()
        .values_list("technician_id")
        .annotate(n=Count("pk"))
    )
    rows = [(p, p.daily_capacity, booked.get(p.user_id, 0)) for p in profiles.order_by("user__username")[:100]]
    unassigned = orders.filter(status__in=["accepted", "approved"], technician__isnull=True).count()
    chart = {
        "names": [str(p.user.get_full_name() or p.user.username) for p, _c, _b in rows],
        "capacity": [c for _p, c, _b in rows],
        "booked": [b for _p, _c, b in rows],
        "labels": {"capacity": _("Capacity (jobs)"), "booked": _("Booked today")},
        "links": [],
    }
    return render(
        request,
        "kpis/capacity.html",
        {
            "today": today,
            "rows": rows,
            "unassigned": unassigned,
            "total_capacity": sum(c for _p, c, _b in rows),
            "total_booked": sum(b for _p, _c, b in rows),
            "chart": chart,
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A technician's own figures this month, and their open orders by time left."""
    _require_view(request.user)
    today = timezone.localdate()
    month = engine.Period(today.replace(day=1), today)
    own = engine.Slice(technician=request.user.pk)
    figures = engine.compute(user=request.user, period=month, slice_=own)
    query = urlencode(
        {"from": month.start.isoformat(), "to": month.end.isoformat(), "technician": str(request.user.pk)}
    )
    rows = [
        (BY_NAME[name], f, display(f), reverse("kpis:drilldown", args=[name]) + "?" + query)
        for name, f in figures.items()
        if name != "device_availability"
    ]
    now = timezone.now()
    orders = (
        engine.orders_in_scope(request.user, own)
        .filter(status__in=sorted(OPEN_STATUSES))
        .select_related("sla", "customer")
        .order_by("sla__nearest_deadline")[:50]
    )
    open_rows = [(o, BAND_CLASSES[_band(o, now)], BAND_LABELS[_band(o, now)]) for o in orders]
    return render(request, "kpis/mine.html", {"month": month, "rows": rows, "open_rows": open_rows})


# --- scorecards (二级核算) ------------------------------------------------------------------


def scorecards_visible_to(user: Any) -> Any:
    """The one scoping function of scorecards: cards of the units in sight and of their staff."""
    from kpis.models import Scorecard

    if not user.has_perm("kpis.view_kpis"):
        return Scorecard.objects.none()
    cards = Scorecard.objects.select_related("unit", "technician", "technician__profile__unit", "locked_by", "scheme")
    ids = unit_ids_visible_to(user)
    if ids is None:
        return cards
    return cards.filter(Q(unit_id__in=ids) | Q(technician__profile__unit_id__in=ids))


def _month(request: HttpRequest) -> Any:
    from datetime import date

    from kpis.scorecards import previous_month

    text = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return previous_month(timezone.localdate())


@login_required
def scorecards(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("kpis.view_kpis"):
        raise PermissionDenied(_("You may not view KPIs."))
    month = _month(request)
    cards = list(scorecards_visible_to(request.user).filter(month=month))
    for card in cards:
        card.shown_lines = [(BY_NAME[line["figure"]], line) for line in card.lines if line["figure"] in BY_NAME]
    return render(
        request,
        "kpis/scorecards.html",
        {"month": month, "cards": cards, "may_lock": request.user.has_perm("kpis.lock_scorecard")},
    )


@login_required
def scorecard_lock_view(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from kpis.scorecards import scorecard_lock

    if request.method != "POST":
        return HttpResponse(status=405)
    if not request.user.has_perm("kpis.lock_scorecard"):
        raise PermissionDenied(_("You may not lock scorecards."))  # role before unit: 403 for every role
    card = get_object_or_404(scorecards_visible_to(request.user), pk=pk)
    try:
        scorecard_lock(card=card, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Scorecard locked."))
    return redirect(f"{reverse('kpis:scorecards')}?month={card.month:%Y-%m}")


@login_required
def scorecards_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("kpis.export_kpis"):
        raise PermissionDenied(_("You may not export KPIs."))
    month = _month(request)
    cards = scorecards_visible_to(request.user).filter(month=month)
    header = [_("Month"), _("Unit"), _("Technician"), _("Score"), _("Status")]
    rows = (
        [
            f"{c.month:%Y-%m}",
            c.unit.name if c.unit else "",
            str(c.technician or ""),
            None if c.score is None else float(c.score),
            c.get_status_display(),
        ]
        for c in cards.iterator(chunk_size=500)
    )
    return xlsx_response(workbook(title=_("Scorecards"), header=header, rows=rows), f"scorecards-{month:%Y%m}.xlsx")
