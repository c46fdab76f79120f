"""Console pages of the knowledge base and the public FAQ (/s/faq/, no sign-in). Thin: parse, call
selectors and services, render."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import ProductModel
from core.exceptions import TransitionNotAllowed
from core.forms import add_service_errors
from devices.selectors import devices_visible_to
from knowledge import services
from knowledge.choices import TRANSITIONS, ArticleStatus, FeedbackChannel
from knowledge.forms import ArticleForm
from knowledge.models import ArticleImage
from knowledge.selectors import article_search, articles_visible_to, public_articles, suggestions_for
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 20
MAX_Q = 1000


def _q(request: HttpRequest, name: str = "q") -> str:
    return (request.GET.get(name) or "")[:MAX_Q]


def _product_model(request: HttpRequest) -> ProductModel | None:
    code = (request.GET.get("product_model") or "").strip()[:64]
    return ProductModel.objects.filter(code=code).first() if code else None


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
def article_list(request: HttpRequest) -> HttpResponse:
    q = _q(request)
    model = _product_model(request)
    articles = articles_visible_to(request.user)
    status = request.GET.get("status") or ""
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    ranked = article_search(articles, q, product_model=model) if q.strip() else None
    if ranked is None and model is not None:
        articles = articles.filter(product_model=model)
    page = Paginator(ranked if ranked is not None else articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/list.html",
        {"page": page, "ranked": ranked is not None, "q": q, "statuses": ArticleStatus.choices, "status": status},
    )


@login_required
@permission_required("knowledge.add_article", raise_exception=True)
def article_create(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "article": None})


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(articles_visible_to(request.user), pk=pk)
    actions = [
        (action, services.article_transition_refusal(article, action, request.user))
        for action, (sources, _target, permission) in TRANSITIONS.items()
        if article.status in sources and request.user.has_perm(permission)
    ]
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "versions": article.versions.select_related("author")[:20],
            "actions": actions,
            "may_edit": request.user.has_perm("knowledge.change_article") or article.author_id == request.user.pk,
        },
    )


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(articles_visible_to(request.user), pk=pk)
    if not (request.user.has_perm("knowledge.change_article") or article.author_id == request.user.pk):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, instance=copy(article))  # the form must not change the loaded one
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(
                article=article,
                acting_user=request.user,
                changes={name: form.cleaned_data[name] for name in form.fields},
                version=int(request.POST.get("version") or article.version),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = get_object_or_404(articles_visible_to(request.user), pk=pk)
    if action not in TRANSITIONS or not request.user.has_perm(TRANSITIONS[action][2]):
        raise PermissionDenied
    try:
        services.article_transition(article=article, acting_user=request.user, action=action)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    return redirect("knowledge:detail", pk=article.pk)


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
@require_POST
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(articles_visible_to(request.user).filter(status=ArticleStatus.PUBLISHED), pk=pk)
    channel = FeedbackChannel.FIELD if request.POST.get("channel") == "field" else FeedbackChannel.CONSOLE
    services.article_feedback(
        article=article, helpful=request.POST.get("helpful") == "1", channel=channel, acting_user=request.user
    )
    messages.success(request, _("Thank you for the feedback."))
    if request.POST.get("next"):
        return redirect(_safe_next(request))
    return redirect("knowledge:detail", pk=article.pk)


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions box of the intake form (htmx): the best cases for what the agent typed and
    the chosen device's product."""
    description = _q(request, "description")
    model = _product_model(request)
    device_id = (request.GET.get("device") or "").strip()
    if model is None and device_id.isdigit():
        device = devices_visible_to(request.user).select_related("product_model").filter(pk=int(device_id)).first()
        model = device.product_model if device else None
    items = suggestions_for(request.user, description=description, product_model=model) if description.strip() else []
    return render(request, "knowledge/partials/suggestions.html", {"items": items, "description": description})


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
@require_GET
def order_card(request: HttpRequest, order_pk: int) -> HttpResponse:
    """The knowledge card of an order or job page (loaded by htmx after the page): the best cases
    for the order, 'this solved it', and the draft-from-this-fix button on a completed order."""
    from knowledge.panels import order_knowledge_context

    order = get_object_or_404(workorders_visible_to(request.user).select_related("device__product_model"), pk=order_pk)
    context = order_knowledge_context(request, order) or {}
    nxt = request.GET.get("next") or ""
    from django.utils.http import url_has_allowed_host_and_scheme

    context["next"] = nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else ""
    return render(request, "knowledge/partials/order_card.html", {"panel": context})


