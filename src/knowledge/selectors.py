"""Reads of the knowledge base. One scoping function for every list, detail, suggestion and API:
``articles_visible_to(user)``; the public FAQ reads ``public_articles()`` only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Q, QuerySet

from core.search import Hit, highlight, search_ranked
from knowledge.choices import SEARCH_KIND, ArticleStatus, Audience
from knowledge.models import Article, OrderArticle
from workorders.models import WorkOrder

SUGGESTIONS = 5


def articles_visible_to(user: Any) -> QuerySet[Article]:
    """Staff who may read the knowledge base read every published article (internal and public);
    drafts are read by their author and by reviewers. Anyone else reads the public FAQ only."""
    articles = Article.objects.select_related("product_model", "product_category", "author")
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm("knowledge.view_article"):
        return public_articles()
    if user.has_perm("knowledge.review_article"):
        return articles
    return articles.filter(Q(status=ArticleStatus.PUBLISHED) | Q(author=user))


def public_articles() -> QuerySet[Article]:
    return Article.objects.select_related("product_model", "product_category").filter(
        status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC
    )


@dataclass
class RankedArticle:
    article: Article
    score: float
    matched: list[str] = field(default_factory=list)

    @property
    def snippet(self) -> str:
        text = self.article.symptom + " " + self.article.solution
        return highlight(text, self.matched)

    @property
    def title_marked(self) -> str:
        return highlight(self.article.title, self.matched, width=200)


class RankedArticles(Sequence[RankedArticle]):
    """The ranked hits of a search, best first; the articles are read only for the part asked for
    (a page reads its 20, not all 200 hits: the count is the hits')."""

    def __init__(self, articles: QuerySet[Article], hits: list[Hit]) -> None:
        self._articles, self._hits = articles, hits

    def __len__(self) -> int:
        return len(self._hits)

    def _load(self, hits: list[Hit]) -> list[RankedArticle]:
        by_id = self._articles.in_bulk([h.object_id for h in hits])
        return [RankedArticle(by_id[h.object_id], h.score, h.matched) for h in hits if h.object_id in by_id]

    @overload
    def __getitem__(self, index: int) -> RankedArticle: ...

    @overload
    def __getitem__(self, index: slice) -> list[RankedArticle]: ...

    def __getitem__(self, index: int | slice) -> RankedArticle | list[RankedArticle]:
        if isinstance(index, slice):
            return self._load(self._hits[index])
        return self._load([self._hits[index]])[0]

    def __iter__(self) -> Iterator[RankedArticle]:
        return iter(self._load(self._hits))


def article_search(
    articles: QuerySet[Article],
    query: str | None,
    *,
    product_model: Any | None = None,
    limit: int = 200,
) -> RankedArticles:
    """``articles`` (already scoped) ranked for ``query``; the product's articles first among equals."""
    hits = search_ranked(
        kind=SEARCH_KIND,
        query=query,
        restrict=articles,
        product_model_id=product_model.pk if product_model else None,
        product_category_id=product_model.category_id if product_model else None,
        limit=limit,
    )
    return RankedArticles(articles, hits)


def suggestions_for(
    user: Any, *, description: str, product_model: Any | None = None, limit: int = SUGGESTIONS
) -> list[RankedArticle]:
    """The published cases and FAQs that best match a fault description and the device's product."""
    articles = articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)
    return list(article_search(articles, description, product_model=product_model, limit=limit))


def order_product(order: WorkOrder) -> Any | None:
    if order.product_model_id:
        return order.product_model
    return order.device.product_model if order.device else None


def order_suggestions(user: Any, order: WorkOrder, *, limit: int = SUGGESTIONS) -> list[RankedArticle]:
    return suggestions_for(user, description=order.description, product_model=order_product(order), limit=limit)


def order_solutions(order: WorkOrder) -> list[OrderArticle]:
    return list(OrderArticle.objects.filter(order=order).select_related("article", "recorded_by").order_by("id"))
