from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("me/language/", views.set_my_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search, name="search"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("favicon.ico", views.favicon, name="favicon"),
]
