from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("request/", views.request_create, name="request"),
    path("d/<str:token>/", views.device_request, name="device_request"),
    path("track/", views.track, name="track"),
    path("terms/", views.terms, name="terms"),
    path("o/<str:number>/", views.order_detail, name="order"),
    path("o/<str:number>/submitted/", views.submitted, name="submitted"),
    path("o/<str:number>/action/", views.order_action, name="action"),
    path("o/<str:number>/photo/", views.order_upload, name="upload"),
    path("o/<str:number>/report.pdf", views.order_report, name="report"),
]
