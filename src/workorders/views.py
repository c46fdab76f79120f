"""The staff console for work orders (SPEC §3, seed form 附件3).

Views stay thin: forms parse input, ``workorders.services`` decide and write, selectors scope
every read (``workorders_visible_to`` and friends). Domain errors become a clear message on the
page with a 4xx status, never a 500.
"""

from __future__ import annotations

import csv
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import services as core_services
from core.exceptions import PossibleDuplicate, TransitionNotAllowed, VersionConflict
from core.forms import add_submission_token, create_once
from core.models import SavedView
from core.panels import page_panels
from customers.selectors import (
    NO_DUPLICATES,
    CustomerDuplicates,
    customer_duplicates_for,
    customer_search,
    customers_visible_to,
)
from devices.selectors import devices_visible_to
from workorders import bulk, exports, services
from workorders.choices import (
    OPEN_STATUSES,
    Channel,
    ChargeType,
    EventKind,
    FaultCause,
    Satisfaction,
    ServiceType,
    Status,
    Urgency,
    WaitReason,
)
from workorders.filtersets import WorkOrderFilterForm, filter_query_string
from workorders.forms import (
    NEW_CUSTOMER_ALIASES,
    BulkActionForm,
    CommentForm,
    MaterialForm,
    RegisterForm,
    SavedViewForm,
    TransitionForm,
    UploadForm,
    WorkOrderEditForm,
    add_service_errors,
)
from workorders.list_extensions import list_columns, list_related
from workorders.models import Attachment, TimelineEvent, WorkOrder
from workorders.panels import order_panels_for, param_label, timeline_params_for
from workorders.selectors import (
    device_service_history,
    open_orders_of_customer,
    open_orders_of_device,
    technicians_for_order,
    workorder_detail_for,
    workorder_list,
    workorders_visible_to,
)
from workorders.transitions import TRANSITIONS_BY_ACTION, Transition

PAGE_SIZE = 25
LOOKUP_LIMIT = 8
LIST_NAME = "workorders"
INLINE_TYPES = ("image/", "application/pdf")
FINISHED = {Status.CLOSED, Status.REJECTED, Status.CANCELLED}
PRINT_MATERIAL_ROWS = 5

view_required = permission_required("workorders.view_workorder", raise_exception=True)


def _optional_url(name: str, *args: Any) -> str:
    """A link to another app's page, or "" while that app has no such page."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _visible_order(user: Any, pk: int) -> WorkOrder:
    order = workorders_visible_to(user).filter(pk=pk).first()
    if order is None:
        raise Http404(_("No such work order."))
    return order


def _user_pk(request: HttpRequest) -> int:
    """The signed-in user's id (every view here requires a login)."""
    return int(request.user.pk or 0)


