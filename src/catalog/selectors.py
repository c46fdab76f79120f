"""Reads for the catalogue. Product data is shared by every unit (no unit scoping)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.models import ProductCategory, ProductModel
from core.search import apply_search


def product_models_visible_to(user: Any) -> QuerySet[ProductModel]:
    if not getattr(user, "is_authenticated", False):
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
