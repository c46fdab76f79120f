from __future__ import annotations

from django.urls import reverse

from catalog.models import ProductCategory, ProductModel


def model_data(category, **overrides):
    return {
        "code": "NEW-1",
        "name": "新型号",
        "category": category.pk,
        "warranty_months": "18",
        "main_parts_warranty_months": "",
        "description": "",
        "is_active": "on",
        **overrides,
    }


def test_list_search_and_category_filter(client_as, agent, product_model, category):
    client = client_as(agent)
    body = client.get(reverse("catalog:list")).content.decode()
    assert "TDR-2000" in body and "电动自行车" in body
    assert "TDR-2000" in client.get(reverse("catalog:list"), {"q": "yadi"}, HTTP_HX_REQUEST="true").content.decode()
    assert "TDR-2000" not in client.get(reverse("catalog:list"), {"q": "不存在"}).content.decode()
    assert "TDR-2000" in client.get(reverse("catalog:list"), {"category": category.pk}).content.decode()


def test_detail(client_as, agent, product_model):
    body = client_as(agent).get(reverse("catalog:detail", args=[product_model.pk])).content.decode()
    assert "雅迪 TDR 电动车" in body and "24" in body


def test_create_model_and_blank_warranty_takes_the_categorys(client_as, director, category):
    response = client_as(director).post(reverse("catalog:create"), model_data(category, warranty_months=""))
    model = ProductModel.objects.get(code="NEW-1")
    assert response.status_code == 302 and model.warranty_months == 12


def test_duplicate_code_names_the_field(client_as, director, product_model, category):
    response = client_as(director).post(reverse("catalog:create"), model_data(category, code="TDR-2000"))
    assert response.status_code == 400 and "code" in response.context["form"].errors
    assert ProductModel.objects.count() == 1


def test_edit_and_stale_version(client_as, director, product_model, category):
    client = client_as(director)
    url = reverse("catalog:edit", args=[product_model.pk])
    data = model_data(category, code="TDR-2000", name="雅迪 TDR 电动车")
    assert client.post(url, {**data, "warranty_months": "30", "version": "1"}).status_code == 302
    stale = client.post(url, {**data, "warranty_months": "6", "version": "1"})
    assert stale.status_code == 409
    assert ProductModel.objects.get(pk=product_model.pk).warranty_months == 30


def test_agent_cannot_edit_the_catalogue(client_as, agent, product_model):
    assert client_as(agent).get(reverse("catalog:create")).status_code == 403
    assert client_as(agent).get(reverse("catalog:edit", args=[product_model.pk])).status_code == 403


def test_category_create_and_edit(client_as, director, db):
    client = client_as(director)
    created = client.post(
        reverse("catalog:category_create"), {"code": "NB", "name": "笔记本", "warranty_months": "12", "is_active": "on"}
    )
    category = ProductCategory.objects.get(code="NB")
    assert created.status_code == 302
    edited = client.post(
        reverse("catalog:category_edit", args=[category.pk]),
        {"code": "NB", "name": "笔记本电脑", "warranty_months": "24", "is_active": "on"},
    )
    category.refresh_from_db()
    assert edited.status_code == 302 and (category.name, category.warranty_months) == ("笔记本电脑", 24)


def test_duplicate_category_code_names_the_field(client_as, director, category):
    response = client_as(director).post(
        reverse("catalog:category_create"), {"code": "EBIKE", "name": "x", "warranty_months": "12"}
    )
    assert response.status_code == 400 and "code" in response.context["form"].errors
