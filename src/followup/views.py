"""Staff pages of follow-up: the callback queue and its calls, HQ samples, complaints and their
monthly report. Thin: forms validate, services decide and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors, add_submission_token, create_once, form_int, form_status
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from customers.selectors import customers_visible_to
from followup import services
from followup.choices import ComplaintStatus
from followup.forms import CallForm, ComplaintActionForm, ComplaintCreateForm, SampleForm
from followup.policies import COMPLAINT_TRANSITIONS_BY_ACTION
from followup.selectors import (
    call_script_for,
    callback_queue,
    callbacks_visible_to,
    complaint_list,
    complaint_monthly_report,
    complaints_visible_to,
    previous_month,
    samples_visible_to,
)
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 25


@login_required
@permission_required("followup.view_callbacktask", raise_exception=True)
def callbacks(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    tasks = callback_queue(user=request.user, status=status, q=request.GET.get("q", ""))
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    samples = samples_visible_to(request.user)[:10]
    units = []
    if request.user.has_perm("followup.draw_sample"):
        ids = unit_ids_visible_to(request.user)
        units = list(OrgUnit.objects.filter(is_active=True) if ids is None else OrgUnit.objects.filter(pk__in=ids))
    return render(
        request,
        "followup/callback_list.html",
        {"page": page, "status": status, "samples": samples, "units": units, "sample_form": SampleForm()},
    )


def _render_callback(
    request: HttpRequest, task: Any, *, form: CallForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    task = callbacks_visible_to(request.user).get(pk=task.pk)
    return render(
        request,
        "followup/callback_detail.html",
        {
            "task": task,
            "script": call_script_for(task.order.service_type),
            "calls": list(task.calls.select_related("by")),
            "form": form or CallForm(initial={"version": task.version}),
            "may_call": request.user.has_perm("followup.call_callbacktask") and task.status in ("open", "retry"),
            "page_error": error,
        },
        status=status,
    )


@login_required
@permission_required("followup.view_callbacktask", raise_exception=True)
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_callback(request, get_object_or_404(callbacks_visible_to(request.user), pk=pk))


@login_required
@permission_required("followup.call_callbacktask", raise_exception=True)
@require_POST
def callback_call(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(callbacks_visible_to(request.user), pk=pk)
    form = CallForm(request.POST)
    if not form.is_valid():
        return _render_callback(request, task, form=form, status=400, error=_("The call was not recorded."))
    data = form.cleaned_data
    try:
        services.callback_record_call(
            task=task,
            acting_user=request.user,
            outcome=data["outcome"],
            satisfaction=data.get("satisfaction") or "",
            score=data.get("score"),
            comment=data.get("comment") or "",
            note=data.get("note") or "",
            expected_version=data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_callback(request, task, form=form, status=400, error=_("The call was not recorded."))
    except (TransitionNotAllowed, VersionConflict) as error:
        return _render_callback(request, task, status=409, error=error.message)
    messages.success(request, _("Call recorded."))
    return redirect("followup:callbacks")


@login_required
@permission_required("followup.draw_sample", raise_exception=True)
@require_POST
def sample_draw(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The sample was not drawn: check the period and the share."))
        return redirect("followup:callbacks")
    data = form.cleaned_data
    ids = unit_ids_visible_to(request.user)
    unit = OrgUnit.objects.filter(pk=data["unit"]).first()
    if unit is None or (ids is not None and unit.pk not in ids):
        raise Http404
    try:
        sample = services.callback_sample_draw(
            unit=unit,
            period_start=data["period_start"],
            period_end=data["period_end"],
            share=data.get("share"),
            seed=data.get("seed") or "",
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("followup:callbacks")
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("followup:callbacks")
    return redirect("followup:sample", pk=sample.pk)


@login_required
@permission_required("followup.view_callbacksample", raise_exception=True)
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(samples_visible_to(request.user), pk=pk)
    return render(request, "followup/sample_detail.html", {"sample": sample})


@login_required
@permission_required("followup.view_complaint", raise_exception=True)
def complaints(request: HttpRequest) -> HttpResponse:
    rows = complaint_list(
        user=request.user,
        status=request.GET.get("status", "") if request.GET.get("status", "") in ComplaintStatus.values else "",
        q=request.GET.get("q", ""),
        work_order=form_int(request.GET.get("work_order")),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "followup/complaint_list.html", {"page": page, "statuses": ComplaintStatus.choices})


@login_required
@permission_required("followup.add_complaint", raise_exception=True)
def complaint_create(request: HttpRequest) -> HttpResponse:
    order = None
    raw_order = form_int(request.GET.get("work_order") or request.POST.get("work_order"))
    if raw_order is not None:
        order = get_object_or_404(workorders_visible_to(request.user), pk=raw_order)
    initial = {"customer": order.customer_id} if order else {}
    form = ComplaintCreateForm(request.POST or None, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = customers_visible_to(request.user).filter(pk=data["customer"]).first()
        if customer is None:
            form.add_error("customer", _("Unknown customer."))
        else:
            try:
                complaint_id, _replayed = create_once(
                    form,
                    user=request.user,
                    scope="followup.complaint_create",
                    create=lambda: (
                        services.complaint_create(
                            acting_user=request.user,
                            customer=customer,
                            work_order=order,
                            channel=data["channel"],
                            subject=data.get("subject") or "",
                            description=data["description"],
                            remedy_requested=data.get("remedy_requested") or "",
                        ).pk
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                complaint = complaints_visible_to(request.user).get(pk=complaint_id)
                messages.success(request, _("Complaint %(number)s registered.") % {"number": complaint.number})
                return redirect("followup:complaint", pk=complaint.pk)
    return render(request, "followup/complaint_form.html", {"form": form, "order": order}, status=form_status(form))


def _render_complaint(request: HttpRequest, complaint: Any, *, status: int = 200, error: str = "") -> HttpResponse:
    complaint = complaints_visible_to(request.user).get(pk=complaint.pk)
    allowed = services.complaint_allowed_actions(complaint, request.user)
    return render(
        request,
        "followup/complaint_detail.html",
        {
            "complaint": complaint,
            "events": list(complaint.events.all()),
            "actions": [(code, COMPLAINT_TRANSITIONS_BY_ACTION[code]) for code in allowed],
            "form": ComplaintActionForm(initial={"version": complaint.version}),
            "page_error": error,
        },
        status=status,
    )


@login_required
@permission_required("followup.view_complaint", raise_exception=True)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_complaint(request, get_object_or_404(complaints_visible_to(request.user), pk=pk))


@login_required
@permission_required("followup.handle_complaint", raise_exception=True)
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    complaint = get_object_or_404(complaints_visible_to(request.user), pk=pk)
    if action not in COMPLAINT_TRANSITIONS_BY_ACTION:
        raise Http404
    form = ComplaintActionForm(request.POST)
    if not form.is_valid():
        return _render_complaint(request, complaint, status=400, error=_("Nothing was saved."))
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.complaint_transition(
            complaint=complaint,
            action=action,
            acting_user=request.user,
            data=data,
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        return _render_complaint(request, complaint, status=400, error=" ".join(error.messages))
    except (TransitionNotAllowed, VersionConflict) as error:
        return _render_complaint(request, complaint, status=409, error=error.message)
    messages.success(request, _("Saved."))
    return redirect("followup:complaint", pk=complaint.pk)


@login_required
@permission_required("followup.view_complaint", raise_exception=True)
def complaint_report(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year, month = previous_month(timezone.localdate())
    report = complaint_monthly_report(user=request.user, year=year, month=month)
    return render(request, "followup/complaint_report.html", {"report": report, "month": f"{year:04d}-{month:02d}"})


@csrf_protect
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's survey page (no sign-in: the unguessable token is the key). A forged token
    counts against the portal's lookup throttle, like a wrong order number; every request counts
    against the address's budget for token pages and every answer against the survey's own
    (portal.throttle): a refusal is the 429 page."""
    from followup.surveys import EDIT_WINDOW, survey_answer, survey_for_token, survey_refusal
    from portal import throttle

    if throttle.token_requests_exceeded(request) or throttle.tracking_locked(request):
        return throttle.too_many_attempts(request)
    found = survey_for_token(token)
    if found is None:
        throttle.tracking_failed(request)
    refusal = survey_refusal(found, now=timezone.now())
    if refusal:
        return render(request, "followup/survey.html", {"refusal": refusal}, status=404 if found is None else 410)
    assert found is not None
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":
        if throttle.survey_answers_exceeded(token):
            return throttle.too_many_attempts(request)
        try:
            found = survey_answer(
                token=token,
                satisfaction=request.POST.get("satisfaction", ""),
                score=request.POST.get("score", ""),
                comment=request.POST.get("comment", ""),
            )
            saved = True
        except ValidationError as error:
            errors = error.message_dict
    context = {
        "survey": found,
        "order": found.order,
        "errors": errors,
        "saved": saved,
        "edit_until": found.answered_at + EDIT_WINDOW if found.answered_at else None,
        "scores": range(1, 6),
        "posted": request.POST if errors else None,
    }
    return render(request, "followup/survey.html", context, status=400 if errors else 200)


