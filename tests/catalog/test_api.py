from __future__ import annotations

import json

import pytest

from catalog.models import ProductCategory, ProductModel

URL = "/api/v1/product-models"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def test_create_with_a_known_category_code(api_as, director, category):
    response = post(
        api_as(director),
        URL,
        {"code": "TDR-3000", "name": "雅迪 3000", "category": "EBIKE", "warranty_months": 24, "description": "新款"},
    )
    assert response.status_code == 201
    body = response.json()
    model = ProductModel.objects.get(pk=body["id"])
    assert (model.code, model.category, model.warranty_months) == ("TDR-3000", category, 24)
    assert body["category"]["code"] == "EBIKE" and body["main_parts_warranty_months"] is None


def test_create_with_a_category_name(api_as, director, category):
    response = post(
        api_as(director), URL, {"code": "M1", "name": "M1", "category": "电动自行车", "warranty_months": 12}
    )
    assert response.status_code == 201 and response.json()["category"]["id"] == category.pk


def test_unknown_category_is_created_for_catalogue_editors(api_as, director, db):
    response = post(
        api_as(director),
        URL,
        {
            "code": "NB-14",
            "name": "笔记本 14",
            "category": "NOTEBOOK",
            "warranty_months": 12,
            "main_parts_warranty_months": 24,
        },
    )
    assert response.status_code == 201
    category = ProductCategory.objects.get(code="NOTEBOOK")
    assert (category.name, category.warranty_months) == ("NOTEBOOK", 12)
    assert response.json()["main_parts_warranty_months"] == 24


def test_unknown_category_without_permission_is_400_naming_category(api_as, agent, db):
    # agents may not add models either: 403 comes first; a user who may add models but not categories gets 400
    from django.contrib.auth.models import Permission

    agent.user_permissions.add(Permission.objects.get(codename="add_productmodel"))
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(pk=agent.pk)
    response = post(api_as(agent), URL, {"code": "NB-15", "name": "x", "category": "NOTEBOOK", "warranty_months": 12})
    assert response.status_code == 400 and fields(response) == {"category"}
    # only the ready-made categories of policies.reference exist; nothing was created
    assert not ProductCategory.objects.filter(code="NOTEBOOK").exists() and not ProductModel.objects.exists()


def test_agent_may_not_create_models(api_as, agent, category):
    response = post(api_as(agent), URL, {"code": "X", "name": "x", "category": "EBIKE", "warranty_months": 12})
    assert response.status_code == 403


def test_refused_model_leaves_no_new_category(api_as, director, product_model):
    response = post(
        api_as(director), URL, {"code": "TDR-2000", "name": "dup", "category": "NEWCAT", "warranty_months": 6}
    )
    assert response.status_code == 400 and fields(response) == {"code"}
    assert not ProductCategory.objects.filter(code="NEWCAT").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "category": "EBIKE", "warranty_months": 12}, "code"),
        ({"code": "A", "category": "EBIKE", "warranty_months": 12}, "name"),
        ({"code": "A", "name": "x", "warranty_months": 12}, "category"),
        ({"code": "A", "name": "x", "category": "EBIKE"}, "warranty_months"),
        ({"code": "A", "name": "x", "category": "EBIKE", "warranty_months": -1}, "warranty_months"),
        ({"code": "A", "name": "x", "category": "EBIKE", "warranty_months": 999}, "warranty_months"),
        ({"code": "A", "name": "x", "category": "EBIKE", "warranty_months": "twelve"}, "warranty_months"),
        ({"code": "", "name": "x", "category": "EBIKE", "warranty_months": 12}, "code"),
        ({"code": "A", "name": "x", "category": "", "warranty_months": 12}, "category"),
    ],
    ids=[
        "no-code",
        "no-name",
        "no-category",
        "no-warranty",
        "negative",
        "too-long",
        "text",
        "empty-code",
        "empty-category",
    ],
)
def test_bad_input_is_4xx_naming_the_field(api_as, director, category, payload, field):
    response = post(api_as(director), URL, payload)
    assert response.status_code in (400, 422)
    assert field in fields(response)
    assert not ProductModel.objects.exists()


def test_malformed_json_is_4xx(api_as, director, category):
    response = api_as(director).post(URL, "{", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_idempotent_create_replays(api_as, director, category):
    client = api_as(director)
    payload = {"code": "IDEM-1", "name": "x", "category": "EBIKE", "warranty_months": 12}
    first = post(client, URL, payload, HTTP_IDEMPOTENCY_KEY="pm-1")
    second = post(client, URL, payload, HTTP_IDEMPOTENCY_KEY="pm-1")
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert ProductModel.objects.filter(code="IDEM-1").count() == 1


def test_list_detail_and_categories(api_as, agent, product_model, category):
    client = api_as(agent)
    listed = client.get(URL, {"q": "yadi"}).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "TDR-2000"
    assert client.get(URL, {"category": "EBIKE"}).json()["count"] == 1
    assert client.get(URL, {"category": "NOPE"}).json() == {"items": [], "count": 0}
    detail = client.get(f"{URL}/{product_model.pk}").json()
    assert (detail["name"], detail["warranty_months"]) == ("雅迪 TDR 电动车", 24)
    categories = client.get(f"{URL}/categories").json()
    # EBIKE plus the ready-made categories of the warranty policies (policies.reference)
    assert categories["count"] == 5 and "EBIKE" in [item["code"] for item in categories["items"]]


def test_patch_with_version_and_stale_version(api_as, director, product_model):
    client = api_as(director)
    ok = patch(client, f"{URL}/{product_model.pk}", {"version": 1, "warranty_months": 36, "category": "EBIKE"})
    assert ok.status_code == 200 and (ok.json()["warranty_months"], ok.json()["version"]) == (36, 2)
    stale = patch(client, f"{URL}/{product_model.pk}", {"version": 1, "warranty_months": 6})
    assert stale.status_code == 409 and "version" in fields(stale)
    assert ProductModel.objects.get(pk=product_model.pk).warranty_months == 36


def test_patch_unknown_category_is_400(api_as, director, product_model):
    response = patch(api_as(director), f"{URL}/{product_model.pk}", {"version": 1, "category": "NOPE"})
    assert response.status_code == 400 and fields(response) == {"category"}


def test_unknown_model_is_404(api_as, agent, db):
    assert api_as(agent).get(f"{URL}/424242").status_code == 404