def _int_or_none(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


# --- the console's start page ------------------------------------------------------------------


@login_required
@require_GET
def console_home(request: HttpRequest) -> HttpResponse:
    """The console's start page: open work by status in the user's units."""
    orders = workorders_visible_to(request.user)
    counts = dict(orders.filter(status__in=OPEN_STATUSES).values_list("status").annotate(n=Count("id")))
    by_status = [(status, label, counts.get(status, 0)) for status, label in Status.choices if status in OPEN_STATUSES]
    recent = orders.order_by("-submitted_at")[:10]
    return render(
        request, "workorders/home.html", {"by_status": by_status, "recent": recent, "open_total": sum(counts.values())}
    )


# --- list and saved views ----------------------------------------------------------------------


# The list page's own columns (the selection box, number, time, customer, product, type, status,
# department, technician); the apps above add theirs (workorders.list_extensions).
LIST_OWN_COLUMNS = 9


@login_required
@view_required
@require_GET
def workorder_list_page(request: HttpRequest) -> HttpResponse:
    form = WorkOrderFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    orders = workorder_list(user=request.user, filters=form.filters()).order_by(*form.ordering())
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = filter_query_string(request.GET)
    context = {
        "form": form,
        "page": page,
        "orders": page.object_list,
        "query_string": query_string,
        "sort": (form.cleaned_data.get("sort") if form.is_bound else "") or "-submitted",
        "list_columns": list_columns(),
        "column_count": LIST_OWN_COLUMNS + len(list_columns()),
        "saved_views": SavedView.objects.filter(user_id=_user_pk(request), list_name=LIST_NAME),
        "saved_view_form": SavedViewForm(initial={"query_string": query_string}),
        # The bulk bar: a new token per rendering, so one submission of it is applied once.
        "bulk_form": BulkActionForm(
            user=request.user, initial={"token": uuid.uuid4().hex, "query_string": query_string}
        ),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "wo-table":
        return render(request, "workorders/partials/list_table.html", context)
    return render(request, "workorders/list.html", context)


def _filtered_orders(request: HttpRequest) -> Any:
    """The list's query from the request's filters: scoped, filtered and sorted as the list shows it."""
    form = WorkOrderFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    return workorder_list(user=request.user, filters=form.filters()).order_by(*form.ordering())


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@view_required
@require_GET
def workorder_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV (UTF-8 with BOM, so Excel shows Chinese), scoped like the list."""
    orders = _filtered_orders(request)[: exports.EXPORT_LIMIT]
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(exports.csv_lines(orders, writer.writerow), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename("csv")}"'
    return response


def _xlsx_response(orders: Any) -> HttpResponse:
    body = exports.xlsx_bytes(orders, sheet_title=_("Work orders"))
    response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename("xlsx")}"'
    return response


@login_required
@view_required
@require_GET
def workorder_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook: the CSV's columns with typed cells (dates are dates)."""
    return _xlsx_response(_filtered_orders(request)[: exports.EXPORT_LIMIT])


# --- bulk actions on the list -------------------------------------------------------------------

#: Who may use each bulk action (the services check again, per order).
BULK_PERMISSIONS = {
    BulkActionForm.ASSIGN: "workorders.dispatch_workorder",
    BulkActionForm.PRIORITY: "workorders.change_workorder",
    BulkActionForm.EXPORT: "workorders.view_workorder",
}


@login_required
@permission_required("workorders.dispatch_workorder", raise_exception=True)
@require_GET
def bulk_assign_picker(request: HttpRequest) -> HttpResponse:
    """The bulk bar's technician picker, read when a dispatcher opens it (htmx), not with the list."""
    return render(request, "workorders/partials/bulk_assign.html", {"form": BulkActionForm(user=request.user)})


@login_required
@view_required
@require_POST
def workorder_bulk(request: HttpRequest) -> HttpResponse:
    """Apply the bulk bar's action to the ticked orders and list what happened to each one
    (workorders.bulk); "export" answers the ticked orders the user may see as an Excel file."""
    form = BulkActionForm(request.POST, user=request.user)
    action = request.POST.get("action", "")
    permission = BULK_PERMISSIONS.get(action)
    if permission is not None and not request.user.has_perm(permission):
        raise PermissionDenied
    back = reverse("workorders:list")
    query_string = filter_query_string(QueryDict(request.POST.get("query_string", "")))
    if query_string:
        back = f"{back}?{query_string}"
    context: dict[str, Any] = {"form": form, "back": back, "outcomes": [], "action_label": ""}
    if not form.is_valid():
        return render(request, "workorders/bulk_result.html", context, status=400)
    data = form.cleaned_data
    context["action_label"] = BulkActionForm.ACTIONS[data["action"]]
    if data["action"] == BulkActionForm.EXPORT:
        orders = workorders_visible_to(request.user).select_related(*list_related())
        return _xlsx_response(orders.filter(pk__in=data["order"]).order_by("-submitted_at", "-id"))
    try:
        if data["action"] == BulkActionForm.ASSIGN:
            outcomes = bulk.workorders_bulk_assign(
                acting_user=request.user,
                selection=form.selection(),
                technician=data["technician"],
                reason=data.get("reason") or "",
                token=data.get("token") or "",
            )
        else:
            outcomes = bulk.workorders_bulk_set_priority(
                acting_user=request.user,
                selection=form.selection(),
                priority=data["priority"],
                token=data.get("token") or "",
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "workorders/bulk_result.html", context, status=400)
    context["outcomes"] = outcomes
    context["done_count"] = sum(1 for outcome in outcomes if outcome.done)
    context["refused_count"] = sum(1 for outcome in outcomes if not outcome.done)
    return render(request, "workorders/bulk_result.html", context)


@login_required
@view_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Keep the current filters under a name (saving the same name again replaces them)."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect("workorders:list")
    query_string = filter_query_string(QueryDict(form.cleaned_data["query_string"] or ""))
    name = form.cleaned_data["name"].strip()
    core_services.saved_view_save(user=request.user, list_name=LIST_NAME, name=name, query_string=query_string)
    messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(f"{reverse('workorders:list')}?{query_string}" if query_string else "workorders:list")


@login_required
@view_required
@require_POST
def saved_view_delete(request: HttpRequest, view_pk: int) -> HttpResponse:
    try:
        view = core_services.saved_view_delete(user=request.user, list_name=LIST_NAME, view_id=view_pk)
    except SavedView.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("workorders:list")


# --- registering a request ----------------------------------------------------------------------


def _picked_customer(form: RegisterForm, user: Any) -> Any:
    if form.data.get("new_customer"):
        return None
    customer_id = _int_or_none(form.data.get("customer") if form.is_bound else form.initial.get("customer"))
    if customer_id is None:
        return None
    return customers_visible_to(user).filter(pk=customer_id).first()


def _customer_devices(user: Any, customer: Any) -> list[Any]:
    if customer is None:
        return []
    return list(devices_visible_to(user).filter(customer_id=customer.pk, is_active=True).order_by("-id")[:50])


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The agent's console: find or create the caller, pick the device, describe, register —
    or add the report to the caller's open order instead of registering a second one."""
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES, user=request.user)
        add_submission_token(form)
        if form.is_valid():
            attach_to = form.cleaned_data.get("attach_order")
            try:
                order_id, replayed = create_once(
                    form,
                    user=request.user,
                    scope="workorders.register",
                    create=(lambda: _add_repeat_request(request, form))
                    if attach_to
                    else (lambda: _register_call(request, form)),
                )
                order = workorders_visible_to(request.user).get(pk=order_id)
            except PossibleDuplicate as duplicate:
                field = "confirm_new_customer" if duplicate.field == "phone" else "confirm_new_order"
                form.add_error(field, duplicate.message)
            except ValidationError as error:
                stage = getattr(error, "stage", "order")
                if stage == "customer":
                    add_service_errors(form, error, aliases=NEW_CUSTOMER_ALIASES)
                elif stage in {"order", "accept"}:
                    add_service_errors(form, error, aliases={"customer": "customer_search"})
                else:
                    form.add_error("attachments", [f"{stage}: {message}" for message in error.messages])
            except (PermissionDenied, TransitionNotAllowed) as error:
                form.add_error(None, str(error))
            else:
                if attach_to and replayed:
                    text = _("The caller's report was already added to work order %(number)s.")
                elif attach_to:
                    text = _("The caller's report was added to work order %(number)s.")
                elif replayed:
                    text = _("Work order %(number)s was already registered from this form.")
                elif order.status == Status.ACCEPTED:
                    text = _("Work order %(number)s registered and accepted.")
                else:
                    text = _("Work order %(number)s registered.")
                messages.success(request, text % {"number": order.number})
                return redirect("workorders:detail", pk=order.pk)
    else:
        form = RegisterForm(user=request.user, initial=_register_initial(request))
        add_submission_token(form)
    customer = _picked_customer(form, request.user)
    devices = _customer_devices(request.user, customer)
    selected_device = _int_or_none(form.data.get("device")) if form.is_bound else None
    context = {
        "form": form,
        "customer": customer,
        "devices": devices,
        "selected_device": selected_device,
        "may_accept": request.user.has_perm("workorders.accept_workorder"),
        "open_orders": open_orders_of_customer(user=request.user, customer_id=customer.pk) if customer else [],
        "duplicates": _new_caller_duplicates(form, request.user),
        "confirm_new_customer": bool(form.data.get("confirm_new_customer")),
        "intake_panels": page_panels("order_intake", request, None),  # e.g. knowledge suggestions
        **_device_history_context(
            request.user, next((device for device in devices if device.pk == selected_device), None), form
        ),
    }
    return render(request, "workorders/register.html", context, status=400 if form.errors else 200)


def _register_call(request: HttpRequest, form: RegisterForm) -> int:
    data = form.cleaned_data
    return services.workorder_register_call(
        acting_user=request.user,
        customer=data.get("customer"),
        new_customer=(
            {"name": data["new_customer_name"], "phone": data["new_customer_phone"], **form.new_customer_fields()}
            if data.get("new_customer")
            else None
        ),
        uploads=data.get("attachments") or [],
        accept="accept" in request.POST,
        confirm_new_customer=bool(data.get("confirm_new_customer")),
        confirm_new_order=bool(data.get("confirm_new_order")),
        **form.workorder_fields(),
    ).pk


def _add_repeat_request(request: HttpRequest, form: RegisterForm) -> int:
    data = form.cleaned_data
    order = data["attach_order"]
    services.workorder_add_repeat_request(
        order=order,
        acting_user=request.user,
        description=data["description"],
        channel=data["channel"],
        uploads=data.get("attachments") or [],
    )
    return int(order.pk)


def _new_caller_duplicates(form: RegisterForm, user: Any) -> CustomerDuplicates:
    """Customers on file who may be the new caller being typed in (customers.policies)."""
    if not form.is_bound or not form.data.get("new_customer"):
        return NO_DUPLICATES
    return customer_duplicates_for(
        user=user, name=form.data.get("new_customer_name") or "", phone=form.data.get("new_customer_phone") or ""
    )


def _device_history_context(user: Any, device: Any, form: RegisterForm | None = None) -> dict[str, Any]:
    """The picked device's service history and its open orders (a new one needs confirming)."""
    if device is None:
        return {"history_device": None, "device_history": [], "device_open_orders": []}
    return {
        "history_device": device,
        "device_history": device_service_history(user=user, device_id=device.pk),
        "device_open_orders": open_orders_of_device(user=user, device_id=device.pk),
        "confirm_new_order": bool(form is not None and form.is_bound and form.data.get("confirm_new_order")),
        "confirm_order_errors": form.errors.get("confirm_new_order", []) if form is not None else [],
    }


def _register_initial(request: HttpRequest) -> dict[str, Any]:
    """Start from a customer or device link (e.g. the customer page's "new request")."""
    initial: dict[str, Any] = {"channel": Channel.PHONE, "service_type": ServiceType.REPAIR}
    customer_id = _int_or_none(request.GET.get("customer"))
    if customer_id:
        initial["customer"] = customer_id
    return initial


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
@require_GET
def lookup_customers(request: HttpRequest) -> HttpResponse:
    """htmx: customers matching what the agent typed (phone, name, pinyin or initials)."""
    query = (request.GET.get("customer_search") or request.GET.get("q") or "").strip()
    customers = list(customer_search(user=request.user, query=query)[:LOOKUP_LIMIT]) if query else []
    return render(request, "workorders/partials/customer_results.html", {"customers": customers, "query": query})


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
@require_GET
def lookup_devices(request: HttpRequest) -> HttpResponse:
    """htmx: the picked customer with their devices to choose from (empty to pick another)."""
    customer = None
    raw = request.GET.get("customer")
    if raw:
        customer = customers_visible_to(request.user).filter(pk=_int_or_none(raw) or 0).first()
        if customer is None:
            raise Http404(_("No such customer."))
    context = {
        "customer": customer,
        "devices": _customer_devices(request.user, customer),
        "selected_device": None,
        "clear_results": True,
        "open_orders": open_orders_of_customer(user=request.user, customer_id=customer.pk) if customer else [],
        **_device_history_context(request.user, None),
    }
    return render(request, "workorders/partials/customer_picked.html", context)


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
@require_GET
def lookup_device_history(request: HttpRequest) -> HttpResponse:
    """htmx: the picked device's service history, and a warning if it has an open order."""
    device = None
    raw = request.GET.get("device")
    if raw:
        device = devices_visible_to(request.user).filter(pk=_int_or_none(raw) or 0).first()
        if device is None:
            raise Http404(_("No such device."))
    return render(request, "workorders/partials/device_history.html", _device_history_context(request.user, device))


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
@require_GET
def lookup_duplicates(request: HttpRequest) -> HttpResponse:
    """htmx: customers on file (in the user's units) who may be the new caller being typed in."""
    duplicates = customer_duplicates_for(
        user=request.user,
        name=(request.GET.get("new_customer_name") or "")[:100],
        phone=(request.GET.get("new_customer_phone") or "")[:32],
    )
    return render(request, "workorders/partials/customer_duplicates.html", {"duplicates": duplicates})


# --- detail --------------------------------------------------------------------------------------


PARAM_LABELS = {
    "material": gettext_lazy("material"),
    "quantity": gettext_lazy("quantity"),
    "subtotal": gettext_lazy("subtotal"),
    "attachment": gettext_lazy("attachment"),
    "kind": gettext_lazy("kind"),
    "to": gettext_lazy("to"),
    "duplicate_customers": gettext_lazy("Customers already on file"),
    "open_orders": gettext_lazy("Open orders of the device"),
}
CHOICES_BY_KEY: dict[str, Any] = {
    "service_type": ServiceType,
    "channel": Channel,
    "urgency": Urgency,
    "status": Status,
    "charge_type": ChargeType,
    "wait_reason": WaitReason,
    "satisfaction": Satisfaction,
    "fault_cause": FaultCause,
}


def _param_label(event: TimelineEvent, key: str) -> str | None:
    """The label of one timeline parameter: the action's field label, an app's registered label,
    else the order field's name; None for a key nobody labelled (an internal key or row id, which
    people never read: issue 18, point 7)."""
    transition = TRANSITIONS_BY_ACTION.get(event.kind)
    if transition is not None:
        for spec in transition.fields:
            if spec.name == key:
                return str(spec.label)
    if key in PARAM_LABELS:
        return str(PARAM_LABELS[key])
    if param_label(key) is not None:
        return str(param_label(key))
    try:
        label = getattr(WorkOrder._meta.get_field(key), "verbose_name", None)
    except FieldDoesNotExist:
        return None
    return None if label is None else str(label)


def _param_value(key: str, value: Any) -> str:
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        if "from" in value or "to" in value:
            return f"{_param_value(key, value.get('from'))} → {_param_value(key, value.get('to'))}"
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    choices = CHOICES_BY_KEY.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None:
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return str(value)


def _shown_on_timeline(value: Any) -> bool:
    """Scalars, people ({id, name}) and changes ({from, to}); not an app's nested details."""
    if isinstance(value, list):
        return False
    if isinstance(value, dict):
        return "name" in value or "from" in value or "to" in value
    return True


def _actor_display(event: TimelineEvent) -> str:
    """The stored label, with the two non-person actors shown in the reader's language."""
    if event.actor_label == services.CUSTOMER_LABEL:
        return str(gettext_lazy("Customer"))
    if event.actor_label == services.SYSTEM_LABEL:
        return str(gettext_lazy("system"))
    return event.actor_label or (str(event.actor) if event.actor else "")


def _timeline(order: WorkOrder) -> list[dict[str, Any]]:
    rows = []
    for event in order.events.all():
        params = []
        attachment_url = ""
        if event.kind == EventKind.ATTACHMENT:
            attachment_pk = _int_or_none((event.data or {}).get("attachment"))
            if attachment_pk:
                attachment_url = reverse("workorders:attachment", args=[order.pk, attachment_pk])
        elif (custom := timeline_params_for(event.kind)) is not None:
            params = custom(event)
        else:
            # Nested structures (an app's decision details) are shown by that app's panel, not here.
            params = [
                (label, _param_value(key, value))
                for key, value in (event.data or {}).items()
                if _shown_on_timeline(value) and (label := _param_label(event, key)) is not None
            ]
        rows.append(
            {
                "event": event,
                "actor": _actor_display(event),
                "from_label": Status(event.from_status).label if event.from_status else "",
                "to_label": Status(event.to_status).label if event.to_status else "",
                "params": params,
                "attachment_url": attachment_url,
            }
        )
    return rows


def _action_forms(
    order: WorkOrder, transitions: list[Transition], technicians: list[Any], open_action: str, open_form: Any
) -> list[tuple[Transition, Any]]:
    rows = []
    for transition in transitions:
        if transition.action == open_action and open_form is not None:
            rows.append((transition, open_form))
        else:
            initial = {"version": order.version, **_action_initial(order, transition)}
            rows.append((transition, TransitionForm(initial=initial, transition=transition, technicians=technicians)))
    return rows


def _action_initial(order: WorkOrder, transition: Transition) -> dict[str, Any]:
    """Pre-fill an action's form with what the order already has (current technician, appointment…)."""
    initial: dict[str, Any] = {}
    for spec in transition.fields:
        if spec.type == "user" and order.technician_id:
            initial[spec.name] = str(order.technician_id)
        elif spec.type == "datetime" and order.appointment_at:
            initial[spec.name] = timezone.localtime(order.appointment_at).strftime("%Y-%m-%dT%H:%M")
        elif spec.name == "charge_type" and order.charge_type:
            initial[spec.name] = order.charge_type
        elif spec.name == "signer_name":
            initial[spec.name] = order.applicant_name
    return initial


def _render_detail(
    request: HttpRequest,
    order_pk: int,
    *,
    status: int = 200,
    page_error: str = "",
    open_action: str = "",
    action_form: Any = None,
    comment_form: CommentForm | None = None,
    upload_form: UploadForm | None = None,
    material_form: MaterialForm | None = None,
) -> HttpResponse:
    user = request.user
    full = workorder_detail_for(user=user, pk=order_pk)
    if full is None:
        raise Http404(_("No such work order."))
    transitions = services.allowed_transitions(full, services.Actor(user))
    needs_technicians = any(spec.type == "user" for t in transitions for spec in t.fields)
    technicians = list(technicians_for_order(user, full)) if needs_technicians else []
    materials = list(full.materials.all())
    may_work = services.may_edit_or_work(user) and full.status not in FINISHED
    context = {
        "order": full,
        "page_error": page_error,
        "actions": _action_forms(full, transitions, technicians, open_action, action_form),
        "open_action": open_action,
        "materials": materials,
        "materials_total": sum((line.subtotal for line in materials), Decimal("0.00")),
        "attachments": list(full.attachments.all()),
        "timeline": _timeline(full),
        "may_work": may_work,
        "may_edit": user.has_perm("workorders.change_workorder") and full.status not in FINISHED,
        "comment_form": comment_form or CommentForm(),
        "upload_form": upload_form or UploadForm(),
        "material_form": material_form or MaterialForm(),
        "customer_url": _optional_url("customers:detail", full.customer_id),
        "device_url": _optional_url("devices:detail", full.device_id) if full.device_id else "",
        "order_panels": order_panels_for(request, full),
    }
    return render(request, "workorders/detail.html", context, status=status)


@login_required
@view_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
@view_required
@require_GET
def print_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as the paper form of seed 000, 附件3 服务申请维修单: one A4 page with the form's
    Chinese labels whatever the reader's language (it is handed to and signed by the customer,
    like the service report), printed from the browser (print CSS)."""
    order = workorder_detail_for(user=request.user, pk=pk)
    if order is None:
        raise Http404(_("No such work order."))
    materials = list(order.materials.all())
    context = {
        "order": order,
        "materials": materials,
        "materials_total": sum((line.subtotal for line in materials), Decimal("0.00")),
        # The paper form has room for a few material lines: empty ones keep its shape.
        "blank_material_rows": range(max(0, PRINT_MATERIAL_ROWS - len(materials))),
    }
    return render(request, "workorders/print.html", context)


@login_required
@view_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one action from the detail page's inline form; refusals come back as a message."""
    order = _visible_order(request.user, pk)
    spec = TRANSITIONS_BY_ACTION.get(action)
    if spec is None:
        raise Http404(_("Unknown action."))
    raw = {field.name: request.POST.get(field.name, "") for field in spec.fields}
    version = _int_or_none(request.POST.get("version"))
    technicians = list(technicians_for_order(request.user, order)) if any(f.type == "user" for f in spec.fields) else []
    form = TransitionForm(initial={**raw, "version": version}, transition=spec, technicians=technicians)
    if version is None:
        return _render_detail(
            request,
            order.pk,
            status=400,
            page_error=_("The form is out of date; reload the page and try again."),
        )
    try:
        order = services.workorder_transition(
            order=order, action=action, acting_user=request.user, data=raw, expected_version=version
        )
    except ValidationError as error:
        form.service_errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        message = "; ".join(
            f"{_field_label(spec, name)}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
            for name, texts in form.service_errors.items()
        )
        return _render_detail(request, order.pk, status=400, page_error=message, open_action=action, action_form=form)
    except (TransitionNotAllowed, VersionConflict) as error:
        return _render_detail(request, order.pk, status=409, page_error=error.message)
    except PermissionDenied as error:
        return _render_detail(request, order.pk, status=403, page_error=str(error) or _("You may not do this."))
    messages.success(
        request,
        _("%(action)s: %(number)s is now “%(status)s”.")
        % {"action": spec.label, "number": order.number, "status": order.get_status_display()},
    )
    return redirect("workorders:detail", pk=order.pk)


