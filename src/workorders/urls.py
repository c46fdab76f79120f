from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.workorder_list_page, name="list"),
    path("register/", views.register, name="register"),
    path("export.csv", views.workorder_export, name="export"),
    path("lookup/customers/", views.lookup_customers, name="lookup_customers"),
    path("lookup/devices/", views.lookup_devices, name="lookup_devices"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:view_pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/actions/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/", views.upload, name="upload"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/materials/", views.material, name="material"),
]
