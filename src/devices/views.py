"""Staff pages for devices (设备档案 / 服务卡) and their printable QR labels. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors, add_submission_token, apply_versioned_edit, create_once, form_status
from core.panels import page_context_with_panels
from customers.selectors import customers_visible_to
from devices import services
from devices.filtersets import DeviceFilterSet
from devices.forms import DeviceForm
from devices.models import Device
from devices.selectors import device_qr_svg, device_request_url, devices_visible_to, service_hotline

PAGE_SIZE = 25
MAX_LABEL_COPIES = 24


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request from the live search wants only the results, not the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def _get_device(request: HttpRequest, pk: int) -> Device:
    return get_object_or_404(devices_visible_to(request.user).select_related("unit"), pk=pk)


@login_required
@permission_required("devices.view_device", raise_exception=True)
def device_list(request: HttpRequest) -> HttpResponse:
    filterset = DeviceFilterSet(request.GET or None, user=request.user)
    devices = filterset.queryset().select_related("unit")
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    customer_id = filterset.cleaned_data.get("customer") if hasattr(filterset, "cleaned_data") else None
    customer = None
    if customer_id:
        customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    context = {"filterset": filterset, "page": page, "customer": customer}
    if _wants_partial(request):
        return render(request, "devices/partials/device_table.html", context)
    return render(request, "devices/device_list.html", context)


@login_required
@permission_required("devices.view_device", raise_exception=True)
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = _get_device(request, pk)
    context = {"device": device, "request_url": device_request_url(device, request)}
    # The warranty card and the order history come from the apps above (core.panels).
    return render(request, "devices/device_detail.html", page_context_with_panels("device", request, device, context))


@login_required
@permission_required("devices.add_device", raise_exception=True)
def device_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    if request.GET.get("product_model"):
        initial["product_model"] = request.GET["product_model"]
    form = DeviceForm(request.POST or None, user=request.user, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        data.pop("is_active", None)
        try:
            device_id, _replayed = create_once(
                form,
                user=request.user,
                scope="devices.create",
                create=lambda: (
                    services.device_create(
                        acting_user=request.user,
                        customer=data.pop("customer"),
                        product_model=data.pop("product_model"),
                        serial_number=data.pop("serial_number"),
                        **data,
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            device = devices_visible_to(request.user).get(pk=device_id)
            messages.success(request, _("Device %(device)s registered.") % {"device": device})
            return redirect("devices:detail", pk=device.pk)
    return render(request, "devices/device_form.html", {"form": form, "device": None}, status=form_status(form))


@login_required
@permission_required("devices.change_device", raise_exception=True)
def device_edit(request: HttpRequest, pk: int) -> HttpResponse:
    device = _get_device(request, pk)
    form = DeviceForm(request.POST or None, instance=device, user=request.user)
    status: int | None = 200
    if request.method == "POST":
        status = apply_versioned_edit(
            form,
            lambda changes, version: services.device_update(
                device=device, acting_user=request.user, changes=changes, expected_version=version
            ),
        )
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("devices:detail", pk=pk)
    return render(request, "devices/device_form.html", {"form": form, "device": device}, status=status)


@login_required
@permission_required("devices.view_device", raise_exception=True)
def device_label(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable QR label (扫码报修): A4 sheet of label-sized cards, one or more copies."""
    device = _get_device(request, pk)
    try:
        copies = max(1, min(MAX_LABEL_COPIES, int(request.GET.get("copies", "1"))))
    except ValueError:
        copies = 1
    return render(
        request,
        "devices/device_label.html",
        {
            "device": device,
            "qr_svg": device_qr_svg(device, request),
            "request_url": device_request_url(device, request),
            "hotline": service_hotline(device),
            "copies": range(copies),
            "copy_count": copies,
        },
    )
