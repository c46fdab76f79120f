"""Staff pages: my in-app inbox, the outbox console (delivery log, retry), message templates. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_versioned_edit, form_int
from notify import services
from notify.forms import MessageTemplateForm, OutboxFilterForm
from notify.selectors import (
    inbox_for,
    inbox_unread_count,
    message_templates_visible_to,
    order_deliveries,
    outbox_search,
)

PAGE_SIZE = 30


@login_required
@permission_required("notify.view_outboxmessage", raise_exception=True)
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(inbox_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread_only": unread_only, "unread_count": inbox_unread_count(request.user)},
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one message (``id``) or all of the user's unread messages read."""
    raw = request.POST.get("id", "")
    message_id = form_int(raw)
    ids = [message_id] if message_id is not None else None
    services.inbox_mark_read(user=request.user, message_ids=ids)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "notify:inbox")


@login_required
@permission_required("notify.view_outboxmessage", raise_exception=True)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = outbox_search(
        user=request.user,
        status=filters.get("status") or "",
        channel=filters.get("channel") or "",
        template_key=filters.get("template_key") or "",
        order_id=filters.get("order"),
        customer_id=filters.get("customer"),
    ).select_related("order", "customer")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/outbox.html", {"form": form, "page": page})


@login_required
@permission_required("notify.view_outboxmessage", raise_exception=True)
def order_log(request: HttpRequest, order_id: int) -> HttpResponse:
    """The rows of a work order's delivery log (loaded into its card on the order page)."""
    return render(request, "notify/partials/log_table.html", {"rows": order_deliveries(request.user, order_id)})


@login_required
@require_POST
@permission_required("notify.change_outboxmessage", raise_exception=True)
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(outbox_search(user=request.user), pk=pk)
    try:
        services.outbox_retry(message=message, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The message is queued to be sent again."))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "notify:outbox")


@login_required
@permission_required("notify.view_messagetemplate", raise_exception=True)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/templates.html", {"templates": list(message_templates_visible_to(request.user))})


@login_required
@permission_required("notify.change_messagetemplate", raise_exception=True)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(message_templates_visible_to(request.user), pk=pk)
    form = MessageTemplateForm(request.POST or None, instance=template)
    status: int | None = 200
    if request.method == "POST":
        status = apply_versioned_edit(
            form,
            lambda changes, version: services.message_template_update(
                template=template, acting_user=request.user, changes=changes, expected_version=version
            ),
        )
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("notify:templates")
    return render(request, "notify/template_form.html", {"form": form, "template": template}, status=status)
