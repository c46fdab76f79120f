from django.urls import path

from sla import views

app_name = "sla"
urlpatterns = [
    path("", views.service_level_list, name="list"),
    path("new/", views.service_level_create, name="create"),
    path("<int:pk>/edit/", views.service_level_edit, name="edit"),
    path("dashboard/", views.sla_dashboard, name="dashboard"),
]
