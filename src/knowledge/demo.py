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
        if spec.audience == "public" and not created.get("images"):
            _add_panel_photo(article, author)
            created["images"] = 1
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


def _add_panel_photo(article: Article, author: Any) -> None:
    """A photo for the first public entry (its FAQ page and the console show it): the unit's panel."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (320, 200), (235, 235, 230))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 30, 280, 170), fill=(70, 80, 90), outline=(20, 20, 20), width=3)
    draw.rectangle((60, 50, 260, 100), fill=(30, 60, 90))  # the display
    draw.ellipse((230, 130, 250, 150), fill=(220, 60, 40))  # the fault light
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    upload = SimpleUploadedFile("panel.png", buffer.getvalue(), content_type="image/png")
    services.article_image_add(article=article, acting_user=author, upload=upload, caption="面板与故障指示灯")


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
