from django.urls import path

from network import views

app_name = "network"
urlpatterns = [
    path("stations/", views.station_list, name="stations"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("stations/<int:pk>/transition/", views.station_transition, name="station_transition"),
    path("stations/<int:pk>/scorecards/", views.station_scorecards, name="station_scorecards"),
    path("league/", views.league, name="league"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("support/", views.support_list, name="support"),
    path("support/<int:pk>/", views.support_detail, name="support_detail"),
    path("support/<int:pk>/answer/", views.support_answer, name="support_answer"),
    path("support/<int:pk>/team/", views.support_team, name="support_team"),
    path("orders/<int:order_pk>/escalate/", views.support_escalate, name="escalate"),
]
