"""``manage.py demo_code USERNAME``: the code a demo login's authenticator shows now.

For visitors of the demo without an authenticator app at hand: the demo logins of admin, director
and finance have two-factor sign-in set up (``load_demo``). Refuses anyone who is not a demo login.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from demo import tables as T


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login (admin, director, finance)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if username not in {spec.username for spec in T.STAFF}:
            raise CommandError(f"{username}: not a demo login 不是演示账号")
        user = get_user_model().objects.filter(username=username).first()
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=True, key=T.demo_authenticator_key(username)).first()
            if user
            else None
        )
        if device is None:
            raise CommandError(f"{username}: no demo authenticator 没有演示验证器")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        left = device.step - int(now - device.t0) % device.step
        code = str(totp.token()).zfill(device.digits)
        self.stdout.write(f"{code}   ({left} s 秒)")
