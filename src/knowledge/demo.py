"""Demo content of the knowledge base: the cases and FAQ entries of knowledge.cases for the demo's
products, written by the demo agent and technician, reviewed and published by the director (a few
left as drafts for review), with feedback counts; and one completed order's fix recorded.
Idempotent: a second run adds nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from catalog.models import ProductCategory, ProductModel
from knowledge import services
from knowledge.cases import CASES, case_product
from knowledge.models import Article

DRAFTS = {"router-fan", "fridge-water"}  # waiting for the director's review


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def load_demo_knowledge() -> dict[str, int]:
    author = _user("agent")
    reviewer = _user("director")
    created = {"articles": 0, "published": 0}
    if author is None or reviewer is None or Article.objects.exists():
        return created
    technician = _user("tech") or author
    for i, spec in enumerate(CASES):
        kind, code = case_product(spec)
        model = ProductModel.objects.filter(code=code).first() if kind == "model" else None
        category = model.category if model else ProductCategory.objects.filter(code__in=[code, code.lower()]).first()
        article = services.article_create(
            acting_user=technician if spec.kind == "case" and i % 2 else author,
            kind=spec.kind,
            audience=spec.audience,
            title=spec.title,
            symptom=spec.symptom,
            cause=spec.cause,
            solution=spec.solution,
            steps="\n".join(spec.steps),
            product_model=model,
            product_category=category,
        )
        created["articles"] += 1
        if spec.key in DRAFTS:
            continue
        services.article_transition(article=article, acting_user=reviewer, action="review")
        services.article_transition(article=article, acting_user=reviewer, action="publish")
        created["published"] += 1
        for n in range(i % 4):
            services.article_feedback(
                article=article, helpful=n != 2, channel="faq" if spec.audience == "public" else "console"
            )
    created["solved orders"] = _record_solutions()
    return created


def _record_solutions(limit: int = 5) -> int:
    """The best case of a few completed orders, recorded by their technician ('this solved it')."""
    from knowledge.selectors import order_suggestions
    from workorders.models import WorkOrder

    recorded = 0
    orders = WorkOrder.objects.filter(completed_at__isnull=False, technician__isnull=False).select_related(
        "technician", "device__product_model", "product_model"
    )
    for order in orders.order_by("completed_at", "id")[:40]:
        technician = order.technician
        if recorded >= limit or technician is None or not technician.has_perm("knowledge.apply_article"):
            continue
        best = order_suggestions(technician, order, limit=1)
        if best and best[0].score > 5:
            services.article_apply(order=order, article=best[0].article, acting_user=technician)
            recorded += 1
    return recorded
