"""Builders for tests: an organisation with two stations, users per role, customers, devices.

Data is created through the real services so tests exercise what users do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.choices import Role, UnitKind
from core.models import CoverageRegion, OrgUnit, UserProfile

_counter = itertools.count(1)


@dataclass
class Org:
    hq: OrgUnit
    centre: OrgUnit  # 杭州服务中心, covers Hangzhou (3301)
    station_a: OrgUnit  # 西湖特约维修站, covers 西湖区 (330106)
    station_b: OrgUnit  # 北京海淀特约维修站, covers 海淀区 (110108)


def build_org() -> Org:
    hq, _ = OrgUnit.objects.get_or_create(code="HQ", defaults={"name": "总部售后服务中心", "kind": UnitKind.HQ})
    centre, _ = OrgUnit.objects.get_or_create(
        code="HZ", defaults={"name": "杭州服务中心", "kind": UnitKind.CENTRE, "parent": hq}
    )
    station_a, _ = OrgUnit.objects.get_or_create(
        code="HZ-XH", defaults={"name": "西湖特约维修站", "kind": UnitKind.STATION, "parent": centre}
    )
    station_b, _ = OrgUnit.objects.get_or_create(
        code="BJ-HD", defaults={"name": "北京海淀特约维修站", "kind": UnitKind.STATION, "parent": hq}
    )
    for unit, prefix, name in [
        (centre, "3301", "杭州市"),
        (station_a, "330106", "西湖区"),
        (station_b, "110108", "海淀区"),
        (hq, "11", "北京市"),
    ]:
        CoverageRegion.objects.get_or_create(unit=unit, adcode_prefix=prefix, defaults={"name": name})
    return Org(hq=hq, centre=centre, station_a=station_a, station_b=station_b)


def make_user(
    role: str,
    unit: OrgUnit,
    *,
    username: str | None = None,
    password: str = "demo-pass-2026",
    language: str = "zh-hans",
    full_name: str = "",
) -> Any:
    User = get_user_model()
    username = username or f"{role}{next(_counter)}"
    user = User.objects.create_user(username=username, password=password, first_name=full_name or username)
    UserProfile.objects.create(user=user, unit=unit, language=language)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return User.objects.select_related("profile", "profile__unit").get(pk=user.pk)


# --- two-factor sign-in (core.two_factor) -------------------------------------------------------


def give_authenticator(user: Any, *, key: str | None = None) -> Any:
    """A confirmed authenticator for ``user`` (the one they have, if any), as after enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=True, **({"key": key} if key else {})
        )
    return device


def totp_code(device: Any) -> str:
    """The code an authenticator app shows for ``device`` now — or, if that one was used
    already, the next step's (accepted too: one step of tolerance), as a phone would a moment later."""
    import time

    from django_otp.oath import TOTP, hotp

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    return str(hotp(device.bin_key, step, digits=device.digits)).zfill(device.digits)


def session_signed_in_with_code(session: Any, user: Any) -> None:
    """Make a test session what the console's sign-in leaves behind once the code was entered:
    a user whose role requires a second factor (or who has one) gets an authenticator and a
    verified session; anyone else a session with nothing more to do. ``force_login`` and
    ``Client.login`` do this in the suite (tests/conftest.py) — the production middleware is
    unchanged: a session without it is sent to the code or the enrolment."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from core.two_factor import SESSION_STEP_KEY, Step, has_second_factor, two_factor_required

    if two_factor_required(user) or has_second_factor(user):
        session[DEVICE_ID_SESSION_KEY] = give_authenticator(user).persistent_id
    session[SESSION_STEP_KEY] = str(Step.NONE)
