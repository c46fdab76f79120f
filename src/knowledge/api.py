"""Knowledge base in the public API v1 (SPEC §14.2): ``POST /knowledge/articles`` → ``{"id"}``;
``GET /knowledge/articles?q=&product_model=&page=`` ranked; ``GET /knowledge/faq?q=`` without a
token (public articles only); ``GET /work-orders/{id}/suggestions`` → ``{"items": [{"article",
"title","score"}]}``; ``POST /work-orders/{id}/solutions`` records the article that solved it."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from catalog.models import ProductCategory, ProductModel
from core.api import ERROR_RESPONSES, LAX, Id, PageQuery, StrictIn, idempotent_create, local_iso
from knowledge import services
from knowledge.choices import ArticleKind, ArticleStatus, Audience, FeedbackChannel
from knowledge.models import Article
from knowledge.selectors import RankedArticle, article_search, articles_visible_to, order_suggestions, public_articles
from workorders.selectors import workorders_visible_to

router = Router(tags=["knowledge"])
orders_router = Router(tags=["knowledge"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/knowledge", router), ("/work-orders", orders_router)]


class ArticleIn(StrictIn):
    title: str = Field(min_length=1, max_length=200)
    symptom: str = Field(min_length=1, max_length=5000)
    cause: str = Field(default="", max_length=5000)
    solution: str = Field(min_length=1, max_length=10000)
    steps: list[str] = Field(default_factory=list, max_length=50)
    kind: Annotated[ArticleKind, LAX] = ArticleKind.CASE
    product_category: str | None = Field(default=None, max_length=32)
    product_model: str | None = Field(default=None, max_length=64)
    audience: Annotated[Audience, LAX]


class CreatedOut(Schema):
    id: int


class ArticleFilters(PageQuery):
    q: str = Field(default="", max_length=1000)
    product_model: str = Field(default="", max_length=64)
    status: ArticleStatus | None = None


class FaqFilters(PageQuery):
    q: str = Field(default="", max_length=1000)
    product_model: str = Field(default="", max_length=64)


class ArticleOut(Schema):
    id: int
    kind: str
    title: str
    audience: str
    status: str
    product_model: str | None
    product_category: str | None
    score: float | None
    matched: list[str]
    snippet: str
    updated_at: str | None


class ArticleListOut(Schema):
    items: list[ArticleOut]
    count: int


class ArticleDetailOut(Schema):
    id: int
    kind: str
    title: str
    symptom: str
    cause: str
    solution: str
    steps: list[str]
    audience: str
    status: str
    version: int
    product_model: str | None
    product_category: str | None
    helpful: int
    unhelpful: int
    solved: int
    published_at: str | None


class SuggestionOut(Schema):
    article: int
    title: str
    score: float
    matched: list[str]
    kind: str


class SuggestionsOut(Schema):
    items: list[SuggestionOut]


class FeedbackIn(StrictIn):
    helpful: bool


class SolutionIn(StrictIn):
    article: Id


class TransitionOut(Schema):
    id: int
    status: str
    version: int


def _product_model(code: str | None) -> ProductModel | None:
    if not code or not code.strip():
        return None
    model = ProductModel.objects.filter(code=code.strip()).first()
    if model is None:
        raise ValidationError({"product_model": _("Unknown product model.")})
    return model


def _product_category(code: str | None) -> ProductCategory | None:
    if not code or not code.strip():
        return None
    category = ProductCategory.objects.filter(code=code.strip()).first()
    if category is None:
        raise ValidationError({"product_category": _("Unknown product category.")})
    return category


def _row(item: Article | RankedArticle) -> dict[str, Any]:
    ranked = item if isinstance(item, RankedArticle) else None
    article = ranked.article if ranked else item
    assert isinstance(article, Article)
    return {
        "id": article.pk,
        "kind": article.kind,
        "title": article.title,
        "audience": article.audience,
        "status": article.status,
        "product_model": article.product_model.code if article.product_model else None,
        "product_category": article.product_category.code if article.product_category else None,
        "score": ranked.score if ranked else None,
        "matched": ranked.matched if ranked else [],
        "snippet": str(ranked.snippet) if ranked else article.symptom[:120],
        "updated_at": local_iso(article.updated_at),
    }


def _page(items: Any, *, page: int, page_size: int) -> dict[str, Any]:
    start = (page - 1) * page_size
    count = items.count() if isinstance(items, QuerySet) else len(items)
    return {"count": count, "items": [_row(i) for i in items[start : start + page_size]]}


def _list(articles: Any, q: str, product_model: str, page: int, page_size: int) -> dict[str, Any]:
    model = _product_model(product_model) if product_model else None
    if q.strip():
        return _page(article_search(articles, q, product_model=model), page=page, page_size=page_size)
    if model is not None:
        articles = articles.filter(product_model=model)
    return _page(articles, page=page, page_size=page_size)


def _detail(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "kind": article.kind,
        "title": article.title,
        "symptom": article.symptom,
        "cause": article.cause,
        "solution": article.solution,
        "steps": article.step_list(),
        "audience": article.audience,
        "status": article.status,
        "version": article.version,
        "product_model": article.product_model.code if article.product_model else None,
        "product_category": article.product_category.code if article.product_category else None,
        "helpful": article.helpful_count,
        "unhelpful": article.unhelpful_count,
        "solved": article.solved_count,
        "published_at": local_iso(article.published_at),
    }


def _readable(request: HttpRequest) -> None:
    if not request.user.has_perm("knowledge.view_article"):
        raise PermissionDenied(_("Your role may not read the knowledge base."))


@router.post("/articles", response={201: CreatedOut, **ERROR_RESPONSES}, summary="Write an article (a draft)")
def create_article(request: HttpRequest, payload: ArticleIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        article = services.article_create(
            acting_user=request.user,
            kind=payload.kind,
            title=payload.title,
            symptom=payload.symptom,
            cause=payload.cause,
            solution=payload.solution,
            steps="\n".join(s.strip() for s in payload.steps if s.strip()),
            audience=payload.audience,
            product_category=_product_category(payload.product_category),
            product_model=_product_model(payload.product_model),
        )
        return 201, {"id": article.pk}

    return idempotent_create(request, "knowledge.articles", create)


@router.get("/articles", response={200: ArticleListOut, **ERROR_RESPONSES}, summary="Articles, ranked for q")
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    _readable(request)
    articles = articles_visible_to(request.user)
    if filters.status:
        articles = articles.filter(status=filters.status)
    return _list(articles, filters.q, filters.product_model, filters.page, filters.page_size)


@router.get("/articles/{article_id}", response={200: ArticleDetailOut, **ERROR_RESPONSES}, summary="An article")
def get_article(request: HttpRequest, article_id: Id) -> Any:
    _readable(request)
    return _detail(articles_visible_to(request.user).get(pk=article_id))


@router.post(
    "/articles/{article_id}/feedback", response={201: CreatedOut, **ERROR_RESPONSES}, summary="This helped / did not"
)
def feedback_article(request: HttpRequest, article_id: Id, payload: FeedbackIn) -> Any:
    _readable(request)
    article = articles_visible_to(request.user).filter(status=ArticleStatus.PUBLISHED).get(pk=article_id)
    channel = (
        FeedbackChannel.FIELD if request.user.groups.filter(name="technician").exists() else FeedbackChannel.CONSOLE
    )
    feedback = services.article_feedback(
        article=article, helpful=payload.helpful, channel=channel, acting_user=request.user
    )
    return Status(201, {"id": feedback.pk})


@router.post(
    "/articles/{article_id}/{action}", response={200: TransitionOut, **ERROR_RESPONSES}, summary="Review, publish…"
)
def transition_article(request: HttpRequest, article_id: Id, action: str) -> Any:
    _readable(request)
    article = articles_visible_to(request.user).get(pk=article_id)
    article = services.article_transition(article=article, acting_user=request.user, action=action)
    return {"id": article.pk, "status": article.status, "version": article.version}


@router.get("/faq", response={200: ArticleListOut, **ERROR_RESPONSES}, auth=None, summary="Public FAQ (no token)")
def faq(request: HttpRequest, filters: Query[FaqFilters]) -> Any:
    return _list(public_articles(), filters.q, filters.product_model, filters.page, filters.page_size)


@orders_router.get(
    "/{order_id}/suggestions", response={200: SuggestionsOut, **ERROR_RESPONSES}, summary="Cases for the order"
)
def suggestions(request: HttpRequest, order_id: Id) -> Any:
    order = workorders_visible_to(request.user).get(pk=order_id)
    _readable(request)
    return {
        "items": [
            {
                "article": r.article.pk,
                "title": r.article.title,
                "score": r.score,
                "matched": r.matched,
                "kind": r.article.kind,
            }
            for r in order_suggestions(request.user, order)
        ]
    }


@orders_router.post(
    "/{order_id}/solutions", response={201: CreatedOut, **ERROR_RESPONSES}, summary="This article solved it"
)
def record_solution(request: HttpRequest, order_id: Id, payload: SolutionIn) -> Any:
    order = workorders_visible_to(request.user).get(pk=order_id)
    _readable(request)
    article = articles_visible_to(request.user).filter(pk=payload.article).first()
    if article is None:
        raise ValidationError({"article": _("Unknown article.")})
    link = services.article_apply(order=order, article=article, acting_user=request.user)
    return Status(201, {"id": link.pk})
