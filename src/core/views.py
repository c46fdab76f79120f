from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.choices import LanguageChoices
from core.site_search import search_query_clean, site_search, site_search_exact


@login_required
@require_POST
def set_my_language(request: HttpRequest) -> HttpResponse:
    """Switch the console language for this user (stored on the profile, so it follows them)."""
    language = request.POST.get("language", "")
    if language in LanguageChoices.values:
        profile = getattr(request.user, "profile", None)
        if profile is not None:
            profile.language = language
            profile.save(update_fields=["language", "updated_at"])
        translation.activate(language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie("django_language", language if language in LanguageChoices.values else "zh-hans")
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: an exact order number or serial opens the record; anything else
    lists the matches the user may see, grouped by kind (core.site_search)."""
    query = search_query_clean(request.GET.get("q"))
    error = ""
    groups = []
    if not query:
        error = _("Search: enter an order number, a name, a phone or a serial number.")
    else:
        exact = site_search_exact(user=request.user, query=query)
        if exact:
            return redirect(exact)
        groups = site_search(user=request.user, query=query)
    return render(request, "core/search.html", {"search_query": query, "groups": groups, "error": error})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return redirect(static("favicon.svg"), permanent=True)