@login_required
@permission_required("knowledge.add_article", raise_exception=True)
@require_POST
def from_order(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_pk)
    try:
        article = services.article_from_order(order=order, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workorders:detail", pk=order.pk)
    messages.success(request, _("Draft case created from the order; complete it and send it for review."))
    return redirect("knowledge:edit", pk=article.pk)


@login_required
@permission_required("knowledge.apply_article", raise_exception=True)
@require_POST
def apply(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = get_object_or_404(workorders_visible_to(request.user), pk=order_pk)
    article = get_object_or_404(articles_visible_to(request.user), pk=_int(request.POST.get("article")))
    try:
        services.article_apply(order=order, article=article, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded: %(title)s solved this order.") % {"title": article.title})
    if request.POST.get("next"):
        return redirect(_safe_next(request))
    return redirect("workorders:detail", pk=order.pk)


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
@require_POST
def image_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(articles_visible_to(request.user), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a photo."))
        return redirect("knowledge:detail", pk=article.pk)
    try:
        services.article_image_add(
            article=article, acting_user=request.user, upload=upload, caption=request.POST.get("caption", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("knowledge:detail", pk=article.pk)


def _image_response(image: ArticleImage) -> FileResponse:
    try:
        handle = image.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required("knowledge.view_article", raise_exception=True)
def image(request: HttpRequest, pk: int, image_pk: int) -> FileResponse:
    article = get_object_or_404(articles_visible_to(request.user), pk=pk)
    return _image_response(get_object_or_404(ArticleImage, pk=image_pk, article=article))


def faq_image(request: HttpRequest, pk: int, image_pk: int) -> FileResponse:
    article = get_object_or_404(public_articles(), pk=pk)
    return _image_response(get_object_or_404(ArticleImage, pk=image_pk, article=article))


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


# --- the public FAQ (no sign-in) --------------------------------------------------------------


def faq(request: HttpRequest) -> HttpResponse:
    q = _q(request)
    articles = public_articles()
    ranked = article_search(articles, q, product_model=_product_model(request), limit=30) if q.strip() else None
    items = ranked if ranked is not None else [a for a in articles.order_by("-helpful_count", "-id")[:30]]
    return render(request, "knowledge/faq.html", {"q": q, "ranked": ranked is not None, "items": items})


def faq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(public_articles(), pk=pk)
    return render(request, "knowledge/faq_detail.html", {"article": article, "thanks": request.GET.get("thanks")})


# How many articles' votes a browser session remembers (one vote per article and session).
FAQ_VOTES_REMEMBERED = 200


@require_POST
def faq_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """A visitor's vote counts once per article and browser session, and an address may vote only
    so often: the votes rank the public answers, so a script must not be able to push one up."""
    from portal import throttle

    article = get_object_or_404(public_articles(), pk=pk)
    if throttle.faq_votes_exceeded(request):
        return throttle.too_many_attempts(request, _("Too many votes from your network. Try again later."))
    voted = [int(value) for value in request.session.get("faq_voted", []) if str(value).isdigit()]
    if article.pk not in voted:
        services.article_feedback(
            article=article, helpful=request.POST.get("helpful") == "1", channel=FeedbackChannel.FAQ
        )
        request.session["faq_voted"] = (voted + [article.pk])[-FAQ_VOTES_REMEMBERED:]
    return redirect(reverse("faq:detail", args=[article.pk]) + "?thanks=1")