def _field_label(transition: Transition, name: str) -> str:
    for field in transition.fields:
        if field.name == name:
            return str(field.label or name)
    return name


@login_required
@view_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request.user, pk)
    if not services.may_edit_or_work(request.user):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.workorder_comment(order=order, acting_user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment added."))
            return redirect(f"{reverse('workorders:detail', args=[order.pk])}#timeline")
    return _render_detail(request, order.pk, status=400, page_error=_("The comment was not added."), comment_form=form)


@login_required
@view_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request.user, pk)
    if not services.may_edit_or_work(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        current = ""
        try:
            with transaction.atomic():
                for file in form.cleaned_data["attachments"]:
                    current = file.name
                    services.workorder_add_attachment(order=order, upload=file, acting_user=request.user)
        except ValidationError as error:
            form.add_error("attachments", [f"{current}: {message}" for message in error.messages])
        except TransitionNotAllowed as refused:
            return _render_detail(request, order.pk, status=409, page_error=refused.message, upload_form=form)
        else:
            count = len(form.cleaned_data["attachments"])
            messages.success(request, _("%(count)s file(s) attached.") % {"count": count})
            return redirect(f"{reverse('workorders:detail', args=[order.pk])}#attachments")
    problems = " ".join(str(message) for message in form.errors.get("attachments", [])) or _("No file was attached.")
    return _render_detail(request, order.pk, status=400, page_error=problems, upload_form=form)


@login_required
@view_required
@require_POST
def material(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request.user, pk)
    if not services.may_edit_or_work(request.user):
        raise PermissionDenied
    form = MaterialForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.workorder_add_material(
                order=order,
                acting_user=request.user,
                name=data["name"],
                model=data.get("model") or "",
                unit_of_measure=data["unit_of_measure"],
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                extra=data.get("extra") or Decimal("0"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionNotAllowed as refused:
            return _render_detail(request, order.pk, status=409, page_error=refused.message, material_form=form)
        else:
            messages.success(request, _("Material line added."))
            return redirect(f"{reverse('workorders:detail', args=[order.pk])}#materials")
    return _render_detail(
        request, order.pk, status=400, page_error=_("The material line was not added."), material_form=form
    )


@login_required
@view_required
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Serve an attachment of an order the user may see; photos and PDFs open in the browser."""
    order = _visible_order(request.user, pk)
    record = get_object_or_404(Attachment, pk=attachment_pk, order_id=order.pk)
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing.")) from None
    inline = record.content_type.startswith(INLINE_TYPES)
    response = FileResponse(
        handle, content_type=record.content_type, as_attachment=not inline, filename=record.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- edit ----------------------------------------------------------------------------------------


@login_required
@permission_required("workorders.change_workorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an order's details with the version it was loaded at: a stale edit overwrites nothing."""
    order = _visible_order(request.user, pk)
    status = 200
    if request.method == "POST":
        form = WorkOrderEditForm(request.POST, user=request.user, order=order)
        if form.is_valid():
            try:
                services.workorder_update(
                    order=order,
                    acting_user=request.user,
                    changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                )
            except (VersionConflict, TransitionNotAllowed) as error:
                form.add_error(None, error.message)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, _("Work order %(number)s saved.") % {"number": order.number})
                return redirect("workorders:detail", pk=order.pk)
        if status == 200:
            status = 400
    else:
        form = WorkOrderEditForm(initial=WorkOrderEditForm.initial_for(order), user=request.user, order=order)
    return render(request, "workorders/edit.html", {"form": form, "order": order}, status=status)
