"""The public FAQ under /s/faq/ (no sign-in), mounted before the portal's /s/."""

from django.urls import path

from knowledge import views

app_name = "faq"
urlpatterns = [
    path("", views.faq, name="list"),
    path("<int:pk>/", views.faq_detail, name="detail"),
    path("<int:pk>/feedback/", views.faq_feedback, name="feedback"),
    path("<int:pk>/images/<int:image_pk>/", views.faq_image, name="image"),
]
