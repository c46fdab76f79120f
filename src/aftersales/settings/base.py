"""Settings shared by every environment; everything site-specific comes from the environment.

Default: the embedded setup (SQLite under var/, huey on SQLite) that ``./dev run`` serves.
``production.py`` tightens security and refuses to start without real secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[3]
SRC_DIR = BASE_DIR / "src"
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-only-for-local-use-0123456789abcdefghijklmnop")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger files locally (no CDN)
    "huey.contrib.djhuey",
    "django_otp",  # staff two-factor sign-in (core.two_factor): TOTP and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "customers",
    "catalog",
    "devices",
    "workcalendar",
    "policies",
    "notify",
    "workorders",
    "parts",  # spare parts: above work orders, below billing (whose price list refers to its parts)
    "billing",
    "claims",
    "sla",
    "dispatch",
    "fieldwork",
    "portal",
    "followup",  # callbacks and complaints (issue 13): above portal, below demo
    "maintenance",  # preventive maintenance plans (issue 14): above followup
    "campaigns",  # upgrades, recalls and retrofits (issue 14)
    "training",  # training records (issue 14)
    "knowledge",  # knowledge base (issue 15): above followup, below demo
    "kpis",  # KPIs and dashboards (issue 16)
    "network",  # the service network (issue 12): stations, lifecycle, scorecards, support
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a second factor this session
    "core.middleware.SessionIdleTimeoutMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "core.middleware.TwoFactorMiddleware",  # no console page before the code (or the enrolment)
    "core.middleware.RequestContextMiddleware",
    "core.middleware.AccessRefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}")


def database_from_url(url: str) -> dict[str, Any]:
    """One place that turns a URL into Django's settings, with the SQLite tuning.

    SQLite: WAL lets readers run beside the writer; IMMEDIATE transactions take the write lock
    at BEGIN so two writers queue on the busy timeout instead of failing with
    "database is locked" when one upgrades a read lock.
    """
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "core.sqlite"  # writers wait in line instead of racing (core/sqlite/base.py)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;PRAGMA foreign_keys=ON;"
            ),
        }
        # A file, not memory: tests that start a real worker or server process share it.
        config["TEST"] = {"NAME": str(VAR_DIR / "test-aftersales.sqlite3")}
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


def with_numbering_alias(databases: dict) -> dict:
    """PostgreSQL: number counters commit on their own connection (an autonomous transaction),
    so a row lock on today's counter is held for one statement, not for a whole request.
    SQLite has one writer at a time anyway, so it keeps a single connection."""
    default = databases["default"]
    if default["ENGINE"] != "core.sqlite":
        databases["numbering"] = {**default, "TEST": {"MIRROR": "default"}}
    return databases


DATABASES = with_numbering_alias({"default": database_from_url(DATABASE_URL)})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# --- Background work ----------------------------------------------------------------------
# The database is the source of truth; huey only wakes work up (docs/decisions/0003).
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "aftersales",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "4")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "aftersales",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
    }

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 4.0.3 §2.1.1: at least 12 characters; no composition rules (§2.1.9), common and
    # all-digit passwords refused, nor one that resembles the user's name or e-mail.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["core.auth.CachedPermissionsBackend"]
PERMISSION_CACHE_SECONDS = int(os.environ.get("PERMISSION_CACHE_SECONDS", "60"))
# Small configuration tables cached per process (core.process_cache): how often another process's change is looked for.
CONFIG_CACHE_SECONDS = float(os.environ.get("CONFIG_CACHE_SECONDS", "10"))
# Signed-in sessions end after 30 idle minutes and after 12 hours in any case (ASVS §3.3.2;
# core.middleware.SessionIdleTimeoutMiddleware); a customer's portal session keeps SESSION_COOKIE_AGE.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_MAX_AGE = int(os.environ.get("SESSION_MAX_AGE", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Two-factor sign-in (core.two_factor, docs/operations.md): these roles must use an authenticator
# app (TOTP); anyone else may. Set it empty to require it of no one (not advised in production).
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "admin,director,finance")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", os.environ.get("SITE_NAME", "售后服务管理系统"))
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row the next try waits 2^(n-1) s (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1  # recovery codes likewise

# --- Security headers (docs/operations.md, "Security headers") ------------------------------
# Django's SecurityMiddleware sends nosniff, the referrer policy and COOP (and HSTS over HTTPS in
# production); core.middleware.SecurityHeadersMiddleware adds the CSP and the Permissions-Policy.
# Scripts and style sheets come from this site only (no inline <script>, no on*= attributes: a
# test reads every template). Style *attributes* stay allowed: the dispatch board places its bars
# with computed left/width; browsers that know style-src-elem still refuse <style> elements.
# Images: data: for Bootstrap's icons in CSS and the drawn signature, blob: for photo previews.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "style-src-elem": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# The technician's phone pages use the position (check-in) and the camera (photos); nothing else.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- i18n, time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),  # kpis dashboards (issue 16)
    SRC_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Product ------------------------------------------------------------------------------
SITE_NAME = os.environ.get("SITE_NAME", "售后服务管理系统")
# The address customers see (QR labels, links in messages); empty: the host a request reached
# (core.public_urls). Set it in production, where requests arrive through nginx.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
REPAIR_WARRANTY_DAYS = int(os.environ.get("REPAIR_WARRANTY_DAYS", "30"))  # 第六条: works ≥ 30 days after repair
# Reverse proxies in front of the app that append to X-Forwarded-For (0: clients connect directly).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
SERVICE_HOTLINE = os.environ.get("SERVICE_HOTLINE", "400-800-8000")
# The customer's public pages (portal.throttle, docs/operations.md "Rate limits"): failed lookups
# from one address in 10 minutes before it is locked out; requests to token pages from one address.
PORTAL_TRACK_IP_LIMIT = int(os.environ.get("PORTAL_TRACK_IP_LIMIT", "30"))
PORTAL_REQUEST_IP_LIMIT = int(os.environ.get("PORTAL_REQUEST_IP_LIMIT", "120"))

# --- E-mail and notifications (notify app; docs/notify.md) --------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@localhost")
NOTIFY_EMAIL_ENABLED = env_bool("NOTIFY_EMAIL_ENABLED", False)  # off until an SMTP server is configured
NOTIFY_EMAIL_FROM = os.environ.get("NOTIFY_EMAIL_FROM", "")
NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")  # the SMS gateway's HTTP endpoint ("" = channel off)
NOTIFY_SMS_TOKEN = os.environ.get("NOTIFY_SMS_TOKEN", "")
NOTIFY_SMS_SIGNATURE = os.environ.get("NOTIFY_SMS_SIGNATURE", "")
NOTIFY_WECOM_URL = os.environ.get("NOTIFY_WECOM_URL", "")  # 企业微信 endpoint ("" = channel off)
NOTIFY_WECOM_KEY = os.environ.get("NOTIFY_WECOM_KEY", "")
NOTIFY_WECOM_AGENT_ID = os.environ.get("NOTIFY_WECOM_AGENT_ID", "")
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
NOTIFY_BACKOFF_SECONDS = int(os.environ.get("NOTIFY_BACKOFF_SECONDS", "30"))
NOTIFY_BACKOFF_MAX_SECONDS = int(os.environ.get("NOTIFY_BACKOFF_MAX_SECONDS", "3600"))
NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "120"))
NOTIFY_BATCH_SIZE = int(os.environ.get("NOTIFY_BATCH_SIZE", "50"))
NOTIFY_KICK_ON_COMMIT = env_bool("NOTIFY_KICK_ON_COMMIT", True)
WORKCALENDAR_DEFAULT = os.environ.get("WORKCALENDAR_DEFAULT", "24x7")
SLA_CALLBACK_DAYS = int(os.environ.get("SLA_CALLBACK_DAYS", "7"))  # seed: call back within 7 days of a service
