"""Knowledge base (SPEC §11): fault cases and FAQ entries, their versions, images and feedback, and
the articles that solved an order."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from core.models import BaseModel
from knowledge.choices import ArticleKind, ArticleStatus, Audience, FeedbackChannel
from workorders.models import WorkOrder


class Article(BaseModel):
    kind = models.CharField(_("kind"), max_length=8, choices=ArticleKind.choices, default=ArticleKind.CASE)
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    cause = models.TextField(_("cause"), blank=True)
    solution = models.TextField(_("solution"))
    steps = models.TextField(_("steps"), blank=True, help_text=_("One step a line."))
    product_category = models.ForeignKey(
        ProductCategory, verbose_name=_("product category"), null=True, blank=True, on_delete=models.PROTECT
    )
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT
    )
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.INTERNAL)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source_order = models.ForeignKey(
        WorkOrder, verbose_name=_("from work order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful_count = models.PositiveIntegerField(_("helped"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("did not help"), default=0)
    solved_count = models.PositiveIntegerField(_("solved orders"), default=0)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering: ClassVar[list[str]] = ["-updated_at", "-id"]
        permissions = [
            ("review_article", "Can review knowledge articles"),
            ("publish_article", "Can publish knowledge articles"),
            ("apply_article", "Can record the article that solved an order"),
        ]

    def __str__(self) -> str:
        return self.title

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class ArticleVersion(models.Model):
    """What an article said at each version (who wrote it, when)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    cause = models.TextField(_("cause"), blank=True)
    solution = models.TextField(_("solution"))
    steps = models.TextField(_("steps"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArticleImage(BaseModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to="knowledge/%Y/%m/", max_length=300)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(max_length=64, default="image/jpeg")

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]


class ArticleFeedback(models.Model):
    """'This helped / did not help' from an agent, a technician or a reader of the public FAQ."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("helped"))
    channel = models.CharField(_("channel"), max_length=8, choices=FeedbackChannel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class OrderArticle(BaseModel):
    """The article that solved an order ('this solved it')."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="orders")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("solving article")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["order", "article"], name="knowledge_order_article_once")
        ]
