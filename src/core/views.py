from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
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


def _audit_tab(request: HttpRequest) -> str:
    """The tab asked for (``changes`` / ``refusals``), falling back to one the user may read."""
    from core import audit

    may = {"changes": request.user.has_perm(audit.VIEW_CHANGES), "refusals": request.user.has_perm(audit.VIEW_REFUSALS)}
    if not any(may.values()):
        raise PermissionDenied
    wanted = request.GET.get("tab", "changes")
    return wanted if may.get(wanted) else next(tab for tab, allowed in may.items() if allowed)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志: who changed what and every refused request, for admins and directors (core.audit)."""
    from core import audit

    tab = _audit_tab(request)
    filters = audit.AuditFilters.from_query(request.GET)
    if tab == "changes":
        rows: Any = audit.changes_visible_to(request.user, filters)
    else:
        rows = audit.refusals_visible_to(request.user, filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "page": page,
        "filters": filters,
        "object_types": audit.audit_object_types() if tab == "changes" else [],
        "users": audit.audit_users(request.user),
        "may_see_changes": request.user.has_perm(audit.VIEW_CHANGES),
        "may_see_refusals": request.user.has_perm(audit.VIEW_REFUSALS),
    }
    return render(request, "core/audit_log.html", context)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The audit log's tab as CSV, with the page's filters (at most ``audit.EXPORT_LIMIT`` rows)."""
    from django.utils import timezone

    from core import audit
    from core.exports import csv_response

    tab = _audit_tab(request)
    filters = audit.AuditFilters.from_query(request.GET)
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    if tab == "changes":
        return csv_response(
            filename=f"audit-changes-{stamp}.csv",
            header=audit.CHANGE_HEADER,
            rows=audit.change_rows(audit.changes_visible_to(request.user, filters)),
        )
    return csv_response(
        filename=f"audit-refusals-{stamp}.csv",
        header=audit.REFUSAL_HEADER,
        rows=audit.refusal_rows(audit.refusals_visible_to(request.user, filters)),
    )
