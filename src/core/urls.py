from django.urls import path

from core import staff_views, views

app_name = "core"
urlpatterns = [
    path("me/language/", views.set_my_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/<int:person_id>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/units/", staff_views.unit_list, name="units"),
    path("staff/units/new/", staff_views.unit_create, name="unit_create"),
    path("staff/units/<int:unit_id>/", staff_views.unit_edit, name="unit_edit"),
]
