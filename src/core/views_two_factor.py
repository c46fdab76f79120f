"""Two-factor pages (core.two_factor): the code step after the password, and the user's own
security page (enrol, recovery codes, turn off)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import two_factor as tf
from core.navigation import landing_url_for

NEXT_KEY = "two_factor_next"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def after_sign_in_url(request: HttpRequest) -> str:
    """Where the sign-in goes once complete: the page asked for, else the role's start page."""
    target = request.session.pop(NEXT_KEY, "") or ""
    if target == resolve_url(settings.LOGIN_REDIRECT_URL):
        target = ""
    return target or landing_url_for(request.user) or resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_code(request: HttpRequest) -> HttpResponse:
    """Second step of the sign-in: the authenticator's code or a recovery code."""
    if request.GET.get("next"):
        request.session[NEXT_KEY] = safe_next(request, request.GET["next"])
    step = tf.session_step(request)
    if step == tf.Step.ENROL:
        return redirect("core:two_factor_enrol")
    if step == tf.Step.NONE:
        return redirect(after_sign_in_url(request))
    error = ""
    status = 200
    if request.method == "POST":
        check = tf.two_factor_code_check(request=request, user=request.user, token=request.POST.get("code", ""))
        if check.ok:
            if check.used_recovery_code:
                left = tf.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _("You signed in with a recovery code. Codes left: %(count)s. Make new ones on your security page.")
                    % {"count": left},
                )
            return redirect(after_sign_in_url(request))
        error = check.error
        status = 429 if check.throttled else 200
    return render(request, "core/two_factor/code.html", {"error": error, "signing_in": True}, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """The user's security page: whether two-factor sign-in is on, the recovery codes left (or
    the new ones, once), and the buttons to set it up, make new codes or turn it off."""
    user: Any = request.user
    new_codes = request.session.pop(tf.SESSION_NEW_CODES_KEY, None)
    context = {
        "enabled": tf.has_second_factor(user),
        "required": tf.two_factor_required(user),
        "codes_left": tf.recovery_codes_left(user),
        "new_codes": new_codes,
        "continue_url": after_sign_in_url(request) if new_codes else "",
    }
    return render(request, "core/two_factor/settings.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user: Any = request.user
    if request.GET.get("next"):
        request.session[NEXT_KEY] = safe_next(request, request.GET["next"])
    step = tf.session_step(request)
    if step == tf.Step.CODE:
        return redirect("two_factor_code")
    device = tf.totp_enrolment_start(user=user)
    error = ""
    status = 200
    if request.method == "POST":
        check = tf.totp_enrolment_confirm(request=request, user=user, token=request.POST.get("code", ""))
        if check.ok:
            messages.success(request, _("Two-factor sign-in is on. Keep your recovery codes somewhere safe."))
            return redirect("core:two_factor")
        error = check.error
        status = 429 if check.throttled else 200
    context = {
        "qr_svg": tf.enrolment_qr_svg(device),
        "secret": tf.secret_for_people(device),
        "required": tf.two_factor_required(user),
        "replacing": tf.has_second_factor(user),
        "signing_in": step == tf.Step.ENROL,
        "error": error,
    }
    return render(request, "core/two_factor/enrol.html", context, status=status)


@login_required
@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    tf.recovery_codes_regenerate(request=request, user=request.user)
    messages.success(request, _("New recovery codes made: the old ones no longer work."))
    return redirect("core:two_factor")


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    check = tf.two_factor_disable(request=request, user=request.user, token=request.POST.get("code", ""))
    if check.ok:
        messages.success(request, _("Two-factor sign-in is off."))
    else:
        messages.error(request, check.error)
    return redirect("core:two_factor")
