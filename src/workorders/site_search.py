"""Work orders in the header's search (core.site_search): number, description, phone, address,
reported serial; an exact order number the user may see opens that order."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.search import apply_search
from core.site_search import SearchHit, SearchKind, register_search_kind
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to


def _find(user: Any, query: str) -> QuerySet[WorkOrder]:
    return apply_search(workorders_visible_to(user), query).order_by("-submitted_at", "-id")


def _exact(user: Any, query: str) -> str | None:
    pk = workorders_visible_to(user).filter(number=query.strip().upper()).values_list("pk", flat=True).first()
    return reverse("workorders:detail", args=[pk]) if pk is not None else None


def _hit(order: WorkOrder) -> SearchHit:
    return SearchHit(
        title=order.number,
        detail=" · ".join(
            str(part) for part in (order.customer.name, order.get_status_display(), order.get_service_type_display())
        ),
        url=reverse("workorders:detail", args=[order.pk]),
    )


def register() -> None:
    register_search_kind(
        SearchKind(
            key="orders",
            label=_("Work orders"),
            permission="workorders.view_workorder",
            find=_find,
            hit=_hit,
            exact=_exact,
            list_url_name="workorders:list",
            order=10,
        )
    )
