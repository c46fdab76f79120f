from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import ProductCategory
from catalog.selectors import product_model_search
from catalog.services import (
    product_category_get_or_create,
    product_category_update,
    product_model_create,
    product_model_update,
)
from core.exceptions import VersionConflict


def test_model_without_warranty_takes_the_categorys(director, category):
    model = product_model_create(acting_user=director, code="TDR-1", name="小刀电动车", category=category)
    assert model.warranty_months == category.warranty_months == 12


def test_duplicate_model_code_is_refused_naming_code(director, product_model, category):
    with pytest.raises(ValidationError) as error:
        product_model_create(acting_user=director, code="TDR-2000", name="重复", category=category, warranty_months=12)
    assert list(error.value.message_dict) == ["code"]


def test_agent_may_not_edit_the_catalogue(agent, category):
    with pytest.raises(PermissionDenied):
        product_model_create(acting_user=agent, code="X1", name="X", category=category, warranty_months=12)


@pytest.mark.parametrize("query", ["雅迪", "TDR-2000", "tdr-2000", "电动车", "yadi"], ids=str)
def test_search_models_by_code_name_and_pinyin(agent, product_model, query):
    assert list(product_model_search(user=agent, query=query)) == [product_model]


def test_category_is_found_by_code_or_name(director, category):
    assert product_category_get_or_create(acting_user=director, value="EBIKE") == category
    assert product_category_get_or_create(acting_user=director, value="电动自行车") == category


def test_unknown_category_is_created_for_catalogue_editors(director):
    category = product_category_get_or_create(acting_user=director, value="NOTEBOOK", warranty_months=24)
    assert (category.code, category.name, category.warranty_months) == ("NOTEBOOK", "NOTEBOOK", 24)


def test_unknown_category_is_refused_for_others(agent):
    with pytest.raises(ValidationError) as error:
        product_category_get_or_create(acting_user=agent, value="NOTEBOOK")
    assert list(error.value.message_dict) == ["category"]
    assert not ProductCategory.objects.filter(code="NOTEBOOK").exists()


def test_too_long_category_code_is_reported_on_category(director):
    with pytest.raises(ValidationError) as error:
        product_category_get_or_create(acting_user=director, value="X" * 40)
    assert list(error.value.message_dict) == ["category"]


def test_model_update_checks_the_version(director, product_model):
    updated = product_model_update(
        model=product_model, acting_user=director, changes={"warranty_months": 36}, expected_version=1
    )
    assert (updated.warranty_months, updated.version) == (36, 2)
    with pytest.raises(VersionConflict):
        product_model_update(model=product_model, acting_user=director, changes={"name": "旧"}, expected_version=1)


def test_category_update(director, category):
    updated = product_category_update(category=category, acting_user=director, changes={"warranty_months": 18})
    assert updated.warranty_months == 18
