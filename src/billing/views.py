"""Staff pages of billing: the quote & settlement actions of the order panel, the receipt,
finance's review list, purchasing's price requests and the fee/price configuration. Thin views."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing import services
from billing.choices import PurchaseRequestStatus, SettlementStatus
from billing.forms import (
    FeeScheduleForm,
    PhoneConfirmForm,
    PriceListForm,
    PurchasePriceForm,
    QuoteBuildForm,
    ReviewForm,
    SettlementForm,
)
from billing.models import FeeSchedule
from billing.pdf import settlement_receipt_pdf
from billing.selectors import (
    fee_schedules,
    part_price_lists,
    purchase_requests_visible_to,
    quotes_visible_to,
    settlements_visible_to,
)
from core.choices import FeeKind
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors, form_status
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 25


def _label(form: Any, name: str) -> str:
    if name in form.fields:
        return str(form.fields[name].label)
    if name.startswith("parts."):
        _prefix, index, field = (name.split(".") + ["", ""])[:3]
        return _("Part %(row)s, %(field)s") % {"row": int(index) + 1 if index.isdigit() else index, "field": field}
    return name


def _errors_text(form: Any, error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        f"{_label(form, name)}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
        for name, texts in error.message_dict.items()
    )


def _order(request: HttpRequest, pk: int) -> WorkOrder:
    return get_object_or_404(workorders_visible_to(request.user), pk=pk)


def _back(order_pk: int) -> HttpResponse:
    return redirect(reverse("workorders:detail", kwargs={"pk": order_pk}) + "#quote-panel")


def _run(request: HttpRequest, form: Any, action: Any, success: str) -> bool:
    try:
        action()
    except ValidationError as error:
        messages.error(request, _errors_text(form, error))
    except (TransitionNotAllowed, VersionConflict) as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        messages.success(request, success)
        return True
    return False


def _form_valid(request: HttpRequest, form: Any) -> bool:
    """Validate a posted form; its field errors go to one flash message, because these actions
    redirect to a page that does not re-show the form."""
    if form.is_valid():
        return True
    messages.error(
        request, "; ".join(f"{_label(form, n)}: {' '.join(str(m) for m in e)}" for n, e in form.errors.items())
    )
    return False


@login_required
@permission_required("billing.add_quote", raise_exception=True)
@require_POST
def quote_build(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = QuoteBuildForm(request.POST, prefix="quote")
    if not _form_valid(request, form):
        return _back(order.pk)
    data = form.cleaned_data
    _run(
        request,
        form,
        lambda: services.quote_build(
            order=order,
            acting_user=request.user,
            days=data["days"],
            nights=data["nights"],
            hours=data["hours"],
            travel_cost=data["travel_cost"],
            parts=form.parts(),
            provided_by_customer=data["provided_by_customer"],
        ),
        _("Quote drawn up. Check it and send it to the customer."),
    )
    return _back(order.pk)


@login_required
@permission_required("billing.add_quote", raise_exception=True)
@require_POST
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_visible_to(request.user), pk=pk)
    _run(
        request,
        QuoteBuildForm(),
        lambda: services.quote_send(quote=quote, acting_user=request.user, note=request.POST.get("note", "")[:300]),
        _("Quote sent: the customer can approve it on the customer page or by phone."),
    )
    return _back(quote.order_id)


@login_required
@permission_required("workorders.record_customer_action", raise_exception=True)
@require_POST
def quote_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_visible_to(request.user), pk=pk)
    form = PhoneConfirmForm(request.POST, prefix="phone")
    if not _form_valid(request, form):
        return _back(quote.order_id)
    data = form.cleaned_data
    _run(
        request,
        form,
        lambda: services.quote_confirm_by_phone(
            quote=quote,
            acting_user=request.user,
            confirmed_by=data["confirmed_by"],
            confirmed_at=data.get("confirmed_at"),
            note=data.get("note", ""),
        ),
        _("Phone confirmation recorded: the order can be dispatched."),
    )
    return _back(quote.order_id)


@login_required
@permission_required("billing.add_settlement", raise_exception=True)
@require_POST
def settlement_create(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = SettlementForm(request.POST, prefix="settle")
    if not _form_valid(request, form):
        return _back(order.pk)
    data = form.cleaned_data
    _run(
        request,
        form,
        lambda: services.settlement_record(
            order=order,
            acting_user=request.user,
            actual_charge=data["actual_charge"],
            amount_paid=data["amount_paid"],
            payment_method=data["payment_method"],
            receiver=data["receiver"],
            paid_at=data.get("paid_at"),
            note=data.get("note", ""),
        ),
        _("Settlement recorded; finance will review it."),
    )
    return _back(order.pk)


@login_required
@permission_required("billing.view_settlement", raise_exception=True)
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = get_object_or_404(settlements_visible_to(request.user), pk=pk)
    response = HttpResponse(settlement_receipt_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{settlement.receipt_number}.pdf"'
    return response


def _page_by_status(request: HttpRequest, rows: QuerySet, statuses: list[str], default: str) -> tuple[Page, str]:
    """A page of a work list narrowed to ``?status=`` (the pending one unless asked; an unknown
    value lists every status), and the status asked for."""
    status = request.GET.get("status", default)
    if status in statuses:
        rows = rows.filter(status=status)
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), status


@login_required
@permission_required("billing.view_settlement", raise_exception=True)
def settlement_list(request: HttpRequest) -> HttpResponse:
    page, status = _page_by_status(
        request, settlements_visible_to(request.user), SettlementStatus.values, SettlementStatus.RECORDED
    )
    return render(
        request,
        "billing/settlement_list.html",
        {"page": page, "status": status, "statuses": SettlementStatus.choices, "review_form": ReviewForm()},
    )


@login_required
@permission_required("billing.review_settlement", raise_exception=True)
@require_POST
def settlement_review(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = get_object_or_404(settlements_visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if _form_valid(request, form):
        data = form.cleaned_data
        _run(
            request,
            form,
            lambda: services.settlement_review(
                settlement=settlement,
                acting_user=request.user,
                approve=data["decision"] == "approve",
                note=data.get("note", ""),
                expected_version=data.get("version"),
            ),
            _("Review recorded for %(receipt)s.") % {"receipt": settlement.receipt_number},
        )
    return redirect("billing:settlements")


@login_required
@permission_required("billing.view_purchasequoterequest", raise_exception=True)
def purchase_request_list(request: HttpRequest) -> HttpResponse:
    page, status = _page_by_status(
        request, purchase_requests_visible_to(request.user), PurchaseRequestStatus.values, PurchaseRequestStatus.OPEN
    )
    return render(
        request,
        "billing/purchase_request_list.html",
        {"page": page, "status": status, "statuses": PurchaseRequestStatus.choices, "price_form": PurchasePriceForm()},
    )


@login_required
@permission_required("billing.price_purchasequoterequest", raise_exception=True)
@require_POST
def purchase_request_price(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(purchase_requests_visible_to(request.user), pk=pk)
    form = PurchasePriceForm(request.POST)
    if _form_valid(request, form):
        _run(
            request,
            form,
            lambda: services.purchase_request_price(
                request=item,
                acting_user=request.user,
                unit_price=form.cleaned_data["unit_price"],
                note=form.cleaned_data.get("note", ""),
            ),
            _("Price recorded for %(part)s.") % {"part": item.description},
        )
    return redirect("billing:purchase_requests")


@login_required
@permission_required("billing.view_feeschedule", raise_exception=True)
def fee_schedule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/fee_schedule_list.html", {"schedules": list(fee_schedules()[:50])})


def _schedule_initial(latest: FeeSchedule | None) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if latest is None:
        return initial
    for rate in latest.rates.all():
        initial[f"{rate.kind}_unit"] = rate.unit
        initial[f"{rate.kind}_amount"] = "" if rate.amount is None else str(rate.amount)
        initial[f"{rate.kind}_provided"] = rate.customer_may_provide
        initial[f"{rate.kind}_remark"] = rate.remark
    return initial


@login_required
@permission_required("billing.add_feeschedule", raise_exception=True)
@require_http_methods(["GET", "POST"])
def fee_schedule_create(request: HttpRequest) -> HttpResponse:
    """A new version, pre-filled with the latest one's rates (versions are never edited)."""
    form = FeeScheduleForm(request.POST or None, initial=_schedule_initial(fee_schedules().first()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rates = [
            services.RateSpec(
                kind=kind,
                unit=data[f"{kind}_unit"],
                amount=data[f"{kind}_amount"] or None,
                customer_may_provide=data[f"{kind}_provided"],
                remark=data[f"{kind}_remark"],
            )
            for kind in FeeKind.values
            if data.get(f"{kind}_unit")
        ]
        try:
            services.fee_schedule_create(
                acting_user=request.user, effective_from=data["effective_from"], rates=rates, note=data["note"]
            )
        except ValidationError as error:
            aliases = {f"rates.{i}.{f}": f"{r.kind}_{f}" for i, r in enumerate(rates) for f in ("amount", "unit")}
            add_service_errors(form, error, aliases=aliases)
        else:
            messages.success(request, _("New fee schedule saved."))
            return redirect("billing:fee_schedules")
    rows = [
        (label, form[f"{kind}_unit"], form[f"{kind}_amount"], form[f"{kind}_provided"], form[f"{kind}_remark"])
        for kind, label in FeeKind.choices
    ]
    return render(request, "billing/fee_schedule_form.html", {"form": form, "rows": rows}, status=form_status(form))


@login_required
@permission_required("billing.view_partpricelist", raise_exception=True)
def price_list_list(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/price_list_list.html", {"price_lists": list(part_price_lists()[:20])})


@login_required
@permission_required("billing.add_partpricelist", raise_exception=True)
@require_http_methods(["GET", "POST"])
def price_list_create(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        specs = []
        for row in csv.reader(io.StringIO(data["rows"])):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            cells += [""] * (4 - len(cells))
            specs.append(
                services.PartPriceSpec(
                    code=cells[0], name=cells[1], unit_price=cells[2], unit_of_measure=cells[3] or "个"
                )
            )
        try:
            services.part_price_list_create(
                acting_user=request.user, effective_from=data["effective_from"], prices=specs, note=data["note"]
            )
        except ValidationError as error:
            form.add_error(
                "rows" if "effective_from" not in error.message_dict else "effective_from", _errors_text(form, error)
            )
        else:
            messages.success(request, _("New parts price list saved."))
            return redirect("billing:price_lists")
    return render(request, "billing/price_list_form.html", {"form": form}, status=form_status(form))
