"""Tests: the base settings with fast hashing and jobs run in-process unless a test starts a worker."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import HUEY, VAR_DIR, database_from_url

if os.environ.get("TEST_DATABASE_URL"):
    # One connection in tests: pytest-django isolates each test in a transaction on "default";
    # the production "numbering" alias (an autonomous counter transaction) is exercised by the
    # intake benchmark against the real server setup.
    DATABASES = {"default": database_from_url(os.environ["TEST_DATABASE_URL"])}

PERMISSION_CACHE_SECONDS = 0  # user ids repeat across rolled-back tests; one test of the cache turns it on
CONFIG_CACHE_SECONDS = 0  # likewise (core.process_cache); the tests of the caches and query budgets turn it on
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory
