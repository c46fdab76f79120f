from django.urls import path

from devices import views

app_name = "devices"
urlpatterns = [
    path("", views.device_list, name="list"),
    path("new/", views.device_create, name="create"),
    path("<int:pk>/", views.device_detail, name="detail"),
    path("<int:pk>/edit/", views.device_edit, name="edit"),
    path("<int:pk>/label/", views.device_label, name="label"),
]
