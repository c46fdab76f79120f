from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
