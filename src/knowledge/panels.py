"""Where the knowledge base shows up on other apps' pages (core.panels / workorders.panels): the
order page (suggestions, 'this solved it', 'turn this fix into a draft case'), the intake form
(suggestions while the agent types), the technician's job page, and the portal's request page
('check these first')."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel
from workorders.panels import OrderPanel, register_order_panel


def order_knowledge_card(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    """The card on the order and job pages reads nothing: its content loads after the page (htmx,
    ``knowledge:order_card``), so those pages keep their query budgets."""
    if not request.user.has_perm("knowledge.view_article"):
        return None
    return {"order": order, "back": request.get_full_path()}


def order_knowledge_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from knowledge.selectors import order_solutions, order_suggestions

    user = request.user
    if not user.has_perm("knowledge.view_article"):
        return None
    solutions = order_solutions(order)
    return {
        "order": order,
        "suggestions": order_suggestions(user, order, limit=3),
        "solutions": solutions,
        "solved_ids": {s.article_id for s in solutions},
        "may_apply": user.has_perm("knowledge.apply_article"),
        "may_draft": user.has_perm("knowledge.add_article") and order.completed_at is not None,
    }


def intake_context(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    if not request.user.has_perm("knowledge.view_article"):
        return None
    return {"intake": True}


def portal_request_context(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    return {"faq": True}


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="knowledge",
            template="knowledge/panels/order_panel.html",
            context=order_knowledge_card,
            order=80,
            column="side",
        )
    )
    register_page_panel(
        PagePanel(
            page="order_intake",
            name="knowledge-suggestions",
            template="knowledge/panels/intake_panel.html",
            context=intake_context,
        )
    )
    register_page_panel(
        PagePanel(
            page="field_job",
            name="knowledge-suggestions",
            template="knowledge/panels/order_panel.html",
            context=order_knowledge_card,
        )
    )
    register_page_panel(
        PagePanel(
            page="portal_request",
            name="knowledge-faq",
            template="knowledge/panels/portal_faq_link.html",
            context=portal_request_context,
        )
    )
