from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from aftersales.api import api
from core.views_auth import LoginView
from core.views_two_factor import two_factor_code
from workorders.views import console_home

urlpatterns = [
    path("", console_home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("login/code/", two_factor_code, name="two_factor_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("customers/", include("customers.urls")),
    path("catalog/", include("catalog.urls")),
    path("devices/", include("devices.urls")),
    path("work-orders/", include("workorders.urls")),
    path("calendars/", include("workcalendar.urls")),
    path("policies/", include("policies.urls")),
    path("notifications/", include("notify.urls")),
    path("parts/", include("parts.urls")),
    path("billing/", include("billing.urls")),
    path("claims/", include("claims.urls")),
    path("service-levels/", include("sla.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("field/", include("fieldwork.urls")),
    path("s/faq/", include("knowledge.faq_urls")),  # the public FAQ (issue 15), before the portal's s/
    path("s/", include("portal.urls")),
    path("aftercare/", include("followup.urls")),  # followup (issue 13)
    path("maintenance/", include("maintenance.urls")),  # maintenance (issue 14)
    path("campaigns/", include("campaigns.urls")),  # campaigns (issue 14)
    path("training/", include("training.urls")),  # training records (issue 14)
    path("knowledge/", include("knowledge.urls")),  # knowledge (issue 15)
    path("kpis/", include("kpis.urls")),  # kpis (issue 16)
    path("network/", include("network.urls")),  # the service network (issue 12)
    path("", include("core.urls")),
]

# A database that cannot be reached answers 503 with Retry-After; /api/ answers JSON (core.server_errors).
handler500 = "core.server_errors.server_error"
