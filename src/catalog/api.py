"""Product models and categories in the public API v1 (SPEC §14). Thin: parse, call services, serialise."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog import services
from catalog.models import ProductCategory, ProductModel
from catalog.selectors import product_category_by_code_or_id, product_model_search, product_models_visible_to
from core.api import (
    ERROR_RESPONSES,
    Date,
    DateText,
    DateTimeText,
    IdCodeName,
    PageQuery,
    Percent,
    StrictIn,
    idempotent_create,
    paginate,
)
from core.api_extensions import run_create_steps

router = Router(tags=["catalog"])

ERRORS: dict[int, Any] = ERROR_RESPONSES


#: The largest id an integer column holds: larger numbers are "not found", never a database error.
MAX_ID = 2**63 - 1


class ProductModelIn(StrictIn):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    category: str = Field(max_length=100, description="Category code (or name); created if unknown and allowed")
    warranty_months: int = Field(ge=0, le=240)
    main_parts_warranty_months: int | None = Field(default=None, ge=0, le=240)
    description: str = ""
    discontinued_on: Date | None = Field(default=None, description="Production stopped (parts for 5 years, 第七条)")
    # Optional warranty policy fields: any of them makes a model-level policy version (policies app).
    main_parts: str | None = Field(default=None, max_length=300, description="Listed main parts, comma-separated")
    warranty_start_basis: Literal["invoice", "installation", "acceptance"] | None = None
    warranty_start_fallback: Literal["needs_review", "other_dates"] | None = None
    warranty_effective_from: Date | None = Field(default=None, description="Default: applies to every unit sold")
    return_days: int | None = Field(default=None, ge=0, le=365)
    exchange_days: int | None = Field(default=None, ge=0, le=365)
    repeat_failure_threshold: int | None = Field(default=None, ge=1, le=100)
    repeat_same_fault_consecutive: bool | None = None
    parts_wait_limit_days: int | None = Field(default=None, ge=0, le=3650)
    repairer_fault_limit_days: int | None = Field(default=None, ge=0, le=3650)
    depreciation_percent_per_day: Percent | None = None
    repair_warranty_days: int | None = Field(default=None, ge=0, le=3650)
    excluded_causes: list[str] | None = Field(default=None, max_length=20)


#: ProductModelIn field → the policy field it sets.


class ProductModelPatch(StrictIn):
    version: int
    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    category: str | None = Field(default=None, max_length=100, description="Category code (or name)")
    warranty_months: int | None = Field(default=None, ge=0, le=240)
    main_parts_warranty_months: int | None = Field(default=None, ge=0, le=240)
    description: str | None = None
    discontinued_on: Date | None = None
    is_active: bool | None = None


class ModelFilters(PageQuery):
    q: str = ""
    category: str = ""
    active: bool | None = None


class PageFilters(PageQuery):
    page_size: int = Field(100, ge=1, le=100, description="Items per page, 1 to 100.")


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    warranty_months: int
    is_active: bool


class CategoryListOut(Schema):
    items: list[CategoryOut]
    count: int


class ProductModelOut(Schema):
    id: int
    code: str
    name: str
    category: IdCodeName
    warranty_months: int
    main_parts_warranty_months: int | None
    description: str
    discontinued_on: DateText | None
    is_active: bool
    version: int
    created_at: DateTimeText
    updated_at: DateTimeText


class ModelPolicyRef(Schema):
    """The model's own warranty policy version made from the optional policy fields."""

    id: int
    revision: int
    effective_from: DateText


class ProductModelCreatedOut(ProductModelOut):
    warranty_policy: ModelPolicyRef | None = Field(description="Null when no policy field was given.")


class ProductModelListOut(Schema):
    items: list[ProductModelOut]
    count: int


def category_out(category: ProductCategory) -> dict[str, Any]:
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "warranty_months": category.warranty_months,
        "is_active": category.is_active,
    }


