from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback"),
    path("callbacks/<int:pk>/call/", views.callback_call, name="callback_call"),
    path("callbacks/samples/draw/", views.sample_draw, name="sample_draw"),
    path("callbacks/samples/<int:pk>/", views.sample_detail, name="sample"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("care/", views.care, name="care"),
    path("quality/", views.quality, name="quality"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/report/", views.complaint_report, name="complaint_report"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/<str:action>/", views.complaint_action, name="complaint_action"),
]
