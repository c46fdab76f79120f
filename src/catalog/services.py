"""Writes for the product catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import ProductCategory, ProductModel
from core.search import search_document
from core.services import apply_changes, check_version, lock_for_update, save_versioned

MODEL_FIELDS = {
    "code",
    "name",
    "category",
    "warranty_months",
    "main_parts_warranty_months",
    "description",
    "discontinued_on",
    "is_active",
}


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


CATEGORY_FIELDS = {"code", "name", "warranty_months", "is_active"}


@transaction.atomic
def product_category_update(
    *, category: ProductCategory, acting_user: Any | None, changes: dict[str, Any]
) -> ProductCategory:
    if acting_user is not None and not acting_user.has_perm("catalog.change_productcategory"):
        raise PermissionDenied(_("You may not edit the catalogue."))
    category = lock_for_update(category)
    diff = apply_changes(category, changes, allowed=CATEGORY_FIELDS)
    if diff:
        category.save(update_fields=[*diff, "updated_at"])
    return category


@transaction.atomic
def product_category_get_or_create(
    *, acting_user: Any | None, value: str, warranty_months: int = 12
) -> ProductCategory:
    """The category named by ``value`` (its code, else its name); created on the fly when allowed.

    Integrators send a category by code or name; an unknown one is created with that value as
    code and name and the given warranty — only for users who may add categories, otherwise the
    request is refused naming ``category``.
    """
    value = (value or "").strip()
    if not value:
        raise ValidationError({"category": _("This field is required.")})
    category = ProductCategory.objects.filter(code=value).first() or ProductCategory.objects.filter(name=value).first()
    if category is not None:
        return category
    if acting_user is not None and not acting_user.has_perm("catalog.add_productcategory"):
        raise ValidationError({"category": _("Unknown category, and you may not create categories.")})
    try:
        return product_category_create(acting_user=acting_user, code=value, name=value, warranty_months=warranty_months)
    except ValidationError as error:
        messages = [m for errs in error.message_dict.values() for m in errs]
        raise ValidationError({"category": messages}) from None
