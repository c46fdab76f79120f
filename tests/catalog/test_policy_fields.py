"""POST /api/v1/product-models with optional policy fields makes the model's own policy version."""

from __future__ import annotations

import json
from typing import Any

from policies.models import WarrantyPolicy


def post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/product-models", data=json.dumps(body), content_type="application/json")


def test_policy_fields_create_a_model_level_policy(api_as: Any, director: Any) -> None:
    response = post(
        api_as(director),
        {
            "code": "NB-X1",
            "name": "笔记本 X1",
            "category": "notebook",
            "warranty_months": 12,
            "main_parts_warranty_months": 24,
            "main_parts": "主板, 硬盘",
            "warranty_start_basis": "invoice",
            "repair_warranty_days": 60,
            "discontinued_on": "2026-06-30",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["discontinued_on"] == "2026-06-30"
    policy = WarrantyPolicy.objects.get(pk=body["warranty_policy"]["id"])
    assert (policy.product_model.code, policy.unit_months, policy.parts_months, policy.parts_list) == (
        "NB-X1",
        12,
        24,
        ("主板", "硬盘"),
    )
    assert policy.repair_warranty_days == 60


def test_without_policy_fields_no_policy_is_made(api_as: Any, director: Any) -> None:
    response = post(
        api_as(director), {"code": "NB-X2", "name": "笔记本 X2", "category": "notebook", "warranty_months": 12}
    )
    assert response.status_code == 201
    assert response.json()["warranty_policy"] is None
    assert not WarrantyPolicy.objects.filter(product_model__code="NB-X2").exists()


def test_bad_policy_field_is_refused_and_nothing_is_saved(api_as: Any, director: Any) -> None:
    response = post(
        api_as(director),
        {"code": "NB-X3", "name": "X3", "category": "notebook", "warranty_months": 12, "excluded_causes": ["rain"]},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "excluded_causes"
    from catalog.models import ProductModel

    assert not ProductModel.objects.filter(code="NB-X3").exists()
    bad_basis = post(
        api_as(director),
        {"code": "NB-X4", "name": "X4", "category": "notebook", "warranty_months": 12, "warranty_start_basis": "x"},
    )
    assert bad_basis.status_code == 422
