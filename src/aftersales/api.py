"""Public API v1 (SPEC §14): one NinjaAPI composed of each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

from core.api import AUTH, JsonObjectParser, auth_router, install_error_handlers

api = NinjaAPI(
    title="售后服务管理系统 API",
    version="1.0.0",
    description=(
        "After-sales service management — public API v1 (SPEC §14).\n\n"
        "Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. "
        "Bodies are JSON objects; dates are `YYYY-MM-DD`, times ISO 8601 with offset, money strings "
        'with two decimals. Lists answer `{"items": [...], "count": N}` and take `page` and '
        "`page_size` (≤ 100). Creation endpoints honour an `Idempotency-Key` header.\n\n"
        "Request bodies are strict: a boolean is not a number, a number is not a date, and numbers "
        "are taken as strings only for money and quantities.\n\n"
        'Errors answer `{"detail", "code", "errors": [{"field", "message"}]}`: `detail` and the messages in '
        "the language of `Accept-Language` (zh-hans by default), `code` a stable machine-readable reason "
        "(`validation_error`, `malformed_body`, `not_authenticated`, `invalid_credentials`, "
        "`permission_denied`, `csrf_failed`, `not_found`, `invalid_transition`, `stale_version`, `conflict`, "
        "`out_of_stock`, `invalid_input`, `idempotency_key_reused`, `rate_limited`; see docs/api.md): "
        "400 malformed body or a business rule, 401 no token, 403 role, 404 not visible, "
        "409 state or version conflict, 422 schema mismatch, 429 too many failed sign-ins."
    ),
    auth=AUTH,
    parser=JsonObjectParser(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)


def _add_app_routers() -> None:
    from catalog.api import router as catalog_router
    from core.staff_api import staff_router, units_router
    from customers.api import router as customers_router
    from devices.api import router as devices_router
    from workorders.api import router as workorders_router

    api.add_router("/staff", staff_router)
    api.add_router("/units", units_router)
    api.add_router("/product-models", catalog_router)
    api.add_router("/customers", customers_router)
    api.add_router("/devices", devices_router)
    api.add_router("/work-orders", workorders_router)

    from importlib import import_module

    # Apps above the foundation declare their own (prefix, router) pairs in ``<app>.api.ROUTERS``.
    apps = ("workcalendar", "policies", "notify", "parts", "billing", "claims", "sla", "dispatch", "fieldwork")
    for app in (*apps, "followup", "maintenance", "campaigns", "training", "knowledge", "kpis", "network"):
        for prefix, router in import_module(f"{app}.api").ROUTERS:
            api.add_router(prefix, router)


_add_app_routers()
