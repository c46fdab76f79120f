"""The product-model API's optional policy fields (SPEC §14.1 "+ optional policy fields") make the
model's own warranty policy version, in the model's creation (core.api_extensions): the catalogue
declares the fields, this app makes the policy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.api_extensions import register_create_step

#: API field → policy field.
MODEL_POLICY_FIELDS = {
    "main_parts": "parts",
    "warranty_start_basis": "start_basis",
    "warranty_start_fallback": "start_fallback",
    "return_days": "return_days",
    "exchange_days": "exchange_days",
    "repeat_failure_threshold": "repeat_failure_threshold",
    "repeat_same_fault_consecutive": "repeat_same_fault_consecutive",
    "parts_wait_limit_days": "parts_wait_limit_days",
    "repairer_fault_limit_days": "repairer_fault_limit_days",
    "depreciation_percent_per_day": "depreciation_percent_per_day",
    "repair_warranty_days": "repair_warranty_days",
    "excluded_causes": "excluded_causes",
}


def product_model_policy(request: HttpRequest, model: Any, payload: Any) -> dict[str, Any] | None:
    """The model's own policy version when any policy field was given (months from the model,
    the start from the invoice unless said otherwise); None otherwise."""
    from policies.reference import REFERENCE_EFFECTIVE_FROM
    from policies.services import warranty_policy_create

    given = {
        MODEL_POLICY_FIELDS[name]: value
        for name, value in payload.dict().items()
        if name in MODEL_POLICY_FIELDS and value is not None
    }
    if not given:
        return None
    policy = warranty_policy_create(
        acting_user=request.user,
        product_model=model,
        name=model.name,
        effective_from=payload.warranty_effective_from or REFERENCE_EFFECTIVE_FROM,
        unit_months=model.warranty_months,
        parts_months=model.main_parts_warranty_months,
        **{"start_basis": "invoice", **given},
    )
    return {"id": policy.pk, "revision": policy.revision, "effective_from": policy.effective_from.isoformat()}


def register() -> None:
    register_create_step(resource="product_model", name="warranty_policy", step=product_model_policy)
