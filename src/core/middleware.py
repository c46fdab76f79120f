from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from core.context import acting_as


class UserLanguageMiddleware:
    """Activate the language the signed-in user chose (profile), over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.language:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = profile.language
        return self.get_response(request)


class RequestContextMiddleware:
    """Give every request an id and make the acting user known to the change log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A client's id is kept only if it fits the change log (64 printable ASCII characters).
        raw = (request.headers.get("X-Request-ID") or "").strip()
        request_id = raw if 0 < len(raw) <= 64 and raw.isascii() and raw.isprintable() else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        with acting_as(user if user is not None and user.is_authenticated else None, request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class TwoFactorMiddleware:
    """No console page for a session that still owes its second factor (core.two_factor): the
    code page while a code is due, the enrolment page while a required role has no
    authenticator. The API answers for itself (its session auth refuses such a session, its
    bearer tokens are not sessions); static files, the language switch and sign-out stay open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _open_during_sign_in(request.path_info):
            return self.get_response(request)
        from core.two_factor import Step, session_step

        step = session_step(request)
        if step == Step.NONE:
            return self.get_response(request)
        target = reverse("two_factor_code") if step == Step.CODE else reverse("core:two_factor_enrol")
        if request.path_info == target:
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect_to_login(request.get_full_path(), target, "next")


def _open_during_sign_in(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return (
        path.startswith(static)
        or path.startswith("/api/")
        or path in {reverse("logout"), reverse("login"), reverse("core:set_language"), reverse("core:healthz")}
    )
