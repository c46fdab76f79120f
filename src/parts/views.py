"""Staff pages for parts and stock. Thin: read through the scoped selectors, write through the
services; a refusal is shown as a message naming what was wrong."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import OutOfStock
from parts import services
from parts.choices import InspectionResult, LoanerCondition, MoveKind, PartStatus, ReservationStatus
from parts.selectors import (
    move_journal,
    parts_visible_to,
    reservations_visible_to,
    stock_list,
    van_of,
    warehouses_visible_to,
)
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 50
STOCK_ROW_FIELDS = ("on_hand", "reserved", "in_transit", "part__code", "part__name", "warehouse__code")


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _q(request: HttpRequest, name: str, max_length: int = 64) -> str:
    return (request.GET.get(name) or "").strip()[:max_length]


@login_required
@permission_required("parts.view_part", raise_exception=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    parts = parts_visible_to(request.user).select_related("superseded_by").prefetch_related("product_models")
    text, status = _q(request, "q"), _q(request, "status")
    if text:
        parts = parts.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if status in PartStatus.values:
        parts = parts.filter(status=status)
    return render(
        request,
        "parts/catalogue.html",
        {"page": _page(request, parts.order_by("code")), "q": text, "status": status, "statuses": PartStatus.choices},
    )


@login_required
@permission_required("parts.view_stockbalance", raise_exception=True)
def stock(request: HttpRequest) -> HttpResponse:
    part, warehouse, text = _q(request, "part"), _q(request, "warehouse", 32), _q(request, "q")
    low = request.GET.get("low") == "1"
    balances = stock_list(user=request.user, part=part, warehouse=warehouse, low=low, q=text)
    # Only the columns the table shows: a page is 50 rows and their part and warehouse, and the
    # filter's list of warehouses (code and name), not whole model rows (benchmarks/README.md, "stock").
    balances = balances.only(*STOCK_ROW_FIELDS)
    return render(
        request,
        "parts/stock.html",
        {
            "page": _page(request, balances),
            "part": part,
            "warehouse": warehouse,
            "q": text,
            "low": low,
            "warehouses": warehouses_visible_to(request.user)
            .select_related(None)
            .only("code", "name")
            .order_by("code"),
        },
    )


@login_required
@permission_required("parts.view_stockmove", raise_exception=True)
def moves(request: HttpRequest) -> HttpResponse:
    part, warehouse, kind = _q(request, "part"), _q(request, "warehouse", 32), _q(request, "kind", 16)
    journal = move_journal(user=request.user, part=part, warehouse=warehouse, kind=kind)
    return render(
        request,
        "parts/moves.html",
        {
            "page": _page(request, journal),
            "part": part,
            "warehouse": warehouse,
            "kind": kind,
            "kinds": MoveKind.choices,
        },
    )


@login_required
@permission_required("parts.view_reservation", raise_exception=True)
def reservations(request: HttpRequest) -> HttpResponse:
    held = reservations_visible_to(request.user)
    status = _q(request, "status", 16) or ReservationStatus.ACTIVE
    if status in ReservationStatus.values:
        held = held.filter(status=status)
    return render(
        request,
        "parts/reservations.html",
        {"page": _page(request, held.order_by("-id")), "status": status, "statuses": ReservationStatus.choices},
    )


@login_required
@permission_required("parts.view_warehouse", raise_exception=True)
def warehouses(request: HttpRequest) -> HttpResponse:
    return render(
        request, "parts/warehouses.html", {"page": _page(request, warehouses_visible_to(request.user).order_by("code"))}
    )


@login_required
def my_van(request: HttpRequest) -> HttpResponse:
    """The technician's van stock (the phone page links here)."""
    van = van_of(request.user)
    balances = stock_list(user=request.user, warehouse=van.code) if van is not None else []
    return render(request, "parts/my_van.html", {"van": van, "balances": balances})


# --- actions from the order page -----------------------------------------------------------------


