from django.urls import path

from core import staff_views, views, views_two_factor

app_name = "core"
urlpatterns = [
    path("me/language/", views.set_my_language, name="set_language"),
    path("me/two-factor/", views_two_factor.two_factor_settings, name="two_factor"),
    path("me/two-factor/enrol/", views_two_factor.two_factor_enrol, name="two_factor_enrol"),
    path("me/two-factor/recovery-codes/", views_two_factor.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("me/two-factor/disable/", views_two_factor.two_factor_disable, name="two_factor_disable"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search, name="search"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/<int:person_id>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/units/", staff_views.unit_list, name="units"),
    path("staff/units/new/", staff_views.unit_create, name="unit_create"),
    path("staff/units/<int:unit_id>/", staff_views.unit_edit, name="unit_edit"),
]
