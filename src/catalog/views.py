"""Staff pages of the product catalogue (产品型号 and categories). Thin: forms → services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog import services
from catalog.filtersets import ProductModelFilterSet
from catalog.forms import ProductCategoryForm, ProductModelForm
from catalog.models import ProductCategory, ProductModel
from catalog.selectors import categories_with_counts, product_models_visible_to
from core.forms import add_service_errors, add_submission_token, apply_versioned_edit, create_once, form_status

PAGE_SIZE = 25


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request from the live search wants only the results, not the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


@login_required
@permission_required("catalog.view_productmodel", raise_exception=True)
def model_list(request: HttpRequest) -> HttpResponse:
    filterset = ProductModelFilterSet(request.GET or None, user=request.user)
    models = filterset.queryset().annotate(device_count=Count("devices")).order_by("category__code", "code")
    page = Paginator(models, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "page": page, "categories": categories_with_counts()}
    if _wants_partial(request):
        return render(request, "catalog/partials/model_table.html", context)
    return render(request, "catalog/model_list.html", context)


@login_required
@permission_required("catalog.view_productmodel", raise_exception=True)
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(product_models_visible_to(request.user).annotate(device_count=Count("devices")), pk=pk)
    return render(request, "catalog/model_detail.html", {"model": model})


@login_required
@permission_required("catalog.add_productmodel", raise_exception=True)
def model_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("category"):
        initial["category"] = request.GET["category"]
    form = ProductModelForm(request.POST or None, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        data.pop("is_active", None)
        try:
            model_id, _replayed = create_once(
                form,
                user=request.user,
                scope="catalog.model_create",
                create=lambda: (
                    services.product_model_create(
                        acting_user=request.user,
                        code=data.pop("code"),
                        name=data.pop("name"),
                        category=data.pop("category"),
                        warranty_months=data.pop("warranty_months"),
                        **data,
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            model = ProductModel.objects.select_related("category").get(pk=model_id)
            messages.success(request, _("Product model %(model)s created.") % {"model": model})
            return redirect("catalog:detail", pk=model.pk)
    return render(request, "catalog/model_form.html", {"form": form, "model": None}, status=form_status(form))


@login_required
@permission_required("catalog.change_productmodel", raise_exception=True)
def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(product_models_visible_to(request.user), pk=pk)
    form = ProductModelForm(request.POST or None, instance=model)
    status: int | None = 200
    if request.method == "POST":

        def update(changes: dict[str, Any], version: int | None) -> object:
            if changes.get("warranty_months") is None:  # left empty: keep the model's months
                changes.pop("warranty_months", None)
            return services.product_model_update(
                model=model, acting_user=request.user, changes=changes, expected_version=version
            )

        status = apply_versioned_edit(form, update)
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:detail", pk=pk)
    return render(request, "catalog/model_form.html", {"form": form, "model": model}, status=status)


@login_required
@permission_required("catalog.add_productcategory", raise_exception=True)
def category_create(request: HttpRequest) -> HttpResponse:
    form = ProductCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.product_category_create(
                acting_user=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                warranty_months=form.cleaned_data["warranty_months"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Category %(category)s created.") % {"category": category})
            return redirect(f"{_list_url()}?category={category.pk}")
    return render(request, "catalog/category_form.html", {"form": form, "category": None}, status=form_status(form))


@login_required
@permission_required("catalog.change_productcategory", raise_exception=True)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(ProductCategory, pk=pk)
    form = ProductCategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.product_category_update(
                category=get_object_or_404(ProductCategory, pk=pk),
                acting_user=request.user,
                changes=dict(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{_list_url()}?category={category.pk}")
    return render(request, "catalog/category_form.html", {"form": form, "category": category}, status=form_status(form))


def _list_url() -> str:
    from django.urls import reverse

    return reverse("catalog:list")
