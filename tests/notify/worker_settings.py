"""Settings of the notify worker subprocess in tests: the base settings plus the provider
endpoints from the environment (the real settings will read them the same way)."""

from __future__ import annotations

import os

from aftersales.settings.base import *  # noqa: F403

NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
NOTIFY_KICK_ON_COMMIT = False
