"""Reads for the catalogue. Product data is shared by every unit (no unit scoping)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.models import ProductCategory, ProductModel
from core.search import apply_search


def product_models_visible_to(user: Any) -> QuerySet[ProductModel]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm("catalog.view_productmodel"):
        return ProductModel.objects.none()
    return ProductModel.objects.select_related("category")


def product_model_search(
    *, user: Any, query: str = "", category: int | None = None, active: bool | None = None
) -> QuerySet[ProductModel]:
    models = product_models_visible_to(user)
    if query:
        models = apply_search(models, query)
    if category:
        models = models.filter(category_id=category)
    if active is not None:
        models = models.filter(is_active=active)
    return models


def categories() -> QuerySet[ProductCategory]:
    return ProductCategory.objects.filter(is_active=True)


def categories_with_counts() -> QuerySet[ProductCategory]:
    """Every category (active first) with the number of its models, for the catalogue sidebar."""
    from django.db.models import Count

    return ProductCategory.objects.annotate(model_count=Count("models")).order_by("-is_active", "code")


def product_category_by_code_or_id(value: str) -> ProductCategory | None:
    """A list filter may name a category by its code or its numeric id."""
    value = (value or "").strip()
    if not value:
        return None
    category = ProductCategory.objects.filter(code=value).first()
    if category is None and value.isascii() and value.isdigit():
        category = ProductCategory.objects.filter(pk=int(value)).first()
    return category
