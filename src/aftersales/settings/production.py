"""Production: PostgreSQL, Redis, several web and worker processes behind a reverse proxy.

Refuses to start with the development secret or without ALLOWED_HOSTS, so a forgotten variable
stops the deploy instead of running an insecure site. ``./dev check`` runs
``manage.py check --deploy --fail-level WARNING`` against this module; keep it clean.
See README.md ("Production") and docs/operations.md for the variables.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PUBLIC_BASE_URL, SECRET_KEY, env_bool

DEBUG = False

if not os.environ.get("SECRET_KEY") or SECRET_KEY.startswith("dev-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
# Rotation (docs/operations.md): the old key keeps sessions and signed links valid for a while.
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()]
if not os.environ.get("ALLOWED_HOSTS") or not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site answers to.")
# Links made by background jobs (messages) have no request to take the host from: without a
# configured address they point at the first host name this site answers to, over HTTPS.
if not PUBLIC_BASE_URL and ALLOWED_HOSTS[0] not in {"*", ""}:
    PUBLIC_BASE_URL = f"https://{ALLOWED_HOSTS[0].lstrip('.')}"

# --- HTTPS behind the proxy ---------------------------------------------------------------
# nginx terminates TLS and sets X-Forwarded-Proto (deploy/nginx.conf); Django trusts that header
# only because gunicorn listens on a local address the proxy alone can reach.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Cookies ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The public address is a trusted origin for CSRF unless the operator lists origins explicitly.
if not CSRF_TRUSTED_ORIGINS and urlsplit(PUBLIC_BASE_URL).scheme == "https":
    _public = urlsplit(PUBLIC_BASE_URL)
    CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

# --- Static files -------------------------------------------------------------------------
# Hashed names (after ``manage.py collectstatic``) let whitenoise or nginx cache them for a year.
# Not strict: a template naming a missing file renders a plain URL (a 404 for that file) rather
# than failing the whole page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MANIFEST_STRICT = False

# Behind nginx (deploy/nginx.conf sets X-Forwarded-For): the client is the address nginx saw.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
