from django.urls import path

from fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("", views.my_jobs, name="my_jobs"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/parts/", views.part_search, name="part_search"),
    path("jobs/<int:pk>/parts/pick/", views.part_pick, name="part_pick"),
    path("jobs/<int:pk>/photos/<int:photo_pk>/thumbnail.jpg", views.photo_thumbnail, name="photo_thumbnail"),
    path("jobs/<int:pk>/<slug:action>/", views.job_action, name="action"),
    path("jobs/<int:pk>/report.pdf", views.report_pdf, name="report"),
    path("qc/", views.qc_list, name="qc_list"),
    path("qc/<int:pk>/", views.qc_decide, name="qc_decide"),
    path("signatures/<int:pk>.png", views.signature_image, name="signature"),
]
