from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    CASE = "case", _("Fault case")
    FAQ = "faq", _("FAQ")


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class FeedbackChannel(models.TextChoices):
    CONSOLE = "console", _("Console")
    FIELD = "field", _("Field")
    FAQ = "faq", _("Public FAQ")


#: action → (from statuses, to status, permission)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "review": (frozenset({ArticleStatus.DRAFT}), ArticleStatus.REVIEWED, "knowledge.review_article"),
    "publish": (
        frozenset({ArticleStatus.REVIEWED}),
        ArticleStatus.PUBLISHED,
        "knowledge.publish_article",
    ),
    "return": (
        frozenset({ArticleStatus.REVIEWED, ArticleStatus.PUBLISHED}),
        ArticleStatus.DRAFT,
        "knowledge.review_article",
    ),
    "archive": (
        frozenset({ArticleStatus.DRAFT, ArticleStatus.REVIEWED, ArticleStatus.PUBLISHED}),
        ArticleStatus.ARCHIVED,
        "knowledge.publish_article",
    ),
}

SEARCH_KIND = "knowledge.article"
