from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.choices import LanguageChoices


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
