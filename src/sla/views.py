"""Console pages: service levels (setup) and the at-risk / breached dashboard. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_service_errors, add_submission_token, apply_versioned_edit, create_once, form_status
from sla import services
from sla.choices import SlaStatus
from sla.forms import ServiceLevelForm
from sla.panels import BADGES
from sla.selectors import ALERT_STATUSES, backup_unit_tasks_visible_to, service_levels_visible_to, sla_alerts_for

PAGE_SIZE = 50


@login_required
@permission_required("sla.view_servicelevel", raise_exception=True)
def service_level_list(request: HttpRequest) -> HttpResponse:
    levels = service_levels_visible_to(request.user).order_by("rank", "code")
    return render(request, "sla/level_list.html", {"levels": levels})


@login_required
@permission_required("sla.add_servicelevel", raise_exception=True)
def service_level_create(request: HttpRequest) -> HttpResponse:
    form = ServiceLevelForm(request.POST or None)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.changes()  # "active" as ticked: a level made inactive waits until it is switched on
        units = list(data.pop("units", []) or [])
        try:
            level_id, _replayed = create_once(
                form,
                user=request.user,
                scope="sla.level.create",
                create=lambda: (
                    services.service_level_create(
                        acting_user=request.user,
                        code=data.pop("code"),
                        name=data.pop("name"),
                        calendar=data.pop("calendar"),
                        units=units,
                        **data,
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Service level saved."))
            return redirect("sla:edit", pk=level_id)
    return render(request, "sla/level_form.html", {"form": form, "level": None}, status=form_status(form))


@login_required
@permission_required("sla.change_servicelevel", raise_exception=True)
def service_level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    level = get_object_or_404(service_levels_visible_to(request.user), pk=pk)
    form = ServiceLevelForm(request.POST or None, instance=level)
    status: int | None = 200
    if request.method == "POST":
        status = apply_versioned_edit(
            form,
            lambda changes, version: services.service_level_update(
                level=level, acting_user=request.user, changes=changes, expected_version=version
            ),
        )
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("sla:list")
    return render(request, "sla/level_form.html", {"form": form, "level": level}, status=status)


@login_required
@permission_required("sla.view_orderservicelevel", raise_exception=True)
def sla_dashboard(request: HttpRequest) -> HttpResponse:
    """Open orders at risk or breached, nearest deadline first (scoped to the user's units)."""
    status = request.GET.get("status", "")
    alerts = sla_alerts_for(request.user, status=status)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    backup_tasks = backup_unit_tasks_visible_to(request.user).filter(status="open")[:20]
    return render(
        request,
        "sla/dashboard.html",
        {
            "page": page,
            "status": status,
            "statuses": [SlaStatus(value) for value in ALERT_STATUSES],
            "badges": BADGES,
            "now": timezone.now(),
            "backup_tasks": backup_tasks,
        },
    )
