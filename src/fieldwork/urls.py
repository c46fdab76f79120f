from django.urls import path

from fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("", views.my_jobs, name="my_jobs"),
    path("qc/", views.qc_list, name="qc_list"),
]
