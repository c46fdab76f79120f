"""Articles through the services and the API: the review flow with versions, feedback, the
audience rule, 'this solved it' on an order, and a draft case from a completed order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from core.choices import Role
from core.exceptions import TransitionNotAllowed
from core.testing import make_user
from knowledge import services
from knowledge.models import Article, ArticleVersion, OrderArticle
from workorders.models import TimelineEvent

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type=JSON, headers=headers)


def test_review_flow_versions_and_author(agent: Any, director: Any) -> None:
    article = services.article_create(
        acting_user=agent, title="打印机卡纸", symptom="进纸时卡纸", solution="清理搓纸轮"
    )
    assert article.status == "draft" and article.author == agent
    with pytest.raises(TransitionNotAllowed):
        services.article_transition(article=article, acting_user=director, action="publish")  # not reviewed yet
    with pytest.raises(PermissionDenied):
        services.article_transition(article=article, acting_user=agent, action="review")
    article = services.article_transition(article=article, acting_user=director, action="review")
    article = services.article_transition(article=article, acting_user=director, action="publish")
    assert article.status == "published" and article.published_at is not None
    article = services.article_update(
        article=article, acting_user=director, changes={"solution": "清理搓纸轮并更换分页器"}
    )
    assert article.status == "draft" and article.version == 2  # a change is reviewed again
    assert list(ArticleVersion.objects.filter(article=article).values_list("number", flat=True)) == [2, 1]


def test_the_author_does_not_review_their_own(director: Any) -> None:
    article = services.article_create(acting_user=director, title="测试", symptom="测试症状", solution="测试方法")
    with pytest.raises(TransitionNotAllowed):
        services.article_transition(article=article, acting_user=director, action="review")


def test_create_api_answers_id_and_is_idempotent(api_as: Any, agent: Any, product_model: Any) -> None:
    client = api_as(agent)
    body = {
        "title": "电动车充不进电",
        "symptom": "充电器指示灯一直绿色",
        "solution": "更换充电器保险丝",
        "product_model": product_model.code,
        "audience": "internal",
    }
    first = _post(client, "/api/v1/knowledge/articles", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.content
    assert set(first.json()) == {"id"}
    again = _post(client, "/api/v1/knowledge/articles", body, **{"Idempotency-Key": "k1"})
    assert again.json() == first.json()
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"symptom": "x", "solution": "y", "audience": "internal"}, "title"),
        ({"title": "t", "symptom": "x", "solution": "y", "audience": "secret"}, "audience"),
        (
            {"title": "t", "symptom": "x", "solution": "y", "audience": "public", "product_model": "NOPE"},
            "product_model",
        ),
        (
            {"title": "t", "symptom": "x", "solution": "y", "audience": "public", "product_category": "NOPE"},
            "product_category",
        ),
    ],
)
def test_create_refuses_bad_input_naming_the_field(api_as: Any, agent: Any, body: dict[str, Any], field: str) -> None:
    response = _post(api_as(agent), "/api/v1/knowledge/articles", body)
    assert response.status_code in {400, 422}, response.content
    assert field in json.dumps(response.json())
    assert Article.objects.count() == 0


def test_list_is_ranked_and_filters_by_product(
    api_as: Any, agent: Any, internal_case: Article, public_faq: Article, product_model: Any
) -> None:
    client = api_as(agent)
    response = client.get("/api/v1/knowledge/articles", {"q": "一开机就蓝屏"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["id"] == internal_case.pk and items[0]["score"] > 0
    assert "<mark>" in items[0]["snippet"]
    assert client.get("/api/v1/knowledge/articles", {"q": "lanping"}).json()["items"][0]["id"] == internal_case.pk
    by_model = client.get("/api/v1/knowledge/articles", {"product_model": product_model.code}).json()
    assert [i["id"] for i in by_model["items"]] == [internal_case.pk]


@pytest.mark.parametrize("q", ["", "x" * 1000, "!!!", "😀", "' OR 1=1 --", '"', "*", "NEAR", "OR", "蓝屏 OR NEAR(*)"])
def test_any_query_is_a_normal_answer(api_as: Any, agent: Any, internal_case: Article, q: str) -> None:
    assert api_as(agent).get("/api/v1/knowledge/articles", {"q": q}).status_code == 200
    assert Client().get("/api/v1/knowledge/faq", {"q": q}).status_code == 200
    assert Client().get("/s/faq/", {"q": q}).status_code == 200
    assert Client().get("/api/v1/knowledge/articles", {"q": q}).status_code == 401


def test_public_faq_never_shows_an_internal_article(internal_case: Article, public_faq: Article) -> None:
    for q in ["", "蓝屏", "遥控器", "电脑频繁蓝屏重启", "lanping"]:
        ids = [i["id"] for i in Client().get("/api/v1/knowledge/faq", {"q": q}).json()["items"]]
        assert internal_case.pk not in ids
        page = Client().get("/s/faq/", {"q": q}).content.decode()
        assert f"/s/faq/{internal_case.pk}/" not in page
        assert internal_case.solution not in page
    assert Client().get(f"/s/faq/{internal_case.pk}/").status_code == 404
    assert Client().get(f"/s/faq/{public_faq.pk}/").status_code == 200
    assert [i["id"] for i in Client().get("/api/v1/knowledge/faq", {"q": "遥控器没反应"}).json()["items"]] == [
        public_faq.pk
    ]


def test_a_draft_is_not_public_even_if_its_audience_is(agent: Any) -> None:
    services.article_create(
        acting_user=agent, title="冰箱结霜", symptom="冷冻室结霜", solution="除霜", audience="public"
    )
    assert Client().get("/api/v1/knowledge/faq", {"q": "结霜"}).json()["items"] == []


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PARTS_CLERK])
def test_roles_without_the_knowledge_base_get_no_internal_article(
    api_as: Any, org: Any, role: str, internal_case: Article
) -> None:
    user = make_user(role, org.hq, username=f"u-{role}")
    client = api_as(user)
    assert client.get("/api/v1/knowledge/articles", {"q": "蓝屏"}).status_code == 403
    assert client.get(f"/api/v1/knowledge/articles/{internal_case.pk}").status_code == 403
    staff = Client()
    staff.force_login(user)
    assert staff.get("/knowledge/", {"q": "蓝屏"}).status_code == 403


def test_feedback_counts(api_as: Any, technician: Any, public_faq: Article) -> None:
    assert (
        _post(api_as(technician), f"/api/v1/knowledge/articles/{public_faq.pk}/feedback", {"helpful": True}).status_code
        == 201
    )
    Client().post(f"/s/faq/{public_faq.pk}/feedback/", {"helpful": "0"})
    public_faq.refresh_from_db()
    assert (public_faq.helpful_count, public_faq.unhelpful_count) == (1, 1)
    assert set(public_faq.feedback.values_list("channel", flat=True)) == {"field", "faq"}


def test_suggestions_and_this_solved_it(
    api_as: Any, agent: Any, open_order: Any, internal_case: Article, public_faq: Article
) -> None:
    client = api_as(agent)
    response = client.get(f"/api/v1/work-orders/{open_order.pk}/suggestions")
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["article"] == internal_case.pk
    assert {"article", "title", "score"} <= set(items[0])
    assert "蓝屏" in items[0]["matched"]  # the synonym of 系统崩溃 in the case's title
    solved = _post(client, f"/api/v1/work-orders/{open_order.pk}/solutions", {"article": internal_case.pk})
    assert solved.status_code == 201
    _post(client, f"/api/v1/work-orders/{open_order.pk}/solutions", {"article": internal_case.pk})  # once
    internal_case.refresh_from_db()
    assert internal_case.solved_count == 1
    assert OrderArticle.objects.filter(order=open_order, article=internal_case).count() == 1
    event = TimelineEvent.objects.filter(order=open_order, data__knowledge_article=internal_case.pk).get()
    assert internal_case.title in event.note


def test_another_station_gets_no_suggestions_for_an_order_it_does_not_see(
    api_as: Any, org: Any, open_order: Any
) -> None:
    other = make_user(Role.STATION, org.station_b, username="station-b")
    assert api_as(other).get(f"/api/v1/work-orders/{open_order.pk}/suggestions").status_code == 404


def test_a_completed_fix_becomes_a_draft_case_in_one_click(director: Any, completed_order: Any) -> None:
    client = Client()
    client.force_login(director)
    response = client.post(f"/knowledge/orders/{completed_order.pk}/draft/")
    assert response.status_code == 302
    article = Article.objects.get(source_order=completed_order)
    assert article.status == "draft" and article.author == director
    assert "蓝屏" in article.symptom and "内存条" in article.solution
    assert article.product_model == completed_order.product_model


def test_an_open_order_has_no_fix_to_draft(director: Any, open_order: Any) -> None:
    client = Client()
    client.force_login(director)
    client.post(f"/knowledge/orders/{open_order.pk}/draft/")
    assert not Article.objects.exists()


def test_order_page_panel_and_intake_suggestions(agent: Any, open_order: Any, internal_case: Article) -> None:
    client = Client()
    client.force_login(agent)
    page = client.get(f"/work-orders/{open_order.pk}/").content.decode()
    assert 'id="knowledge-panel"' in page and f"/knowledge/orders/{open_order.pk}/card/" in page
    card = client.get(f"/knowledge/orders/{open_order.pk}/card/", {"next": f"/work-orders/{open_order.pk}/"})
    assert f'id="solved-{internal_case.pk}"' in card.content.decode()
    assert f'value="/work-orders/{open_order.pk}/"' in card.content.decode()
    evil = client.get(f"/knowledge/orders/{open_order.pk}/card/", {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in evil
    intake = client.get("/work-orders/register/").content.decode()
    assert 'id="knowledge-suggestion-box"' in intake
    box = client.get("/knowledge/suggest/", {"description": "冰箱不冷，电脑老是蓝屏"}).content.decode()
    assert internal_case.title in box.replace("<mark>", "").replace("</mark>", "")
    assert "<mark>" in box


def test_portal_request_page_links_the_faq() -> None:
    page = Client().get("/s/request/").content.decode()
    assert 'id="faq-link"' in page and 'href="/s/faq/"' in page


def test_the_author_edits_their_own_article(agent: Any, internal_case: Article) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get(f"/knowledge/{internal_case.pk}/edit/").status_code == 200


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_photos_are_checked_by_content_and_served_to_who_may_read(
    director: Any, internal_case: Article, public_faq: Article, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(director)
    for article in (internal_case, public_faq):
        client.post(f"/knowledge/{article.pk}/images/", {"file": SimpleUploadedFile("a.png", PNG), "caption": "接线图"})
    client.post(f"/knowledge/{internal_case.pk}/images/", {"file": SimpleUploadedFile("b.png", b"%PDF-1.4 x")})
    internal_image = internal_case.images.get()
    public_image = public_faq.images.get()
    assert internal_image.content_type == "image/png"
    assert client.get(f"/knowledge/{internal_case.pk}/images/{internal_image.pk}/").status_code == 200
    assert Client().get(f"/s/faq/{public_faq.pk}/images/{public_image.pk}/").status_code == 200
    assert Client().get(f"/s/faq/{internal_case.pk}/images/{internal_image.pk}/").status_code == 404
    assert Client().get(f"/s/faq/{public_faq.pk}/images/{internal_image.pk}/").status_code == 404
    assert (
        f"/s/faq/{public_faq.pk}/images/{public_image.pk}/" in Client().get(f"/s/faq/{public_faq.pk}/").content.decode()
    )


def test_saving_without_a_change_writes_no_version(director: Any, internal_case: Article) -> None:
    same = services.article_update(article=internal_case, acting_user=director, changes={"title": internal_case.title})
    assert same.version == 1 and same.status == "published"
    assert ArticleVersion.objects.filter(article=internal_case).count() == 1


def test_api_review_then_publish_and_a_wrong_step_is_a_conflict(api_as: Any, agent: Any, director: Any) -> None:
    article = services.article_create(
        acting_user=agent, title="显示器无信号", symptom="显示无信号", solution="重插视频线"
    )
    client = api_as(director)
    early = _post(client, f"/api/v1/knowledge/articles/{article.pk}/publish", {})
    assert early.status_code == 409, early.content
    assert _post(client, f"/api/v1/knowledge/articles/{article.pk}/review", {}).json()["status"] == "reviewed"
    assert _post(client, f"/api/v1/knowledge/articles/{article.pk}/publish", {}).json()["status"] == "published"
    assert _post(client, f"/api/v1/knowledge/articles/{article.pk}/explode", {}).status_code == 400
    detail = client.get(f"/api/v1/knowledge/articles/{article.pk}").json()
    assert detail["status"] == "published" and detail["version"] == 1


def test_a_visitor_votes_once_per_article_and_a_flood_from_one_address_is_refused(
    public_faq: Article, settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.FAQ_VOTE_IP_LIMIT = 5
    visitor = Client()
    for _ in range(3):  # the same browser pressing "it helped" again and again
        assert visitor.post(f"/s/faq/{public_faq.pk}/feedback/", {"helpful": "1"}).status_code == 302
    public_faq.refresh_from_db()
    assert public_faq.helpful_count == 1

    for _ in range(2):  # new sessions from the same address: counted until the address's limit
        Client().post(f"/s/faq/{public_faq.pk}/feedback/", {"helpful": "1"})
    refused = Client().post(f"/s/faq/{public_faq.pk}/feedback/", {"helpful": "1"})

    public_faq.refresh_from_db()
    assert public_faq.helpful_count == 3
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    cache.clear()
