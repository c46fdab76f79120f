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
