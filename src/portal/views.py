"""Customer self-service pages (SPEC §3 step 1 and 4): no staff account, no login.

A browser may see an order only after proving it: by filing it here or by entering its number
together with the contact phone. The session keeps the list of orders proved this way.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.selectors import order_quote_for_customer
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors
from core.panels import page_context_with_panels, page_panels
from devices.selectors import device_by_qr_token
from portal import progress, throttle
from portal.forms import DeviceRequestForm, PhotoForm, RequestForm, TrackForm
from portal.models import StagedPhoto
from portal.selectors import portal_service_report, portal_tracked_order, portal_tracked_orders
from portal.services import (
    phone_normalise,
    portal_photo_add,
    portal_photos_stage,
    portal_request_submit,
    staged_photo_uploads,
    staged_photos_discard,
    staged_photos_from_token,
    staged_photos_token,
)
from portal.terms import service_terms
from workorders.models import WorkOrder
from workorders.selectors import workorder_for_tracking
from workorders.services import workorder_transition

logger = logging.getLogger(__name__)

TRACKED_SESSION_KEY = "portal_tracked_orders"
#: The request form's signed token of the photos held from a refused try, and the ones kept ticked.
STAGED_FIELD = "staged_photos"
STAGED_KEEP_FIELD = "staged_keep"
MAX_TRACKED = 20

# Service errors name model fields; the form calls some of them differently.
SERVICE_FIELD_TO_FORM = {
    "applicant_name": "name",
    "contact_phone": "phone",
    "service_address": "address",
    "reported_serial": "serial_number",
    "file": "photos",
}


def _hotline() -> str:
    return str(getattr(settings, "SERVICE_HOTLINE", "") or "")


def _tracked_ids(request: HttpRequest) -> list[int]:
    return [pk for pk in request.session.get(TRACKED_SESSION_KEY, []) if isinstance(pk, int)]


def _remember(request: HttpRequest, order: WorkOrder) -> None:
    ids = [pk for pk in _tracked_ids(request) if pk != order.pk]
    request.session[TRACKED_SESSION_KEY] = [order.pk, *ids][:MAX_TRACKED]


def _tracked_or_404(request: HttpRequest, number: str) -> WorkOrder:
    order = portal_tracked_order(number=number, tracked_ids=_tracked_ids(request))
    if order is None:
        raise Http404(_("No such request in this session."))
    return order


def _add_service_errors(form: Form, error: ValidationError) -> None:
    add_service_errors(form, error, aliases=SERVICE_FIELD_TO_FORM)


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"hotline": _hotline()})


def _submit(request: HttpRequest, form: Form, staged: list[StagedPhoto], **extra: Any) -> WorkOrder | None:
    data = form.cleaned_data
    try:
        order = portal_request_submit(
            name=data["name"],
            phone=data["phone"],
            address=data.get("address", ""),
            service_type=data["service_type"],
            description=data["description"],
            product_model=data.get("product_model"),
            serial_number=data.get("serial_number", ""),
            uploads=[*staged_photo_uploads(staged), *(data.get("photos") or ())],
            **extra,
        )
    except ValidationError as error:
        _add_service_errors(form, error)
        return None
    staged_photos_discard(staged)  # attached to the order now (or the order was already filed)
    if getattr(order, "is_repeat_submission", False) and order.pk not in _tracked_ids(request):
        # Someone else (or another browser) sent exactly this moments ago: confirm, but do not
        # open that order to this session — tracking still needs the number and phone.
        messages.info(request, _("We already received this request a moment ago."))
        return None
    _remember(request, order)
    return order


def _request_page(request: HttpRequest, form_class: type[DeviceRequestForm], **extra: Any) -> HttpResponse:
    """The request form, for both entries (general / a device's label). A refused form keeps the
    photos it carried (held server-side, named by a signed token in the form): the customer
    corrects the field and sends again without attaching them again."""
    form = form_class(request.POST or None, request.FILES or None)
    staged: list[StagedPhoto] = []
    if request.method == "POST":
        staged = staged_photos_from_token(request.POST.get(STAGED_FIELD), keep=request.POST.getlist(STAGED_KEEP_FIELD))
        if form.is_valid():
            order = _submit(request, form, staged, **extra)
            if order is not None:
                return redirect("portal:submitted", number=order.number)
            if not form.errors:  # a repeat of a request another session sent: track it by number
                return redirect("portal:track")
        # Refused: hold the new photos that are fine too (not the ones the form itself refused).
        new_photos = [] if form.has_error("photos") else list(request.FILES.getlist("photos"))
        staged = portal_photos_stage(uploads=new_photos, already=staged)
    device = extra.get("device")
    context = {
        "form": form,
        "device": device,
        "staged_photos": staged,
        "staged_token": staged_photos_token(staged),
        "hotline": (device.unit.phone if device is not None else "") or _hotline(),
        "request_panels": page_panels("portal_request", request, device),  # e.g. the FAQ's "check these first"
    }
    return render(request, "portal/request.html", context)


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    return _request_page(request, RequestForm)


@require_http_methods(["GET", "POST"])
def device_request(request: HttpRequest, token: str) -> HttpResponse:
    """扫码报修: the device's label opens this page. It shows the model and serial only — the
    owner's name, phone and address stay hidden from whoever holds the label."""
    if throttle.token_requests_exceeded(request) or throttle.tracking_locked(request):
        return throttle.too_many_attempts(request)
    device = device_by_qr_token(token)
    if device is None:
        throttle.tracking_failed(request)  # a guessed label counts like a wrong order number
        raise Http404(_("Unknown device label."))
    return _request_page(request, DeviceRequestForm, device=device)


def submitted(request: HttpRequest, number: str) -> HttpResponse:
    order = _tracked_or_404(request, number)
    return render(request, "portal/submitted.html", {"order": order, "hotline": _hotline()})


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")[:32]})
    if request.method == "POST":
        number = request.POST.get("number", "")[:32]
        if throttle.tracking_locked(request, number=number):
            # Right or wrong: a locked session, address or order number learns nothing more.
            return throttle.too_many_attempts(
                request, _("Too many unsuccessful attempts. Please wait 15 minutes or call the hotline.")
            )
        if form.is_valid():
            number, raw_phone = form.cleaned_data["number"], form.cleaned_data["phone"]
            order = workorder_for_tracking(number=number, phone=phone_normalise(raw_phone))
            if order is None and phone_normalise(raw_phone) != raw_phone.strip():
                order = workorder_for_tracking(number=number, phone=raw_phone)
            if order is not None:
                _remember(request, order)
                return redirect("portal:order", number=order.number)
            throttle.tracking_failed(request, number=number)
            form.add_error(None, _("We could not find a request with this order number and phone. Please check both."))
    recent = portal_tracked_orders(tracked_ids=_tracked_ids(request))
    return render(request, "portal/track.html", {"form": form, "recent": recent, "hotline": _hotline()})


def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _tracked_or_404(request, number)
    context = {
        "order": order,
        "steps": progress.progress_steps(order),
        "explanation": progress.status_explanation(order),
        "ended": order.status in progress.ENDED_STATUSES,
        "technician_name": progress.technician_first_name(order),
        "timeline": progress.customer_timeline(order),
        "actions": progress.customer_actions(order),
        "quote": order_quote_for_customer(order),
        "photo_form": PhotoForm() if order.is_open else None,
        "service_report": portal_service_report(order),
        "hotline": order.unit.phone or _hotline(),
    }
    # The apps above add their buttons (follow-up: rate this service) through core.panels.
    return render(request, "portal/order.html", page_context_with_panels("portal_order", request, order, context))


@require_POST
def order_action(request: HttpRequest, number: str) -> HttpResponse:
    """A customer decision on a tracked order: approve/decline a quote, sign off, object, reply,
    cancel. Refusals come back as a message on the order page, never as an error page."""
    order = _tracked_or_404(request, number)
    action = request.POST.get("action", "")
    field_names = progress.customer_action_fields(order, action)
    if field_names is None:
        messages.error(request, _("This action is not possible now. The page shows what you can do."))
        return redirect("portal:order", number=order.number)
    data = {name: request.POST.get(name, "") for name in field_names}
    version = request.POST.get("version", "")
    try:
        workorder_transition(
            order=order,
            action=action,
            acting_user=None,
            by_customer=True,
            data=data,
            expected_version=int(version) if version.isascii() and version.isdigit() else None,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
    except VersionConflict:
        messages.error(request, _("Your request changed in the meantime. Please check the page and try again."))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("This action is not possible now."))
    else:
        messages.success(request, _("Thank you. We have recorded your answer."))
    return redirect("portal:order", number=order.number)


@require_POST
def order_upload(request: HttpRequest, number: str) -> HttpResponse:
    order = _tracked_or_404(request, number)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("portal:order", number=order.number)
    try:
        portal_photo_add(order=order, upload=form.cleaned_data["photo"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The photo has been added."))
    return redirect(reverse("portal:order", kwargs={"number": order.number}) + "#photos")


def order_report(request: HttpRequest, number: str) -> HttpResponseBase:
    """The order's service report (PDF) for the customer who tracks it, once staff made one."""
    order = _tracked_or_404(request, number)
    report = portal_service_report(order)
    if report is None:
        raise Http404(_("There is no service report for this request yet."))
    try:
        stored = report.file.open("rb")
    except OSError as error:
        logger.warning("service report %s of %s: file missing (%s)", report.number, order.number, error)
        raise Http404(_("There is no service report for this request yet.")) from error
    return FileResponse(stored, as_attachment=True, filename=f"{report.number}.pdf", content_type="application/pdf")


def terms(request: HttpRequest) -> HttpResponse:
    """服务条款: generated from the live configuration; no login. ``?lang=en`` or the language switch."""
    lang = request.GET.get("lang", "")
    if lang in dict(settings.LANGUAGES):
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
    return render(request, "portal/terms.html", {"terms": service_terms(), "hotline": _hotline()})
