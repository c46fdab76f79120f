"""Writes of the knowledge base: one function per action, in a transaction, indexed for search in
the same transaction (core.search), with a version snapshot on each content change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductCategory, ProductModel
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.search import index_document
from knowledge.choices import SEARCH_KIND, TRANSITIONS, ArticleKind, ArticleStatus, Audience, FeedbackChannel
from knowledge.models import Article, ArticleFeedback, ArticleImage, ArticleVersion, OrderArticle
from workorders.choices import EventKind
from workorders.models import WorkOrder
from workorders.services import workorder_record_event

CONTENT_FIELDS = ("title", "symptom", "cause", "solution", "steps")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "kind", "audience", "product_category", "product_model")


def article_index(article: Article) -> None:
    model = article.product_model
    category_id = article.product_category_id or (model.category_id if model else None)
    index_document(
        kind=SEARCH_KIND,
        object_id=article.pk,
        title=article.title,
        body=[
            article.symptom,
            article.cause,
            article.solution,
            article.steps,
            model.name if model else "",
            model.code if model else "",
            article.product_category.name if article.product_category else "",
        ],
        product_model_id=article.product_model_id,
        product_category_id=category_id,
    )


def articles_reindex() -> int:
    count = 0
    for article in Article.objects.select_related("product_model", "product_category").iterator(chunk_size=500):
        article_index(article)
        count += 1
    return count


def _snapshot(article: Article, user: Any | None) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        status=article.status,
        author=user if getattr(user, "is_authenticated", False) else None,
        **{name: getattr(article, name) for name in CONTENT_FIELDS},
    )


def _check_product(article: Article) -> None:
    if (
        article.product_model
        and article.product_category
        and article.product_model.category_id != article.product_category_id
    ):
        raise ValidationError({"product_model": _("The model is not of the chosen category.")})


@transaction.atomic
def article_create(
    *,
    acting_user: Any | None,
    title: str,
    symptom: str,
    solution: str,
    cause: str = "",
    steps: str = "",
    kind: str = ArticleKind.CASE,
    audience: str = Audience.INTERNAL,
    product_category: ProductCategory | None = None,
    product_model: ProductModel | None = None,
    source_order: WorkOrder | None = None,
    status: str = ArticleStatus.DRAFT,
) -> Article:
    if acting_user is not None and not acting_user.has_perm("knowledge.add_article"):
        raise PermissionDenied(_("You may not write knowledge articles."))
    article = Article(
        kind=kind,
        title=(title or "").strip(),
        symptom=(symptom or "").strip(),
        cause=(cause or "").strip(),
        solution=(solution or "").strip(),
        steps=(steps or "").strip(),
        audience=audience,
        product_category=product_category,
        product_model=product_model,
        source_order=source_order,
        author=acting_user,
        status=status,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None,
    )
    article.full_clean()
    _check_product(article)
    article.save()
    _snapshot(article, acting_user)
    article_index(article)
    return article


@transaction.atomic
def article_update(
    *, article: Article, acting_user: Any, changes: dict[str, Any], version: int | None = None
) -> Article:
    """Change the content: a new version; a reviewed or published article goes back to draft for
    review (what the public reads is always what a reviewer passed)."""
    if not acting_user.has_perm("knowledge.change_article") and article.author_id != acting_user.pk:
        raise PermissionDenied(_("You may not edit this article."))
    article = Article.objects.select_for_update().get(pk=article.pk)
    if version is not None and version != article.version:
        raise VersionConflict(_("Someone else changed this article; reload it."), current_version=article.version)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    content_changed = changed = False
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(article, name) != value:
            changed = True
            content_changed = content_changed or name in CONTENT_FIELDS or name == "audience"
            setattr(article, name, value)
    if not changed:
        return article
    article.version += 1
    if content_changed and article.status in {ArticleStatus.REVIEWED, ArticleStatus.PUBLISHED}:
        article.status = ArticleStatus.DRAFT
        article.published_at = None
    article.full_clean()
    _check_product(article)
    article.save()
    _snapshot(article, acting_user)
    article_index(article)
    return article


def article_transition_refusal(article: Article, action: str, user: Any) -> str:
    """Why ``user`` may not apply ``action`` now ('' when allowed)."""
    if action not in TRANSITIONS:
        return _("Unknown action.")
    sources, _target, permission = TRANSITIONS[action]
    if not user.has_perm(permission):
        return _("Your role may not do this.")
    if article.status not in sources:
        return _("Not possible while the article is %(status)s.") % {"status": article.get_status_display()}
    if action == "review" and article.author_id == user.pk and not user.is_superuser:
        return _("Another person reviews what you wrote.")
    return ""


@transaction.atomic
def article_transition(*, article: Article, acting_user: Any, action: str) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action.")})
    refusal = article_transition_refusal(article, action, acting_user)
    if refusal:
        if not acting_user.has_perm(TRANSITIONS[action][2]):
            raise PermissionDenied(refusal)
        allowed = [a for a in TRANSITIONS if not article_transition_refusal(article, a, acting_user)]
        raise TransitionNotAllowed(refusal, status=article.status, action=action, allowed_actions=allowed)
    target = TRANSITIONS[action][1]
    article.status = target
    if action == "review":
        article.reviewed_by = acting_user
    if target == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    elif target == ArticleStatus.DRAFT:
        article.published_at = None
    article.save()
    return article


@transaction.atomic
def article_feedback(
    *, article: Article, helpful: bool, channel: str, acting_user: Any | None = None
) -> ArticleFeedback:
    if channel not in FeedbackChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    feedback = ArticleFeedback.objects.create(article=article, helpful=helpful, channel=channel, user=user)
    field = "helpful_count" if helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    return feedback


@transaction.atomic
def article_apply(*, order: WorkOrder, article: Article, acting_user: Any) -> OrderArticle:
    """'This solved it': the article is recorded on the order (once), counted for the article,
    and the order's timeline says so."""
    if not acting_user.has_perm("knowledge.apply_article"):
        raise PermissionDenied(_("Your role may not record solutions."))
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError({"article": _("Only a published article can be recorded as the solution.")})
    link, created = OrderArticle.objects.get_or_create(
        order=order, article=article, defaults={"recorded_by": acting_user}
    )
    if created:
        Article.objects.filter(pk=article.pk).update(solved_count=F("solved_count") + 1)
        workorder_record_event(
            order=order,
            kind=EventKind.UPDATED,
            acting_user=acting_user,
            note=_("Solved with knowledge article: %(title)s") % {"title": article.title},
            data={"knowledge_article": article.pk},
        )
    return link


