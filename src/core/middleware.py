from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

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


def content_security_policy(directives: dict[str, list[str]]) -> str:
    """The header's value: ``{"script-src": ["'self'"]}`` → ``script-src 'self'``."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not send: a Content-Security-Policy (Django 5.2
    has none built in; 6.0's ``django.middleware.csp`` would replace this) and a Permissions-Policy.

    The policy (``CONTENT_SECURITY_POLICY`` in settings) allows scripts from this site only — no
    inline ``<script>``, no ``on*=`` attributes, no ``eval`` (htmx runs with ``allowEval: false``,
    base.html) — and denies framing (``frame-ancestors 'none'``, beside ``X-Frame-Options: DENY``).
    A view that sends its own policy keeps it. ``CONTENT_SECURITY_POLICY_REPORT_ONLY`` sends the
    same policy as report-only, to try a stricter one on a live site first (docs/operations.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.policy = content_security_policy(settings.CONTENT_SECURITY_POLICY)
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and self.header not in response:
            response[self.header] = self.policy
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        return response


class SessionIdleTimeoutMiddleware:
    """Sign staff out after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and after
    ``SESSION_MAX_AGE`` seconds in any case (OWASP ASVS 4.0.3 §3.3.2, level 2: 30 minutes idle,
    12 hours at most — the defaults).

    Only signed-in sessions: a customer's portal session (the orders it proved) keeps Django's
    ``SESSION_COOKIE_AGE``. The last-seen time is written at most once a minute, so a busy page
    does not write its session on every request; the cookie's and the stored session's expiry
    follow it, so an idle browser's cookie lapses too.
    """

    LAST_SEEN = "_staff_last_seen"
    SIGNED_IN = "_staff_signed_in"
    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @classmethod
    def session_started(cls, sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        """On sign-in (``user_logged_in``): both clocks start, and the session lapses when idle —
        stamped here, so the first pages after signing in write no session."""
        import time

        from django.conf import settings

        session = getattr(request, "session", None)
        if session is None:
            return
        now = int(time.time())
        session[cls.SIGNED_IN] = session[cls.LAST_SEEN] = now
        session.set_expiry(int(settings.SESSION_IDLE_TIMEOUT))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings
        from django.contrib.auth import SESSION_KEY, logout

        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = int(time.time())
            idle = int(settings.SESSION_IDLE_TIMEOUT)
            seen, started = session.get(self.LAST_SEEN), session.get(self.SIGNED_IN)
            if (isinstance(seen, int) and now - seen > idle) or (
                isinstance(started, int) and now - started > int(settings.SESSION_MAX_AGE)
            ):
                logout(request)  # a new, empty session; the page then asks to sign in
            else:
                if not isinstance(started, int):
                    session[self.SIGNED_IN] = now
                if not isinstance(seen, int) or now - seen >= self.REFRESH_SECONDS:
                    session[self.LAST_SEEN] = now
                    session.set_expiry(idle)
        return self.get_response(request)


class AccessRefusalMiddleware:
    """Write an ``AccessRefusal`` for every 403 answered: a console page's permission check
    (``PermissionDenied``), an API refusal, a failed CSRF check — whoever refused, the response
    says it. Who (the signed-in user, or the API token's), the method and path, the client
    address, the request id, and the refusal's message when there was one. A failure to write
    never changes the answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            self._record(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from django.core.exceptions import PermissionDenied

        if isinstance(exception, PermissionDenied):
            request._refusal_reason = str(exception)  # type: ignore[attr-defined]

    def _record(self, request: HttpRequest) -> None:
        import logging

        from core.http import client_ip
        from core.models import AccessRefusal

        user = getattr(request, "user", None)  # the session's user, or the API token's (core.api.TokenAuth)
        try:
            AccessRefusal.objects.create(
                user=user if user is not None and getattr(user, "is_authenticated", False) else None,
                method=request.method[:8] if request.method else "",
                path=request.get_full_path()[:500],
                client_ip=client_ip(request)[:64],
                request_id=str(getattr(request, "request_id", ""))[:64],
                reason=str(getattr(request, "_refusal_reason", ""))[:300],
            )
        except Exception:  # the refusal stands even if the audit table cannot be written
            logging.getLogger(__name__).exception("could not record the refused request %s", request.path)


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
