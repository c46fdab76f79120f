"""Knowledge base permission matrix (ADR 0017): every console page and API endpoint by role. The
articles are organisation-wide (not scoped by unit); what ties them to a unit is the order — a
station never reads suggestions for, nor records a solution on, another station's order. The
public FAQ answers without sign-in and shows public articles only (test_articles.py)."""

from __future__ import annotations

from typing import Any

import pytest

from core.choices import Role
from knowledge import services
from knowledge.models import Article, ArticleFeedback, OrderArticle
from tests.matrix import NOT_FOUND, Endpoint, Matrix, Page

READ = frozenset(
    {Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.QC_INSPECTOR, Role.DIRECTOR, Role.STATION, Role.ADMIN}
)
WRITE = frozenset({Role.AGENT, Role.TECHNICIAN, Role.DIRECTOR, Role.STATION, Role.ADMIN})
APPLY = WRITE
REVIEW = frozenset({Role.DIRECTOR, Role.ADMIN})
EDIT = REVIEW  # and the author (tests/knowledge/test_articles.py)


@pytest.fixture
def draft(agent: Any) -> Article:
    return services.article_create(
        acting_user=agent, title="投影仪灯泡不亮", symptom="开机后无投影", solution="更换灯泡"
    )


def _article_count(f: Any) -> int:
    return Article.objects.count()


def _feedback_count(f: Any) -> int:
    return ArticleFeedback.objects.count()


def _solutions(f: Any) -> int:
    return OrderArticle.objects.count()


def _png(name: str = "photo.png") -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 60, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def case_image(internal_case: Article, director: Any) -> Any:
    return services.article_image_add(article=internal_case, acting_user=director, upload=_png(), caption="蓝屏")


def _image_count(f: Any) -> int:
    return f.internal_case.images.count()


def _draft_status(f: Any) -> str:
    return Article.objects.get(pk=f.draft.pk).status


_BODY = {"title": "打印机卡纸", "symptom": "进纸卡住", "solution": "清理搓纸轮", "audience": "internal"}

MATRIX = Matrix(
    pages=[
        Page("list", "/knowledge/?q=蓝屏", READ, shows="/knowledge/{internal_case.pk}/", fixtures=("internal_case",)),
        Page("create", "/knowledge/new/", WRITE),
        Page("detail", "/knowledge/{internal_case.pk}/", READ, shows="{internal_case.title}"),
        Page("edit", "/knowledge/{internal_case.pk}/edit/", EDIT),
        Page(
            "image",
            "/knowledge/{internal_case.pk}/images/{case_image.pk}/",
            READ,
            content_type="image/png",
        ),
        Page(
            "image_add",
            "/knowledge/{internal_case.pk}/images/",
            EDIT,  # and the author (tests/knowledge/test_articles.py)
            method="POST",
            body=lambda f: {"file": _png(), "caption": "主板"},
            status=302,
            unchanged=_image_count,
        ),
        Page(
            "action",
            "/knowledge/{draft.pk}/review/",
            REVIEW,
            method="POST",
            body={},
            status=302,
            denied=404,  # a draft is read by its author and the reviewers only
            unchanged=_draft_status,
        ),
        Page(
            "feedback",
            "/knowledge/{internal_case.pk}/feedback/",
            READ,
            method="POST",
            body={"helpful": "1"},
            status=302,
            unchanged=_feedback_count,
        ),
        Page(
            "suggest",
            "/knowledge/suggest/?description=一开机就蓝屏",
            READ,
            shows="电脑频繁",
            fixtures=("internal_case",),
        ),
        Page(
            "order_card",
            "/knowledge/orders/{open_order.pk}/card/",
            READ,
            other_unit=NOT_FOUND,
            shows="/knowledge/{internal_case.pk}/",
            fixtures=("internal_case",),
        ),
        Page(
            "from_order",
            "/knowledge/orders/{completed_order.pk}/draft/",
            WRITE,
            method="POST",
            body={},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_article_count,
        ),
        Page(
            "apply",
            "/knowledge/orders/{open_order.pk}/solved/",
            APPLY,
            method="POST",
            body=lambda f: {"article": f.internal_case.pk},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_solutions,
        ),
    ],
    endpoints=[
        Endpoint(
            "list", "/api/v1/knowledge/articles?q=蓝屏", READ, shows="电脑频繁蓝屏重启", fixtures=("internal_case",)
        ),
        Endpoint("detail", "/api/v1/knowledge/articles/{internal_case.pk}", READ, shows="{internal_case.title}"),
        Endpoint(
            "create",
            "/api/v1/knowledge/articles",
            WRITE,
            method="POST",
            body=_BODY,
            status=201,
            unchanged=_article_count,
        ),
        Endpoint(
            "review",
            "/api/v1/knowledge/articles/{draft.pk}/review",
            REVIEW,
            method="POST",
            body={},
            denied=404,  # a draft is read by its author and the reviewers only
            denied_for={Role.FINANCE: 403, Role.PARTS_CLERK: 403},  # no knowledge base at all
            unchanged=_draft_status,
        ),
        Endpoint(
            "feedback",
            "/api/v1/knowledge/articles/{internal_case.pk}/feedback",
            READ,
            method="POST",
            body={"helpful": True},
            status=201,
            unchanged=_feedback_count,
        ),
        Endpoint(
            "suggestions",
            "/api/v1/work-orders/{open_order.pk}/suggestions",
            READ,
            other_unit=NOT_FOUND,
            shows="电脑频繁蓝屏重启",
            fixtures=("internal_case",),
        ),
        Endpoint(
            "solutions",
            "/api/v1/work-orders/{open_order.pk}/solutions",
            APPLY,
            method="POST",
            body=lambda f: {"article": f.internal_case.pk},
            status=201,
            other_unit=NOT_FOUND,
            unchanged=_solutions,
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