def _refusal(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for field_messages in exc.message_dict.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.error(request, str(getattr(exc, "message", exc)))


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _order_url(order: Any) -> str:
    from django.urls import reverse

    return reverse("workorders:detail", args=[order.pk])


@login_required
@require_POST
def order_reserve(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_pk)
    part = parts_visible_to(request.user).filter(code=(request.POST.get("part") or "").strip()[:64]).first()
    warehouse = warehouses_visible_to(request.user).filter(code=(request.POST.get("warehouse") or "")[:32]).first()
    try:
        if part is None:
            raise ValidationError({"part": _("Unknown part.")})
        if warehouse is None:
            raise ValidationError({"warehouse": _("Unknown warehouse.")})
        services.reservation_create(
            acting_user=request.user,
            part=part,
            warehouse=warehouse,
            quantity=_int(request.POST.get("quantity")),
            work_order=order,
            promise=(request.POST.get("promise") or "").strip()[:16] or None,
        )
        messages.success(request, _("Part reserved."))
    except (ValidationError, OutOfStock, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(_order_url(order))


@login_required
@require_POST
def reservation_issue(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = get_object_or_404(reservations_visible_to(request.user), pk=pk)
    try:
        services.stock_move(
            acting_user=request.user,
            kind=MoveKind.ISSUE,
            part=reservation.part,
            warehouse=reservation.warehouse,
            quantity=_int(request.POST.get("quantity")),
            reservation=reservation,
            work_order=reservation.work_order,
        )
        messages.success(request, _("Part issued."))
    except (ValidationError, OutOfStock, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(_order_url(reservation.work_order))


@login_required
@require_POST
def reservation_release(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = get_object_or_404(reservations_visible_to(request.user), pk=pk)
    try:
        services.reservation_release(acting_user=request.user, reservation=reservation)
        messages.success(request, _("Reservation released."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(_order_url(reservation.work_order))


@login_required
@require_POST
def order_return(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_pk)
    part = parts_visible_to(request.user).filter(code=(request.POST.get("part") or "")[:64]).first()
    warehouse = warehouses_visible_to(request.user).filter(code=(request.POST.get("warehouse") or "")[:32]).first()
    try:
        if part is None or warehouse is None:
            raise ValidationError({"part": _("Unknown part.")})
        services.stock_move(
            acting_user=request.user,
            kind=MoveKind.RETURN,
            part=part,
            warehouse=warehouse,
            quantity=_int(request.POST.get("quantity")),
            work_order=order,
        )
        messages.success(request, _("Unused part returned."))
    except (ValidationError, OutOfStock, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(_order_url(order))


# --- faulty-part returns and spare units -----------------------------------------------------------


@login_required
@permission_required("parts.view_faultyreturn", raise_exception=True)
def returns(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from parts.choices import FaultyReturnStatus
    from parts.selectors import faulty_returns_overdue, faulty_returns_visible_to

    overdue_only = request.GET.get("overdue") == "1"
    status = _q(request, "status", 16)
    records = faulty_returns_overdue(user=request.user) if overdue_only else faulty_returns_visible_to(request.user)
    if status in FaultyReturnStatus.values:
        records = records.filter(status=status)
    return render(
        request,
        "parts/returns.html",
        {
            "page": _page(request, records.order_by("unit__code", "due_on", "id")),
            "overdue": overdue_only,
            "status": status,
            "statuses": FaultyReturnStatus.choices,
            "today": timezone.localdate(),
            "warehouses": warehouses_visible_to(request.user).filter(is_active=True).order_by("code"),
            "may_change": request.user.has_perm("parts.change_faultyreturn"),
            "results": InspectionResult.choices,
        },
    )


@login_required
@permission_required("parts.view_loaner", raise_exception=True)
def loaners(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from parts.selectors import loaners_visible_to, open_loans_by_loaner

    pool = list(loaners_visible_to(request.user).order_by("unit__code", "serial_number")[:500])
    loans = open_loans_by_loaner([loaner.pk for loaner in pool])
    rows = [(loaner, loans.get(loaner.pk)) for loaner in pool]
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "may_lend": request.user.has_perm("parts.change_loaner"),
        "conditions": LoanerCondition.choices,
    }
    return render(request, "parts/loaners.html", context)


@login_required
@permission_required("parts.view_loaner", raise_exception=True)
def loaner_history(request: HttpRequest, pk: int) -> HttpResponse:
    from parts.selectors import loaners_visible_to

    loaner = get_object_or_404(loaners_visible_to(request.user), pk=pk)
    history = loaner.loans.select_related("work_order", "lent_by").order_by("-lent_at")
    return render(request, "parts/loaner_history.html", {"loaner": loaner, "history": history})


@login_required
@require_POST
def return_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Receive, inspect or close a faulty-part return from the returns page."""
    from parts.selectors import faulty_returns_visible_to

    record = get_object_or_404(faulty_returns_visible_to(request.user), pk=pk)
    try:
        if action == "receive":
            warehouse = (
                warehouses_visible_to(request.user).filter(code=(request.POST.get("warehouse") or "")[:32]).first()
            )
            if warehouse is None:
                raise ValidationError({"warehouse": _("Unknown warehouse.")})
            services.faulty_return_receive(acting_user=request.user, record=record, warehouse=warehouse)
        elif action == "inspect":
            services.faulty_return_inspect(
                acting_user=request.user, record=record, result=request.POST.get("result", "")
            )
        elif action == "close":
            services.faulty_return_close(
                acting_user=request.user,
                record=record,
                outcome=request.POST.get("outcome", ""),
                supplier_claim=request.POST.get("supplier_claim", ""),
            )
        else:
            raise ValidationError({"action": _("Unknown action.")})
        messages.success(request, _("Return updated."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("parts:returns")


@login_required
@require_POST
def loaner_lend(request: HttpRequest, pk: int) -> HttpResponse:
    from datetime import date

    from parts.selectors import loaners_visible_to

    loaner = get_object_or_404(loaners_visible_to(request.user), pk=pk)
    try:
        order = (
            workorders_visible_to(request.user)
            .filter(number=(request.POST.get("work_order") or "").strip()[:32])
            .first()
        )
        if order is None:
            raise ValidationError({"work_order": _("Unknown work order.")})
        try:
            due_back = date.fromisoformat(request.POST.get("due_back") or "")
        except ValueError:
            raise ValidationError({"due_back": _("Choose a due-back date from today on.")}) from None
        services.loaner_lend(acting_user=request.user, loaner=loaner, order=order, due_back=due_back)
        messages.success(request, _("Spare unit lent."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("parts:loaners")


@login_required
@require_POST
def loaner_take_back(request: HttpRequest, pk: int) -> HttpResponse:
    from parts.models import LoanerLoan
    from parts.selectors import loaners_visible_to

    loaner = get_object_or_404(loaners_visible_to(request.user), pk=pk)
    loan = LoanerLoan.objects.filter(loaner=loaner, returned_at__isnull=True).first()
    try:
        if loan is None:
            raise ValidationError({"loan": _("This spare unit was already returned.")})
        services.loaner_return(acting_user=request.user, loan=loan, condition=request.POST.get("condition", ""))
        messages.success(request, _("Spare unit returned."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("parts:loaners")


@login_required
@permission_required("parts.view_stockbalance", raise_exception=True)
def suggestions(request: HttpRequest) -> HttpResponse:
    """Open purchase / transfer suggestions of the daily reorder scan, for the user's warehouses."""
    from parts.choices import SuggestionStatus
    from parts.models import ReorderSuggestion

    visible = warehouses_visible_to(request.user).values("pk")
    rows = (
        ReorderSuggestion.objects.filter(warehouse__in=visible, status=SuggestionStatus.OPEN)
        .select_related("part", "warehouse", "source")
        .order_by("warehouse__code", "part__code")
    )
    return render(request, "parts/suggestions.html", {"page": _page(request, rows)})


# --- the catalogue and stock forms, Excel imports and exports (issue 11, points 9 and 10) ------------


@login_required
@permission_required("parts.add_part", raise_exception=True)
@require_http_methods(["GET", "POST"])
def part_new(request: HttpRequest) -> HttpResponse:
    """Add a part to the catalogue (``services.part_create``); a refusal keeps what was typed."""
    from django.urls import reverse

    from core.forms import add_service_errors, add_submission_token, create_once, form_status
    from parts.excel import CellError
    from parts.forms import PartForm
    from parts.models import Part

    form = PartForm(request.POST or None)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            codes = form.model_codes()
            part_id, _replayed = create_once(
                form,
                user=request.user,
                scope="parts.part_new",
                create=lambda: (
                    services.part_create(
                        acting_user=request.user,
                        code=data["code"],
                        name=data["name"],
                        uom=data["uom"],
                        product_models=codes,
                        genuine=data["genuine"],
                        supplier=data["supplier"],
                    ).pk
                ),
            )
        except CellError as error:
            form.add_error("product_models", error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            part = Part.objects.get(pk=part_id)
            messages.success(request, _("Part %(part)s added to the catalogue.") % {"part": part})
            return redirect(f"{reverse('parts:catalogue')}?q={part.code}")
    return render(request, "parts/part_form.html", {"form": form}, status=form_status(form))


@login_required
@permission_required("parts.add_stockmove", raise_exception=True)
@require_http_methods(["GET", "POST"])
def stock_move_new(request: HttpRequest) -> HttpResponse:
    """Post a receive, transfer, ship, adjust or scrap from the stock page (``services.stock_move``);
    a refusal (a shortage with what is available, an unknown code) names the field and keeps the input."""
    from django.urls import reverse

    from core.forms import add_service_errors, add_submission_token, create_once, form_status
    from parts.forms import StockMoveForm
    from parts.models import Warehouse

    own = warehouses_visible_to(request.user).filter(is_active=True).order_by("code")
    initial = {name: _q(request, name) for name in ("kind", "part", "warehouse")}
    form = StockMoveForm(request.POST or None, warehouses=own, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            part = parts_visible_to(request.user).filter(code=data["part"].strip()).first()
            if part is None:
                raise ValidationError({"part": _("Unknown part.")})
            warehouse = own.get(code=data["warehouse"])
            to_warehouse = None
            if data["to_warehouse"].strip():
                # A shipment may go to any active warehouse; a transfer only between the user's own.
                scope = (
                    Warehouse.objects.all() if data["kind"] == MoveKind.SHIP else warehouses_visible_to(request.user)
                )
                to_warehouse = scope.filter(code=data["to_warehouse"].strip()).first()
                if to_warehouse is None:
                    raise ValidationError({"to_warehouse": _("Unknown warehouse.")})
            move_id, _replayed = create_once(
                form,
                user=request.user,
                scope="parts.stock_move",
                create=lambda: (
                    services.stock_move(
                        acting_user=request.user,
                        kind=data["kind"],
                        part=part,
                        warehouse=warehouse,
                        quantity=_int(data["quantity"].strip()),
                        to_warehouse=to_warehouse,
                        note=data["note"],
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except OutOfStock as shortage:
            form.add_error(shortage.field if shortage.field in form.fields else None, shortage.message)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(request, _("Stock move #%(id)s posted.") % {"id": move_id})
            return redirect(f"{reverse('parts:stock')}?warehouse={warehouse.code}")
    context = {"form": form, "all_warehouses": own}
    return render(request, "parts/stock_move_form.html", context, status=form_status(form))


#: The page each import belongs to (and returns to).
IMPORT_PAGES = {"catalogue": "parts:catalogue", "stock": "parts:stock"}
#: The most errors an import page lists (the API answers them all).
ERRORS_SHOWN = 1000


def _sheet_import_or_404(request: HttpRequest, key: str) -> Any:
    from django.http import Http404

    from parts.imports import sheet_import

    entry = sheet_import(key)
    if entry is None:
        raise Http404
    if not entry.allowed(request.user):
        raise PermissionDenied
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def sheet_import_page(request: HttpRequest, key: str) -> HttpResponse:
    """Upload a workbook: on success back to the page with what was written; on a refusal this
    page lists every error (row, column, what is wrong) and nothing was written."""
    from core.forms import add_service_errors
    from parts.excel import SheetRefused

    entry = _sheet_import_or_404(request, key)
    posted = request.method == "POST"
    form = entry.form_class(request.POST if posted else None, request.FILES if posted else None)
    errors: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = entry.run(acting_user=request.user, upload=form.cleaned_data["file"], options=form.options())
            except SheetRefused as refused:
                errors = refused.errors
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as denied:
                form.add_error(None, str(denied) or _("Permission denied."))
            else:
                messages.success(request, result.summary)
                for warning in result.warnings[:50]:
                    messages.warning(request, warning)
                return redirect(IMPORT_PAGES.get(entry.page, "parts:catalogue"))
    context = {
        "entry": entry,
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "back": IMPORT_PAGES.get(entry.page, "parts:catalogue"),
    }
    return render(request, "parts/sheet_import.html", context, status=status)


@login_required
def sheet_import_template(request: HttpRequest, key: str) -> HttpResponseBase:
    """An empty workbook with the import's headers in the reader's language (and what each takes)."""
    from parts.excel import template_response

    entry = _sheet_import_or_404(request, key)
    return template_response(columns=entry.columns, sheet_title=str(entry.title), filename=f"{key}-template.xlsx")


@login_required
@permission_required("parts.view_stockbalance", raise_exception=True)
def stock_export(request: HttpRequest) -> HttpResponseBase:
    """The stock page as an Excel file: the same filters, the same scope."""
    from parts.exports import stock_xlsx

    part, warehouse, text = _q(request, "part"), _q(request, "warehouse", 32), _q(request, "q")
    low = request.GET.get("low") == "1"
    return stock_xlsx(stock_list(user=request.user, part=part, warehouse=warehouse, low=low, q=text))


@login_required
@permission_required("parts.view_stockmove", raise_exception=True)
def moves_export(request: HttpRequest) -> HttpResponseBase:
    """The move journal as an Excel file: the same filters, the same scope."""
    from parts.exports import moves_xlsx

    part, warehouse, kind = _q(request, "part"), _q(request, "warehouse", 32), _q(request, "kind", 16)
    return moves_xlsx(move_journal(user=request.user, part=part, warehouse=warehouse, kind=kind))