@login_required
@permission_required("followup.view_carerule", raise_exception=True)
def care(request: HttpRequest) -> HttpResponse:
    """The care rules with a preview of today's (or ``?day=``) recipients and the care log."""
    from datetime import date as date_type

    from followup.care import care_preview
    from followup.models import CareDelivery, CareRule

    try:
        day = date_type.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    rules = list(CareRule.objects.order_by("code"))
    preview_rule = next((r for r in rules if r.code == request.GET.get("preview")), None)
    preview = care_preview(preview_rule, day) if preview_rule else []
    log = CareDelivery.objects.select_related("rule", "customer").order_by("-day", "-id")[:50]
    context = {"rules": rules, "day": day, "preview_rule": preview_rule, "preview": preview[:200], "log": log}
    return render(request, "followup/care.html", context)


@login_required
@permission_required("followup.view_qualityissue", raise_exception=True)
def quality(request: HttpRequest) -> HttpResponse:
    """The quality dashboard: fault statistics by model, cause, part and batch over a period
    (default the last 90 days), the early warnings with their test, and the issue records."""
    from datetime import date as date_type
    from datetime import timedelta

    from followup.models import QualityIssue, QualityWarning
    from followup.quality import DIMENSIONS, fault_statistics

    today = timezone.localdate()
    try:
        end = date_type.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    try:
        start = date_type.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = end - timedelta(days=89)
    stats = {by: fault_statistics(user=request.user, start=start, end=end, by=by)[:20] for by in DIMENSIONS}
    context = {
        "start": start,
        "end": end,
        "stats": stats,
        "warnings": QualityWarning.objects.select_related("product_model", "issue")[:50],
        "issues": QualityIssue.objects.select_related("product_model", "warning", "owner")[:50],
    }
    return render(request, "followup/quality.html", context)