@transaction.atomic
def article_image_add(*, article: Article, acting_user: Any, upload: Any, caption: str = "") -> ArticleImage:
    """A photo for the article (checked by its content: JPEG, PNG, GIF or WebP)."""
    from workorders.attachments import check_upload
    from workorders.choices import AttachmentKind

    if not acting_user.has_perm("knowledge.change_article") and article.author_id != acting_user.pk:
        raise PermissionDenied(_("You may not edit this article."))
    kind, content_type = check_upload(upload)
    if kind != AttachmentKind.PHOTO:
        raise ValidationError({"file": _("Only photos (JPEG, PNG, GIF, WebP) can be added to an article.")})
    image = ArticleImage(article=article, caption=(caption or "").strip()[:200], content_type=content_type)
    image.image.save(upload.name or "image", upload, save=False)
    image.full_clean()
    image.save()
    return image


def order_fix_text(order: WorkOrder) -> tuple[str, str]:
    """The cause and the fix a technician wrote on the order: its diagnosis and fault cause, and the
    notes of the repair (repair log, submission for QC, completion)."""
    from workorders.models import TimelineEvent

    cause_parts = [order.get_fault_cause_display() if order.fault_cause else "", order.diagnosis]
    notes = list(
        TimelineEvent.objects.filter(order=order, kind__in=["repair_log", "submit_qc", "complete", "resolve_remotely"])
        .exclude(note="")
        .order_by("at", "id")
        .values_list("note", flat=True)
    )
    return "\n".join(p for p in cause_parts if p), "\n".join(dict.fromkeys(notes))


@transaction.atomic
def article_from_order(*, order: WorkOrder, acting_user: Any) -> Article:
    """One click on a completed order: a draft fault case from its description and the fix."""
    if order.completed_at is None:
        raise ValidationError({"order": _("Only a completed order's fix can become a case.")})
    cause, fix = order_fix_text(order)
    model = order.product_model or (order.device.product_model if order.device else None)
    description = " ".join(order.description.split())
    title = description[:60] + ("…" if len(description) > 60 else "")
    return article_create(
        acting_user=acting_user,
        title=title,
        symptom=order.description,
        cause=cause,
        solution=fix or _("(describe the fix)"),
        product_model=model,
        product_category=model.category if model else None,
        source_order=order,
    )
