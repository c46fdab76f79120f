"""Staff two-factor sign-in (issue 10, point 6; OWASP ASVS 4.0.3 §2.7–2.8): a password, then a
code from an authenticator app (TOTP, RFC 6238) or a one-time recovery code.

The rule: the roles in ``settings.TWO_FACTOR_REQUIRED_ROLES`` (admin, director, finance by
default: they see money, every unit's data, and change the configuration) must sign in with a
second factor; anyone else may enrol and then must use it too. Devices are django-otp's
``TOTPDevice`` (the authenticator) and ``StaticDevice`` (ten recovery codes, each usable once,
regenerable); django-otp throttles wrong codes per device (1, 2, 4, 8 … seconds after each failure).

A session is in one of three steps (``Step``), kept in the session itself:

- ``none``: nothing more to do (no device and the role does not require one, or a code was
  entered: ``request.user.is_verified()``);
- ``code``: the password was right and the user has a device: only the code page is open;
- ``enrol``: the role requires a second factor and the user has none: only enrolment is open.

Deny by default: a session that did not come through the console's login (Django admin's login,
anything added later) has no step yet and gets one on its first request; a role that requires
the second factor is checked on every request, so a promotion takes effect at once.

API bearer tokens are not affected: they are issued to integrations (an HR or ERP system) that
cannot type a code, are revocable per token, and are the credential themselves (docs/api.md).
A console session calling the API is, so a half-signed-in session cannot use it (core.api).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.changelog import record_change
from core.roles import user_roles

SESSION_STEP_KEY = "two_factor_step"
#: Recovery codes just made, shown on the next page once and then forgotten by the session.
SESSION_NEW_CODES_KEY = "two_factor_new_codes"
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


class Step(StrEnum):
    NONE = "none"
    CODE = "code"
    ENROL = "enrol"


# --- policy (pure) ---------------------------------------------------------------------------


def roles_requiring_two_factor() -> frozenset[str]:
    return frozenset(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()))


def two_factor_required_for_roles(roles: set[str] | frozenset[str]) -> bool:
    """Whether a user holding ``roles`` must sign in with a second factor (superusers count as
    admins: ``core.roles.user_roles``)."""
    return bool(set(roles) & roles_requiring_two_factor())


def two_factor_required(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and two_factor_required_for_roles(user_roles(user))


def sign_in_step(*, has_device: bool, required: bool) -> Step:
    """After the password: a device asks for its code; a required role without one enrols."""
    if has_device:
        return Step.CODE
    return Step.ENROL if required else Step.NONE


# --- reads -----------------------------------------------------------------------------------


def authenticator_of(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=confirmed).order_by("-pk").first()


def recovery_device_of(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()


def has_second_factor(user: Any) -> bool:
    """A confirmed authenticator (recovery codes exist only beside one)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def secret_for_people(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def enrolment_qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as inline SVG, drawn like the devices' QR labels (qrcode)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    label = _("QR code for your authenticator app")
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        f'<svg class="qr-code" role="img" aria-label="{label}" id="two-factor-qr"',
        svg,
        count=1,
    )


# --- the session -----------------------------------------------------------------------------


def session_step(request: HttpRequest) -> Step:
    """The step of the signed-in session (see the module docstring); stores it when missing."""
    user: Any = request.user
    if not user.is_authenticated:
        return Step.NONE
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return Step.NONE
    raw = request.session.get(SESSION_STEP_KEY)
    required = two_factor_required(user)
    if raw == Step.NONE:
        step = Step.NONE
    else:  # no step yet (a session from elsewhere), or one is due: look at the devices again
        step = sign_in_step(has_device=has_second_factor(user), required=required)
    if step == Step.NONE and required:
        step = Step.ENROL  # the role changed after sign-in (or the device was removed)
    if raw != step:
        request.session[SESSION_STEP_KEY] = str(step)
    return step


def session_begin(request: HttpRequest, user: Any) -> Step:
    """Right after the password was accepted (``login()`` done): which step comes next."""
    step = sign_in_step(has_device=has_second_factor(user), required=two_factor_required(user))
    request.session[SESSION_STEP_KEY] = str(step)
    return step


def _session_verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A recovery code verifies the session too, but the session remembers the authenticator so
    # that using a recovery code does not end the session when the last code is spent.
    authenticator = authenticator_of(request.user)
    if authenticator is not None:
        request.session[DEVICE_ID_SESSION_KEY] = authenticator.persistent_id
        request.user.otp_device = authenticator  # type: ignore[union-attr]
    request.session[SESSION_STEP_KEY] = str(Step.NONE)
    request.session.cycle_key()  # a new session id once the second factor is in (fixation)


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    error: str = ""
    throttled: bool = False
    used_recovery_code: bool = False


def _normalised(token: str) -> str:
    return re.sub(r"[\s-]+", "", token or "").lower()


