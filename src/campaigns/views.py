"""Campaign pages: the list, the form with its preview (count before launch), the progress board
with launch and join, a device's outcome. Thin: the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import services
from campaigns.choices import TargetStatus
from campaigns.forms import CampaignForm, FirmwareForm, OutcomeForm
from campaigns.selectors import (
    campaign_progress,
    campaign_progress_by_unit,
    campaign_targets_visible_to,
    campaigns_progress,
    campaigns_visible_to,
    population_count,
    selection_excluding_members,
)
from core.forms import add_service_errors, add_submission_token, create_once, form_status

PAGE_SIZE = 50


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = campaigns_visible_to(request.user).order_by("-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    figures = campaigns_progress(campaigns=list(page), user=request.user, today=today)
    boards = [(c, figures[c.pk]) for c in page]
    return render(request, "campaigns/campaign_list.html", {"page": page, "boards": boards, "today": today})


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    add_submission_token(form)
    preview: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            selection = services.selection_clean(user=request.user, **form.selection())
            if "preview" in request.POST:
                preview = population_count(user=request.user, selection=selection)
            else:
                data = form.cleaned_data
                if data.get("due_on") is None:
                    raise ValidationError({"due_on": _("This field is required.")})
                campaign_id, _replayed = create_once(
                    form,
                    user=request.user,
                    scope="campaigns.campaign_create",
                    create=lambda: (
                        services.campaign_create(
                            acting_user=request.user,
                            code=data["code"],
                            name=data["name"],
                            kind=data["kind"],
                            due_on=data["due_on"],
                            firmware_to=data.get("firmware_to") or "",
                            description=data.get("description") or "",
                            **form.selection(),
                        ).pk
                    ),
                )
                messages.success(request, _("Campaign created: check the devices, then launch it."))
                return redirect("campaigns:board", pk=campaign_id)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "campaigns/campaign_form.html", {"form": form, "preview": preview}, status=form_status(form))


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_board(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user).prefetch_related("product_models"), pk=pk)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    targets = campaign_targets_visible_to(request.user).filter(campaign=campaign).order_by("pk")
    if status in TargetStatus.values:
        targets = targets.filter(status=status)
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    may_launch = request.user.has_perm("campaigns.launch_campaign")
    joinable = (
        population_count(user=request.user, selection=selection_excluding_members(campaign))
        if may_launch and campaign.status != "closed"
        else 0
    )
    return render(
        request,
        "campaigns/campaign_board.html",
        {
            "campaign": campaign,
            "figures": campaign_progress(campaign=campaign, user=request.user, today=today),
            "by_unit": campaign_progress_by_unit(campaign=campaign, user=request.user),
            "page": page,
            "statuses": TargetStatus.choices,
            "status": status,
            "joinable": joinable,
            "may_launch": may_launch,
            "may_record": request.user.has_perm("campaigns.record_campaigntarget"),
            "overdue": today > campaign.due_on,
            "outcome_form": OutcomeForm(),
            "firmware_form": FirmwareForm(),
        },
    )


@login_required
@permission_required("campaigns.launch_campaign", raise_exception=True)
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    try:
        if action == "launch":
            created = services.campaign_launch(campaign=campaign, acting_user=request.user)
            messages.success(request, _("%(count)s work orders created.") % {"count": created})
        elif action == "join":
            joined = services.campaign_join_new(campaign=campaign, acting_user=request.user)
            messages.success(request, _("%(count)s devices joined.") % {"count": joined})
        elif action == "close":
            services.campaign_close(campaign=campaign, acting_user=request.user)
            messages.success(request, _("Campaign closed."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("campaigns:board", pk=campaign.pk)


@login_required
@permission_required("campaigns.record_campaigntarget", raise_exception=True)
@require_POST
def target_action(request: HttpRequest, pk: int, target: int, action: str) -> HttpResponse:
    row = get_object_or_404(campaign_targets_visible_to(request.user), pk=target, campaign_id=pk)
    try:
        if action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())  # type: ignore[arg-type]
            services.campaign_target_mark(
                target=row, acting_user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        elif action == "firmware":
            services.campaign_target_record_firmware(
                target=row, acting_user=request.user, firmware_version=request.POST.get("firmware_version", "")
            )
        else:
            raise PermissionDenied
        messages.success(request, _("Saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("campaigns:board", pk=pk)
