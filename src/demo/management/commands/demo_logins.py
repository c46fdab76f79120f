"""``manage.py demo_logins --url URL``: where to go and who to sign in as, in Chinese and English.

The output is deliberately bilingual whatever the active language, so the table's labels are
written in both languages here rather than translated.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from core.choices import Role
from demo import tables as T


def display_width(text: str) -> int:
    """Columns a terminal uses: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def role_label(role: str) -> str:
    with translation.override("en"):
        english = str(Role(role).label)
    return f"{T.ROLE_NAMES_ZH.get(role, role)} {english}"


def authenticator_keys(users: list[Any]) -> dict[int, str]:
    """The demo authenticators' keys as people type them (base32, groups of four), by user id."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.two_factor import secret_for_people

    devices = TOTPDevice.objects.filter(user__in=users, confirmed=True).order_by("pk")
    return {device.user_id: secret_for_people(device) for device in devices}


class Command(BaseCommand):
    help = "Print the demo URLs and logins (username, password, role, unit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the address the server listens on")
        parser.add_argument("--all", action="store_true", help="list every demo staff member, not only one per role")

    def handle(self, *args: Any, url: str, all: bool, **options: Any) -> None:
        base = url.rstrip("/")
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("售后服务管理系统 · After-sales service management — demo"))
        out(f"  控制台 Console:                 {base}/")
        out(f"  接口文档 API docs:              {base}/api/v1/docs")
        out(f"  客户自助服务 Customer portal:   {base}/s/")
        out("")
        users = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=[spec.username for spec in T.STAFF])
            .select_related("profile__unit")
        }
        specs = [spec for spec in T.STAFF if spec.username in users and (all or spec.featured)]
        if not specs:
            out("  尚未加载演示数据 No demo data yet: run  manage.py load_demo")
            return
        header = ("用户名 Username", "密码 Password", "角色 Role", "单位 Unit", "两步验证密钥 2FA key")
        keys = authenticator_keys([users[spec.username] for spec in specs])
        rows = []
        for spec in specs:
            user = users[spec.username]
            profile = getattr(user, "profile", None)
            unit = profile.unit.name if profile is not None else ""
            rows.append((spec.username, T.PASSWORD, role_label(spec.role), unit, keys.get(user.pk, "")))
        widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        line = "  " + "-+-".join("-" * w for w in widths)
        out("  演示账号 Demo logins")
        out(("  " + " | ".join(pad(cell, widths[i]) for i, cell in enumerate(header))).rstrip())
        out(line)
        for row in rows:
            out(("  " + " | ".join(pad(cell, widths[i]) for i, cell in enumerate(row))).rstrip())
        if keys:
            out("  有两步验证密钥的账号登录时还要输入验证码：把密钥加入验证器应用（基于时间，6 位），")
            out("  或运行  ./dev manage demo_code 用户名  显示当前验证码。")
            out("  Logins with a 2FA key also ask for a code: add the key to an authenticator app (time-based,")
            out("  6 digits), or run  ./dev manage demo_code USERNAME  to print the current code.")
        if not all:
            others = len(users) - len(specs)
            out(f"  另有 {others} 名演示员工（各中心调度、质检、技术人员及各站账号），密码相同；--all 可列出全部。")
            out(
                f"  {others} more demo staff (dispatchers, QC, technicians, stations), same password; --all lists them."
            )
        out("")