def _wait_message(devices: list[Any]) -> str | None:
    """Throttled when every device refuses tries for now; says until when."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return None
        if info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and info.get("locked_until"):
            waits.append(info["locked_until"])
    if not waits:
        return None
    seconds = max(1, int((min(waits) - timezone.now()).total_seconds() + 0.999))
    return _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": seconds}


def two_factor_code_check(*, request: HttpRequest, user: Any, token: str) -> CodeCheck:
    """The code step: a 6-digit authenticator code, or one of the recovery codes (spent on use).
    Wrong codes are throttled per device (django-otp: 1, 2, 4 … s)."""
    token = _normalised(token)
    if not token:
        return CodeCheck(False, _("Enter the 6-digit code of your authenticator app, or a recovery code."))
    is_app_code = token.isdigit() and len(token) == 6  # recovery codes are 8 letters and digits 2–7
    model: Any = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user_id=user.pk, confirmed=True).order_by("-pk"))
        if not devices and not has_second_factor(user):
            return CodeCheck(False, _("You have no authenticator set up."))
        wait = _wait_message(devices)
        if wait:
            return CodeCheck(False, wait, throttled=True)
        for device in devices:
            if device.verify_token(token):
                _session_verified(request, device)
                if isinstance(device, StaticDevice):
                    record_change(
                        device,
                        action="update",
                        before=None,
                        after={"recovery_codes_left": device.token_set.count()},
                        user=user,
                    )
                return CodeCheck(True, used_recovery_code=isinstance(device, StaticDevice))
    return CodeCheck(
        False,
        _(
            "That code is wrong or has expired. Enter the current 6-digit code of your authenticator app, "
            "or one of your recovery codes."
        ),
    )


# --- enrolment and its changes (audited in the change log) -----------------------------------


def _device_snapshot(device: TOTPDevice | StaticDevice) -> dict[str, Any]:
    """What the change log keeps of a device: never the key or the codes."""
    return {"user": device.user_id, "name": device.name, "confirmed": device.confirmed}


def totp_enrolment_start(*, user: AbstractBaseUser | Any) -> TOTPDevice:
    """The authenticator being set up: an unconfirmed device with a fresh key, the same one on a
    reload until it is confirmed (so the QR code a user scanned stays valid)."""
    device = authenticator_of(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: Any) -> list[str]:
    device = recovery_device_of(user)
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    device.throttle_reset()
    return codes


@transaction.atomic
def totp_enrolment_confirm(*, request: HttpRequest, user: Any, token: str) -> CodeCheck:
    """Confirm the authenticator with its first code: it replaces any earlier one, ten new
    recovery codes are made (kept in the session to be shown once), the session counts as
    verified, and the change log records the enrolment."""
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    if device is None:
        return CodeCheck(False, _("Start the set-up again: open this page once more."))
    wait = _wait_message([device])
    if wait:
        return CodeCheck(False, wait, throttled=True)
    token = _normalised(token)
    if not (token.isdigit() and device.verify_token(token)):
        if not token.isdigit():
            device.throttle_increment()
        return CodeCheck(
            False, _("That code is wrong or has expired. Enter the 6-digit code your authenticator app shows now.")
        )
    for old in TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk):
        record_change(old, action="delete", before=_device_snapshot(old), after=None, user=user)
        old.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_change(device, action="create", before=None, after=_device_snapshot(device), user=user)
    codes = _new_recovery_codes(user)
    _session_verified(request, device)
    request.session[SESSION_NEW_CODES_KEY] = codes
    return CodeCheck(True)


@transaction.atomic
def recovery_codes_regenerate(*, request: HttpRequest, user: Any) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Shown once (the session keeps them for
    the next page only)."""
    if not has_second_factor(user):
        raise PermissionDenied(_("Set up an authenticator app first."))
    codes = _new_recovery_codes(user)
    device = recovery_device_of(user)
    assert device is not None
    record_change(device, action="update", before=None, after={"recovery_codes_left": len(codes)}, user=user)
    request.session[SESSION_NEW_CODES_KEY] = codes
    return codes


@transaction.atomic
def two_factor_disable(*, request: HttpRequest, user: Any, token: str) -> CodeCheck:
    """Turn two-factor sign-in off (only where the role does not require it), confirmed with a
    current code; the devices are removed and the change log records it."""
    if two_factor_required(user):
        return CodeCheck(False, _("Your role requires two-factor sign-in: it cannot be turned off."))
    check = two_factor_code_check(request=request, user=user, token=token)
    if not check.ok:
        return check
    for device in [*TOTPDevice.objects.filter(user_id=user.pk), *StaticDevice.objects.filter(user_id=user.pk)]:
        record_change(device, action="delete", before=_device_snapshot(device), after=None, user=user)
        device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_STEP_KEY] = str(Step.NONE)
    return check
