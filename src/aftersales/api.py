"""Public API v1 (SPEC §14): one NinjaAPI composed of each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

from core.api import AUTH, auth_router, install_error_handlers

api = NinjaAPI(
    title="售后服务管理系统 API",
    version="1.0.0",
    description="After-sales service management — public API v1.",
    auth=AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)


def _add_app_routers() -> None:
    from catalog.api import router as catalog_router
    from customers.api import router as customers_router
    from devices.api import router as devices_router
    from workorders.api import router as workorders_router

    api.add_router("/product-models", catalog_router)
    api.add_router("/customers", customers_router)
    api.add_router("/devices", devices_router)
    api.add_router("/work-orders", workorders_router)


_add_app_routers()