def model_out(model: ProductModel) -> dict[str, Any]:
    return {
        "id": model.pk,
        "code": model.code,
        "name": model.name,
        "category": {"id": model.category_id, "code": model.category.code, "name": model.category.name},
        "warranty_months": model.warranty_months,
        "main_parts_warranty_months": model.main_parts_warranty_months,
        "description": model.description,
        "discontinued_on": model.discontinued_on.isoformat() if model.discontinued_on else None,
        "is_active": model.is_active,
        "version": model.version,
        "created_at": timezone.localtime(model.created_at).isoformat(),
        "updated_at": timezone.localtime(model.updated_at).isoformat(),
    }


def _get_model(request: HttpRequest, model_id: int) -> ProductModel:
    if not 1 <= model_id <= MAX_ID:
        raise ProductModel.DoesNotExist
    return product_models_visible_to(request.user).get(pk=model_id)


@router.post(
    "", response={201: ProductModelCreatedOut, **ERRORS}, summary="Create a product model (Idempotency-Key honoured)"
)
def create_product_model(request: HttpRequest, payload: ProductModelIn) -> Any:
    if not request.user.has_perm("catalog.add_productmodel"):
        raise PermissionDenied(_("You may not edit the catalogue."))

    def create() -> tuple[int, dict[str, Any]]:
        with transaction.atomic():  # a category made on the fly goes away if the model is refused
            category = services.product_category_get_or_create(
                acting_user=request.user, value=payload.category, warranty_months=payload.warranty_months
            )
            model = services.product_model_create(
                acting_user=request.user,
                code=payload.code,
                name=payload.name,
                category=category,
                warranty_months=payload.warranty_months,
                main_parts_warranty_months=payload.main_parts_warranty_months,
                description=payload.description,
                discontinued_on=payload.discontinued_on,
            )
            # The model's own warranty policy, when policy fields were given (the policies app).
            extra = run_create_steps("product_model", request, model, payload)
        return 201, {**model_out(model), "warranty_policy": None, **extra}

    return idempotent_create(request, "product-models", create)


@router.get(
    "", response={200: ProductModelListOut, **ERRORS}, summary="List product models (q matches code, name, pinyin)"
)
def list_product_models(request: HttpRequest, filters: Query[ModelFilters]) -> Any:
    category_id = None
    if filters.category:
        category = product_category_by_code_or_id(filters.category)
        if category is None:
            return {"items": [], "count": 0}
        category_id = category.pk
    models = product_model_search(user=request.user, query=filters.q, category=category_id, active=filters.active)
    return paginate(models, page=filters.page, page_size=filters.page_size, serialize=model_out)


@router.get("/categories", response={200: CategoryListOut, **ERRORS}, summary="List product categories")
def list_categories(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    if not request.user.has_perm("catalog.view_productcategory"):
        raise PermissionDenied(_("You may not view the catalogue."))
    return paginate(
        ProductCategory.objects.order_by("code"),
        page=filters.page,
        page_size=filters.page_size,
        serialize=category_out,
    )


@router.get("/{model_id}", response={200: ProductModelOut, **ERRORS}, summary="One product model")
def get_product_model(request: HttpRequest, model_id: int) -> Any:
    return model_out(_get_model(request, model_id))


@router.patch(
    "/{model_id}", response={200: ProductModelOut, **ERRORS}, summary="Edit a product model (optimistic concurrency)"
)
def update_product_model(request: HttpRequest, model_id: int, payload: ProductModelPatch) -> Any:
    model = _get_model(request, model_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    with transaction.atomic():
        if "category" in changes:
            value = changes["category"]
            category = product_category_by_code_or_id(value or "") if value else None
            if category is None:
                raise ValidationError({"category": _("Unknown category.")})
            changes["category"] = category
        if changes.get("description", "") is None:
            changes["description"] = ""
        model = services.product_model_update(
            model=model, acting_user=request.user, changes=changes, expected_version=version
        )
    return model_out(product_models_visible_to(request.user).get(pk=model.pk))
