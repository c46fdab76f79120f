from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.training_list, name="list"),
    path("new/", views.training_create, name="create"),
    path("<int:pk>/", views.training_detail, name="detail"),
    path("<int:pk>/sign/", views.training_sign, name="sign"),
    path("<int:pk>/form.pdf", views.training_pdf, name="pdf"),
    path("signatures/<int:pk>/", views.signature_image, name="signature"),
]
