"""Writes for the product catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import ProductCategory, ProductModel
from core.search import search_document
from core.services import apply_changes, check_version, lock_for_update, save_versioned

MODEL_FIELDS = {"code", "name", "category", "warranty_months", "main_parts_warranty_months", "description", "is_active"}


def _model_search_text(model: ProductModel) -> str:
    return search_document([model.code, model.description, model.category.name], names=[model.name])


@transaction.atomic
def product_category_create(
    *, acting_user: Any | None, code: str, name: str, warranty_months: int = 12
) -> ProductCategory:
    if acting_user is not None and not acting_user.has_perm("catalog.add_productcategory"):
        raise PermissionDenied(_("You may not edit the catalogue."))
    category = ProductCategory(code=code.strip(), name=name.strip(), warranty_months=warranty_months)
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def product_model_create(
    *,
    acting_user: Any | None,
    code: str,
    name: str,
    category: ProductCategory,
    warranty_months: int | None = None,
    **fields: Any,
) -> ProductModel:
    if acting_user is not None and not acting_user.has_perm("catalog.add_productmodel"):
        raise PermissionDenied(_("You may not edit the catalogue."))
    model = ProductModel(
        code=(code or "").strip(),
        name=(name or "").strip(),
        category=category,
        warranty_months=category.warranty_months if warranty_months is None else warranty_months,
        **fields,
    )
    model.search_text = _model_search_text(model)
    model.full_clean()
    model.save()
    return model


@transaction.atomic
def product_model_update(
    *, model: ProductModel, acting_user: Any | None, changes: dict[str, Any], expected_version: int | None = None
) -> ProductModel:
    if acting_user is not None and not acting_user.has_perm("catalog.change_productmodel"):
        raise PermissionDenied(_("You may not edit the catalogue."))
    model = lock_for_update(model)
    check_version(model, expected_version)
    diff = apply_changes(model, changes, allowed=MODEL_FIELDS)
    if diff:
        model.search_text = _model_search_text(model)
        save_versioned(model, [*diff, "search_text"])
    return model
