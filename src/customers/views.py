"""Staff pages for customers (客户档案). Thin: scoped selectors to read, services to write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, add_submission_token, apply_versioned_edit, create_once, form_status
from core.panels import page_context_with_panels
from customers import services
from customers.filtersets import CustomerFilterSet
from customers.forms import ContactForm, CustomerForm
from customers.models import Customer
from customers.selectors import customer_lookup, customers_visible_to

PAGE_SIZE = 25


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request from the live search wants only the results, not the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    filterset = CustomerFilterSet(request.GET or None, user=request.user)
    customers = filterset.queryset().annotate(device_count=Count("devices")).order_by("-id")
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "page": page}
    if _wants_partial(request):
        return render(request, "customers/partials/customer_table.html", context)
    return render(request, "customers/customer_list.html", context)


def _get_customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(customers_visible_to(request.user), pk=pk)


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_visible_to(request.user).prefetch_related("contacts"), pk=pk)
    return render(request, "customers/customer_detail.html", _detail_context(request, customer, ContactForm()))


def _detail_context(request: HttpRequest, customer: Customer, contact_form: ContactForm) -> dict:
    context = {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "contact_form": contact_form,
        "tags": [tag.strip() for tag in customer.tags.replace("，", ",").split(",") if tag.strip()],
    }
    # Devices, orders and the delivery log come from the apps above (core.panels).
    return page_context_with_panels("customer", request, customer, context)


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("name", "phone", "address") if request.GET.get(key)}
    form = CustomerForm(request.POST or None, user=request.user, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            customer_id, _replayed = create_once(
                form,
                user=request.user,
                scope="customers.create",
                create=lambda: (
                    services.customer_create(
                        acting_user=request.user, name=data.pop("name"), phone=data.pop("phone"), **data
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            customer = _get_customer(request, customer_id)
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None}, status=form_status(form))


@login_required
@permission_required("customers.change_customer", raise_exception=True)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get_customer(request, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    status: int | None = 200
    if request.method == "POST":
        status = apply_versioned_edit(
            form,
            lambda changes, version: services.customer_update(
                customer=customer, acting_user=request.user, changes=changes, expected_version=version
            ),
        )
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer}, status=status)


@login_required
@require_POST
@permission_required("customers.change_customer", raise_exception=True)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _get_customer(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(customer=customer, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not getattr(request, "htmx", None):
                messages.success(request, _("Contact added."))
                return redirect("customers:detail", pk=pk)
            form = ContactForm()
    if not getattr(request, "htmx", None):
        customer = get_object_or_404(customers_visible_to(request.user).prefetch_related("contacts"), pk=pk)
        return render(
            request,
            "customers/customer_detail.html",
            _detail_context(request, customer, form),
            status=form_status(form),
        )
    context = {"customer": customer, "contacts": list(customer.contacts.all()), "contact_form": form}
    return render(request, "customers/partials/contacts.html", context)


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_pick(request: HttpRequest) -> HttpResponse:
    """htmx quick pick used by forms: matching customers as buttons."""
    query = request.GET.get("q") or request.GET.get("customer_q") or ""
    return render(
        request,
        "customers/partials/lookup.html",
        {"results": customer_lookup(user=request.user, query=query), "q": query},
    )
