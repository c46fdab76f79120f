"""Network pages: the station directory and profile (lifecycle buttons), a station's scorecards,
the league table with the suspension proposals, and the technical-support queue. Views are thin:
the services decide, the selectors scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import ProductCategory
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors, form_int, form_status
from dispatch.models import TechnicianProfile
from kpis.scorecards import previous_month
from network import services
from network.choices import StationAction, StationStatus
from network.forms import AnswerForm, DecisionForm, EscalateForm, StationForm, TeamForm, TransitionForm
from network.policies import allowed_actions
from network.scorecards import figures, league_table, value_of
from network.selectors import (
    proposals_visible_to,
    scorecards_visible_to,
    station_events_visible_to,
    stations_visible_to,
    support_visible_to,
)
from workorders.selectors import workorders_visible_to


def _month(raw: str | None, default: date) -> date:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return default


@login_required
@permission_required("network.view_stationprofile", raise_exception=True)
def station_list(request: HttpRequest) -> HttpResponse:
    stations = stations_visible_to(request.user).prefetch_related("product_lines", "unit__regions")
    status = request.GET.get("status", "")
    if status in StationStatus.values:
        stations = stations.filter(status=status)
    region = request.GET.get("region", "").strip()
    if region:
        stations = stations.filter(unit__regions__adcode_prefix__startswith=region[:6]).distinct()
    line = form_int(request.GET.get("line"))
    if line:
        stations = stations.filter(product_lines=line)
    page = Paginator(stations.order_by("unit__code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "network/station_list.html",
        {
            "page": page,
            "statuses": StationStatus.choices,
            "lines": ProductCategory.objects.order_by("name"),
            "filters": {"status": status, "region": region, "line": line},
        },
    )


def _station(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(stations_visible_to(request.user), pk=pk)


@login_required
@permission_required("network.view_stationprofile", raise_exception=True)
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from training.choices import TrainingAudience
    from training.selectors import trainings_visible_to

    station = _station(request, pk)
    user = request.user
    technicians = (
        TechnicianProfile.objects.filter(user__profile__unit=station.unit)
        .select_related("user")
        .prefetch_related("certificates")
        .order_by("user__username")
    )
    trainings = (
        list(
            trainings_visible_to(user)
            .filter(unit=station.unit, audience=TrainingAudience.STATION_STAFF)
            .order_by("-held_on")[:20]
        )
        if user.has_perm("training.view_trainingrecord")
        else []
    )
    return render(
        request,
        "network/station_detail.html",
        {
            "station": station,
            "regions": station.unit.regions.order_by("adcode_prefix"),
            "lines": station.product_lines.order_by("name"),
            "technicians": technicians,
            "today": timezone.localdate(),
            "events": station_events_visible_to(user).filter(station=station)[:50],
            "trainings": trainings,
            "may_record_training": user.has_perm("training.add_trainingrecord"),
            "cards": scorecards_visible_to(user).filter(station=station)[:6],
            "warnings": station.warnings.order_by("-month")[:12]
            if user.has_perm("network.view_stationwarning")
            else [],
            "proposals": proposals_visible_to(user).filter(station=station)[:5],
            "support": support_visible_to(user).filter(station=station.unit)[:10],
            "actions": [(a, StationAction(a).label) for a in allowed_actions(station.status)],
            "may_transition": user.has_perm("network.transition_stationprofile"),
            "may_edit": user.has_perm("network.change_stationprofile"),
            "may_decide": services.may_decide_suspension(user),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@permission_required("network.add_stationprofile", raise_exception=True)
def station_create(request: HttpRequest) -> HttpResponse:
    form = StationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_create(
                acting_user=request.user,
                unit=form.cleaned_data["unit"],
                product_lines=form.cleaned_data["product_lines"],
                **form.data_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The station record was created."))
            return redirect("network:station", station.pk)
    return render(request, "network/station_form.html", {"form": form}, status=form_status(form))


@login_required
@permission_required("network.change_stationprofile", raise_exception=True)
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    initial = {key: getattr(station, key) for key in services.FIELDS}
    initial.update(version=station.version, product_lines=list(station.product_lines.all()))
    form = StationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(
                acting_user=request.user,
                station=station,
                version=form.cleaned_data.get("version") or 0,
                product_lines=form.cleaned_data["product_lines"],
                **form.data_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except VersionConflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, _("The station record was saved."))
            return redirect("network:station", station.pk)
    return render(request, "network/station_form.html", {"form": form, "station": station}, status=form_status(form))


@require_POST
@login_required
@permission_required("network.transition_stationprofile", raise_exception=True)
def station_transition(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the change."))
        return redirect("network:station", station.pk)
    try:
        services.station_transition(
            acting_user=request.user,
            station=station,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except TransitionNotAllowed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The station's status was changed."))
    return redirect("network:station", station.pk)


@login_required
@permission_required("network.view_stationscorecard", raise_exception=True)
def station_scorecards(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    cards = list(scorecards_visible_to(request.user).filter(station=station).order_by("-month")[:24])
    month = _month(request.GET.get("month"), cards[0].month if cards else previous_month(timezone.localdate()))
    card = next((c for c in cards if c.month == month), None)
    rows = [
        (f, value_of(card, f.code) if card else None, (card.figures.get(f.code) if card else None)) for f in figures()
    ]
    history = [(c, [value_of(c, f.code) for f in figures()]) for c in cards]
    return render(
        request,
        "network/station_scorecards.html",
        {
            "station": station,
            "card": card,
            "month": month,
            "rows": rows,
            "figures": figures(),
            "history": history,
            "warnings": {w.month: w for w in station.warnings.all()},
        },
    )


@login_required
@permission_required("network.view_stationscorecard", raise_exception=True)
def league(request: HttpRequest) -> HttpResponse:
    codes = [f.code for f in figures()]
    default = previous_month(timezone.localdate())
    month = _month(request.GET.get("month"), default)
    sort = request.GET.get("sort", "first_time_fix_rate")
    if sort not in codes:
        sort = "first_time_fix_rate"
    descending = request.GET.get("dir", "desc") != "asc"
    cards = league_table(list(scorecards_visible_to(request.user).filter(month=month)), sort, descending)
    rows = [(card, [value_of(card, code) for code in codes]) for card in cards]
    proposals = proposals_visible_to(request.user).filter(status="open")
    return render(
        request,
        "network/league.html",
        {
            "month": month,
            "rows": rows,
            "figures": figures(),
            "sort": sort,
            "descending": descending,
            "proposals": proposals,
            "may_decide": services.may_decide_suspension(request.user),
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@login_required
@permission_required("network.decide_suspension", raise_exception=True)
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the decision."))
        return redirect("network:station", proposal.station_id)
    try:
        services.proposal_decide(
            acting_user=request.user,
            proposal=proposal,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The suspension proposal was decided."))
    return redirect("network:station", proposal.station_id)


@login_required
@permission_required("network.view_supportrequest", raise_exception=True)
def support_list(request: HttpRequest) -> HttpResponse:
    requests = support_visible_to(request.user)
    status = request.GET.get("status", "open")
    if status != "all":
        requests = requests.filter(status=status)
    page = Paginator(requests.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(request, "network/support_list.html", {"page": page, "status": status})


@login_required
@permission_required("network.view_supportrequest", raise_exception=True)
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support = get_object_or_404(support_visible_to(request.user), pk=pk)
    return render(
        request,
        "network/support_detail.html",
        {
            "support": support,
            "may_answer": request.user.has_perm("network.answer_supportrequest") and support.status == "open",
            "answer_form": AnswerForm(),
            "team_form": TeamForm(),
        },
    )


def _handled(request: HttpRequest, pk: int, form_class: Any, run: Any) -> HttpResponse:
    support = get_object_or_404(support_visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(support, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except TransitionNotAllowed as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The support request was handled."))
    else:
        messages.error(request, _("Fill in the form."))
    return redirect("network:support_detail", support.pk)


@require_POST
@login_required
@permission_required("network.answer_supportrequest", raise_exception=True)
def support_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _handled(
        request,
        pk,
        AnswerForm,
        lambda s, data: services.support_answer(acting_user=request.user, request=s, answer=data["answer"]),
    )


@require_POST
@login_required
@permission_required("network.answer_supportrequest", raise_exception=True)
def support_team(request: HttpRequest, pk: int) -> HttpResponse:
    return _handled(
        request,
        pk,
        TeamForm,
        lambda s, data: services.support_send_team(
            acting_user=request.user, request=s, team=data["team"], visit_at=data["visit_at"], note=data["note"]
        ),
    )


@login_required
@permission_required("network.add_supportrequest", raise_exception=True)
def support_escalate(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = workorders_visible_to(request.user).filter(pk=order_pk).first()
    if order is None:
        raise Http404
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support = services.support_escalate(
                acting_user=request.user,
                order=order,
                reason=form.cleaned_data["reason"],
                question=form.cleaned_data["question"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The order was escalated to HQ technical support."))
            return redirect("network:support_detail", support.pk)
    return render(request, "network/escalate.html", {"form": form, "order": order}, status=form_status(form))
