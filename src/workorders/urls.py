from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.workorder_list_page, name="list"),
    path("register/", views.register, name="register"),
    path("export.csv", views.workorder_export, name="export"),
    path("export.xlsx", views.workorder_export_xlsx, name="export_xlsx"),
    path("bulk/", views.workorder_bulk, name="bulk"),
    path("bulk/assign-picker/", views.bulk_assign_picker, name="bulk_assign_picker"),
    path("lookup/customers/", views.lookup_customers, name="lookup_customers"),
    path("lookup/devices/", views.lookup_devices, name="lookup_devices"),
    path("lookup/device-history/", views.lookup_device_history, name="lookup_device_history"),
    path("lookup/duplicates/", views.lookup_duplicates, name="lookup_duplicates"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:view_pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/print/", views.print_form, name="print"),
    path("<int:pk>/actions/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/", views.upload, name="upload"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/materials/", views.material, name="material"),
]
